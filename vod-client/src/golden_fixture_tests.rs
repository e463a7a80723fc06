//! Behaviour of the generator's golden fixture output (`golden_fixture`), compiled against this
//! runtime: what the generated code does, not only that it builds.

use serde_json::json;

use crate::golden_fixture::*;
use crate::operation::{Paginated, Request, TaskState, Waitable};
use crate::Error;

fn problems(err: Error) -> Vec<(String, String)> {
    match err {
        Error::InvalidRequest {
            operation,
            problems,
        } => {
            assert_eq!(operation, "fixtureCreateWidget");
            problems.into_iter().map(|p| (p.field, p.message)).collect()
        }
        other => panic!("expected an invalid request, got {other}"),
    }
}

#[test]
fn constraints_are_checked_with_field_paths() {
    let mut request = FixtureCreateWidgetRequest::new("", 9);
    request.ratio = Some(1.5);
    let tag: FixtureTag = serde_json::from_value(json!({"label": "much-too-long"})).unwrap();
    request.tags = Some(vec![tag.clone(), tag.clone(), tag.clone(), tag]);
    let fields: Vec<String> = problems(request.validate().unwrap_err())
        .into_iter()
        .map(|(field, _)| field)
        .collect();
    assert_eq!(
        fields,
        [
            "name",
            "count",
            "ratio",
            "tags",
            "tags[0].label",
            "tags[1].label",
            "tags[2].label",
            "tags[3].label"
        ]
    );
    assert!(FixtureCreateWidgetRequest::new("ok", 3).validate().is_ok());
    let mut unknown_colour = FixtureCreateWidgetRequest::new("ok", 3);
    unknown_colour.color = Some(FixtureColor::Unknown("green".into()));
    let problems = problems(unknown_colour.validate().unwrap_err());
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].0, "color");
    assert!(problems[0].1.contains("red, sky-blue"), "{}", problems[0].1);
}

#[test]
fn outputs_decode_leniently_and_keep_unknown_enum_values() {
    let output: FixtureListWidgetsOutput = serde_json::from_value(json!({
        "total": "2",
        "widgets": [
            {"widgetId": "a", "state": "2", "type": "box", "sizeBytes": "12", "extra": true},
            {"widgetId": "b", "state": 7}
        ]
    }))
    .unwrap();
    assert_eq!(output.total, 2);
    assert_eq!(output.widgets[0].state, FixtureState::Done);
    assert_eq!(output.widgets[0].r#type.as_deref(), Some("box"));
    assert_eq!(output.widgets[0].size_bytes, Some(12));
    assert_eq!(output.widgets[1].state, FixtureState::Unknown(7));
    let aliased: FixtureWidget =
        serde_json::from_value(json!({"widgetId": "c", "state": 1, "size": "5"})).unwrap();
    assert_eq!(
        aliased.size_bytes,
        Some(5),
        "an alias is accepted when decoding"
    );
    let missing = serde_json::from_value::<FixtureListWidgetsOutput>(json!({"total": 1}));
    assert!(missing.unwrap_err().to_string().contains("widgets"));
}

#[test]
fn waiter_reads_the_state_path() {
    let request = FixtureCreateWidgetRequest::new("w", 1);
    let started: FixtureCreateWidgetOutput =
        serde_json::from_value(json!({"widgetId": "w1"})).unwrap();
    let queries = request.state_queries(&started);
    assert_eq!(queries.len(), 1);
    assert_eq!(queries[0].0, "widgetId=w1");
    assert_eq!(
        queries[0].1.widget_id.as_ref().map(|id| id.as_str()),
        Some("w1")
    );
    let state = |body| {
        let out: FixtureListWidgetsOutput = serde_json::from_value(body).unwrap();
        FixtureCreateWidgetRequest::task_state(&out)
    };
    let page = |s: i64| json!({"total": 1, "widgets": [{"widgetId": "w1", "state": s}]});
    assert_eq!(state(page(1)), TaskState::Running);
    assert_eq!(state(page(2)), TaskState::Succeeded);
    assert_eq!(state(page(-1)), TaskState::Failed("-1".into()));
    assert_eq!(
        state(json!({"total": 0, "widgets": []})),
        TaskState::Running
    );
}

#[test]
fn at_least_one_of_a_group_must_be_given() {
    let err = FixtureListWidgetsRequest::new().validate().unwrap_err();
    assert!(
        err.to_string()
            .contains("at least one of widgetId, pageIndex"),
        "{err}"
    );
    let mut blank = FixtureListWidgetsRequest::new();
    blank.widget_id = Some("  ".into());
    assert!(blank.validate().is_err(), "blank text does not count");
    blank.page_index = Some(1);
    assert!(blank.validate().is_ok());
}

#[test]
fn numeric_text_is_checked_as_a_number() {
    let mut request = FixtureGetTokenRequest::new("[]");
    request.limit = Some("12".into());
    assert!(request
        .validate()
        .unwrap_err()
        .to_string()
        .contains("at most 9"));
    request.limit = Some("many".into());
    assert!(request
        .validate()
        .unwrap_err()
        .to_string()
        .contains("must be a number"));
    request.limit = Some(" 3 ".into());
    assert!(request.validate().is_ok());
}

#[test]
fn pagination_reads_and_sets_page_fields() {
    let mut request = FixtureListWidgetsRequest::new();
    assert_eq!(request.page_index(), None);
    request.set_page_index(3);
    assert_eq!(request.page_index, Some(3));
    assert_eq!(FixtureListWidgetsRequest::DEFAULT_PAGE_SIZE, 20);
    let body = serde_json::to_value(&request).unwrap();
    assert_eq!(
        body,
        json!({"pageIndex": 3}),
        "unset optional fields are not sent"
    );
}

#[test]
fn string_enums_round_trip_their_wire_values() {
    assert_eq!(
        "sky-blue".parse::<FixtureColor>().unwrap(),
        FixtureColor::SkyBlue
    );
    assert_eq!(
        serde_json::to_value(FixtureColor::SkyBlue).unwrap(),
        json!("sky-blue")
    );
    let unknown: FixtureColor = serde_json::from_value(json!("green")).unwrap();
    assert_eq!(unknown, FixtureColor::Unknown("green".into()));
    assert_eq!(
        <FixtureCreateWidgetRequest as Request>::OPERATION.path,
        "/fixture/createWidget"
    );
}

#[test]
fn callbacks_decode_from_the_notification_body() {
    let body = br#"{"code":200,"message":"ok","data":{"widgetId":"w9","state":"2"}}"#;
    let payload = FixtureWidgetCallback::from_body(body).unwrap();
    assert_eq!(payload.widget_id, "w9");
    assert_eq!(payload.state, Some(FixtureState::Done));
    let err = FixtureWidgetCallback::from_body(br#"{"data":{}}"#).unwrap_err();
    assert!(err.to_string().contains("fixtureWidgetCallback"), "{err}");
}

#[test]
fn text_formats_are_checked() {
    let mut request = FixtureCreateWidgetRequest::new("w", 1);
    request.notify_url = Some("ftp://example.test/x".into());
    let err = request.validate().unwrap_err().to_string();
    assert!(err.contains("notifyUrl") && err.contains("http"), "{err}");
    request.notify_url = Some("https://example.test/hook".into());
    assert!(request.validate().is_ok());
}

#[test]
fn encodings_travel_as_the_spec_says() {
    let request = FixtureCreateWidgetRequest::new("w", 1)
        .with_labels(["a", "b"])
        .with_shelf_id(42)
        .with_start_at(crate::Time::from_unix_seconds(1_700_000_000))
        .with_recipe(FixtureRecipe::new("slow").with_level("3"))
        .with_fast(true);
    let wire = serde_json::to_value(&request).unwrap();
    assert_eq!(wire["labels"], json!("a,b"));
    assert_eq!(wire["shelfId"], json!("42"));
    assert_eq!(wire["startAt"], json!(1_700_000_000));
    assert_eq!(
        wire["recipe"],
        json!("{mode:slow,level:3}"),
        "members in spec order"
    );
    assert_eq!(
        wire["isFastt"],
        json!(true),
        "rust_name keeps the wire name"
    );
    // Requests read back only with the `serde` feature (the CLI's `--input-json`).
    #[cfg(feature = "serde")]
    assert_eq!(
        serde_json::from_value::<FixtureCreateWidgetRequest>(wire).unwrap(),
        request
    );

    let token = FixtureGetTokenRequest::new("[]")
        .with_files([FixtureTag::new("x")])
        .with_meta([FixtureTag::new("m")])
        .with_expires_at(crate::Time::from_unix_millis(1_700_000_000_123))
        .with_page_size(7);
    let wire = serde_json::to_value(&token).unwrap();
    assert_eq!(
        wire["files"],
        json!("W3sibGFiZWwiOiJ4In1d"),
        "url-safe base64 of [{{\"label\":\"x\"}}]"
    );
    assert_eq!(wire["meta"], json!(r#"[{"label":"m"}]"#));
    assert_eq!(wire["expiresAt"], json!(1_700_000_000_123_i64));
    assert_eq!(wire["pageSize"], json!("7"));
    #[cfg(feature = "serde")]
    assert_eq!(
        serde_json::from_value::<FixtureGetTokenRequest>(wire).unwrap(),
        token
    );
}

#[test]
fn list_items_and_times_are_validated_one_by_one() {
    let request = FixtureCreateWidgetRequest::new("w", 1)
        .with_labels(["ok", " ", "a,b", "x", "y"])
        .with_start_at("not a time");
    let found = problems(request.validate().unwrap_err());
    let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
    assert!(fields.contains(&"labels"), "too many: {found:?}");
    assert!(fields.contains(&"labels[1]"), "blank item: {found:?}");
    assert!(fields.contains(&"labels[2]"), "comma inside: {found:?}");
    assert!(fields.contains(&"startAt"), "unparsed time: {found:?}");

    let empty = FixtureBuildWidgetsRequest::new(Vec::<WidgetId>::new());
    let err = empty.validate().unwrap_err().to_string();
    assert!(
        err.contains("widgetIds"),
        "a required comma list needs an item: {err}"
    );
}

#[test]
fn a_task_over_several_ids_queries_each() {
    let request = FixtureBuildWidgetsRequest::new(["w1", "w2"]);
    let queries = request.state_queries(&"task".to_string());
    let subjects: Vec<&str> = queries.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(subjects, ["widgetId=w1", "widgetId=w2"]);
    assert_eq!(queries[1].1.widget_id, Some(WidgetId::from("w2")));
}

#[test]
fn outputs_are_built_without_json() {
    let widget = FixtureWidget::new("w1", FixtureState::Done)
        .with_weight(12)
        .with_built_at(crate::Time::from_service_text("2024-01-01 08:00:00"));
    let page = FixtureListWidgetsOutput::new(1, [widget.clone()]);
    assert_eq!(page.widgets[0], widget);
    // Answers serialize (back to the wire form) only with the `serde` feature.
    #[cfg(feature = "serde")]
    {
        let wire = serde_json::to_value(&widget).unwrap();
        assert_eq!(wire["weight"], json!("12"));
        assert_eq!(wire["builtAt"], json!("2024-01-01 08:00:00"));
    }
    let ids: ShelfId = 7.into();
    assert_eq!(ids.get(), 7);
}
