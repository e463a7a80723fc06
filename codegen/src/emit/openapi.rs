//! `openapi.json`: the same API as an OpenAPI 3.1 document, for tools outside Rust (API
//! explorers, schema-driven fuzzers such as schemathesis, other languages' generators).
//! Schemas and paths are sorted by name, and every object's keys come in the order written
//! here, so the output is deterministic.
//!
//! 3.1 schemas are JSON Schema 2020-12, so a `$ref` may carry its own `description`. Tools that
//! only read 3.0 (progenitor, older generators) get [`emit_3_0`]: the same document with
//! `openapi: 3.0.3` and each described `$ref` wrapped in `allOf`, because 3.0 ignores a
//! reference's siblings.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::ir::{
    Api, DataKind, Encoding, Enum, EnumBase, Field, IdBase, Method, Object, Operation, Type,
};

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

fn document(api: &Api) -> Value {
    let groups: Vec<_> = std::iter::once(&api.shared).chain(&api.groups).collect();
    let mut schemas = BTreeMap::new();
    for group in &groups {
        for e in &group.enums {
            schemas.insert(e.name.clone(), enum_schema(e));
        }
        for o in group.objects.iter().chain(&group.callbacks) {
            schemas.insert(o.name.clone(), object_schema(o));
        }
    }
    let mut paths = BTreeMap::new();
    for group in &api.groups {
        for op in &group.operations {
            if matches!(op.data, DataKind::Object | DataKind::SingleItemList) {
                let output = Object {
                    name: op.output_type(),
                    doc: format!("What `{}` returns on success.", op.wire),
                    fields: op.response.clone(),
                    in_request: false,
                    callback: None,
                };
                schemas.insert(op.output_type(), object_schema(&output));
            }
            let item = path_item(op, &group.name, &mut schemas);
            paths.insert(op.path.clone(), item);
        }
    }
    let service = &api.service;
    let profiles: Vec<String> = service
        .auth_profiles
        .iter()
        .map(|p| {
            format!(
                "{} ({}, headers {} and {})",
                p.algorithm, p.host, p.access_key_header, p.timestamp_header
            )
        })
        .collect();
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
            "description": service.doc,
            "version": "1",
            "license": { "name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0" },
        },
        "servers": [{ "url": service.default_endpoint }],
        "security": [{ "signature": [] }],
        "tags": tags,
        "components": {
            "securitySchemes": {
                "signature": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": format!(
                        "HMAC-SHA256 request signature: {}. See vod-client's signer for the canonical request.",
                        profiles.join("; ")
                    ),
                }
            },
            "schemas": schemas,
        },
        "paths": paths,
    })
}

fn path_item(op: &Operation, group: &str, schemas: &mut BTreeMap<String, Value>) -> Value {
    let mut operation = Map::new();
    operation.insert("operationId".into(), json!(op.wire));
    operation.insert(
        "summary".into(),
        json!(op.doc.lines().next().unwrap_or_default()),
    );
    operation.insert("description".into(), json!(description(op)));
    operation.insert("tags".into(), json!([group]));
    let request = Object {
        name: op.request_type(),
        doc: format!("Parameters of `{}`.", op.wire),
        fields: op.request.clone(),
        in_request: true,
        callback: None,
    };
    match op.method {
        Method::Post => {
            schemas.insert(op.request_type(), object_schema(&request));
            operation.insert(
                "requestBody".into(),
                json!({
                    "required": true,
                    "content": { "application/json": { "schema": reference(&op.request_type()) } }
                }),
            );
        }
        Method::Get => {
            let params: Vec<Value> = op.request.iter().map(query_parameter).collect();
            operation.insert("parameters".into(), json!(params));
        }
    }
    operation.insert("responses".into(), json!({ "200": response(op) }));
    let verb = match op.method {
        Method::Get => "get",
        Method::Post => "post",
    };
    json!({ verb: operation })
}

fn description(op: &Operation) -> String {
    let mut text = op.doc.clone();
    if let Some(limit) = &op.rate_limit {
        text.push_str(&format!("\n\nRate limit: {limit}."));
    }
    if !op.retry_safe {
        text.push_str("\n\nChanges state: not safe to retry blindly.");
    }
    text
}

fn query_parameter(field: &Field) -> Value {
    json!({
        "name": field.wire,
        "in": "query",
        "required": field.required,
        "description": field.doc,
        "schema": field_schema(field),
    })
}

fn response(op: &Operation) -> Value {
    let data = match op.data {
        DataKind::Object | DataKind::SingleItemList => reference(&op.output_type()),
        DataKind::String => json!({ "type": "string" }),
        DataKind::None => json!({ "description": "Not used." }),
    };
    let schema = if op.bare {
        data
    } else {
        json!({
            "type": "object",
            "required": ["code"],
            "properties": {
                "code": { "type": "integer", "description": "200 on success; otherwise a service error code." },
                "message": { "type": "string" },
                "data": data,
            }
        })
    };
    json!({
        "description": "The service's answer (business errors also come with HTTP 200 and a non-200 code).",
        "content": { "application/json": { "schema": schema } }
    })
}

fn object_schema(object: &Object) -> Value {
    let properties: Map<String, Value> = object
        .fields
        .iter()
        .map(|f| (f.wire.clone(), field_schema(f)))
        .collect();
    let required: Vec<&str> = object
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.wire.as_str())
        .collect();
    let mut schema = json!({
        "type": "object",
        "description": object.doc,
        "properties": properties,
    });
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    schema
}

fn field_schema(field: &Field) -> Value {
    let mut schema = wire_schema(field).unwrap_or_else(|| type_schema(&field.ty));
    let l = &field.limits;
    let numeric =
        field.encoding == Encoding::Plain && (field.ty.is_integral() || field.ty == Type::Number);
    let set = |schema: &mut Value, key: &str, value: Value| {
        if let Value::Object(map) = schema {
            map.insert(key.to_string(), value);
        }
    };
    if let (true, Some(min)) = (numeric, l.min) {
        set(&mut schema, "minimum", json!(min));
    }
    if let (true, Some(max)) = (numeric, l.max) {
        set(&mut schema, "maximum", json!(max));
    }
    if let Some(n) = l.min_length {
        set(&mut schema, "minLength", json!(n));
    }
    if let Some(n) = l.max_length {
        set(&mut schema, "maxLength", json!(n));
    }
    if field.encoding == Encoding::Plain {
        if let Some(n) = l.min_items {
            set(&mut schema, "minItems", json!(n));
        }
        if let Some(n) = l.max_items {
            set(&mut schema, "maxItems", json!(n));
        }
    }
    // 3.1 keeps a `$ref`'s siblings (3.0 output wraps it, see `wrap_described_refs`).
    set(&mut schema, "description", json!(field.doc));
    schema
}

/// The schema of a value whose encoding changes its JSON shape (a list sent as one string...).
fn wire_schema(field: &Field) -> Option<Value> {
    Some(match field.encoding {
        Encoding::Plain => return None,
        Encoding::Comma => json!({ "type": "string", "pattern": "^[^,]+(,[^,]+)*$" }),
        Encoding::Base64Json => json!({ "type": "string", "pattern": "^[A-Za-z0-9_=-]*$" }),
        Encoding::JsonText | Encoding::BracedPairs => json!({ "type": "string" }),
        Encoding::Text => json!({ "type": "string", "pattern": "^-?[0-9]+$" }),
        Encoding::DateTime => json!({
            "type": "string",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
        }),
        Encoding::UnixSeconds | Encoding::UnixMillis => {
            json!({ "type": "integer", "format": "int64" })
        }
    })
}

fn type_schema(ty: &Type) -> Value {
    match ty {
        Type::UInt => json!({ "type": "integer", "format": "int32", "minimum": 0 }),
        Type::ULong => json!({ "type": "integer", "format": "int64", "minimum": 0 }),
        Type::Timestamp => json!({ "type": "integer", "format": "int64" }),
        Type::Id(_, IdBase::String) => json!({ "type": "string" }),
        Type::Id(_, IdBase::Long) => json!({ "type": "integer", "format": "int64" }),
        Type::String => json!({ "type": "string" }),
        Type::Integer => json!({ "type": "integer", "format": "int32" }),
        Type::Long => json!({ "type": "integer", "format": "int64" }),
        Type::Number => json!({ "type": "number", "format": "double" }),
        Type::Boolean => json!({ "type": "boolean" }),
        Type::List(inner) => json!({ "type": "array", "items": type_schema(inner) }),
        Type::Object(name) | Type::Enum(name, _) => reference(name),
    }
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn enum_schema(e: &Enum) -> Value {
    let meanings: Vec<String> = e
        .values
        .iter()
        .map(|v| format!("`{}`: {}", v.wire, v.doc.trim()))
        .collect();
    let description = format!("{}\n\n{}", e.doc.trim(), meanings.join("\n"));
    match e.base {
        EnumBase::Integer => {
            let values: Vec<i64> = e
                .values
                .iter()
                .filter_map(|v| v.wire.parse().ok())
                .collect();
            json!({ "type": "integer", "enum": values, "description": description })
        }
        EnumBase::String => {
            let values: Vec<&str> = e.values.iter().map(|v| v.wire.as_str()).collect();
            json!({ "type": "string", "enum": values, "description": description })
        }
    }
}
