//! The OpenAPI export is a valid OpenAPI 3.1 document: it parses with `oas3` (a maintained 3.1
//! model), declares a 3.1 version, and every reference resolves, for the real spec
//! (`docs/openapi.json`, kept fresh by `cargo xtask codegen --check`) and the fixture. The 3.0
//! variant keeps the same content in 3.0's rules.

use std::collections::BTreeSet;
use std::path::Path;

use oas3::spec::{ObjectOrReference, Schema};
use serde_json::Value;

fn checked_in_export() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
    std::fs::read_to_string(path).expect("docs/openapi.json")
}

fn fixture_api() -> codegen::ir::Api {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
    let sources = codegen::read_spec_dir(&dir).expect("fixture readable");
    let loaded = codegen::load::load(&sources).expect("loads");
    codegen::validate::validate(&loaded).expect("valid");
    codegen::ir::lower(&loaded)
}

/// Every schema below `schema`, references followed once; problems are collected.
fn walk_schema(spec: &oas3::Spec, schema: &Schema, at: &str, problems: &mut Vec<String>) {
    let resolved = match schema.resolve(spec) {
        Ok(Schema::Object(object)) => match *object {
            ObjectOrReference::Object(object) => object,
            ObjectOrReference::Ref { ref_path, .. } => {
                problems.push(format!("{at}: {ref_path} resolves to another reference"));
                return;
            }
        },
        Ok(Schema::Boolean(_)) => return,
        Err(e) => {
            problems.push(format!("{at}: {e}"));
            return;
        }
    };
    // Only inline children: a referenced schema is checked under its own name.
    if let Schema::Object(own) = schema {
        if matches!(own.as_ref(), ObjectOrReference::Ref { .. }) {
            return;
        }
    }
    for (name, child) in &resolved.properties {
        walk_schema(spec, child, &format!("{at}.{name}"), problems);
    }
    if let Some(items) = &resolved.items {
        walk_schema(spec, items, &format!("{at}[]"), problems);
    }
    for (i, part) in resolved.all_of.iter().enumerate() {
        walk_schema(spec, part, &format!("{at}.allOf[{i}]"), problems);
    }
}

/// Parses `text` as OpenAPI 3.1 and checks versions, operations and every reference.
fn check_openapi_3_1(text: &str) -> oas3::Spec {
    let spec = oas3::from_json(text).expect("the export parses as OpenAPI 3.1");
    let version = spec.validate_version().expect("supported version");
    assert_eq!((version.major, version.minor), (3, 1), "{}", spec.openapi);
    let mut problems = Vec::new();
    let components = spec.components.as_ref().expect("components");
    for (name, schema) in &components.schemas {
        walk_schema(&spec, schema, name, &mut problems);
    }
    let mut ids = BTreeSet::new();
    let mut operations = 0;
    for (path, method, op) in spec.operations() {
        operations += 1;
        let at = format!("{method} {path}");
        let id = op.operation_id.clone().unwrap_or_default();
        assert!(!id.is_empty(), "{at}: operationId");
        assert!(ids.insert(id.clone()), "{at}: operationId {id} twice");
        assert!(op.summary.is_some() && !op.tags.is_empty(), "{at}");
        if let Some(body) = &op.request_body {
            match body.resolve(&spec) {
                Ok(body) => {
                    for media in body.content.values() {
                        if let Some(schema) = &media.schema {
                            walk_schema(&spec, schema, &format!("{at} body"), &mut problems);
                        }
                    }
                }
                Err(e) => problems.push(format!("{at} body: {e}")),
            }
        }
        let responses = op.responses.as_ref().expect("responses");
        assert!(responses.contains_key("200"), "{at}");
        for (status, response) in responses {
            match response.resolve(&spec) {
                Ok(response) => {
                    for media in response.content.values() {
                        if let Some(schema) = &media.schema {
                            walk_schema(&spec, schema, &format!("{at} {status}"), &mut problems);
                        }
                    }
                }
                Err(e) => problems.push(format!("{at} {status}: {e}")),
            }
        }
    }
    assert!(operations > 0, "no operations");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    spec
}

/// Every `$ref` of a raw document (including ones the model does not visit).
fn refs(value: &Value, out: &mut Vec<(String, usize)>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                out.push((target.clone(), map.len()));
            }
            map.values().for_each(|v| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn the_api_export_is_valid_openapi_3_1() {
    let text = checked_in_export();
    let spec = check_openapi_3_1(&text);
    // The whole API is there: one operation per operation of the generated client.
    assert!(
        spec.operations().count() >= 30,
        "{}",
        spec.operations().count()
    );
    let raw: Value = serde_json::from_str(&text).expect("JSON");
    let schemas = raw["components"]["schemas"].as_object().expect("schemas");
    let mut all = Vec::new();
    refs(&raw, &mut all);
    let responses = raw["components"]["responses"]
        .as_object()
        .expect("responses");
    for (target, _) in &all {
        if let Some(name) = target.strip_prefix("#/components/responses/") {
            assert!(responses.contains_key(name), "dangling {target}");
            continue;
        }
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected reference {target}"));
        assert!(schemas.contains_key(name), "dangling {target}");
    }
    // 3.1 lets a reference carry its description; no allOf wrapper is needed.
    assert!(all.iter().any(|(_, siblings)| *siblings > 1));
    assert!(!text.contains("\"allOf\""), "3.1 export wraps no reference");
    assert_eq!(raw["info"]["license"]["identifier"], "MIT OR Apache-2.0");
}

#[test]
fn the_fixture_export_is_valid_openapi_3_1() {
    let api = fixture_api();
    let spec = check_openapi_3_1(&codegen::emit::openapi(&api));
    assert!(spec.operation_by_id("fixtureCreateWidget").is_some());
}

#[test]
fn a_3_0_export_keeps_3_0_rules() {
    let api = fixture_api();
    let text = codegen::emit::openapi_3_0(&api);
    let raw: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(raw["openapi"], "3.0.3");
    assert!(raw["info"].get("summary").is_none() && raw["info"].get("license").is_none());
    let mut all = Vec::new();
    refs(&raw, &mut all);
    assert!(!all.is_empty());
    for (target, siblings) in &all {
        assert_eq!(*siblings, 1, "{target} has siblings, which 3.0 ignores");
    }
    assert!(
        text.contains("\"allOf\""),
        "described references are wrapped"
    );
    // Same operations and schemas as the 3.1 export.
    let v31: Value = serde_json::from_str(&codegen::emit::openapi(&api)).expect("JSON");
    assert_eq!(
        raw["paths"].as_object().map(|p| p.len()),
        v31["paths"].as_object().map(|p| p.len())
    );
    let keys = |v: &Value| -> Vec<String> {
        v["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(keys(&raw), keys(&v31));
}

fn export_json() -> Value {
    serde_json::from_str(&checked_in_export()).expect("JSON")
}

/// Every operation's 200 answer admits the error envelope (business errors come with HTTP
/// 200), and the HTTP statuses the service and the emulator use are described.
#[test]
fn every_operation_describes_its_error_answers() {
    let raw = export_json();
    let error = "#/components/schemas/ErrorEnvelope";
    assert_eq!(
        raw["components"]["schemas"]["ErrorEnvelope"]["properties"]["code"]["not"]["const"],
        200
    );
    let paths = raw["paths"].as_object().expect("paths");
    for (path, item) in paths {
        for (verb, op) in item.as_object().expect("path item") {
            let at = format!("{verb} {path}");
            let ok = &op["responses"]["200"]["content"]["application/json"]["schema"]["anyOf"];
            let branches = ok
                .as_array()
                .unwrap_or_else(|| panic!("{at}: 200 is anyOf"));
            assert!(branches.iter().any(|b| b["$ref"] == error), "{at}");
            for status in ["400", "401", "403", "405", "413", "415", "429", "503"] {
                assert!(op["responses"].get(status).is_some(), "{at}: {status}");
            }
            let description = op["description"].as_str().unwrap_or_default();
            assert!(description.contains("Error codes"), "{at}");
        }
    }
    // The bare answer of startWorkflow, or `{"code":1000,"message":"Parameter error"}`.
    let start = &paths["/workflow/startWorkflow"]["post"];
    let branches = &start["responses"]["200"]["content"]["application/json"]["schema"]["anyOf"];
    assert_eq!(
        branches[0]["$ref"],
        "#/components/schemas/StartWorkflowOutput"
    );
    assert!(start["description"]
        .as_str()
        .unwrap_or_default()
        .contains("`1630` transNoAlreadyUsed"));
    let category = &paths["/vod/videoCategory/createCategory"]["post"]["responses"]["200"];
    assert!(category["description"]
        .as_str()
        .unwrap_or_default()
        .contains("HTTP 400 (code 24112000)"));
}

/// The signature headers are security schemes, all required together, per profile.
#[test]
fn the_signature_headers_are_described() {
    let raw = export_json();
    let schemes = raw["components"]["securitySchemes"]
        .as_object()
        .expect("schemes");
    let header = |scheme: &str| {
        schemes[scheme]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(header("signature"), "Authorization");
    assert_eq!(header("ws3AccessKey"), "X-WS-AccessKey");
    assert_eq!(header("ws3Timestamp"), "X-WS-Timestamp");
    assert_eq!(header("cnc-x-cnc-auth-method"), "x-cnc-auth-method");
    let ws3 = raw["security"][0].as_object().expect("requirement");
    let mut names: Vec<&str> = ws3.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["signature", "ws3AccessKey", "ws3Timestamp"]);
    let words = raw["info"]["description"].as_str().unwrap_or_default();
    assert!(words.contains("CanonicalRequest = METHOD"), "{words}");
}

/// Request constraints are the client's: at-least-one groups, formats, comma lists, base64.
#[test]
fn request_constraints_are_the_clients() {
    let raw = export_json();
    let schemas = &raw["components"]["schemas"];
    let clear = &schemas["CreateClearAdTaskRequest"];
    assert_eq!(
        clear["anyOf"][0],
        serde_json::json!({ "required": ["clearVideoAd"], "properties": { "clearVideoAd": { "const": true } } })
    );
    assert_eq!(clear["properties"]["notifyUrl"]["maxLength"], 255);
    assert!(clear["properties"]["notifyUrl"]["pattern"]
        .as_str()
        .unwrap_or_default()
        .starts_with("^https?://"));
    let query = &schemas["PullVideoQueryRequest"]["anyOf"];
    assert_eq!(query.as_array().map(Vec::len), Some(2));
    let pull = &schemas["PullVideoRequest"]["properties"]["fileList"];
    assert_eq!(pull["contentEncoding"], "base64url");
    assert_eq!(pull["contentMediaType"], "application/json");
    let concat = &schemas["VideoConcatRequest"]["properties"]["videoIds"]["pattern"];
    assert!(
        concat.as_str().unwrap_or_default().ends_with("){0,49}$"),
        "{concat}"
    );
}
