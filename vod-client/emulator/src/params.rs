//! Request parameters, read the way the service reads them.
//!
//! The service accepts the same parameters as a JSON object, as a form-urlencoded body or as
//! a query string; form and query values are all text. So every getter here is lenient about
//! representation (`"12"` is an integer, `"true"` a boolean) and strict about meaning (`"abc"`
//! is not an integer, `1.5` is not an integer, an object is not a string). Each problem is
//! reported with the operation's parameter-error convention ([`ParamStyle`]).

use serde_json::{Map, Value};

use super::errors::{ApiError, ParamStyle};

/// The parameters of one request.
#[derive(Debug, Clone)]
pub(crate) struct Params {
    /// Always a JSON object: lent as it is to the typed request's decoding.
    value: Value,
    style: ParamStyle,
}

impl Params {
    /// Parameters from a JSON body; the body must hold one object.
    pub(crate) fn from_json(body: &[u8], style: ParamStyle) -> Result<Self, ApiError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::empty(style));
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(value @ Value::Object(_)) => Ok(Params { value, style }),
            Ok(_) => Err(style.error("the request body must be a JSON object")),
            Err(e) => Err(style.error(format!("malformed JSON body: {e}"))),
        }
    }

    /// Parameters from `a=1&b=x` text (a form body or a query string); `+` means a space,
    /// invalid UTF-8 is replaced, the first of repeated keys wins and empty keys are ignored.
    pub(crate) fn from_form(text: &str, style: ParamStyle) -> Self {
        let mut map = Map::new();
        for (key, value) in form_urlencoded::parse(text.as_bytes()) {
            if !key.is_empty() && !map.contains_key(key.as_ref()) {
                map.insert(key.into_owned(), Value::String(value.into_owned()));
            }
        }
        Params {
            value: Value::Object(map),
            style,
        }
    }

    pub(crate) fn empty(style: ParamStyle) -> Self {
        Params {
            value: Value::Object(Map::new()),
            style,
        }
    }

    /// The parameters as one JSON object.
    pub(crate) fn as_value(&self) -> &Value {
        &self.value
    }

    /// A parameter error in this operation's convention.
    pub(crate) fn error(&self, message: impl Into<String>) -> ApiError {
        self.style.error(message)
    }

    /// The raw value; JSON `null` counts as absent.
    pub(crate) fn value(&self, name: &str) -> Option<&Value> {
        self.value.get(name).filter(|v| !v.is_null())
    }

    /// Text, trimmed; absent and empty both give `None`. Numbers and booleans are read as
    /// their text (the service is loose about that); objects and lists are errors.
    pub(crate) fn text(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.value(name) {
            None => Ok(None),
            Some(Value::String(s)) => {
                let s = s.trim();
                Ok((!s.is_empty()).then(|| s.to_string()))
            }
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(self.error(format!("parameter {name} must be a string"))),
        }
    }

    /// Like [`Params::text`], but absence is an error.
    pub(crate) fn required_text(&self, name: &str) -> Result<String, ApiError> {
        self.text(name)?
            .ok_or_else(|| self.error(format!("missing required parameter {name}")))
    }

    /// An integer: a JSON integer or decimal text.
    pub(crate) fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        let bad = || self.error(format!("parameter {name} must be an integer"));
        match self.value(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(bad),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s.trim().parse::<i64>().map(Some).map_err(|_| bad()),
            Some(_) => Err(bad()),
        }
    }

    /// A required integer.
    pub(crate) fn required_int(&self, name: &str) -> Result<i64, ApiError> {
        self.int(name)?
            .ok_or_else(|| self.error(format!("missing required parameter {name}")))
    }

    /// Text that must be one of `allowed`.
    pub(crate) fn text_enum(
        &self,
        name: &str,
        allowed: &[&str],
    ) -> Result<Option<String>, ApiError> {
        match self.text(name)? {
            Some(v) if !allowed.contains(&v.as_str()) => Err(self.error(format!(
                "parameter {name} must be one of {}, got {v}",
                allowed.join(", ")
            ))),
            other => Ok(other),
        }
    }

    /// A boolean: JSON `true`/`false`, the text `true`/`false`, or `1`/`0`.
    pub(crate) fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        let bad = || self.error(format!("parameter {name} must be a boolean"));
        match self.value(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(0) => Ok(Some(false)),
                Some(1) => Ok(Some(true)),
                _ => Err(bad()),
            },
            Some(Value::String(s)) => match s.trim() {
                "" => Ok(None),
                "true" | "1" => Ok(Some(true)),
                "false" | "0" => Ok(Some(false)),
                _ => Err(bad()),
            },
            Some(_) => Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vod_client::model::ErrorCode;

    #[test]
    fn form_and_json_agree() {
        let f = Params::from_form(
            "pageSize=20&videoName=a+b%21&x",
            ParamStyle(ErrorCode::InvalidParameter),
        );
        assert_eq!(f.int("pageSize").ok().flatten(), Some(20));
        assert_eq!(f.text("videoName").ok().flatten().as_deref(), Some("a b!"));
        let j = Params::from_json(
            br#"{"pageSize":"20","flag":true,"n":1.5}"#,
            ParamStyle(ErrorCode::InvalidParameter),
        );
        let j = j
            .ok()
            .unwrap_or_else(|| Params::empty(ParamStyle(ErrorCode::InvalidParameter)));
        assert_eq!(j.int("pageSize").ok().flatten(), Some(20));
        assert_eq!(j.bool("flag").ok().flatten(), Some(true));
        assert_eq!(j.int("n").map_err(|e| e.code), Err(1000));
    }

    #[test]
    fn form_decoding_edge_cases() {
        let f = Params::from_form(
            "name=%E8%A7%86%E9%A2%91+one%2Btwo&tag=first&tag=second&empty=&bare&=orphan&&bad=%FF%zz",
            ParamStyle(ErrorCode::InvalidParameter),
        );
        let text = |k: &str| f.text(k).ok().flatten();
        // `+` is a space, `%2B` a plus, percent-encoded UTF-8 a character.
        assert_eq!(text("name").as_deref(), Some("视频 one+two"));
        // The first of repeated keys wins.
        assert_eq!(text("tag").as_deref(), Some("first"));
        // `empty=` and a bare key are both present and empty.
        assert_eq!(f.value("empty"), Some(&Value::String(String::new())));
        assert_eq!(f.value("bare"), Some(&Value::String(String::new())));
        // An empty key names nothing.
        assert_eq!(f.value(""), None);
        // Invalid UTF-8 is replaced and a broken escape stays as written.
        assert_eq!(text("bad").as_deref(), Some("\u{FFFD}%zz"));
    }

    #[test]
    fn bad_json() {
        assert!(Params::from_json(b"{", ParamStyle(ErrorCode::BadParameter)).is_err());
        assert!(Params::from_json(b"[1]", ParamStyle(ErrorCode::BadParameter)).is_err());
        assert!(Params::from_json(b"", ParamStyle(ErrorCode::BadParameter)).is_ok());
    }
}
