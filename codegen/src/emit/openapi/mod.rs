//! `openapi.json`: the same API as an OpenAPI 3.1 document, for tools outside Rust (API
//! explorers, schema-driven fuzzers such as schemathesis, other languages' generators).
//! Schemas and paths are sorted by name, and every object's keys come in the order written
//! here, so the output is deterministic.
//!
//! 3.1 schemas are JSON Schema 2020-12, so a `$ref` may carry its own `description`. Tools that
//! only read 3.0 (progenitor, older generators) get [`emit_3_0`]: the same document with
//! `openapi: 3.0.3` and each described `$ref` wrapped in `allOf`, because 3.0 ignores a
//! reference's siblings.

mod responses;
mod schemas;
mod security;

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::ir::{Api, DataKind, Field, Method, Object, Operation};
use schemas::{EnumValues, Side};

/// Which OpenAPI version to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    V3_1,
    V3_0,
}

/// The OpenAPI 3.1 document, pretty-printed, with a trailing newline.
pub fn emit(api: &Api) -> String {
    render(api, Version::V3_1)
}

/// The same document as OpenAPI 3.0.3.
pub fn emit_3_0(api: &Api) -> String {
    render(api, Version::V3_0)
}

fn render(api: &Api, version: Version) -> String {
    let mut document = document(api);
    if version == Version::V3_0 {
        document["openapi"] = json!("3.0.3");
        if let Some(info) = document.get_mut("info").and_then(Value::as_object_mut) {
            // `summary` and `license.identifier` are new in 3.1.
            info.remove("summary");
            info.remove("license");
        }
        wrap_described_refs(&mut document);
        downgrade_keywords(&mut document);
    }
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

/// 3.0 ignores the siblings of a `$ref`: `{"$ref", "description"}` becomes
/// `{"allOf": [{"$ref"}], "description"}`.
fn wrap_described_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.len() > 1 {
                if let Some(target) = map.remove("$ref") {
                    let rest = std::mem::take(map);
                    map.insert("allOf".into(), json!([{ "$ref": target }]));
                    map.extend(rest);
                }
            }
            map.values_mut().for_each(wrap_described_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(wrap_described_refs),
        _ => {}
    }
}

/// Keywords 3.0's schema dialect lacks: `const` becomes a one-value `enum`, and the
/// `content*` keywords describing a base64 or JSON text (annotations only) are dropped.
fn downgrade_keywords(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(constant) = map.remove("const") {
                map.insert("enum".into(), json!([constant]));
            }
            for key in ["contentEncoding", "contentMediaType", "contentSchema"] {
                map.remove(key);
            }
            map.values_mut().for_each(downgrade_keywords);
        }
        Value::Array(items) => items.iter_mut().for_each(downgrade_keywords),
        _ => {}
    }
}

fn document(api: &Api) -> Value {
    let enums = schemas::enum_values(api);
    let groups: Vec<_> = std::iter::once(&api.shared).chain(&api.groups).collect();
    let mut schemas = BTreeMap::new();
    for group in &groups {
        for e in &group.enums {
            schemas.insert(e.name.clone(), schemas::enum_schema(e));
        }
        for o in group.objects.iter().chain(&group.callbacks) {
            let side = if o.in_request {
                Side::Request
            } else {
                Side::Answer
            };
            schemas.insert(o.name.clone(), schemas::object_schema(o, side, &enums));
        }
    }
    responses::envelope_schemas(&mut schemas);
    let mut paths = BTreeMap::new();
    for group in &api.groups {
        for op in &group.operations {
            if matches!(op.data, DataKind::Object | DataKind::SingleItemList) {
                let output = Object {
                    name: op.output_type(),
                    doc: format!("What `{}` returns on success.", op.wire),
                    fields: op.response.clone(),
                    in_request: false,
                    in_answer: true,
                    callback: None,
                };
                schemas.insert(
                    op.output_type(),
                    schemas::object_schema(&output, Side::Answer, &enums),
                );
            }
            let item = path_item(api, op, &group.name, &enums, &mut schemas);
            paths.insert(op.path.clone(), item);
        }
    }
    let service = &api.service;
    let tags: Vec<Value> = api
        .groups
        .iter()
        .map(|g| json!({ "name": g.name, "description": g.doc.trim() }))
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": service.name,
            "summary": "The Cloud VoD HTTP API, as described by the vod-client spec.",
            "description": format!("{}\n\n{}", service.doc.trim(), security::description(api)),
            "version": "1",
            "license": { "name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0" },
        },
        "servers": [{ "url": service.default_endpoint }],
        "security": security::requirements(api),
        "tags": tags,
        "components": {
            "securitySchemes": security::schemes(api),
            "schemas": schemas,
            "responses": responses::status_responses(api),
        },
        "paths": paths,
    })
}

fn path_item(
    api: &Api,
    op: &Operation,
    group: &str,
    enums: &EnumValues,
    schemas: &mut BTreeMap<String, Value>,
) -> Value {
    let mut operation = Map::new();
    operation.insert("operationId".into(), json!(op.wire));
    operation.insert(
        "summary".into(),
        json!(op.doc.lines().next().unwrap_or_default()),
    );
    operation.insert("description".into(), json!(description(api, op)));
    operation.insert("tags".into(), json!([group]));
    let request = Object {
        name: op.request_type(),
        doc: format!("Parameters of `{}`.", op.wire),
        fields: op.request.clone(),
        in_request: true,
        in_answer: false,
        callback: None,
    };
    match op.method {
        Method::Post => {
            let mut schema = schemas::object_schema(&request, Side::Request, enums);
            let groups = schemas::at_least_one(&op.at_least_one);
            match groups.len() {
                0 => {}
                1 => schema["anyOf"] = groups[0]["anyOf"].clone(),
                _ => schema["allOf"] = json!(groups),
            }
            schemas.insert(op.request_type(), schema);
            operation.insert(
                "requestBody".into(),
                json!({
                    "required": true,
                    "content": { "application/json": { "schema": schemas::reference(&op.request_type()) } }
                }),
            );
        }
        Method::Get => {
            let params: Vec<Value> = op
                .request
                .iter()
                .map(|f| query_parameter(f, enums))
                .collect();
            operation.insert("parameters".into(), json!(params));
        }
    }
    operation.insert("responses".into(), responses::responses(api, op));
    let verb = match op.method {
        Method::Get => "get",
        Method::Post => "post",
    };
    json!({ verb: operation })
}

fn description(api: &Api, op: &Operation) -> String {
    let mut text = op.doc.clone();
    for group in &op.at_least_one {
        let names: Vec<&str> = group.iter().map(|f| f.wire.as_str()).collect();
        text.push_str(&format!(
            "\n\nAt least one of {} must be given.",
            names.join(", ")
        ));
    }
    if let Some(limit) = &op.rate_limit {
        text.push_str(&format!("\n\nRate limit: {limit}."));
    }
    if !op.retry_safe {
        text.push_str("\n\nChanges state: not safe to retry blindly.");
    }
    text.push_str("\n\n");
    text.push_str(&responses::codes_text(api, op));
    text
}

fn query_parameter(field: &Field, enums: &EnumValues) -> Value {
    json!({
        "name": field.wire,
        "in": "query",
        "required": field.required,
        "description": field.doc,
        "schema": schemas::field_schema(field, Side::Request, enums),
    })
}
