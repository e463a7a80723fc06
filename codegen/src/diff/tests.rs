//! One test per rule for enums, operations, service facts, error codes and callbacks (the
//! field rules are tested in `codegen/tests/diff.rs`): the fixture spec, edited in memory,
//! compared with itself.

use std::path::PathBuf;

use super::{diff, Affects, Change, Level};
use crate::SourceFile;

const SERVICE: &str = include_str!("../../tests/fixtures/mini/service.yaml");
const WIDGETS: &str = include_str!("../../tests/fixtures/mini/widgets.yaml");

fn fixture() -> Vec<SourceFile> {
    let file = |name: &str, text: &str| SourceFile {
        path: PathBuf::from("mini").join(name),
        text: text.to_string(),
    };
    vec![file("service.yaml", SERVICE), file("widgets.yaml", WIDGETS)]
}

fn lower(sources: &[SourceFile]) -> crate::ir::Api {
    let loaded = crate::load::load(sources).expect("loads");
    crate::validate::validate(&loaded).unwrap_or_else(|e| panic!("valid:\n{e}"));
    crate::ir::lower(&loaded)
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
    diff(&lower(&base), &lower(&new))
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
}

const BOTH: &[Affects] = &[Affects::Wire, Affects::Rust];
const WIRE: &[Affects] = &[Affects::Wire];
const RUST: &[Affects] = &[Affects::Rust];

#[test]
fn enum_value_added_is_compatible_in_both_directions() {
    only(
        &service(
            "      - { value: sky-blue,",
            "      - { value: green, name: green, doc: Green. }\n      - { value: sky-blue,",
        ),
        Level::Compatible,
        BOTH,
        "requests may send it",
    );
    only(
        &widgets(
            "      - { value: 2, name: done,",
            "      - { value: 3, name: paused, doc: Paused. }\n      - { value: 2, name: done,",
        ),
        Level::Compatible,
        BOTH,
        "decoded as `Unknown(..)` before",
    );
}

#[test]
fn enum_value_removed_or_renamed_is_breaking() {
    only(
        &service(
            "      - { value: sky-blue, name: sky_blue, doc: Light blue paint. }\n",
            "",
        ),
        Level::Breaking,
        BOTH,
        "requests can no longer send it",
    );
    only(
        &widgets("{ value: 2, name: done,", "{ value: 2, name: finished,"),
        Level::Breaking,
        RUST,
        "renamed to `FixtureState::Finished`",
    );
}

#[test]
fn operations_added_removed_and_moved() {
    let op = "  - name: fixtureStartRun\n";
    only(&widgets(op, "  - name: fixturePing\n    method: GET\n    path: /fixture/ping\n    body: query\n    doc: Pings.\n    retry_safe: true\n    response: { envelope: standard, data: none }\n  - name: fixtureStartRun\n"), Level::Compatible, BOTH, "`client.fixture_ping()`");
    only(
        &widgets("path: /fixture/deleteWidget", "path: /fixture/removeWidget"),
        Level::Breaking,
        WIRE,
        "POST /fixture/removeWidget (JSON body)",
    );
}

#[test]
fn operation_removed_is_breaking() {
    let start = fixture()[1]
        .text
        .find("  - name: fixtureStartRun")
        .expect("op");
    let end = WIDGETS.find("callbacks:").expect("callbacks");
    let block = WIDGETS[start..end].to_string();
    only(
        &widgets(&block, ""),
        Level::Breaking,
        BOTH,
        "`client.fixture_start_run()` no longer compiles",
    );
}

#[test]
fn auth_profile_header_or_algorithm_change_is_breaking() {
    only(
        &service(
            "access_key_header: X-WS-AccessKey",
            "access_key_header: X-Key",
        ),
        Level::Breaking,
        WIRE,
        "access key header changes",
    );
    only(
        &service("algorithm: WS3-HMAC-SHA256", "algorithm: WS3-HMAC-SHA512"),
        Level::Breaking,
        WIRE,
        "algorithm changes",
    );
    only(
        &service(
            "signed_headers: [content-type, host]",
            "signed_headers: [content-type, host, x-ws-timestamp]",
        ),
        Level::Breaking,
        WIRE,
        "signed headers",
    );
}

#[test]
fn error_code_class_change_is_breaking_and_retryable_compatible() {
    only(
        &service("class: invalid_parameter }", "class: not_found }"),
        Level::Breaking,
        RUST,
        "changes class from `invalid_parameter` to `not_found`",
    );
    only(
        &service("class: throttled, retryable: true }", "class: throttled }"),
        Level::Compatible,
        WIRE,
        "no longer resends",
    );
}

#[test]
fn error_code_added_is_compatible_and_removed_breaking() {
    let busy = "  - { code: 2101, name: serviceBusy, doc: Busy; try later., class: throttled, retryable: true }\n";
    only(
        &service(
            busy,
            &format!("{busy}  - {{ code: 3000, name: quotaExceeded, doc: Over quota. }}\n"),
        ),
        Level::Compatible,
        RUST,
        "`ErrorCode::QuotaExceeded`",
    );
    only(
        &service(busy, ""),
        Level::Breaking,
        RUST,
        "`ErrorCode::Unknown(2101)`",
    );
}

#[test]
fn callback_field_removed_or_retyped_is_breaking() {
    only(
        &widgets(
            "      - { name: state, type: FixtureState, doc: Its state. }\n",
            "",
        ),
        Level::Breaking,
        BOTH,
        "Field `state` of callback `FixtureWidgetCallback` is removed",
    );
    only(
        &widgets(
            "{ name: state, type: FixtureState, doc: Its state. }",
            "{ name: state, type: string, doc: Its state. }",
        ),
        Level::Breaking,
        BOTH,
        "from `FixtureState` to `String`",
    );
}

#[test]
fn paging_waiters_and_guards() {
    only(
        &widgets(
            "      success: [2]\n      failure: [-1]\n  - name: fixtureListWidgets",
            "      success: [2, 4]\n      failure: [-1]\n  - name: fixtureListWidgets",
        ),
        Level::Breaking,
        WIRE,
        "ends on",
    );
    only(
        &widgets("    at_least_one:\n      - [widgetId, pageIndex]\n", ""),
        Level::Compatible,
        WIRE,
        "no longer need at least one of [pageIndex, widgetId]",
    );
    only(
        &widgets("      single_item_list: true\n", ""),
        Level::Breaking,
        WIRE,
        "one-item list",
    );
    let changes = diff_after(&[
        (
            "widgets",
            "    pagination: { page_index: pageIndex, page_size: pageSize, items: widgets }\n",
            "",
        ),
        ("widgets", ", columns: [state, widgetId, builtAt] }", " }"),
    ]);
    let changes: Vec<Change> = changes
        .into_iter()
        .filter(|c| c.affects != [Affects::Cli])
        .collect();
    only(&changes, Level::Breaking, RUST, "no longer pages");
}

#[test]
fn behaviour_flags_and_texts() {
    only(
        &widgets("rate_limit: 300/5min", "rate_limit: 100/5min"),
        Level::Docs,
        &[],
        "rate limit changes from 300/5min to 100/5min",
    );
    only(
        &widgets(
            "doc: Deletes a widget.\n    retry_safe: false",
            "doc: Deletes a widget.\n    retry_safe: true",
        ),
        Level::Compatible,
        WIRE,
        "is now resent",
    );
    only(
        &widgets(
            "cli: { group: widgets, name: create }",
            "cli: { group: widgets, name: make }",
        ),
        Level::Breaking,
        &[Affects::Cli],
        "`vod widgets create` is now `vod widgets make`",
    );
    only(
        &service(
            "default_endpoint: https://api.example.test",
            "default_endpoint: https://api2.example.test",
        ),
        Level::Breaking,
        WIRE,
        "now call `https://api2.example.test`",
    );
}

const WS3_PROFILE: &str = "auth_profiles:\n  - name: ws3\n";
const CNC_PROFILE: &str = "  - name: cnc\n    doc: The gateway.\n    host: open.example.test\n    algorithm: CNC-HMAC-SHA256\n    access_key_header: x-cnc-accessKey\n    timestamp_header: x-cnc-timestamp\n    extra_headers: { x-cnc-auth-method: AKSK }\n    signed_headers: [content-type, host]\n";

#[test]
fn auth_profile_added_last_is_compatible_and_first_changes_the_default() {
    let last = service(
        "    signed_headers: [content-type, host]\n",
        &format!("    signed_headers: [content-type, host]\n{CNC_PROFILE}"),
    );
    only(
        &last,
        Level::Compatible,
        WIRE,
        "The auth profile `cnc` is new.",
    );
    let first = service(
        WS3_PROFILE,
        &format!("auth_profiles:\n{CNC_PROFILE}  - name: ws3\n"),
    );
    assert_eq!(first.len(), 2, "{first:#?}");
    assert_eq!(first[0].level, Level::Breaking);
    assert!(first[0]
        .message
        .contains("default auth profile changes from `ws3` to `cnc`"));
}

#[test]
fn envelope_success_code_change_is_breaking() {
    only(
        &service("success: 200 }", "success: 0 }"),
        Level::Breaking,
        WIRE,
        "The answer envelope changes",
    );
}

#[test]
fn ids_and_types_added_are_compatible_and_their_docs_are_docs() {
    only(
        &service(
            "  ShelfId: { type: long, doc: The id of a shelf. }\n",
            "  ShelfId: { type: long, doc: The id of a shelf. }\n  BinId: { type: string, doc: A bin. }\n",
        ),
        Level::Compatible,
        RUST,
        "The id type `BinId` is new.",
    );
    only(
        &service(
            "doc: The id of a shelf.",
            "doc: The shelf a widget sits on.",
        ),
        Level::Docs,
        &[],
        "documentation of `ShelfId`",
    );
    only(
        &widgets(
            "types:\n",
            "types:\n  FixtureSpare:\n    doc: A spare part.\n    fields:\n      - { name: part, type: string, doc: Part. }\n",
        ),
        Level::Compatible,
        RUST,
        "The type `FixtureSpare` is new.",
    );
}

#[test]
fn callback_envelope_change_is_breaking_on_the_wire() {
    only(
        &widgets(
            "    doc: Sent when a widget is built.\n    envelope: standard\n",
            "    doc: Sent when a widget is built.\n",
        ),
        Level::Breaking,
        WIRE,
        "now expected as the bare body",
    );
}

#[test]
fn waiter_removed_is_breaking_in_rust() {
    let waiter = "    waiter:\n      query: fixtureListWidgets\n      input: { widgetId: each request.widgetIds }\n      state: widgets[0].state\n      success: [2]\n      failure: [-1]\n";
    only(
        &widgets(waiter, ""),
        Level::Breaking,
        RUST,
        "no longer has a waiter",
    );
}

#[test]
fn route_and_answer_kind_changes_are_breaking() {
    only(
        &widgets(
            "    method: GET\n    path: /fixture/getToken\n    body: query\n",
            "    method: POST\n    path: /fixture/getToken\n    body: json\n",
        ),
        Level::Breaking,
        WIRE,
        "POST /fixture/getToken (JSON body) instead of GET /fixture/getToken (query string)",
    );
    only(
        &widgets(
            "    response: { envelope: standard, data: string }\n  - name: fixtureGetToken",
            "    response: { envelope: standard, data: none }\n  - name: fixtureGetToken",
        ),
        Level::Breaking,
        BOTH,
        "now nothing instead of a string",
    );
}

#[test]
fn operation_moved_to_another_group_breaks_module_paths() {
    let op = "  - name: fixtureDeleteWidget\n    method: POST\n    path: /fixture/deleteWidget\n    body: json\n    doc: Deletes a widget.\n    retry_safe: false\n    request:\n      - { name: widgetId, type: string, required: true, min_length: 1, doc: The widget. }\n    response: { envelope: standard, data: string }\n";
    let base = fixture();
    let mut new = fixture();
    new[1].text = new[1].text.replacen(op, "", 1);
    new.push(SourceFile {
        path: PathBuf::from("mini/gadgets.yaml"),
        text: format!("group: gadgets\ndoc: Gadgets.\noperations:\n{op}"),
    });
    let changes = diff(&lower(&base), &lower(&new));
    let moved: Vec<Change> = changes
        .into_iter()
        .filter(|c| c.affects != [Affects::Cli])
        .collect();
    only(
        &moved,
        Level::Breaking,
        RUST,
        "moves from module `widgets` to `gadgets`",
    );
}

#[test]
fn enum_wire_type_change_is_reported_once_on_the_enum() {
    let changes = widgets(
        "  FixtureState:\n    type: integer\n    doc: Lifecycle of a widget.\n    values:\n      - { value: 1, name: running, doc: Being built. }\n      - { value: 2, name: done, doc: Built. }\n      - { value: -1, name: failed, doc: Could not be built. }\n",
        "  FixtureState:\n    type: string\n    doc: Lifecycle of a widget.\n    values:\n      - { value: \"1\", name: running, doc: Being built. }\n      - { value: \"2\", name: done, doc: Built. }\n      - { value: \"-1\", name: failed, doc: Could not be built. }\n",
    );
    let on_fields: Vec<&Change> = changes
        .iter()
        .filter(|c| c.message.contains("changes type"))
        .collect();
    assert!(on_fields.is_empty(), "{on_fields:#?}");
    assert!(
        changes.iter().any(|c| c.level == Level::Breaking
            && c.message
                .contains("now travels as JSON strings instead of JSON numbers")),
        "{changes:#?}"
    );
}
