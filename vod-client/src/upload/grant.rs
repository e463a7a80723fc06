//! The upload token and where it came from.
//!
//! Every block worker reads the current token from one [`TokenCell`]. When the storage host
//! answers 401 "Token Expired", the first worker to notice asks the [`GrantSource`] for a new
//! one (for a video: `getUploadToken` with the same `fileId`, which keeps the `videoId` and the
//! storage key); the others wait for it and resend with the new token, keeping their ctx values
//! (upload facts §1.2: a fresh token of the same scope continues an upload).

use std::sync::Arc;

use base64::Engine as _;
use serde_json::Value;

use super::tokens::{BatchGrants, VideoGrants};
use crate::Error;

/// Where the upload tokens for one asset come from.
///
/// An enum of async methods rather than a boxed trait object: the token requests (and the
/// decoding of their answers) are then compiled only in programs that upload.
pub(crate) enum GrantSource {
    Video(VideoGrants),
    Batch(BatchGrants),
}

impl GrantSource {
    /// A new token.
    pub(crate) async fn fetch(&self) -> Result<Grant, Error> {
        match self {
            GrantSource::Video(video) => video.fetch().await,
            GrantSource::Batch(batch) => batch.fetch().await,
        }
    }

    /// Whether a second [`GrantSource::fetch`] continues the same asset (same key), so an
    /// expired token can be replaced mid-upload. Audio and material tokens come one file per
    /// request, and a second request creates another asset.
    pub(crate) fn renewable(&self) -> bool {
        match self {
            GrantSource::Video(video) => video.request.file_id.is_some(),
            GrantSource::Batch(_) => false,
        }
    }
}

/// What a token request gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant {
    /// `uploadUrl`, normalised (scheme, no trailing slash).
    pub(crate) base: String,
    pub(crate) token: String,
    pub(crate) key: String,
    /// `videoId`, `audioId` or `materialId`.
    pub(crate) asset_id: String,
    /// Where the asset can be fetched (audio and materials).
    pub(crate) url: Option<String>,
}

impl Grant {
    /// The token's deadline (Unix milliseconds), read from its policy; `None` when the token
    /// does not have the documented `AK:sign:policy` shape.
    pub(crate) fn deadline_ms(&self) -> Option<i64> {
        policy(&self.token).and_then(|p| match p.get("deadline")? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
    }

    /// Whether the token is still good for at least `margin_ms`.
    pub(crate) fn valid_for(&self, margin_ms: i64) -> bool {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or_default();
        self.deadline_ms()
            .is_none_or(|d| d > now.saturating_add(margin_ms))
    }
}

/// The key a token's scope (`bucket:key`) names, if any.
pub(crate) fn scope_key(token: &str) -> Option<String> {
    let scope = policy(token)?.get("scope")?.as_str()?.to_string();
    let (_, key) = scope.split_once(':')?;
    Some(key.to_string()).filter(|k| !k.is_empty())
}

fn policy(token: &str) -> Option<Value> {
    let encoded = token.rsplit(':').next()?.trim();
    let engines = [
        base64::engine::general_purpose::URL_SAFE,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    let bytes = engines.iter().find_map(|e| e.decode(encoded).ok())?;
    serde_json::from_slice(&bytes).ok()
}

/// `uploadUrl` as a base URL: a scheme added when missing (the storage SDKs do the same;
/// HTTPS, since the token travels with every request) and trailing slashes removed.
pub(crate) fn normalize_base(upload_url: &str) -> String {
    let url = upload_url.trim();
    let url = if url.contains("://") {
        url.to_string()
    } else {
        format!("https://{url}")
    };
    url.trim_end_matches('/').to_string()
}

/// The current token, shared by the block workers, with a generation count so that one
/// expiry leads to one renewal however many workers see it.
pub(crate) struct TokenCell {
    source: GrantSource,
    current: tokio::sync::Mutex<(u64, Arc<Grant>)>,
}

impl TokenCell {
    pub(crate) fn new(source: GrantSource, grant: Grant) -> TokenCell {
        TokenCell {
            source,
            current: tokio::sync::Mutex::new((0, Arc::new(grant))),
        }
    }

    pub(crate) async fn get(&self) -> (u64, Arc<Grant>) {
        let guard = self.current.lock().await;
        (guard.0, guard.1.clone())
    }

    /// Replaces the token of generation `seen` (a newer one is returned as is). `None` when the
    /// source cannot renew for the same asset.
    pub(crate) async fn renew(&self, seen: u64) -> Option<Result<(u64, Arc<Grant>), Error>> {
        let mut guard = self.current.lock().await;
        if guard.0 != seen {
            return Some(Ok((guard.0, guard.1.clone())));
        }
        if !self.source.renewable() {
            return None;
        }
        let fresh = match self.source.fetch().await {
            Ok(g) => g,
            Err(e) => return Some(Err(e)),
        };
        if fresh.key != guard.1.key {
            return Some(Err(Error::Config(format!(
                "a renewed upload token names the key {} instead of {}",
                fresh.key, guard.1.key
            ))));
        }
        guard.0 += 1;
        guard.1 = Arc::new(fresh);
        Some(Ok((guard.0, guard.1.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC_TOKEN: &str = "testAK:Mzg4YjcxMGYwY2E0YTk1YTgzNWFlZDdiYmU1NTM2NTI5OTA1NzU2OA==:eyJzY29wZSI6InZvZC1idWNrZXQ6dmlkZW8vMjAyNDAxL2FiYy90ZXN0Lm1wNCIsImRlYWRsaW5lIjoiMjUyNDYyMjQwMDAwMCIsIm92ZXJ3cml0ZSI6MSwiZnNpemVMaW1pdCI6MH0=";

    #[test]
    fn token_policy_fields() {
        let grant = Grant {
            base: String::new(),
            token: DOC_TOKEN.into(),
            key: String::new(),
            asset_id: String::new(),
            url: None,
        };
        assert_eq!(grant.deadline_ms(), Some(2_524_622_400_000));
        assert!(grant.valid_for(60_000));
        assert_eq!(
            scope_key(DOC_TOKEN).as_deref(),
            Some("video/202401/abc/test.mp4")
        );
        assert_eq!(scope_key("AK:sign:policy"), None);
    }

    #[test]
    fn base_urls() {
        assert_eq!(normalize_base("http://h:1/"), "http://h:1");
        assert_eq!(
            normalize_base(" upload.example.com "),
            "https://upload.example.com"
        );
        assert_eq!(normalize_base("https://h/up//"), "https://h/up");
    }
}
