//! Turning a typed request into the exact bytes that are signed and sent.
//!
//! JSON operations send the serialized request as the body. Query operations send each
//! top-level field as `key=value` in declaration order, percent-encoded so that the signer's
//! canonical form (which decodes only `%XX`) is unambiguous: a space is `%20`, a plus is `%2B`
//! — never the form encoding's `+`, which the service would sign as a literal plus.

use std::fmt;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::FieldProblem;
use crate::operation::{BodyKind, OperationSpec};
use crate::Error;

/// Everything but RFC 3986's unreserved characters is escaped.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A request ready to sign: target relative to the endpoint's base path, and body bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Encoded {
    /// `?a=1&b=2` for query operations (empty when there are no parameters), else empty.
    pub query: String,
    /// The body: JSON for JSON operations, empty for query operations. `Bytes`, so that
    /// each retry shares it instead of copying.
    pub body: bytes::Bytes,
    /// The `Content-Type` to send.
    pub content_type: &'static str,
}

/// Encodes `request` the way `op` says; `form` sends a JSON operation's parameters as an
/// `application/x-www-form-urlencoded` body instead (only for operations the spec marks
/// `form_body`).
pub(crate) fn encode<R: Serialize>(
    op: &'static OperationSpec,
    request: &R,
    form: bool,
) -> Result<Encoded, Error> {
    let invalid = |message: String| Error::InvalidRequest {
        operation: op.name,
        problems: vec![FieldProblem::new(
            String::new(),
            crate::error::Violation::Shape,
            message,
        )],
    };
    match op.body {
        BodyKind::Json if form => {
            let query = query_string(request)
                .map_err(|e| invalid(format!("cannot encode as a form: {e}")))?;
            let body = query.strip_prefix('?').unwrap_or(&query).to_string();
            Ok(Encoded {
                query: String::new(),
                body: body.into_bytes().into(),
                content_type: "application/x-www-form-urlencoded",
            })
        }
        BodyKind::Json => {
            let body = serde_json::to_vec(request)
                .map_err(|e| invalid(format!("cannot encode as JSON: {e}")))?;
            Ok(Encoded {
                query: String::new(),
                body: body.into(),
                content_type: "application/json",
            })
        }
        BodyKind::Query => {
            let query = query_string(request)
                .map_err(|e| invalid(format!("cannot encode as a query: {e}")))?;
            Ok(Encoded {
                query,
                body: bytes::Bytes::new(),
                content_type: "application/x-www-form-urlencoded",
            })
        }
    }
}

/// `?key=value&...` from the serialized fields of `request`, in field order. Text goes as is,
/// numbers and booleans as their JSON text, lists and objects as compact JSON, `null`s are
/// left out. Empty when nothing is set.
pub(crate) fn query_string<R: Serialize>(request: &R) -> Result<String, serde_json::Error> {
    // Serializing to text keeps the field order (serde_json's `Map` would sort the keys);
    // reading it back through `OrderedFields` keeps it too.
    let text = serde_json::to_string(request)?;
    let OrderedFields(fields) = serde_json::from_str(&text)?;
    let mut out = String::new();
    for (key, value) in fields {
        let value = match value {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        out.push(if out.is_empty() { '?' } else { '&' });
        out.extend(utf8_percent_encode(&key, QUERY_VALUE));
        out.push('=');
        out.extend(utf8_percent_encode(&value, QUERY_VALUE));
    }
    Ok(out)
}

/// The members of a JSON object in the order they appear.
struct OrderedFields(Vec<(String, serde_json::Value)>);

impl<'de> Deserialize<'de> for OrderedFields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(OrderedVisitor)
    }
}

struct OrderedVisitor;

impl<'de> Visitor<'de> for OrderedVisitor {
    type Value = OrderedFields;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a request serialized as a JSON object")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(OrderedFields(Vec::new()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            fields.push((key, map.next_value()?));
        }
        Ok(OrderedFields(fields))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Err(de::Error::custom(
            "a request must serialize to an object, not a list",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::{DataKind, Envelope, HttpMethod};

    #[derive(Serialize)]
    struct Params {
        #[serde(rename = "videoName")]
        video_name: Option<String>,
        #[serde(rename = "pageSize")]
        page_size: i32,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<i32>,
        alpha: Vec<String>,
        flag: bool,
        none: Option<i32>,
        obj: serde_json::Value,
        rate: f64,
    }

    fn params() -> Params {
        Params {
            video_name: Some("猫 a+b&c=d/e~f".into()),
            page_size: 20,
            skipped: None,
            alpha: vec!["x y".into(), "z".into()],
            flag: true,
            none: None,
            obj: serde_json::json!({"k": "v"}),
            rate: 0.5,
        }
    }

    #[test]
    fn query_keeps_field_order_and_escapes_space_and_plus() {
        let q = query_string(&params()).expect("encodes");
        assert_eq!(
            q,
            "?videoName=%E7%8C%AB%20a%2Bb%26c%3Dd%2Fe~f&pageSize=20\
             &alpha=%5B%22x%20y%22%2C%22z%22%5D&flag=true&obj=%7B%22k%22%3A%22v%22%7D&rate=0.5"
        );
        assert_eq!(
            crate::signer::canonical_query(q.trim_start_matches('?')),
            "videoName=猫 a+b&c=d/e~f&pageSize=20&alpha=[\"x y\",\"z\"]&flag=true&obj={\"k\":\"v\"}&rate=0.5"
        );
    }

    #[test]
    fn empty_request_gives_empty_query() {
        #[derive(Serialize)]
        struct Empty {}
        assert_eq!(query_string(&Empty {}).expect("ok"), "");
        assert_eq!(query_string(&()).expect("unit"), "");
        assert!(query_string(&[1, 2]).is_err());
    }

    #[test]
    fn encode_per_body_kind() {
        const OP: &OperationSpec = &OperationSpec {
            name: "getX",
            method: HttpMethod::Get,
            path: "/x",
            body: BodyKind::Query,
            envelope: Envelope::Standard,
            data: DataKind::Object,
            retry_safe: true,
        };
        const JSON_OP: &OperationSpec = &OperationSpec {
            method: HttpMethod::Post,
            body: BodyKind::Json,
            ..*OP
        };
        let q = encode(OP, &serde_json::json!({"a": "b c"}), false).expect("query");
        assert_eq!((q.query.as_str(), q.body.len()), ("?a=b%20c", 0));
        assert_eq!(q.content_type, "application/x-www-form-urlencoded");
        let j = encode(JSON_OP, &params(), false).expect("json");
        let f = encode(JSON_OP, &params(), true).expect("form");
        assert_eq!(f.content_type, "application/x-www-form-urlencoded");
        assert!(f.query.is_empty());
        assert_eq!(
            std::str::from_utf8(&f.body).expect("text"),
            query_string(&params())
                .expect("query")
                .trim_start_matches('?'),
            "a form body is the query encoding, without `?`"
        );
        assert!(j.query.is_empty());
        assert_eq!(j.content_type, "application/json");
        let text = String::from_utf8(j.body.to_vec()).expect("utf-8");
        assert!(
            text.starts_with("{\"videoName\":\"猫 a+b&c=d/e~f\",\"pageSize\":20"),
            "{text}"
        );
    }
}
