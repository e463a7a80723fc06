//! One request to the storage host: the HTTP client, how an answer is classified, and how long
//! to wait before resending.
//!
//! The classification is the protocol's error table (upload facts §5) turned into actions:
//! 5xx (but 579), 408, 429, 599 and transport failures are resent after a pause (the answer's
//! `Retry-After` when it has one); 401 "Token Expired" asks for a new token; 701 restarts the
//! block; 412 on `mkfile` restarts the file; everything else, 579 included, is final.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, LOCATION, RETRY_AFTER};
use serde_json::Value;

use crate::Error;

/// What to do after a failed request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Resend the same request, after at least this pause if the answer asked for one.
    Resend(Option<Duration>),
    /// The token expired: get a new one and resend.
    RenewToken,
    /// The block's ctx was refused (701): restart the block from `mkblk`.
    RestartBlock,
    /// `mkfile` could not assemble the blocks (412): upload the file again.
    RestartFile,
    /// Give up.
    Fail,
}

/// A failed request: the error and what to do about it.
#[derive(Debug)]
pub(crate) struct Failed {
    pub(crate) error: Error,
    pub(crate) action: Action,
}

/// The HTTP client of the upload host. It is not the API client's: uploads need no request
/// timeout (a large chunk on a slow link may take minutes), only connect and read timeouts; it
/// never follows redirects (the token rides in every request, and a redirected upload is never
/// what the service meant); and a loopback upload host (the emulator) bypasses proxies.
pub(crate) fn client(base: &str) -> Result<reqwest::Client, Error> {
    let loopback = reqwest::Url::parse(base)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .is_some_and(|h| {
            let bare = h.trim_start_matches('[').trim_end_matches(']');
            bare.eq_ignore_ascii_case("localhost")
                || bare
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        });
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!(
            "vod-client/",
            env!("CARGO_PKG_VERSION"),
            " (upload)"
        ))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(30))
        .read_timeout(Duration::from_secs(120))
        .tcp_nodelay(true);
    if loopback {
        builder = builder.no_proxy();
    }
    builder
        .build()
        .map_err(|e| Error::Config(format!("cannot set up the upload HTTP client: {e}")))
}

/// The body of a 2xx answer, or the classified failure. `step` is the error's operation name;
/// `mkfile` tells 412 apart (restart the file) from 412 elsewhere (restart the block).
pub(crate) async fn finish(
    operation: &'static str,
    mkfile: bool,
    sent: Result<reqwest::Response, reqwest::Error>,
) -> Result<Bytes, Failed> {
    let transport = |source: reqwest::Error| Failed {
        error: Error::Transport {
            operation,
            source: source.into(),
        },
        action: Action::Resend(None),
    };
    let response = sent.map_err(transport)?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let request_id = headers
        .get("X-Reqid")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = response.bytes().await.map_err(transport)?;
    if (200..300).contains(&status) {
        return Ok(body);
    }
    if (300..400).contains(&status) {
        let location = headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("(no Location header)");
        return Err(Failed {
            error: Error::Http {
                operation,
                status,
                request_id,
                body_excerpt: format!(
                    "redirected to {location}; uploads never follow redirects (is uploadUrl right?)"
                ),
            },
            action: Action::Fail,
        });
    }
    let parsed: Option<Value> = serde_json::from_slice(&body).ok();
    let code = parsed.as_ref().and_then(|v| match v.get("code")? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    let message = parsed
        .as_ref()
        .and_then(|v| v.get("message")?.as_str().map(str::to_string));
    let action = classify(status, message.as_deref(), mkfile, &headers);
    let error = match (code, message) {
        (Some(code), Some(message)) => Error::Service {
            operation,
            code,
            message,
            request_id,
            http_status: status,
        },
        _ => Error::Http {
            operation,
            status,
            request_id,
            body_excerpt: crate::error::excerpt(&body, 512),
        },
    };
    Err(Failed { error, action })
}

fn classify(status: u16, message: Option<&str>, mkfile: bool, headers: &HeaderMap) -> Action {
    match status {
        401 if message.is_some_and(|m| m.to_ascii_lowercase().contains("expired")) => {
            Action::RenewToken
        }
        701 => Action::RestartBlock,
        412 if mkfile => Action::RestartFile,
        412 => Action::RestartBlock,
        579 => Action::Fail,
        408 | 429 | 599 => Action::Resend(retry_after(headers)),
        s if s >= 500 => Action::Resend(retry_after(headers)),
        _ => Action::Fail,
    }
}

/// `Retry-After` in seconds (the HTTP-date form is rare on storage hosts and read as absent).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?;
    let secs: u64 = text.trim().parse().ok()?;
    Some(Duration::from_secs(secs.min(300)))
}

/// Pause before resend number `attempt` (1-based): doubling from `first`, capped at 8 s, at
/// least what the service asked for.
pub(crate) fn backoff(first: Duration, attempt: u32, asked: Option<Duration>) -> Duration {
    let factor = 1u32 << attempt.saturating_sub(1).min(5);
    let own = first.saturating_mul(factor).min(Duration::from_secs(8));
    asked.map_or(own, |a| a.max(own))
}

/// The HTTP status an upload error came with, if any.
pub(crate) fn status_of(error: &Error) -> Option<u16> {
    match error {
        Error::Service { http_status, .. } => Some(*http_status),
        Error::Http { status, .. } => Some(*status),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_table() {
        let none = HeaderMap::new();
        let expired = Some("Token Expired");
        assert_eq!(classify(401, expired, false, &none), Action::RenewToken);
        assert_eq!(
            classify(401, Some("ctx can not be null"), true, &none),
            Action::Fail
        );
        assert_eq!(classify(701, None, false, &none), Action::RestartBlock);
        assert_eq!(classify(412, None, true, &none), Action::RestartFile);
        assert_eq!(classify(579, None, true, &none), Action::Fail);
        assert_eq!(classify(503, None, false, &none), Action::Resend(None));
        assert_eq!(classify(406, None, false, &none), Action::Fail);
        let mut later = HeaderMap::new();
        later.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(
            classify(429, None, false, &later),
            Action::Resend(Some(Duration::from_secs(7)))
        );
    }

    #[test]
    fn pauses_double_and_honour_retry_after() {
        let first = Duration::from_millis(100);
        assert_eq!(backoff(first, 1, None), first);
        assert_eq!(backoff(first, 3, None), Duration::from_millis(400));
        assert_eq!(
            backoff(Duration::from_secs(1), 30, None),
            Duration::from_secs(8)
        );
        let asked = Some(Duration::from_secs(2));
        assert_eq!(backoff(first, 1, asked), Duration::from_secs(2));
    }
}
