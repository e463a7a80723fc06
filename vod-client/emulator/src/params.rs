//! Request parameters as they arrive: a JSON object, a form-urlencoded body or a query
//! string (whose values are all text).
//!
//! They are gathered into one JSON object and lent as it is to the decoding of the operation's
//! typed request (`handlers::decode`), which reads every wire form the spec allows. A body that
//! is not one JSON object is answered with the operation's parameter error ([`ParamStyle`]).

use serde_json::{Map, Value};

use super::errors::{ApiError, ParamStyle};

/// The parameters of one request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Params {
    /// Always a JSON object.
    value: Value,
}

impl Params {
    /// Parameters from a JSON body; the body must hold one object.
    pub(crate) fn from_json(body: &[u8], style: ParamStyle) -> Result<Self, ApiError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::empty());
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(value @ Value::Object(_)) => Ok(Params { value }),
            Ok(_) => Err(style.error("the request body must be a JSON object")),
            Err(e) => Err(style.error(format!("malformed JSON body: {e}"))),
        }
    }

    /// Parameters from a form body or a query string. The first value of a repeated name
    /// counts; pairs without a name are ignored.
    pub(crate) fn from_form(text: &str) -> Self {
        let mut map = Map::new();
        for (key, value) in form_urlencoded::parse(text.as_bytes()) {
            if !key.is_empty() && !map.contains_key(key.as_ref()) {
                map.insert(key.into_owned(), Value::String(value.into_owned()));
            }
        }
        Params {
            value: Value::Object(map),
        }
    }

    /// No parameters.
    pub(crate) fn empty() -> Self {
        Params {
            value: Value::Object(Map::new()),
        }
    }

    /// The parameters as one JSON object.
    pub(crate) fn as_value(&self) -> &Value {
        &self.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vod_client::model::ErrorCode;

    fn get<'a>(p: &'a Params, name: &str) -> Option<&'a Value> {
        p.as_value().get(name)
    }

    #[test]
    fn form_decoding_edge_cases() {
        let f = Params::from_form(
            "name=%E8%A7%86%E9%A2%91+one%2Btwo&tag=first&tag=second&empty=&bare&=orphan&&bad=%FF%zz",
        );
        assert_eq!(get(&f, "name"), Some(&Value::from("视频 one+two")));
        assert_eq!(get(&f, "tag"), Some(&Value::from("first")));
        assert_eq!(get(&f, "empty"), Some(&Value::from("")));
        assert_eq!(get(&f, "bare"), Some(&Value::from("")));
        assert_eq!(get(&f, ""), None);
        assert_eq!(get(&f, "bad"), Some(&Value::from("\u{FFFD}%zz")));
    }

    #[test]
    fn json_bodies_are_one_object() {
        let style = ParamStyle(ErrorCode::BadParameter);
        assert!(Params::from_json(b"{", style).is_err());
        assert_eq!(
            Params::from_json(b"[1]", style).map_err(|e| e.code),
            Err(ErrorCode::BadParameter.code())
        );
        assert!(Params::from_json(b"  ", style).is_ok_and(|p| p.as_value() == &json_object()));
        let j = Params::from_json(br#"{"pageSize":"20","flag":true}"#, style);
        assert!(j.is_ok_and(|p| get(&p, "pageSize") == Some(&Value::from("20"))));
    }

    fn json_object() -> Value {
        Value::Object(Map::new())
    }
}
