//! Every documented form of a request value is accepted where users give input, and means the
//! same: for each wire encoding, every request field of every operation that has one (found
//! by walking the spec through the generator's IR) is given in each of its forms, through the
//! typed request's `Deserialize` (via `invoke`, what the emulator and `invoke_json` callers
//! use) and through `vod ... --input-json -` (the CLI's checks, then the same typed request).
//! What reaches the local server must be byte for byte what the canonical wire form sends.
//!
//! The canonical form is `every_operation::sample` (the wire form the service documents); the
//! alternatives are built from it here, so a field added to the spec is covered at once.

use std::sync::{Arc, Mutex};

use base64::Engine;
use codegen::ir::{Api, Encoding, EnumBase, Field, Operation, Type};
use serde_json::{json, Value};
use vod_cli::generated::COMMANDS;

use crate::every_operation::{api, canned_answer, find_object, object_sample, sample};
use crate::runtime_support::{reply, Received, Server, AK, SK};

/// One field given in another form than its canonical one.
struct Case<'a> {
    op: &'a Operation,
    field: &'a Field,
    /// What the form is, for failure messages.
    form: &'static str,
    value: Value,
}

/// Every request field of every operation, with its operation.
fn request_fields(api: &Api) -> impl Iterator<Item = (&Operation, &Field)> {
    api.groups
        .iter()
        .flat_map(|g| &g.operations)
        .flat_map(|op| op.request.iter().map(move |f| (op, f)))
}

/// The request of `op` as the server received it: method, path and query or JSON body.
fn wire_of(got: &Received) -> (String, String, Value) {
    let body = if got.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&got.body).expect("JSON body")
    };
    (got.method.clone(), got.target.clone(), body)
}

/// Sends `input` for `op` through the typed request (`invoke`) and returns what arrived.
async fn through_invoke(server: &Server, op: &Operation, input: Value) -> (String, String, Value) {
    let client = server.client().build().expect("client");
    let result = vod_cli::generated::invoke(&client, &op.wire, input.clone())
        .expect("dispatchable")
        .await;
    if let Err(e) = result {
        panic!("{}: {input} refused: {e}", op.wire);
    }
    only_request(server)
}

/// Sends `input` for `op` through `vod <group> <name> --input-json -`; `None` when the
/// operation has no generated command (hand-written uploads).
fn through_cli(server: &Server, op: &Operation, input: &Value) -> Option<(String, String, Value)> {
    let command = COMMANDS.iter().find(|c| c.operation == op.wire)?;
    let mut cmd = assert_cmd::Command::cargo_bin("vod").expect("vod binary");
    cmd.env("VOD_ENDPOINT", &server.endpoint)
        .env("VOD_ACCESS_KEY", AK)
        .env("VOD_SECRET_KEY", SK)
        .env("VOD_CONFIG_FILE", "/nonexistent/vod-config.toml")
        .env_remove("VOD_PROFILE")
        .args([
            command.group,
            command.name,
            "--input-json",
            "-",
            "-o",
            "json",
        ])
        .write_stdin(input.to_string())
        .timeout(std::time::Duration::from_secs(60));
    let out = cmd.output().expect("vod runs");
    assert!(
        out.status.success(),
        "vod {} {} --input-json {input}: {}",
        command.group,
        command.name,
        String::from_utf8_lossy(&out.stderr)
    );
    Some(only_request(server))
}

fn only_request(server: &Server) -> (String, String, Value) {
    let mut log = server.received.lock().expect("log lock");
    assert_eq!(log.len(), 1, "one request per call: {log:?}");
    wire_of(&log.remove(0))
}

/// Checks each case: the request the alternative form produces is the canonical one, through
/// `invoke` and through the CLI. Fails when the spec has no field of the encoding at all, so
/// the test cannot pass by finding nothing.
async fn check(api: &Api, cases: Vec<Case<'_>>) {
    assert!(
        !cases.is_empty(),
        "no request field of this encoding in the spec"
    );
    let answer = Arc::new(Mutex::new(Value::Null));
    let served = answer.clone();
    let server =
        Server::start(move |_| reply(200, served.lock().expect("answer lock").clone())).await;
    for case in cases {
        let (op, field) = (case.op, case.field);
        *answer.lock().expect("lock") = canned_answer(api, op).0;
        let mut input = object_sample(api, &op.request);
        let canonical = through_invoke(&server, op, input.clone()).await;
        input[&field.wire] = case.value.clone();
        let label = format!(
            "{}.{} as {}: {}",
            op.wire, field.wire, case.form, case.value
        );
        assert_eq!(
            through_invoke(&server, op, input.clone()).await,
            canonical,
            "{label}"
        );
        let from_cli = tokio::task::block_in_place(|| through_cli(&server, op, &input));
        if let Some(from_cli) = from_cli {
            assert_eq!(from_cli, canonical, "vod --input-json: {label}");
        }
    }
}

fn cases_for<'a>(
    api: &'a Api,
    wanted: impl Fn(&Field) -> bool,
    forms: impl Fn(&Api, &Field) -> Vec<(&'static str, Value)>,
) -> Vec<Case<'a>> {
    request_fields(api)
        .filter(|(_, f)| wanted(f))
        .flat_map(|(op, field)| {
            forms(api, field)
                .into_iter()
                .map(move |(form, value)| Case {
                    op,
                    field,
                    form,
                    value,
                })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comma_lists_take_a_string_or_an_array() {
    let api = api();
    let cases = cases_for(
        &api,
        |f| f.encoding == Encoding::Comma,
        |api, f| {
            let wire = sample(api, f);
            let items: Vec<Value> = wire
                .as_str()
                .expect("comma text")
                .split(',')
                .map(|item| json!(item))
                .collect();
            vec![("a JSON array", Value::Array(items))]
        },
    );
    check(&api, cases).await;
}

/// The JSON value a `base64_json` or `json_text` sample stands for.
fn plain_json(api: &Api, field: &Field) -> Value {
    let text = match (field.encoding, sample(api, field)) {
        (Encoding::Base64Json, Value::String(b64)) => {
            let bytes = base64::engine::general_purpose::URL_SAFE
                .decode(b64)
                .expect("the sample is base64");
            String::from_utf8(bytes).expect("UTF-8 JSON")
        }
        (_, Value::String(text)) => text,
        (_, other) => panic!("{}: sample {other} is not text", field.wire),
    };
    serde_json::from_str(&text).expect("the sample holds JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn base64_json_takes_base64_json_text_or_plain_json() {
    let api = api();
    let cases = cases_for(
        &api,
        |f| f.encoding == Encoding::Base64Json,
        |api, f| {
            let plain = plain_json(api, f);
            let text = plain.to_string();
            let standard = base64::engine::general_purpose::STANDARD_NO_PAD.encode(&text);
            vec![
                ("plain JSON", plain),
                ("JSON text", json!(text)),
                ("standard base64 without padding", json!(standard)),
            ]
        },
    );
    check(&api, cases).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_text_and_braced_pairs_take_their_text_or_plain_json() {
    let api = api();
    let cases = cases_for(
        &api,
        |f| matches!(f.encoding, Encoding::JsonText | Encoding::BracedPairs),
        |api, f| match f.encoding {
            Encoding::JsonText => vec![("plain JSON", plain_json(api, f))],
            _ => {
                let Type::Object(name) = &f.ty else {
                    panic!("braced pairs on a non-object")
                };
                let object = &find_object(api, name).fields;
                vec![("a plain JSON object", object_sample(api, object))]
            }
        },
    );
    check(&api, cases).await;
}

/// Numbers in any encoding (`text` or plain), and numeric ids.
fn is_number(ty: &Type) -> bool {
    matches!(
        ty,
        Type::Integer
            | Type::Long
            | Type::UInt
            | Type::ULong
            | Type::Number
            | Type::Id(_, codegen::ir::IdBase::Long)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_take_numbers_or_numeric_text() {
    let api = api();
    let cases = cases_for(
        &api,
        |f| is_number(&f.ty) && matches!(f.encoding, Encoding::Text | Encoding::Plain),
        |api, f| {
            let other = match sample(api, f) {
                Value::String(text) => {
                    let n: f64 = text.parse().expect("numeric text");
                    if n.fract() == 0.0 {
                        json!(n as i64)
                    } else {
                        json!(n)
                    }
                }
                number => json!(number.to_string()),
            };
            vec![("the other of number and numeric text", other)]
        },
    );
    assert!(
        cases.iter().any(|c| c.field.encoding == Encoding::Text),
        "no `text` field found"
    );
    check(&api, cases).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn times_take_service_text_unix_numbers_or_rfc_3339() {
    let api = api();
    let cases = cases_for(
        &api,
        |f| {
            matches!(
                f.encoding,
                Encoding::DateTime | Encoding::UnixSeconds | Encoding::UnixMillis
            )
        },
        |api, f| match (f.encoding, sample(api, f)) {
            // 2024-02-29 23:59:59 in UTC+8.
            (Encoding::DateTime, _) => vec![
                ("RFC 3339 in UTC", json!("2024-02-29T15:59:59Z")),
                (
                    "RFC 3339 with an offset",
                    json!("2024-02-29T23:59:59+08:00"),
                ),
            ],
            // 1_700_000_000 s and 1_700_000_000_123 ms.
            (Encoding::UnixSeconds, n) => vec![
                ("numeric text", json!(n.to_string())),
                ("RFC 3339", json!("2023-11-14T22:13:20Z")),
                ("the service's text", json!("2023-11-15 06:13:20")),
            ],
            (_, n) => vec![
                ("numeric text", json!(n.to_string())),
                ("RFC 3339", json!("2023-11-14T22:13:20.123Z")),
            ],
        },
    );
    check(&api, cases).await;
}

/// The enum a field holds (directly or as list items), if any.
fn enum_of(ty: &Type) -> Option<(&str, EnumBase)> {
    match ty {
        Type::Enum(name, base) => Some((name, *base)),
        Type::List(inner) => enum_of(inner),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enums_take_wire_values_numbers_and_names() {
    let api = api();
    let cases = cases_for(
        &api,
        |f| enum_of(&f.ty).is_some() && matches!(f.encoding, Encoding::Plain | Encoding::Text),
        |api, f| {
            let (name, base) = enum_of(&f.ty).expect("an enum");
            let known = std::iter::once(&api.shared)
                .chain(&api.groups)
                .flat_map(|g| &g.enums)
                .find(|e| e.name == name)
                .expect("enum in the spec");
            // The sample is the last value.
            let value = known.values.last().expect("a value");
            let kebab = value.name.replace('_', "-");
            let wrap = |v: Value| match &f.ty {
                Type::List(_) => json!([v]),
                _ => v,
            };
            let mut forms = vec![
                ("its snake_case name", wrap(json!(value.name))),
                ("its kebab-case name", wrap(json!(kebab))),
            ];
            if base == EnumBase::Integer {
                forms.push(("numeric text", wrap(json!(value.wire))));
            }
            forms
        },
    );
    check(&api, cases).await;
}
