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
    /// Which rule it broke, to tell problems apart without reading the message.
    pub violation: Violation,
}

impl FieldProblem {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, violation: Violation, message: impl Into<String>) -> Self {
        FieldProblem {
            field: field.into(),
            message: message.into(),
            violation,
        }
    }
}

/// Which rule of the spec a request field broke. The emulator answers some of them with a
/// code of their own (the spec's `error_codes` of a field, keyed by [`Violation::name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Violation {
    /// Required, but missing or blank.
    Missing,
    /// Cannot be read as its type or wire form (text in a number, a bad comma list, ...).
    Shape,
    /// Not one of the enum's documented values.
    UnknownValue,
    /// Not in its documented text format (URL, date-time).
    Format,
    /// Below its minimum: value, length or number of items.
    TooSmall,
    /// Above its maximum: value, length or number of items.
    TooLarge,
    /// None of a group of fields of which at least one must be given.
    AtLeastOne,
    /// Any other rule.
    Other,
}

impl Violation {
    /// Every violation, in declaration order.
    pub const ALL: [Violation; 8] = [
        Violation::Missing,
        Violation::Shape,
        Violation::UnknownValue,
        Violation::Format,
        Violation::TooSmall,
        Violation::TooLarge,
        Violation::AtLeastOne,
        Violation::Other,
    ];

    /// Its snake_case name, as the spec's `error_codes` of a field use it.
    pub const fn name(self) -> &'static str {
        match self {
            Violation::Missing => "missing",
            Violation::Shape => "shape",
            Violation::UnknownValue => "unknown_value",
            Violation::Format => "format",
            Violation::TooSmall => "too_small",
            Violation::TooLarge => "too_large",
            Violation::AtLeastOne => "at_least_one",
            Violation::Other => "other",
        }
    }
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}", self.field, self.message)
    }
}

/// The kind of a service error code, as `api-spec/service.yaml` classes it (`class:`), so
/// callers can react to a family of codes without listing numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorClass {
    /// A parameter is missing, malformed or out of range.
    InvalidParameter,
    /// The resource the request names does not exist.
    NotFound,
    /// The signature or the credentials were refused.
    Auth,
    /// The account may not do this.
    Permission,
    /// Busy or rate limited; the request was not processed.
    Throttled,
    /// The signing timestamp is outside the service's window (a skewed clock).
    ClockSkew,
}

/// Why the HTTP exchange failed, without exposing the HTTP library's types: the source chain
/// ([`std::error::Error::source`]) still leads to the underlying error for logging.
#[derive(Debug)]
pub struct TransportError {
    inner: Box<dyn std::error::Error + Send + Sync>,
    phase: Phase,
}

/// How far a failed exchange got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Nothing reached the server (no connection, bad request construction).
    NotSent,
    /// The request may have reached the server: its outcome is unknown.
    MaybeSent,
}

impl TransportError {
    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        // A connect failure (refused, DNS, TLS handshake) or a request that could not be built
        // never left this machine; anything later may have been processed.
        let phase = if e.is_connect() || e.is_builder() {
            Phase::NotSent
        } else {
            Phase::MaybeSent
        };
        TransportError {
            inner: Box::new(e),
            phase,
        }
    }

    /// A failure of another layer (I/O, a custom transport) with what is known of it.
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>, sent: bool) -> Self {
        TransportError {
            inner: error.into(),
            phase: if sent {
                Phase::MaybeSent
            } else {
                Phase::NotSent
            },
        }
    }

    /// True when the request never left this machine (connection refused, DNS, TLS), so it
    /// can be sent again whatever the operation.
    pub fn is_not_sent(&self) -> bool {
        self.phase == Phase::NotSent
    }

    /// True when the request may have reached the server before the failure.
    pub fn may_have_been_sent(&self) -> bool {
        self.phase == Phase::MaybeSent
    }
}

impl From<reqwest::Error> for TransportError {
    fn from(e: reqwest::Error) -> Self {
        TransportError::from_reqwest(e)
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The whole chain in one line: reqwest's own text is often just "error sending request".
        write!(f, "{}", self.inner)?;
        let mut next = self.inner.source();
        while let Some(cause) = next {
            write!(f, ": {cause}")?;
            next = cause.source();
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.inner)
    }
}

/// Everything that can go wrong when calling the Cloud VoD API.
///
/// Match the variant for the details, or use the helpers ([`Error::code`],
/// [`Error::is_not_found`], [`Error::is_retryable`], [`Error::request_id`], ...); the
/// `Display` text names the operation.
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let client = vod_client::Client::from_env()?;
/// use vod_client::model::ErrorCode;
/// use vod_client::Error;
///
/// match client.video_block("no-such-video").send().await {
///     Err(Error::Service { code, message, request_id, .. }) => {
///         assert_eq!(ErrorCode::from_code(code), ErrorCode::VideoNotFound);
///         println!("{code}: {message} (request {request_id:?})");
///     }
///     other => panic!("expected a service error, got {other:?}"),
/// }
///
/// // Refused before sending: every bad field is named.
/// let err = client.get_video_list().page_size(0).send().await.unwrap_err();
/// let Error::InvalidRequest { operation, problems } = &err else { panic!("{err:?}") };
/// assert_eq!(*operation, "getVideoList");
/// assert!(!problems.is_empty());
/// # Ok(())
/// # }
/// ```
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
    #[error("{operation}: service error {}: {message}{}", crate::model::ErrorCode::from_code(*.code), fmt_request_id(.request_id))]
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
    /// [`TransportError::is_not_sent`] tells whether it left this machine.
    #[error("{operation}: transport error: {source}")]
    Transport {
        /// Operation name.
        operation: &'static str,
        /// What failed.
        #[source]
        source: TransportError,
    },
    /// A request that is not safe to repeat may have reached the service, but no answer
    /// came back (connection reset, timeout after sending): it may or may not have been
    /// carried out. See [`Error::is_ambiguous`].
    #[error("{operation}: outcome unknown, the request may have been processed: {source}")]
    Ambiguous {
        /// Operation name.
        operation: &'static str,
        /// The failure that lost the answer.
        #[source]
        source: Box<Error>,
    },
    /// The service answered with a redirect, which this client never follows (it would
    /// resend signed requests to a host nobody configured).
    #[error("{operation}: HTTP {status} redirect to {location} not followed{}", fmt_request_id(.request_id))]
    Redirect {
        /// Operation name.
        operation: &'static str,
        /// HTTP status (301, 302, 303, 307, 308).
        status: u16,
        /// The `Location` the answer pointed to (empty if none was given).
        location: String,
        /// Request id from the response headers.
        request_id: Option<String>,
    },
    /// No answer arrived in time: one attempt exceeded the attempt timeout, or the whole
    /// call (all attempts) exceeded the operation timeout.
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
    /// An upload failed; the error names the file, step, block and offset.
    #[error(transparent)]
    Upload(Box<crate::upload::UploadError>),
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
    /// A blocking call (`vod_client::blocking`, feature `blocking`) was made on a thread that
    /// runs async code, where waiting would stall the runtime. Nothing was sent. Use
    /// [`Client`](crate::Client) and `.await` there, or make the call from a thread of its own.
    #[error("{operation}: blocking call inside an async runtime; use vod_client::Client with .await there, or call it from a thread outside the runtime")]
    BlockingInAsync {
        /// The operation that was to be sent.
        operation: &'static str,
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
    /// HTTP 429/502/503/504, service codes the spec flags `retryable`. The client's
    /// [`RetryPolicy`](crate::RetryPolicy) decides what it actually resends.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Transport { .. } => true,
            Error::Http { status, .. } => matches!(status, 429 | 502 | 503 | 504),
            Error::Service {
                http_status, code, ..
            } => {
                matches!(http_status, 429 | 502 | 503 | 504)
                    || crate::model::ErrorCode::from_code(*code).is_retryable()
            }
            _ => false,
        }
    }

    /// The service's error code by name, when the service answered with one.
    ///
    /// ```
    /// # fn demo(err: vod_client::Error) {
    /// use vod_client::model::ErrorCode;
    /// match err.code() {
    ///     Some(ErrorCode::VideoNotFound) => println!("gone already"),
    ///     Some(other) => println!("service said {other}"),
    ///     None => println!("{err}"),
    /// }
    /// # }
    /// ```
    pub fn code(&self) -> Option<crate::model::ErrorCode> {
        self.service_code().map(crate::model::ErrorCode::from_code)
    }

    /// The service's error code as a number, when the service answered with one.
    pub fn service_code(&self) -> Option<i64> {
        match self {
            Error::Service { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The class of the service's code, as the spec gives it.
    pub fn class(&self) -> Option<ErrorClass> {
        self.code().and_then(crate::model::ErrorCode::class)
    }

    /// The resource the request names does not exist (a `not_found` code).
    pub fn is_not_found(&self) -> bool {
        self.class() == Some(ErrorClass::NotFound)
    }

    /// Busy or rate limited: a `throttled` code or HTTP 429. The request was not processed.
    pub fn is_throttled(&self) -> bool {
        self.class() == Some(ErrorClass::Throttled) || self.http_status() == Some(429)
    }

    /// The signature or credentials were refused: an `auth` or `clock_skew` code, or HTTP
    /// 401/403.
    pub fn is_auth(&self) -> bool {
        matches!(self.class(), Some(ErrorClass::Auth | ErrorClass::ClockSkew))
            || matches!(self.http_status(), Some(401 | 403))
    }

    /// A parameter was wrong: an `invalid_parameter` code, or a request this crate refused
    /// to send ([`Error::InvalidRequest`]).
    pub fn is_invalid_parameter(&self) -> bool {
        matches!(self, Error::InvalidRequest { .. })
            || self.class() == Some(ErrorClass::InvalidParameter)
    }

    /// The request may have been carried out although the call failed: see
    /// [`Error::Ambiguous`]. Failures that certainly left nothing done (not sent, or refused
    /// with an answer) are not ambiguous.
    pub fn is_ambiguous(&self) -> bool {
        matches!(self, Error::Ambiguous { .. })
    }

    /// A time limit ran out: an attempt's or the whole call's ([`Error::Timeout`]), or a
    /// wait for a task ([`Error::WaitTimeout`]); also when the timeout hit a request that is
    /// not safe to repeat after it was sent, which makes the call [`Error::Ambiguous`].
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::WaitTimeout { .. } => true,
            Error::Ambiguous { source, .. } => source.is_timeout(),
            _ => false,
        }
    }

    /// The HTTP status of the answer, when one came.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Service { http_status, .. } => Some(*http_status),
            Error::Http { status, .. } | Error::Redirect { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The request id the service gave the failed call, if any.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Service { request_id, .. }
            | Error::Http { request_id, .. }
            | Error::Redirect { request_id, .. } => request_id.as_deref(),
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
            | Error::Ambiguous { operation, .. }
            | Error::Redirect { operation, .. }
            | Error::Timeout { operation, .. }
            | Error::Decode { operation, .. }
            | Error::TaskFailed { operation, .. }
            | Error::WaitTimeout { operation, .. }
            | Error::BlockingInAsync { operation } => Some(operation),
            Error::Config(_) | Error::LocalFile { .. } | Error::Upload(_) => None,
        }
    }

    /// The upload failure, for an [`Error::Upload`].
    pub fn upload(&self) -> Option<&crate::upload::UploadError> {
        match self {
            Error::Upload(e) => Some(e),
            _ => None,
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

/// `?` on an upload inside a function returning [`Error`].
impl From<crate::upload::UploadError> for Error {
    fn from(e: crate::upload::UploadError) -> Error {
        Error::Upload(Box::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_operation_and_fields() {
        let e = Error::InvalidRequest {
            operation: "getVideoList",
            problems: vec![
                FieldProblem::new(
                    "pageSize",
                    Violation::TooLarge,
                    "must be at most 50, got 80",
                ),
                FieldProblem::new("urls[1].url", Violation::Missing, "must not be empty"),
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

    fn service(code: i64, http_status: u16) -> Error {
        Error::Service {
            operation: "videoEdit",
            code,
            message: "bad".into(),
            request_id: None,
            http_status,
        }
    }

    #[test]
    fn service_errors_show_the_codes_name() {
        use crate::model::ErrorCode;
        let e = service(1000, 200);
        assert_eq!(
            e.to_string(),
            "videoEdit: service error 1000 (invalidParameter): bad"
        );
        assert_eq!(e.code(), Some(ErrorCode::InvalidParameter));
        assert_eq!(service(777, 200).code(), Some(ErrorCode::Unknown(777)));
        assert_eq!(
            service(777, 200).to_string(),
            "videoEdit: service error 777: bad"
        );
        assert_eq!(ErrorCode::VideoNotFound.code(), 1502);
        assert_eq!(ErrorCode::VideoNotFound.name(), "videoNotFound");
        assert_eq!(ErrorCode::from_code(1502), ErrorCode::VideoNotFound);
        assert_eq!(ErrorCode::Unknown(5).name(), "unknown");
        let facts = ErrorCode::VideoNotFound.facts().expect("documented");
        assert!(facts.operations.contains(&"deleteVideo"));
        assert_eq!(Error::Config("x".into()).code(), None);
    }

    #[test]
    fn classes_come_from_the_spec() {
        assert!(service(1502, 200).is_not_found());
        assert!(!service(1502, 200).is_invalid_parameter());
        assert!(service(1000, 200).is_invalid_parameter());
        assert!(service(24_112_000, 400).is_invalid_parameter());
        assert!(service(2101, 200).is_throttled());
        assert!(service(2101, 200).is_retryable());
        assert!(service(2009, 403).is_auth());
        assert!(service(2006, 401).is_auth());
        assert_eq!(service(2006, 401).class(), Some(ErrorClass::ClockSkew));
        // Classes by status too, for services that use other numbers.
        assert!(service(9999, 401).is_auth());
        assert!(service(9999, 429).is_throttled());
        assert!(
            !service(1301, 200).is_auth(),
            "permission is not authentication"
        );
        assert_eq!(service(1301, 200).class(), Some(ErrorClass::Permission));
        let invalid = Error::InvalidRequest {
            operation: "x",
            problems: vec![],
        };
        assert!(invalid.is_invalid_parameter());
        // Every class the spec uses has a runtime helper or variant.
        for facts in crate::model::ERROR_CODES {
            let e = service(facts.code, 200);
            assert_eq!(e.class(), facts.class, "{}", facts.name);
        }
    }

    #[test]
    fn transport_errors_hide_the_http_library_but_keep_the_chain() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "peer reset");
        let t = TransportError::new(io, true);
        assert!(t.may_have_been_sent() && !t.is_not_sent());
        let e = Error::Transport {
            operation: "createCategory",
            source: t,
        };
        assert!(e.to_string().contains("peer reset"), "{e}");
        let source = std::error::Error::source(&e).expect("transport error");
        let inner = source.source().expect("the io error");
        assert_eq!(inner.to_string(), "peer reset");
        assert!(!e.is_ambiguous());
        let ambiguous = Error::Ambiguous {
            operation: "createCategory",
            source: Box::new(e),
        };
        assert!(ambiguous.is_ambiguous());
        assert_eq!(ambiguous.operation(), Some("createCategory"));
        assert!(ambiguous.to_string().contains("may have been processed"));
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
        assert!(t.is_timeout());
        let lost = Error::Ambiguous {
            operation: "x",
            source: Box::new(t),
        };
        assert!(lost.is_timeout() && lost.is_ambiguous());
        assert!(!Error::Config("bad".into()).is_timeout());
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
