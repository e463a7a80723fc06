//! Per-call settings that override the client's: timeouts, retry policy, ambiguity checks.

use std::time::Duration;

use crate::RetryPolicy;

/// Settings for one call, given to [`Client::send_with_options`](crate::Client::send_with_options).
/// Anything left unset uses the client's setting.
///
/// ```
/// use std::time::Duration;
/// use vod_client::{CallOptions, RetryPolicy};
///
/// let options = CallOptions::new()
///     .timeout(Duration::from_secs(20)) // the whole call, every attempt and wait included
///     .attempt_timeout(Duration::from_secs(5)) // each attempt
///     .retry(RetryPolicy::default().with_max_attempts(5));
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallOptions {
    /// Time allowed for the whole call (all attempts and the waits between them).
    pub timeout: Option<Duration>,
    /// Time allowed for one attempt (connect, send, receive).
    pub attempt_timeout: Option<Duration>,
    /// How this call retries.
    pub retry: Option<RetryPolicy>,
    /// `Some(false)`: do not run the request's own check when the outcome is ambiguous
    /// (see [`crate::ambiguous`]); fail with [`Error::Ambiguous`](crate::Error::Ambiguous).
    pub resolve_ambiguous: Option<bool>,
}

impl CallOptions {
    /// No overrides.
    pub fn new() -> Self {
        CallOptions::default()
    }

    /// Sets the time allowed for the whole call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the time allowed for one attempt.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Sets the retry policy of this call.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Whether to check the real outcome of an ambiguous failure (default: yes, when the
    /// request type can).
    pub fn resolve_ambiguous(mut self, resolve: bool) -> Self {
        self.resolve_ambiguous = Some(resolve);
        self
    }

    pub(crate) fn resolves_ambiguous(&self) -> bool {
        self.resolve_ambiguous.unwrap_or(true)
    }
}
