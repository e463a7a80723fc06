//! `vod debug-sign`: the signer as a filter, JSON in, JSON out.
//!
//! When the service rejects a signature, the useful question is "which step differs?". This
//! command runs the very [`vod_client::signer::sign`] the client uses on a request described in JSON
//! and prints every intermediate result, so a user can compare it with another implementation
//! (or with what the emulator logs) step by step.
//!
//! Input (stdin, one object):
//! `{"method", "uri", "headers": {name: value}, "body": "<utf-8 text>", "timestamp": <unix
//! seconds>, "access_key", "secret_key", "algorithm": "WS3-HMAC-SHA256" | "CNC-HMAC-SHA256"}`;
//! `headers`, `body` and `algorithm` are optional, and `signed_headers` (a list of names) may
//! override the default `content-type;host`. Output: `{"canonical_request", "string_to_sign",
//! "signature", "authorization"}`. The secret key is never part of the output.
//!
//! The credential headers the client adds to every request — the algorithm's access-key and
//! timestamp headers (`X-WS-AccessKey`, `X-WS-Timestamp`, or `x-cnc-accessKey`,
//! `x-cnc-timestamp`) and its constant ones (`x-cnc-auth-method: AKSK`) — are signed with the
//! values the request carries (`access_key`, `timestamp`), whatever `headers` says, so signing
//! them (`signed_headers`) gives the signature the client would send.

use serde_json::{json, Map, Value};

use vod_client::signer::{sign, AuthProfile, SigningRequest};

/// Signs the request described by `input` (the text read from stdin). Errors name the JSON
/// path of the offending member.
pub fn debug_sign(input: &str) -> Result<Value, String> {
    let value: Value = serde_json::from_str(input).map_err(|e| {
        format!(
            "stdin: malformed JSON at line {} column {}: {e}",
            e.line(),
            e.column()
        )
    })?;
    let Value::Object(object) = value else {
        return Err("stdin: expected a JSON object".to_string());
    };
    let method = text(&object, "method")?;
    let uri = text(&object, "uri")?;
    let access_key = text(&object, "access_key")?;
    let secret_key = text(&object, "secret_key")?;
    let body = optional_text(&object, "body")?.unwrap_or_default();
    let timestamp = timestamp(&object)?;
    let algorithm = match optional_text(&object, "algorithm")? {
        None => AuthProfile::default(),
        Some(name) => {
            AuthProfile::from_algorithm(&name).map_err(|e| format!("$.algorithm: {e}"))?
        }
    };
    let headers = with_credential_headers(headers(&object)?, algorithm, &access_key, &timestamp);
    let header_refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let signed_names = signed_headers(&object)?;
    let signed_refs: Option<Vec<&str>> = signed_names
        .as_ref()
        .map(|names| names.iter().map(String::as_str).collect());
    let signed = sign(
        algorithm,
        &access_key,
        &secret_key,
        &SigningRequest {
            method: &method,
            uri: &uri,
            headers: &header_refs,
            body: body.as_bytes(),
            timestamp: &timestamp,
            signed_headers: signed_refs.as_deref(),
        },
    );
    Ok(json!({
        "canonical_request": signed.canonical_request(),
        "string_to_sign": signed.string_to_sign(),
        "signature": signed.signature(),
        "authorization": signed.authorization(),
    }))
}

/// `given` with the client's credential headers put in (replacing any given under the same
/// name, case-insensitively): the values the request will really carry.
fn with_credential_headers(
    given: Vec<(String, String)>,
    profile: AuthProfile,
    access_key: &str,
    timestamp: &str,
) -> Vec<(String, String)> {
    // Content-Type and Host are the caller's to state; only the credential headers are taken
    // from the client's own list.
    let added: Vec<(String, String)> =
        vod_client::signing_headers(profile, "", "", access_key, timestamp)
            .into_iter()
            .skip(2)
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
    let mut headers: Vec<(String, String)> = given
        .into_iter()
        .filter(|(n, _)| !added.iter().any(|(a, _)| a.eq_ignore_ascii_case(n)))
        .collect();
    headers.extend(added);
    headers
}

fn optional_text(object: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!("$.{key}: expected a string, got {}", kind(other))),
    }
}

fn text(object: &Map<String, Value>, key: &str) -> Result<String, String> {
    optional_text(object, key)?.ok_or_else(|| format!("$.{key}: missing (a string is required)"))
}

/// Unix seconds as a number, or as text of digits (what the header carries).
fn timestamp(object: &Map<String, Value>) -> Result<String, String> {
    match object.get("timestamp") {
        Some(Value::Number(n)) if n.is_u64() || n.is_i64() => Ok(n.to_string()),
        Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(s.clone())
        }
        None | Some(Value::Null) => Err("$.timestamp: missing (unix seconds)".to_string()),
        Some(other) => Err(format!(
            "$.timestamp: expected whole unix seconds, got {other}"
        )),
    }
}

fn headers(object: &Map<String, Value>) -> Result<Vec<(String, String)>, String> {
    match object.get("headers") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(name, value)| match value {
                Value::String(v) => Ok((name.clone(), v.clone())),
                Value::Number(n) => Ok((name.clone(), n.to_string())),
                other => Err(format!(
                    "$.headers.{name}: expected a string, got {}",
                    kind(other)
                )),
            })
            .collect(),
        Some(other) => Err(format!(
            "$.headers: expected an object of name: value, got {}",
            kind(other)
        )),
    }
}

fn signed_headers(object: &Map<String, Value>) -> Result<Option<Vec<String>>, String> {
    match object.get("signed_headers") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_str().map(str::to_string).ok_or_else(|| {
                    format!(
                        "$.signed_headers[{i}]: expected a string, got {}",
                        kind(item)
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(Value::String(s)) => Ok(Some(s.split(';').map(str::to_string).collect())),
        Some(other) => Err(format!(
            "$.signed_headers: expected a list of names, got {}",
            kind(other)
        )),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_path() {
        let cases = [
            ("[1]", "expected a JSON object"),
            ("{", "malformed JSON"),
            (
                r#"{"uri":"/","access_key":"a","secret_key":"s","timestamp":1}"#,
                "$.method",
            ),
            (
                r#"{"method":"GET","uri":"/","access_key":"a","secret_key":"s","timestamp":"x"}"#,
                "$.timestamp",
            ),
            (
                r#"{"method":"GET","uri":"/","access_key":"a","secret_key":"s","timestamp":1,"headers":{"Host":[]}}"#,
                "$.headers.Host",
            ),
            (
                r#"{"method":"GET","uri":"/","access_key":"a","secret_key":"s","timestamp":1,"algorithm":"MD5"}"#,
                "$.algorithm",
            ),
        ];
        for (input, expected) in cases {
            let err = debug_sign(input).unwrap_err();
            assert!(err.contains(expected), "{input}: {err}");
        }
    }

    #[test]
    fn signed_credential_headers_carry_the_values_sent() {
        let out = debug_sign(
            r#"{"method":"POST","uri":"/x","access_key":"AK","secret_key":"s","timestamp":1700000000,
               "headers":{"Content-Type":"application/json","Host":"h","X-WS-Timestamp":"999"},
               "signed_headers":["content-type","host","x-ws-accesskey","x-ws-timestamp"]}"#,
        )
        .unwrap();
        let canonical = out["canonical_request"].as_str().unwrap();
        assert!(
            canonical.contains("x-ws-accesskey:ak\nx-ws-timestamp:1700000000\n"),
            "{canonical}"
        );
        let out = debug_sign(
            r#"{"method":"POST","uri":"/x","access_key":"AK","secret_key":"s","timestamp":"1700000000",
               "algorithm":"CNC-HMAC-SHA256","headers":{"Content-Type":"application/json","Host":"h"},
               "signed_headers":"content-type;host;x-cnc-auth-method;x-cnc-timestamp"}"#,
        )
        .unwrap();
        let canonical = out["canonical_request"].as_str().unwrap();
        assert!(
            canonical.contains("x-cnc-auth-method:aksk\nx-cnc-timestamp:1700000000\n"),
            "{canonical}"
        );
    }

    #[test]
    fn output_has_the_four_parts_and_no_secret() {
        let out = debug_sign(
            r#"{"method":"GET","uri":"/a?b=1","access_key":"AK","secret_key":"topsecret","timestamp":"1700000000"}"#,
        )
        .unwrap();
        let object = out.as_object().unwrap();
        let keys: Vec<&str> = object.keys().map(String::as_str).collect();
        assert_eq!(
            keys.len(),
            4,
            "{keys:?}: canonical_request, string_to_sign, signature, authorization"
        );
        assert!(!out.to_string().contains("topsecret"));
        assert!(out["authorization"].as_str().unwrap().starts_with(
            "WS3-HMAC-SHA256 Credential=AK, SignedHeaders=content-type;host, Signature="
        ));
    }
}
