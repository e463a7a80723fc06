//! Upload tokens: `AccessKey:encodedSign:encodedPolicy` (upload-facts §1.2).
//!
//! `encodedPolicy` is URL-safe base64 (padded) of the policy JSON; `encodedSign` is URL-safe
//! base64 of the *lowercase hex text* of HMAC-SHA1(secret key, encodedPolicy) — the unusual
//! hex-then-base64 step every vendor SDK takes. Every upload call re-checks the token: three
//! parts, a known access key, the signature (constant time), the policy's `deadline`
//! (milliseconds, number or text) and its `scope`.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha1::Sha1;
use subtle::ConstantTimeEq;

use super::UploadError;
use crate::state::Shared;
use crate::util::{b64_decode_any, b64_url};

/// The parts of a policy the emulator enforces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Policy {
    pub(crate) bucket: String,
    /// The key of `scope` (`<bucket>:<key>`), if any.
    pub(crate) key: Option<String>,
    pub(crate) overwrite: bool,
    /// 0 means unlimited.
    pub(crate) fsize_limit: u64,
    /// Unix milliseconds after which the token is refused.
    pub(crate) deadline_ms: i64,
}

/// `encodedSign` of an encoded policy.
pub(crate) fn encoded_sign(secret_key: &str, encoded_policy: &str) -> String {
    let digest_hex = match Hmac::<Sha1>::new_from_slice(secret_key.as_bytes()) {
        Ok(mut mac) => {
            mac.update(encoded_policy.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    };
    b64_url(digest_hex.as_bytes())
}

/// A token for `policy_json` signed with the key pair.
pub fn make_token(access_key: &str, secret_key: &str, policy_json: &str) -> String {
    let encoded_policy = b64_url(policy_json.as_bytes());
    let sign = encoded_sign(secret_key, &encoded_policy);
    format!("{access_key}:{sign}:{encoded_policy}")
}

fn invalid(message: &str) -> UploadError {
    UploadError::new(401, format!("invalid token: {message}"))
}

/// Checks a token; the `Authorization` header may carry it bare or as `UpToken <token>`.
pub(crate) fn verify(shared: &Shared, token: &str, now_ms: i64) -> Result<Policy, UploadError> {
    let token = token.trim();
    let token = token.strip_prefix("UpToken ").unwrap_or(token).trim();
    if token.is_empty() {
        return Err(UploadError::new(401, "token is missing"));
    }
    let parts: Vec<&str> = token.split(':').collect();
    let [access_key, sign, encoded_policy] = parts.as_slice() else {
        return Err(invalid("expected AccessKey:encodedSign:encodedPolicy"));
    };
    let account = shared
        .accounts
        .get(*access_key)
        .ok_or_else(|| invalid("unknown access key"))?;
    let expected = encoded_sign(&account.secret, encoded_policy);
    if !bool::from(expected.as_bytes().ct_eq(sign.as_bytes())) {
        return Err(invalid("signature mismatch"));
    }
    let policy_bytes =
        b64_decode_any(encoded_policy).ok_or_else(|| invalid("policy is not base64"))?;
    let policy: Value =
        serde_json::from_slice(&policy_bytes).map_err(|_| invalid("policy is not JSON"))?;
    let deadline =
        number_or_text(policy.get("deadline")).ok_or_else(|| invalid("policy has no deadline"))?;
    if now_ms > deadline {
        return Err(UploadError::new(401, "Token Expired"));
    }
    let scope = policy
        .get("scope")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid("policy has no scope"))?;
    let (bucket, key) = match scope.split_once(':') {
        Some((b, k)) => (b.to_string(), Some(k.to_string()).filter(|k| !k.is_empty())),
        None => (scope.to_string(), None),
    };
    Ok(Policy {
        bucket,
        key,
        deadline_ms: deadline,
        overwrite: number_or_text(policy.get("overwrite")).unwrap_or(0) == 1,
        fsize_limit: number_or_text(policy.get("fsizeLimit"))
            .and_then(|v| u64::try_from(v).ok())
            .unwrap_or(0),
    })
}

/// A policy number sent as JSON number or text (`"2524622400000"`).
fn number_or_text(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_examples() {
        assert_eq!(
            encoded_sign("key", "The quick brown fox jumps over the lazy dog"),
            "ZGU3YzliODViOGI3OGFhNmJjOGE3YTM2ZjcwYTkwNzAxYzlkYjRkOQ=="
        );
        let policy = r#"{"scope":"vod-bucket:video/202401/abc/test.mp4","deadline":"2524622400000","overwrite":1,"fsizeLimit":0}"#;
        assert_eq!(
            make_token("testAK", "testSK", policy),
            "testAK:Mzg4YjcxMGYwY2E0YTk1YTgzNWFlZDdiYmU1NTM2NTI5OTA1NzU2OA==:eyJzY29wZSI6InZvZC1idWNrZXQ6dmlkZW8vMjAyNDAxL2FiYy90ZXN0Lm1wNCIsImRlYWRsaW5lIjoiMjUyNDYyMjQwMDAwMCIsIm92ZXJ3cml0ZSI6MSwiZnNpemVMaW1pdCI6MH0="
        );
    }
}
