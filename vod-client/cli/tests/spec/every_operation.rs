//! Every operation of `api-spec/` is called through the generated client against a local HTTP
//! server on 127.0.0.1, which records what it receives. For each operation the test asserts
//! the method, path, body or query, headers and signature the server got, and that the answer
//! decodes into the generated output type — once with numbers as numbers, once with numbers
//! sent as strings (the service is loose about that).
//!
//! The inputs and answers are derived from the spec itself (through the generator's loader),
//! so a new endpoint is covered without touching this file.
//!
//! Workspace only (see `exclude` in Cargo.toml): it reads `api-spec/` with the generator, and
//! shares the SDK runtime tests' recording server.

use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::runtime_support::{reply, Received, Server, AK, SK};
use base64::Engine;
use codegen::ir::{
    Api, DataKind, Encoding, EnumBase, Field, IdBase, Method, Object, Operation, Type,
};
use serde_json::{json, Map, Value};

pub(crate) fn api() -> Api {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../api-spec");
    let sources = codegen::read_spec_dir(&dir).expect("api-spec readable");
    let loaded = codegen::load::load(&sources).expect("api-spec loads");
    codegen::validate::validate(&loaded).expect("api-spec valid");
    codegen::ir::lower(&loaded)
}

/// A server answering every request with whatever `answer` holds at the time.
async fn start_server(answer: Arc<Mutex<Value>>) -> Server {
    Server::start(move |_| reply(200, answer.lock().expect("answer lock").clone())).await
}

/// The one request the server got since the last call.
fn take_request(server: &Server) -> Received {
    let mut log = server.received.lock().expect("log lock");
    assert_eq!(log.len(), 1, "exactly one request per call: {log:?}");
    log.remove(0)
}

pub(crate) fn find_object<'a>(api: &'a Api, name: &str) -> &'a Object {
    std::iter::once(&api.shared)
        .chain(&api.groups)
        .flat_map(|g| g.objects.iter().chain(&g.callbacks))
        .find(|o| o.name == name)
        .unwrap_or_else(|| panic!("object {name} not in the spec"))
}

fn first_enum_value(api: &Api, name: &str) -> Value {
    enum_sample(api, name)
}

fn enum_sample(api: &Api, name: &str) -> Value {
    let e = std::iter::once(&api.shared)
        .chain(&api.groups)
        .flat_map(|g| &g.enums)
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("enum {name} not in the spec"));
    let wire = &e.values[e.values.len() - 1].wire;
    match e.base {
        EnumBase::Integer => json!(wire.parse::<i64>().expect("integer enum value")),
        EnumBase::String => json!(wire),
    }
}

/// A value that satisfies the field's documented limits, in its wire form.
pub(crate) fn sample(api: &Api, field: &Field) -> Value {
    match field.encoding {
        Encoding::Plain => sample_type(api, &field.ty, field),
        Encoding::Comma => {
            let Type::List(inner) = &field.ty else {
                panic!("comma on a non-list")
            };
            let one = |i: usize| match sample_type(api, inner, field) {
                Value::String(s) => format!("{s}{i}"),
                other => other.to_string(),
            };
            json!(format!("{},{}", one(1), one(2)))
        }
        Encoding::Base64Json => {
            let json = ordered_json(api, &field.ty, field);
            json!(base64::engine::general_purpose::URL_SAFE.encode(json))
        }
        Encoding::JsonText => json!(ordered_json(api, &field.ty, field)),
        Encoding::BracedPairs => {
            let Type::Object(name) = &field.ty else {
                panic!("braced pairs on a non-object")
            };
            let mut fields = find_object(api, name).fields.clone();
            fields.sort_by(|a, b| a.wire.cmp(&b.wire));
            let pairs: Vec<String> = fields
                .iter()
                .map(|f| match sample(api, f) {
                    Value::String(s) => format!("{}:{s}", f.wire),
                    other => format!("{}:{other}", f.wire),
                })
                .collect();
            json!(format!("{{{}}}", pairs.join(",")))
        }
        Encoding::Text => match sample_type(api, &field.ty, field) {
            Value::String(s) => json!(s),
            other => json!(other.to_string()),
        },
        Encoding::DateTime => json!("2024-02-29 23:59:59"),
        Encoding::UnixSeconds => json!(1_700_000_000_i64),
        Encoding::UnixMillis => json!(1_700_000_000_123_i64),
    }
}

/// The JSON text the SDK encodes for a value: members in spec order, as serde writes a struct.
fn ordered_json(api: &Api, ty: &Type, field: &Field) -> String {
    match ty {
        Type::List(inner) => format!("[{}]", ordered_json(api, inner, field)),
        Type::Object(name) => {
            let members: Vec<String> = find_object(api, name)
                .fields
                .iter()
                .map(|f| format!("{}:{}", json!(f.wire), ordered_member(api, f)))
                .collect();
            format!("{{{}}}", members.join(","))
        }
        other => sample_type(api, other, field).to_string(),
    }
}

fn ordered_member(api: &Api, field: &Field) -> String {
    match (&field.ty, field.encoding) {
        (Type::Object(_) | Type::List(_), Encoding::Plain) => ordered_json(api, &field.ty, field),
        _ => sample(api, field).to_string(),
    }
}

fn sample_type(api: &Api, ty: &Type, field: &Field) -> Value {
    let l = &field.limits;
    match ty {
        Type::String if field.format.as_deref() == Some("url") => {
            json!("https://hooks.example.test/vod?from=视频")
        }
        Type::String if field.format.as_deref() == Some("datetime") => json!("2024-02-29 23:59:59"),
        Type::String if field.format.as_deref() == Some("file_name") => json!("视频 a+b.mp4"),
        Type::String if field.format.as_deref() == Some("dimensions") => json!("640x480"),
        Type::String if l.min.is_some() || l.max.is_some() => {
            // Numeric text (page numbers some operations take as strings).
            json!(l.min.or(l.max).map_or(1, |v| v as i64).to_string())
        }
        Type::String => {
            // Non-ASCII on purpose: bodies are signed over their UTF-8 bytes.
            let text: String = format!("{}-视频 a+b", field.wire);
            let max = l.max_length.map_or(usize::MAX, |m| m as usize);
            json!(text.chars().take(max.max(1)).collect::<String>())
        }
        Type::Integer | Type::Long | Type::UInt | Type::ULong | Type::Id(_, IdBase::Long) => {
            let value = l.min.or(l.max).map_or(7, |v| v as i64);
            json!(value)
        }
        Type::Id(_, IdBase::String) => sample_type(api, &Type::String, field),
        Type::Timestamp => json!(1_700_000_000_i64),
        Type::Number => json!(l.min.unwrap_or(0.5)),
        Type::Boolean => json!(true),
        Type::Enum(name, _) => first_enum_value(api, name),
        Type::Object(name) => object_sample(api, &find_object(api, name).fields),
        Type::List(inner) => json!([sample_type(api, inner, field)]),
    }
}

pub(crate) fn object_sample(api: &Api, fields: &[Field]) -> Value {
    let map: Map<String, Value> = fields
        .iter()
        .map(|f| (f.wire.clone(), sample(api, f)))
        .collect();
    Value::Object(map)
}

/// The same JSON with every number turned into its decimal text.
fn numbers_as_strings(value: &Value) -> Value {
    match value {
        Value::Number(n) => json!(n.to_string()),
        Value::Array(items) => Value::Array(items.iter().map(numbers_as_strings).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), numbers_as_strings(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The body the server answers with, and the output the client must decode from it.
pub(crate) fn canned_answer(api: &Api, op: &Operation) -> (Value, Value) {
    let data = match op.data {
        DataKind::Object | DataKind::SingleItemList => object_sample(api, &op.response),
        DataKind::String => json!(format!("{}-task-1", op.wire)),
        DataKind::None => Value::Null,
    };
    let body = if op.bare {
        data.clone()
    } else {
        json!({"code": 200, "message": "Operation succeeded", "data": data})
    };
    (body, data)
}

fn query_pairs(target: &str) -> Vec<(String, String)> {
    let query = target.split_once('?').map_or("", |(_, q)| q);
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .to_string()
            };
            (decode(k), decode(v))
        })
        .collect()
}

fn assert_signed(op: &Operation, got: &Received) {
    let timestamp = got.header("X-WS-Timestamp").expect("timestamp header");
    assert_eq!(got.header("X-WS-AccessKey"), Some(AK), "{}", op.wire);
    let headers: Vec<(&str, &str)> = got
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let request = vod_client::signer::SigningRequest {
        method: &got.method,
        uri: &got.target,
        headers: &headers,
        body: &got.body,
        timestamp,
        signed_headers: None,
    };
    let expected = vod_client::signer::sign(vod_client::signer::AuthProfile::Ws3, AK, SK, &request);
    assert_eq!(
        got.header("Authorization"),
        Some(expected.authorization()),
        "{}: signature over what the server received",
        op.wire
    );
}

fn assert_request(op: &Operation, input: &Value, got: &Received) {
    let path = got.target.split('?').next().unwrap_or_default();
    assert_eq!(path, op.path, "{}: path", op.wire);
    match op.method {
        Method::Post => {
            assert_eq!(got.method, "POST", "{}", op.wire);
            assert_eq!(
                got.header("Content-Type"),
                Some("application/json"),
                "{}",
                op.wire
            );
            let body: Value = serde_json::from_slice(&got.body).expect("JSON body");
            assert_eq!(&body, input, "{}: body", op.wire);
        }
        Method::Get => {
            assert_eq!(got.method, "GET", "{}", op.wire);
            assert!(got.body.is_empty(), "{}: GET has no body", op.wire);
            let sent: Map<String, Value> = input.as_object().cloned().unwrap_or_default();
            let pairs = query_pairs(&got.target);
            assert_eq!(
                pairs.len(),
                sent.len(),
                "{}: every parameter in the query",
                op.wire
            );
            for (key, value) in pairs {
                let expected = match &sent[&key] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                assert_eq!(value, expected, "{}: query parameter {key}", op.wire);
            }
        }
    }
    let host = got.header("Host").expect("host header");
    assert!(
        host.starts_with("127.0.0.1:"),
        "{}: host keeps its port: {host}",
        op.wire
    );
    assert_signed(op, got);
}

#[tokio::test]
async fn every_operation_round_trips_through_a_local_server() {
    let api = api();
    let answer = Arc::new(Mutex::new(Value::Null));
    let server = start_server(answer.clone()).await;
    let client = server.client().build().expect("client");
    let operations: Vec<&Operation> = api.groups.iter().flat_map(|g| &g.operations).collect();
    assert_eq!(operations.len(), vod_client::model::OPERATIONS.len());
    for op in operations {
        let input = object_sample(&api, &op.request);
        let (body, expected) = canned_answer(&api, op);
        for loose in [false, true] {
            let sent_body = if loose {
                numbers_as_strings(&body)
            } else {
                body.clone()
            };
            *answer.lock().expect("lock") = sent_body;
            let output = vod_cli::generated::invoke(&client, &op.wire, input.clone())
                .unwrap_or_else(|| panic!("{} is not dispatchable", op.wire))
                .await
                .unwrap_or_else(|e| panic!("{} (numbers as strings: {loose}): {e}", op.wire));
            let got = take_request(&server);
            assert_request(op, &input, &got);
            assert_eq!(
                output, expected,
                "{}: decoded output (numbers as strings: {loose})",
                op.wire
            );
        }
    }
}

#[tokio::test]
async fn service_errors_name_the_operation_and_keep_the_request_id() {
    let api = api();
    let answer = json!({"code": 1502, "message": "video does not exist"});
    let server = start_server(Arc::new(Mutex::new(answer))).await;
    let client = server.client().build().expect("client");
    for op in api.groups.iter().flat_map(|g| &g.operations) {
        let input = object_sample(&api, &op.request);
        let err = vod_cli::generated::invoke(&client, &op.wire, input)
            .expect("dispatchable")
            .await
            .expect_err("a non-200 code is an error");
        take_request(&server);
        let text = err.to_string();
        assert_eq!(err.service_code(), Some(1502), "{}: {text}", op.wire);
        assert_eq!(err.request_id(), Some("req-42"), "{}: {text}", op.wire);
        assert!(
            text.contains(&op.wire),
            "{}: error names the operation: {text}",
            op.wire
        );
    }
}
