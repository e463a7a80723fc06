use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Ids {
    #[serde(
        serialize_with = "crate::codec::serialize::<crate::codec::Comma, _, _>",
        deserialize_with = "crate::codec::deserialize::<crate::codec::Comma, _, _>"
    )]
    ids: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::codec::serialize_option::<crate::codec::Comma, _, _>",
        deserialize_with = "crate::codec::deserialize_option::<crate::codec::Comma, _, _>"
    )]
    more: Option<Vec<i64>>,
}

#[test]
fn comma_lists_join_and_split() {
    let value = Ids {
        ids: vec!["v1".into(), "v2".into()],
        more: Some(vec![3, 4]),
    };
    let json = serde_json::to_string(&value).unwrap();
    assert_eq!(json, r#"{"ids":"v1,v2","more":"3,4"}"#);
    assert_eq!(serde_json::from_str::<Ids>(&json).unwrap(), value);
    // The decoded form is accepted too, and an empty string is an empty list.
    let from_array: Ids = serde_json::from_str(r#"{"ids":["v1","v2"],"more":[3,"4"]}"#).unwrap();
    assert_eq!(from_array, value);
    let empty: Ids = serde_json::from_str(r#"{"ids":"","more":null}"#).unwrap();
    assert_eq!(
        empty,
        Ids {
            ids: vec![],
            more: None
        }
    );
    let missing: Ids = serde_json::from_str(r#"{"ids":"a"}"#).unwrap();
    assert_eq!(missing.more, None);
    let bad = serde_json::from_str::<Ids>(r#"{"ids":"a","more":"1,x"}"#).unwrap_err();
    assert!(bad.to_string().contains("list item `x`"), "{bad}");
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct File {
    #[serde(rename = "fetchUrl")]
    fetch_url: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Files {
    #[serde(
        serialize_with = "crate::codec::serialize::<crate::codec::Base64Json, _, _>",
        deserialize_with = "crate::codec::deserialize::<crate::codec::Base64Json, _, _>"
    )]
    list: Vec<File>,
}

#[test]
fn base64_json_is_url_safe_and_padded() {
    let files = Files {
        list: vec![File {
            fetch_url: "https://e.test/a?b=c>".into(),
        }],
    };
    let json = serde_json::to_value(&files).unwrap();
    let text = json["list"].as_str().unwrap();
    let expected = base64::engine::general_purpose::URL_SAFE
        .encode(br#"[{"fetchUrl":"https://e.test/a?b=c>"}]"#);
    assert_eq!(text, expected);
    assert!(
        text.ends_with('=') && !text.contains('+') && !text.contains('/'),
        "{text}"
    );
    assert_eq!(serde_json::from_value::<Files>(json).unwrap(), files);
    // Standard alphabet, missing padding and plain JSON are read too.
    let standard = base64::engine::general_purpose::STANDARD_NO_PAD
        .encode(br#"[{"fetchUrl":"https://e.test/a?b=c>"}]"#);
    let decoded: Files = serde_json::from_value(serde_json::json!({ "list": standard })).unwrap();
    assert_eq!(decoded, files);
    let plain: Files =
        serde_json::from_str(r#"{"list":[{"fetchUrl":"https://e.test/a?b=c>"}]}"#).unwrap();
    assert_eq!(plain, files);
    let err = serde_json::from_str::<Files>(r#"{"list":"%%%"}"#).unwrap_err();
    assert!(err.to_string().contains("not base64"), "{err}");
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Cmd {
    #[serde(
        rename = "tcTemplateName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    template: Option<String>,
    #[serde(
        rename = "workflowCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    workflow: Option<String>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Pull {
    #[serde(
        serialize_with = "crate::codec::serialize::<crate::codec::BracedPairs, _, _>",
        deserialize_with = "crate::codec::deserialize::<crate::codec::BracedPairs, _, _>"
    )]
    cmd: Cmd,
}

#[test]
fn braced_pairs_round_trip() {
    let pull = Pull {
        cmd: Cmd {
            template: Some("hd".into()),
            workflow: Some("wf1".into()),
        },
    };
    let json = serde_json::to_string(&pull).unwrap();
    assert_eq!(json, r#"{"cmd":"{tcTemplateName:hd,workflowCode:wf1}"}"#);
    assert_eq!(serde_json::from_str::<Pull>(&json).unwrap(), pull);
    let one = Pull {
        cmd: Cmd {
            template: None,
            workflow: Some("wf1".into()),
        },
    };
    assert_eq!(
        serde_json::to_string(&one).unwrap(),
        r#"{"cmd":"{workflowCode:wf1}"}"#
    );
    assert!(serde_json::from_str::<Pull>(r#"{"cmd":"workflowCode:wf1"}"#).is_err());
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Times {
    #[serde(
        serialize_with = "crate::codec::serialize::<crate::codec::DateTime, _, _>",
        deserialize_with = "crate::codec::deserialize::<crate::codec::DateTime, _, _>"
    )]
    at: Time,
    #[serde(
        serialize_with = "crate::codec::serialize::<crate::codec::UnixSeconds, _, _>",
        deserialize_with = "crate::codec::deserialize::<crate::codec::UnixSeconds, _, _>"
    )]
    secs: Time,
    #[serde(
        serialize_with = "crate::codec::serialize::<crate::codec::UnixMillis, _, _>",
        deserialize_with = "crate::codec::deserialize::<crate::codec::UnixMillis, _, _>"
    )]
    millis: Time,
    #[serde(
        serialize_with = "crate::codec::serialize::<crate::codec::Text, _, _>",
        deserialize_with = "crate::codec::deserialize::<crate::codec::Text, _, _>"
    )]
    page: u32,
}

#[test]
fn times_and_numeric_text_keep_their_wire_form() {
    let wire =
        r#"{"at":"2024-02-29 23:59:59","secs":1700000000,"millis":1700000000123,"page":"3"}"#;
    let times: Times = serde_json::from_str(wire).unwrap();
    assert_eq!(times.at.timestamp().unwrap().as_second(), 1_709_222_399);
    assert_eq!(times.secs.timestamp().unwrap().as_second(), 1_700_000_000);
    assert_eq!(
        times.millis.timestamp().unwrap().as_millisecond(),
        1_700_000_000_123
    );
    assert_eq!(times.page, 3);
    assert_eq!(serde_json::to_string(&times).unwrap(), wire);
    // Loose spellings decode; odd values are kept, not lost, and go back unchanged.
    let loose = r#"{"at":"not yet","secs":"1700000000","millis":"x","page":3}"#;
    let times: Times = serde_json::from_str(loose).unwrap();
    assert_eq!(times.at.raw(), Some("not yet"));
    assert_eq!(times.secs.timestamp().unwrap().as_second(), 1_700_000_000);
    assert_eq!(times.millis.raw(), Some("x"));
    assert_eq!(
        serde_json::to_string(&times).unwrap(),
        r#"{"at":"not yet","secs":1700000000,"millis":"x","page":"3"}"#
    );
}

#[test]
fn an_optional_field_of_the_wrong_kind_says_what_was_expected() {
    // serde_json never offers a bool to `deserialize_option`; other deserializers may, and the
    // error then names what the field takes.
    let d = serde::de::value::BoolDeserializer::<serde::de::value::Error>::new(true);
    let err = deserialize_option::<Comma, Vec<String>, _>(d).expect_err("a bool");
    assert!(err.to_string().contains("a value or null"), "{err}");
}
