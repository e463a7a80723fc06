//! One test per `api-diff` rule: the fixture spec, edited in memory, compared with itself.
//! The rule table these tests follow is in `api-spec/README.md` ("What an edit does to users").

use std::path::Path;

use codegen::diff::{self, render, Affects, Change, Level};
use codegen::SourceFile;

fn fixture() -> Vec<SourceFile> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
    let mut sources = codegen::read_spec_dir(&dir).expect("fixture readable");
    for s in &mut sources {
        s.path = Path::new("mini").join(s.path.file_name().expect("file name"));
    }
    sources
}

fn lower(sources: &[SourceFile]) -> codegen::ir::Api {
    let loaded = codegen::load::load(sources).expect("loads");
    codegen::validate::validate(&loaded).unwrap_or_else(|e| panic!("valid:\n{e}"));
    codegen::ir::lower(&loaded)
}

/// The changes after replacing, in `file` (`service` or `widgets`), each `from` (which must
/// occur exactly once) with its `to`.
fn diff_after(edits: &[(&str, &str, &str)]) -> Vec<Change> {
    let base = fixture();
    let mut new = base.clone();
    for (file, from, to) in edits {
        let source = new
            .iter_mut()
            .find(|s| s.path.ends_with(format!("{file}.yaml")))
            .expect("fixture file");
        assert_eq!(
            source.text.matches(from).count(),
            1,
            "`{from}` once in {file}"
        );
        source.text = source.text.replacen(from, to, 1);
    }
    diff::diff(&lower(&base), &lower(&new))
}

fn widgets(from: &str, to: &str) -> Vec<Change> {
    diff_after(&[("widgets", from, to)])
}

fn service(from: &str, to: &str) -> Vec<Change> {
    diff_after(&[("service", from, to)])
}

/// The one change, checked for level, places affected and a piece of its message.
#[track_caller]
fn only(changes: &[Change], level: Level, affects: &[Affects], says: &str) {
    assert_eq!(changes.len(), 1, "{changes:#?}");
    let c = &changes[0];
    assert_eq!(c.level, level, "{c:#?}");
    assert_eq!(c.affects, affects, "{c:#?}");
    assert!(c.message.contains(says), "`{says}` not in: {}", c.message);
    assert_eq!(c.source, "api-diff");
}

const BOTH: &[Affects] = &[Affects::Wire, Affects::Rust];
const WIRE: &[Affects] = &[Affects::Wire];
const RUST: &[Affects] = &[Affects::Rust];

const NAME: &str =
    "{ name: name, type: string, required: true, max_length: 40, doc: Widget name. }";
const COUNT: &str =
    "{ name: count, type: integer, required: true, min: 1, max: 5, doc: How many. }";
const RATIO: &str = "{ name: ratio, type: number, min: 0, max: 1, doc: Mix ratio. }";
const NOTIFY: &str =
    "{ name: notifyUrl, type: string, format: url, doc: Told when the widget is built. }";
const TOTAL: &str = "{ name: total, type: long, required: true, doc: Matching widgets. }";

#[test]
fn the_same_spec_has_no_changes() {
    assert!(diff_after(&[]).is_empty());
}

#[test]
fn reordering_and_reformatting_report_nothing() {
    let delete_op = "  - name: fixtureDeleteWidget\n    method: POST\n    path: /fixture/deleteWidget\n    body: json\n    doc: Deletes a widget.\n    retry_safe: false\n    request:\n      - { name: widgetId, type: string, required: true, min_length: 1, doc: The widget. }\n    response: { envelope: standard, data: string }\n";
    let moved_first = format!("operations:\n{delete_op}");
    let changes = diff_after(&[
        // Operations in another order.
        ("widgets", delete_op, ""),
        ("widgets", "operations:\n", &moved_first),
        // Optional request fields in another order, keys in another order, block style.
        ("widgets", &format!("{RATIO}\n      - {NOTIFY}"), &format!("{NOTIFY}\n      - {{ doc: Mix ratio., max: 1, min: 0, type: number, name: ratio }}")),
        ("widgets", TOTAL, "name: total\n          type: long\n          required: true\n          doc: >-\n            Matching\n            widgets."),
        // Error codes, enum values and types in another order.
        ("service", "  - { code: 1000, name: badParameter, doc: A parameter is wrong., operations: [fixtureCreateWidget], class: invalid_parameter }\n", ""),
        ("service", "retryable: true }\n", "retryable: true }\n  - { code: 1000, name: badParameter, doc: A parameter is wrong., operations: [fixtureCreateWidget], class: invalid_parameter }\n"),
        ("widgets", "      - { value: 1, name: running, doc: Being built. }\n", ""),
        ("widgets", "      - { value: -1, name: failed, doc: Could not be built. }\n", "      - { value: -1, name: failed, doc: Could not be built. }\n      - { value: 1, name: running, doc: Being built. }\n"),
    ]);
    assert!(changes.is_empty(), "{changes:#?}");
}

#[test]
fn required_request_field_added_is_breaking() {
    let changes = widgets(
        NAME,
        &format!("{NAME}\n      - {{ name: owner, type: string, required: true, doc: Owner. }}"),
    );
    only(&changes, Level::Breaking, BOTH, "is new and required");
    assert_eq!(changes[0].operation.as_deref(), Some("fixtureCreateWidget"));
    assert_eq!(changes[0].field.as_deref(), Some("request.owner"));
}

#[test]
fn optional_request_field_added_is_compatible() {
    let changes = widgets(
        NAME,
        &format!("{NAME}\n      - {{ name: owner, type: string, doc: Owner. }}"),
    );
    only(
        &changes,
        Level::Compatible,
        BOTH,
        "is new and optional (`with_owner`)",
    );
}

#[test]
fn request_field_removed_is_breaking() {
    only(
        &widgets(&format!("      - {RATIO}\n"), ""),
        Level::Breaking,
        BOTH,
        "Request field `ratio` is removed",
    );
}

#[test]
fn optional_response_field_added_is_compatible() {
    let changes = widgets(
        TOTAL,
        &format!("{TOTAL}\n        - {{ name: next, type: string, doc: Cursor. }}"),
    );
    only(&changes, Level::Compatible, BOTH, "as an `Option`");
}

#[test]
fn required_response_field_added_breaks_only_the_rust_constructor() {
    let changes = widgets(
        TOTAL,
        &format!("{TOTAL}\n        - {{ name: next, type: string, required: true, doc: Cursor. }}"),
    );
    only(
        &changes,
        Level::Breaking,
        RUST,
        "`FixtureListWidgetsOutput::new` gains an argument",
    );
}

#[test]
fn response_field_removed_is_breaking() {
    let changes = widgets(&format!("        - {TOTAL}\n"), "");
    only(
        &changes,
        Level::Breaking,
        BOTH,
        "the service no longer sends it",
    );
}

#[test]
fn response_field_made_optional_is_breaking() {
    let changes = widgets(TOTAL, "{ name: total, type: long, doc: Matching widgets. }");
    only(
        &changes,
        Level::Breaking,
        BOTH,
        "may now be missing: in Rust it becomes `Option<i64>`",
    );
}

#[test]
fn response_field_made_required_breaks_only_rust() {
    let changes = widgets(
        "{ name: type, type: string, doc:",
        "{ name: type, type: string, required: true, doc:",
    );
    // `FixtureWidget` is only received; its `new` gains an argument too.
    assert!(
        changes.iter().all(|c| c.level == Level::Breaking),
        "{changes:#?}"
    );
    assert!(
        changes
            .iter()
            .any(|c| c.message.contains("is now always present")),
        "{changes:#?}"
    );
    assert!(changes.iter().all(|c| c.affects == RUST), "{changes:#?}");
}

#[test]
fn request_field_made_required_is_breaking_on_both_sides() {
    only(
        &widgets(
            RATIO,
            "{ name: ratio, type: number, required: true, min: 0, max: 1, doc: Mix ratio. }",
        ),
        Level::Breaking,
        BOTH,
        "is now required",
    );
}

#[test]
fn request_field_made_optional_breaks_only_rust() {
    let changes = widgets(
        "{ name: widgetIds, type: list<WidgetId>, wire: comma, required: true,",
        "{ name: widgetIds, type: list<WidgetId>, wire: comma,",
    );
    only(
        &changes,
        Level::Breaking,
        RUST,
        "becomes `Option<Vec<WidgetId>>`",
    );
}

#[test]
fn type_change_within_the_same_json_breaks_rust_only() {
    only(
        &widgets(
            COUNT,
            "{ name: count, type: long, required: true, min: 1, max: 5, doc: How many. }",
        ),
        Level::Breaking,
        RUST,
        "from `i32` to `i64`",
    );
}

#[test]
fn type_change_of_the_json_breaks_both() {
    only(
        &widgets(
            NAME,
            "{ name: name, type: boolean, required: true, doc: Widget name. }",
        )
        .into_iter()
        .filter(|c| c.level == Level::Breaking)
        .collect::<Vec<_>>(),
        Level::Breaking,
        BOTH,
        "from `String` to `bool`",
    );
}

#[test]
fn wire_encoding_change_is_breaking_on_the_wire() {
    only(
        &widgets(
            "{ name: labels, type: list<string>, wire: comma,",
            "{ name: labels, type: list<string>,",
        ),
        Level::Breaking,
        WIRE,
        "now travels as plain JSON instead of `comma`",
    );
}

#[test]
fn rust_name_change_is_breaking_in_rust() {
    only(
        &widgets("rust_name: fast,", "rust_name: quick,"),
        Level::Breaking,
        RUST,
        "from `fast` to `quick`",
    );
}

#[test]
fn request_limit_tightened_is_breaking_and_loosened_is_compatible() {
    only(
        &widgets("max_length: 40", "max_length: 20"),
        Level::Breaking,
        WIRE,
        "`max_length` tightens from 40 to 20",
    );
    only(
        &widgets("max_length: 40", "max_length: 80"),
        Level::Compatible,
        WIRE,
        "`max_length` loosens from 40 to 80",
    );
    only(
        &widgets(
            "min: 1, max: 5, doc: How many.",
            "min: 2, max: 5, doc: How many.",
        ),
        Level::Breaking,
        WIRE,
        "`min` tightens from 1 to 2",
    );
    only(
        &widgets("min: 1, max: 5, doc: How many.", "max: 5, doc: How many."),
        Level::Compatible,
        WIRE,
        "`min` loosens from 1 to none",
    );
    only(
        &widgets("max_items: 10,", "max_items: 12, min_items: 1,")
            .into_iter()
            .filter(|c| c.level == Level::Breaking)
            .collect::<Vec<_>>(),
        Level::Breaking,
        WIRE,
        "`min_items` tightens from none to 1",
    );
}

#[test]
fn limit_on_an_answer_only_changes_docs() {
    only(
        &widgets(
            TOTAL,
            "{ name: total, type: long, required: true, max: 100, doc: Matching widgets. }",
        ),
        Level::Docs,
        &[],
        "answers are not checked",
    );
}

#[test]
fn limit_of_a_type_used_both_ways_follows_the_request_reading() {
    let changes = service("max_length: 8,", "max_length: 4,");
    only(
        &changes,
        Level::Breaking,
        WIRE,
        "Field `label` of type `FixtureTag`",
    );
    assert_eq!(changes[0].field.as_deref(), Some("FixtureTag.label"));
}

#[test]
fn request_format_added_is_breaking_and_removed_compatible() {
    only(
        &widgets(
            NOTIFY,
            "{ name: notifyUrl, type: string, doc: Told when the widget is built. }",
        ),
        Level::Compatible,
        WIRE,
        "any text is accepted now",
    );
    only(
        &widgets(
            RATIO,
            "{ name: ratio, type: string, format: url, doc: Mix ratio. }",
        )
        .into_iter()
        .filter(|c| c.message.contains("format"))
        .collect::<Vec<_>>(),
        Level::Breaking,
        WIRE,
        "from none to `url`",
    );
}

#[test]
fn default_change_is_docs() {
    only(
        &widgets("default: red,", "default: sky-blue,"),
        Level::Docs,
        &[],
        "default changes from `red` to `sky-blue`",
    );
}

#[test]
fn alias_removed_from_an_answer_is_breaking_and_added_compatible() {
    only(
        &widgets("aliases: [size],", ""),
        Level::Breaking,
        WIRE,
        "no longer read from `size`",
    );
    only(
        &widgets("aliases: [size],", "aliases: [size, bytes],"),
        Level::Compatible,
        WIRE,
        "now also read from `bytes`",
    );
}

#[test]
fn doc_text_change_is_docs_and_rewrapping_is_nothing() {
    only(
        &widgets("doc: Mix ratio. }", "doc: How much of each paint. }"),
        Level::Docs,
        &[],
        "documentation of request field `ratio`",
    );
    assert!(widgets("doc: Mix ratio. }", "doc: \"Mix   ratio.\" }").is_empty());
    only(
        &widgets("doc: Deletes a widget.", "doc: Removes a widget."),
        Level::Docs,
        &[],
        "operation's documentation",
    );
}

#[test]
fn required_arguments_reordered_is_breaking_in_rust() {
    let changes = widgets(
        &format!("{NAME}\n      - {COUNT}"),
        &format!("{COUNT}\n      - {NAME}"),
    );
    only(
        &changes,
        Level::Breaking,
        RUST,
        "change order from (name, count) to (count, name)",
    );
}

#[test]
fn changes_come_breaking_first_and_versions_follow() {
    let changes = widgets(
        "doc: Mix ratio. }\n      - { name: notifyUrl, type: string, format: url,",
        "doc: Mix. }\n      - { name: notifyUrl, type: string,",
    );
    let levels: Vec<Level> = changes.iter().map(|c| c.level).collect();
    assert_eq!(levels, [Level::Compatible, Level::Docs]);
    assert_eq!(diff::highest_level(&changes), Some(Level::Compatible));
    assert_eq!(
        diff::suggest_version("0.1.0", Some(Level::Compatible)).unwrap(),
        "0.1.1"
    );
    assert_eq!(
        diff::suggest_version("0.1.0", diff::highest_level(&[])).unwrap(),
        "0.1.0"
    );
}

#[test]
fn reports_render_in_three_formats() {
    let changes = widgets("max_length: 40", "max_length: 20");
    let notes = vec!["a note".to_string()];
    let report = render::Report {
        base: "HEAD",
        changes: &changes,
        current_version: Some("0.1.0"),
        suggested_version: Some("0.2.0"),
        notes: &notes,
    };
    let text = render::text(&report);
    assert!(
        text.contains("breaking   [wire] fixtureCreateWidget request.name\n"),
        "{text}"
    );
    assert!(
        text.contains("Suggested version: 0.1.0 -> 0.2.0."),
        "{text}"
    );
    let markdown = render::markdown(&report);
    assert!(markdown.starts_with("## 0.2.0\n"), "{markdown}");
    assert!(
        markdown.contains("\n### Breaking\n\n- `fixtureCreateWidget request.name`: "),
        "{markdown}"
    );
    assert!(!markdown.contains("### Docs"), "{markdown}");
    let json: serde_json::Value = serde_json::from_str(&render::json(&report)).expect("json");
    assert_eq!(json["base"], "HEAD");
    assert_eq!(json["suggested_version"], "0.2.0");
    let change = &json["changes"][0];
    assert_eq!(change["level"], "breaking");
    assert_eq!(change["affects"], serde_json::json!(["wire"]));
    assert_eq!(change["operation"], "fixtureCreateWidget");
    assert_eq!(change["field"], "request.name");
    assert_eq!(change["source"], "api-diff");
    assert!(change["message"]
        .as_str()
        .unwrap_or_default()
        .contains("tightens"));
}

#[test]
fn a_field_s_own_error_code_changing_breaks_the_wire() {
    let with_code = NAME.replace(
        "max_length: 40,",
        "max_length: 40, error_code: badParameter,",
    );
    let changes = widgets(NAME, &with_code);
    only(
        &changes,
        Level::Breaking,
        WIRE,
        "error code a request failing its checks",
    );
}

#[test]
fn an_operation_s_parameter_error_changing_breaks_the_wire() {
    let changes = service(
        "error_codes:\n",
        "parameter_error: badParameter\nerror_codes:\n",
    );
    assert!(
        !changes.is_empty(),
        "every operation's parameter error changes"
    );
    assert!(changes
        .iter()
        .all(|c| c.level == Level::Breaking && c.message.contains("instead of none")));
}

#[test]
fn an_error_code_s_http_status_changing_breaks_the_wire() {
    let changes = service("retryable: true }", "retryable: true, http_status: 503 }");
    only(&changes, Level::Breaking, WIRE, "HTTP 503 instead of 200");
}
