//! The one error type of the crate.
//!
//! Callers mostly need to tell apart "my request was wrong" (fix the input), "the service said
//! no" (read the code), "the network failed" (retry later) and "the answer did not have the
//! shape we expected" (report a bug with the excerpt). Every variant that comes from an
//! operation names it, so a log line is useful on its own.

use std::fmt;
use std::time::Duration;

/// One problem found while checking a request before it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// Path of the field on the wire, e.g. `urls[1].url`.
    pub field: String,
    /// What is wrong with it, e.g. `must be at most 50, got 80`.
    pub message: String,
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}", self.field, self.message)
    }
}

/// Everything that can go wrong when calling the Cloud VoD API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request breaks a documented constraint; nothing was sent.
    #[error("{operation}: invalid request: {}", join_problems(.problems))]
    InvalidRequest {
        /// Operation name, e.g. `getVideoList`.
        operation: &'static str,
        /// Every problem found (not only the first).
        problems: Vec<FieldProblem>,
    },
    /// The service answered with a non-success `code`.
    #[error("{operation}: service error {code}: {message}{}", fmt_request_id(.request_id))]
    Service {
        /// Operation name.
        operation: &'static str,
        /// The service's error code (see the API's error-code table).
        code: i64,
        /// The service's message.
        message: String,
        /// Request id from the response headers, for support tickets.
        request_id: Option<String>,
        /// HTTP status of the answer.
        http_status: u16,
    },
    /// A non-2xx HTTP answer that is not a service error body.
    #[error("{operation}: HTTP {status}{}: {body_excerpt}", fmt_request_id(.request_id))]
    Http {
        /// Operation name.
        operation: &'static str,
        /// HTTP status code.
        status: u16,
        /// Request id from the response headers.
        request_id: Option<String>,
        /// The start of the body (at most 512 bytes).
        body_excerpt: String,
    },
    /// The request could not be sent or the answer could not be read.
    #[error("{operation}: transport error: {source}")]
    Transport {
        /// Operation name.
        operation: &'static str,
        /// The underlying HTTP client error.
        #[source]
        source: reqwest::Error,
    },
    /// No answer arrived in time.
    #[error("{operation}: timed out after {after:?}")]
    Timeout {
        /// Operation name.
        operation: &'static str,
        /// The configured timeout.
        after: Duration,
    },
    /// The answer did not have the documented shape.
    #[error("{operation}: cannot decode the answer at `{path}`: {message}; body: {body_excerpt}")]
    Decode {
        /// Operation name.
        operation: &'static str,
        /// Path of the offending field, e.g. `data.videoListInfo[2].videoId`.
        path: String,
        /// What the decoder expected.
        message: String,
        /// The start of the body (at most 512 bytes).
        body_excerpt: String,
    },
    /// The client is misconfigured (endpoint, credentials, ...).
    #[error("configuration error: {0}")]
    Config(String),
    /// A local file (to upload) could not be read; nothing was sent for it.
    #[error("cannot read {path}: {message}")]
    LocalFile {
        /// The file as given.
        path: std::path::PathBuf,
        /// What went wrong (the OS error, or why the path is not a regular file).
        message: String,
    },
    /// A task this crate waited on finished with a failure state for some of its resources.
    #[error("{operation}: task failed: {}", join_failures(.failures))]
    TaskFailed {
        /// The operation that started the task.
        operation: &'static str,
        /// Each resource that failed, with the state the service reported.
        failures: Vec<TaskFailure>,
    },
    /// A task did not finish within the allowed waiting time.
    #[error("{operation}: task still running after {after:?} ({})", pending.join(", "))]
    WaitTimeout {
        /// The operation that started the task.
        operation: &'static str,
        /// How long this crate waited.
        after: Duration,
        /// The resources still running (`videoId=v2`).
        pending: Vec<String>,
    },
}

/// One resource of a task that ended in a failure state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFailure {
    /// Which resource (`videoId=v2`).
    pub subject: String,
    /// The failure state the service reported (its wire value).
    pub state: String,
}

fn join_failures(failures: &[TaskFailure]) -> String {
    let parts: Vec<String> = failures
        .iter()
        .map(|f| format!("{} ended in state `{}`", f.subject, f.state))
        .collect();
    parts.join("; ")
}

fn join_problems(problems: &[FieldProblem]) -> String {
    let parts: Vec<String> = problems.iter().map(ToString::to_string).collect();
    parts.join("; ")
}

fn fmt_request_id(id: &Option<String>) -> String {
    match id {
        Some(id) => format!(" (request id {id})"),
        None => String::new(),
    }
}

impl Error {
    /// Whether sending the same request again may succeed: timeouts, transport failures,
    /// HTTP 429/502/503/504. Service codes are judged by the client's
    /// [`RetryPolicy`](crate::RetryPolicy), which knows the configured set of "busy" codes.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Transport { .. } => true,
            Error::Http { status, .. } => matches!(status, 429 | 502 | 503 | 504),
            Error::Service { http_status, .. } => matches!(http_status, 429 | 502 | 503 | 504),
            _ => false,
        }
    }

    /// The service's error code, when the service answered with one.
    pub fn service_code(&self) -> Option<i64> {
        match self {
            Error::Service { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The request id the service gave the failed call, if any.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Service { request_id, .. } | Error::Http { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// The operation the error belongs to (`None` for configuration errors).
    pub fn operation(&self) -> Option<&'static str> {
        match self {
            Error::InvalidRequest { operation, .. }
            | Error::Service { operation, .. }
            | Error::Http { operation, .. }
            | Error::Transport { operation, .. }
            | Error::Timeout { operation, .. }
            | Error::Decode { operation, .. }
            | Error::TaskFailed { operation, .. }
            | Error::WaitTimeout { operation, .. } => Some(operation),
            Error::Config(_) | Error::LocalFile { .. } => None,
        }
    }

    /// The field problems of an [`Error::InvalidRequest`] (empty otherwise).
    pub fn problems(&self) -> &[FieldProblem] {
        match self {
            Error::InvalidRequest { problems, .. } => problems,
            _ => &[],
        }
    }
}

/// The first `max` bytes of `body` as text, cut on a character boundary, so error messages
/// stay short and never split a UTF-8 sequence.
pub(crate) fn excerpt(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(body);
    if text.len() <= max {
        return text.into_owned();
    }
    let mut end = max;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_operation_and_fields() {
        let e = Error::InvalidRequest {
            operation: "getVideoList",
            problems: vec![
                FieldProblem {
                    field: "pageSize".into(),
                    message: "must be at most 50, got 80".into(),
                },
                FieldProblem {
                    field: "urls[1].url".into(),
                    message: "must not be empty".into(),
                },
            ],
        };
        let text = e.to_string();
        assert!(text.contains("getVideoList"), "{text}");
        assert!(text.contains("`pageSize` must be at most 50"), "{text}");
        assert!(text.contains("`urls[1].url` must not be empty"), "{text}");
        assert_eq!(e.operation(), Some("getVideoList"));
        assert_eq!(e.problems().len(), 2);
        assert!(!e.is_retryable());
    }

    #[test]
    fn service_error_accessors() {
        let e = Error::Service {
            operation: "deleteVideo",
            code: 1502,
            message: "video does not exist".into(),
            request_id: Some("req-1".into()),
            http_status: 200,
        };
        assert_eq!(e.service_code(), Some(1502));
        assert_eq!(e.request_id(), Some("req-1"));
        let text = e.to_string();
        assert!(text.contains("deleteVideo") && text.contains("1502") && text.contains("req-1"));
        assert!(!e.is_retryable());
    }

    #[test]
    fn http_statuses_that_are_retryable() {
        for (status, retry) in [(429, true), (503, true), (500, false), (404, false)] {
            let e = Error::Http {
                operation: "x",
                status,
                request_id: None,
                body_excerpt: String::new(),
            };
            assert_eq!(e.is_retryable(), retry, "{status}");
        }
        let t = Error::Timeout {
            operation: "x",
            after: Duration::from_secs(1),
        };
        assert!(t.is_retryable());
        assert_eq!(Error::Config("bad".into()).operation(), None);
    }

    #[test]
    fn error_can_cross_threads() {
        fn assert_send_sync<T: Send + Sync + 'static + std::error::Error>() {}
        assert_send_sync::<Error>();
    }

    #[test]
    fn excerpt_cuts_on_char_boundary() {
        let body = "视".repeat(300); // 3 bytes each
        let cut = excerpt(body.as_bytes(), 512);
        assert!(cut.ends_with('…'));
        assert!(cut.len() <= 512 + '…'.len_utf8());
        assert_eq!(excerpt(b"short", 512), "short");
        assert_eq!(excerpt(&[0xff, b'a'], 512), "\u{fffd}a");
    }
}
