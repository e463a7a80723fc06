//! JSON Schemas of types and fields, with the request constraints the client checks before
//! sending (so a schema-driven fuzzer generates requests the client would also send).
//!
//! Requests get the rules of `vod_client::validate`: a required text must hold a
//! non-blank character, a `url` is `http(s)://host...` without white space, a `datetime` is
//! `yyyy-MM-dd HH:mm:ss`, a comma list holds non-blank items without commas (enum items from the
//! enum, numbers as digits), and base64 fields are URL-safe padded base64 of the value's JSON.
//! Answers only get their shape: the service is lenient there and so is the client's decoder.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::ir::{Api, Encoding, Enum, EnumBase, Field, IdBase, Object, Type};

/// Which side of the exchange a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    /// Sent by the client: the client's checks apply.
    Request,
    /// Sent by the service: shape only.
    Answer,
}

/// A non-blank character somewhere (JSON Schema patterns are not anchored).
pub(super) const NOT_BLANK: &str = "\\S";
/// `vod_client::validate::TextFormat::Url`: a scheme, a non-empty host, no white space.
const URL: &str = "^https?://[^/?#\\s]+([/?#]\\S*)?$";
/// `vod_client::validate::TextFormat::FileName`: a `.` somewhere, no `/`.
const FILE_NAME: &str = "^[^/]*\\.[^/]*$";
const DIMENSIONS: &str = "^[1-9][0-9]*x[1-9][0-9]*$";
/// `yyyy-MM-dd HH:mm:ss` as answers carry it.
const DATETIME_SHAPE: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$";
/// The same with the field ranges the client checks (month 1-12, day 1-31, hour 0-23, ...).
const DATETIME: &str =
    "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]) ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$";
/// URL-safe base64 with padding, at least one quantum (the JSON of a value is never empty).
const BASE64URL: &str =
    "^([A-Za-z0-9_-]{4})*([A-Za-z0-9_-]{4}|[A-Za-z0-9_-]{3}=|[A-Za-z0-9_-]{2}==)$";

/// Enum wire values by enum name, for comma-list item patterns.
pub(super) type EnumValues = BTreeMap<String, Vec<String>>;

/// The wire values of every enum of the spec.
pub(super) fn enum_values(api: &Api) -> EnumValues {
    std::iter::once(&api.shared)
        .chain(&api.groups)
        .flat_map(|g| &g.enums)
        .map(|e| {
            (
                e.name.clone(),
                e.values.iter().map(|v| v.wire.clone()).collect(),
            )
        })
        .collect()
}

pub(super) fn object_schema(object: &Object, side: Side, enums: &EnumValues) -> Value {
    let properties: Map<String, Value> = object
        .fields
        .iter()
        .map(|f| (f.wire.clone(), field_schema(f, side, enums)))
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

fn set(schema: &mut Value, key: &str, value: Value) {
    if let Value::Object(map) = schema {
        map.insert(key.to_string(), value);
    }
}

pub(super) fn field_schema(field: &Field, side: Side, enums: &EnumValues) -> Value {
    let mut schema = wire_schema(field, side, enums).unwrap_or_else(|| type_schema(&field.ty));
    let l = &field.limits;
    let numeric =
        field.encoding == Encoding::Plain && (field.ty.is_integral() || field.ty == Type::Number);
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
    if side == Side::Request && field.encoding == Encoding::Plain && field.ty.is_text() {
        let pattern = match field.format.as_deref() {
            Some("url") => Some(URL),
            Some("datetime") => Some(DATETIME),
            Some("file_name") => Some(FILE_NAME),
            Some("dimensions") => Some(DIMENSIONS),
            _ if field.required => Some(NOT_BLANK),
            _ => None,
        };
        if let Some(pattern) = pattern {
            set(&mut schema, "pattern", json!(pattern));
        }
    }
    // 3.1 keeps a `$ref`'s siblings (3.0 output wraps it, see `wrap_described_refs`).
    set(&mut schema, "description", json!(field.doc));
    schema
}

/// The schema of a value whose encoding changes its JSON shape (a list sent as one string...).
fn wire_schema(field: &Field, side: Side, enums: &EnumValues) -> Option<Value> {
    Some(match field.encoding {
        Encoding::Plain => return None,
        Encoding::Comma if side == Side::Answer => {
            json!({ "type": "string", "pattern": "^[^,]+(,[^,]+)*$" })
        }
        Encoding::Comma => json!({ "type": "string", "pattern": comma_pattern(field, enums) }),
        Encoding::Base64Json => {
            let mut content = type_schema(&field.ty);
            if let Some(n) = field.limits.min_items {
                set(&mut content, "minItems", json!(n));
            }
            if let Some(n) = field.limits.max_items {
                set(&mut content, "maxItems", json!(n));
            }
            json!({
                "type": "string",
                "pattern": BASE64URL,
                "contentEncoding": "base64url",
                "contentMediaType": "application/json",
                "contentSchema": content,
            })
        }
        Encoding::JsonText => json!({
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": type_schema(&field.ty),
        }),
        Encoding::BracedPairs => json!({ "type": "string", "pattern": "^\\{.*\\}$" }),
        Encoding::Text => json!({ "type": "string", "pattern": "^-?[0-9]+$" }),
        Encoding::DateTime if side == Side::Answer => {
            json!({ "type": "string", "pattern": DATETIME_SHAPE })
        }
        Encoding::DateTime => json!({ "type": "string", "pattern": DATETIME }),
        Encoding::UnixSeconds | Encoding::UnixMillis => {
            json!({ "type": "integer", "format": "int64" })
        }
    })
}

/// `^item(,item){a,b}$`: items as the client checks them, as many as the spec allows.
fn comma_pattern(field: &Field, enums: &EnumValues) -> String {
    let inner = match &field.ty {
        Type::List(inner) => inner.as_ref(),
        other => other,
    };
    let item = match inner {
        Type::Enum(name, _) => match enums.get(name) {
            Some(values) if !values.is_empty() => {
                let escaped: Vec<String> = values.iter().map(|v| regex_escape(v)).collect();
                format!("({})", escaped.join("|"))
            }
            _ => "[^,]*[^,\\s][^,]*".to_string(),
        },
        t if t.is_integral() => "-?[0-9]+".to_string(),
        _ => "[^,]*[^,\\s][^,]*".to_string(),
    };
    let min_more = field.limits.min_items.unwrap_or(1).saturating_sub(1);
    let max_more = field
        .limits
        .max_items
        .map(|n| n.saturating_sub(1).to_string())
        .unwrap_or_default();
    format!("^{item}(,{item}){{{min_more},{max_more}}}$")
}

fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\^$.|?*+()[]{}/-".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(super) fn type_schema(ty: &Type) -> Value {
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

pub(super) fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

pub(super) fn enum_schema(e: &Enum) -> Value {
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

/// One `anyOf` branch per member of an at-least-one group, each requiring that member as the
/// client counts it given: non-blank text, a non-empty list, `true`.
pub(super) fn at_least_one(groups: &[Vec<Field>]) -> Vec<Value> {
    groups
        .iter()
        .map(|group| {
            let branches: Vec<Value> = group.iter().map(given).collect();
            json!({ "anyOf": branches })
        })
        .collect()
}

fn given(field: &Field) -> Value {
    let rule = match (&field.ty, field.encoding) {
        (Type::Boolean, _) => Some(json!({ "const": true })),
        (Type::List(_), Encoding::Plain) => Some(json!({ "minItems": 1 })),
        (ty, Encoding::Plain) if ty.is_text() => Some(json!({ "pattern": NOT_BLANK })),
        (_, Encoding::Comma) => Some(json!({ "pattern": NOT_BLANK })),
        _ => None,
    };
    let mut branch = json!({ "required": [field.wire] });
    if let Some(rule) = rule {
        branch["properties"] = json!({ field.wire.clone(): rule });
    }
    branch
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Limits;

    fn field(ty: Type, encoding: Encoding, limits: Limits) -> Field {
        Field {
            error_code: None,
            error_codes: Default::default(),
            wire: "f".into(),
            ident: "f".into(),
            doc: "d".into(),
            ty,
            required: false,
            default: None,
            aliases: vec![],
            format: None,
            encoding,
            limits,
        }
    }

    #[test]
    fn comma_lists_bound_their_items() {
        let limits = Limits {
            max_items: Some(50),
            ..Limits::default()
        };
        let ids = field(Type::List(Box::new(Type::String)), Encoding::Comma, limits);
        assert_eq!(
            comma_pattern(&ids, &EnumValues::new()),
            "^[^,]*[^,\\s][^,]*(,[^,]*[^,\\s][^,]*){0,49}$"
        );
        let mut enums = EnumValues::new();
        enums.insert("E".into(), vec!["a.b".into(), "c".into()]);
        let scoped = field(
            Type::List(Box::new(Type::Enum("E".into(), EnumBase::String))),
            Encoding::Comma,
            Limits::default(),
        );
        assert_eq!(
            comma_pattern(&scoped, &enums),
            "^(a\\.b|c)(,(a\\.b|c)){0,}$"
        );
    }

    #[test]
    fn request_text_rules_follow_the_client() {
        let mut url = field(Type::String, Encoding::Plain, Limits::default());
        url.format = Some("url".into());
        let schema = field_schema(&url, Side::Request, &EnumValues::new());
        assert_eq!(schema["pattern"], URL);
        assert!(field_schema(&url, Side::Answer, &EnumValues::new())
            .get("pattern")
            .is_none());
        let mut name = field(Type::String, Encoding::Plain, Limits::default());
        name.required = true;
        let schema = field_schema(&name, Side::Request, &EnumValues::new());
        assert_eq!(schema["pattern"], NOT_BLANK);
    }

    #[test]
    fn base64_fields_describe_their_content() {
        let limits = Limits {
            min_items: Some(1),
            max_items: Some(50),
            ..Limits::default()
        };
        let list = field(
            Type::List(Box::new(Type::String)),
            Encoding::Base64Json,
            limits,
        );
        let schema = field_schema(&list, Side::Request, &EnumValues::new());
        assert_eq!(schema["contentEncoding"], "base64url");
        assert_eq!(schema["contentSchema"]["maxItems"], 50);
        assert!(schema.get("maxItems").is_none(), "the string has no items");
    }

    #[test]
    fn at_least_one_counts_what_the_client_counts() {
        let mut flag = field(Type::Boolean, Encoding::Plain, Limits::default());
        flag.wire = "clear".into();
        let mut id = field(Type::String, Encoding::Plain, Limits::default());
        id.wire = "taskId".into();
        let groups = at_least_one(&[vec![flag, id]]);
        assert_eq!(
            groups[0],
            json!({ "anyOf": [
                { "required": ["clear"], "properties": { "clear": { "const": true } } },
                { "required": ["taskId"], "properties": { "taskId": { "pattern": "\\S" } } },
            ]})
        );
    }
}
