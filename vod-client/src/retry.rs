//! When to send a request again, and how long to wait first.
//!
//! Only failures that say nothing about the request itself are retried: the network, a busy
//! gateway (HTTP 429/502/503/504), a timeout, or a service code the spec flags `retryable`.
//! A request that changes state is only resent when it cannot have been carried out: the
//! connection was never made, or the service said "too many requests" (HTTP 429 or a
//! `throttled` code), which means it refused the request unprocessed. Resending a
//! `deleteVideo` whose answer was lost is not safe; that failure is
//! [`Error::Ambiguous`] instead. Delays grow exponentially with full
//! jitter, so many clients failing together do not come back together; a `Retry-After` from
//! the server wins.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::ErrorClass;
use crate::model::{ErrorCode, RETRYABLE_ERROR_CODES};
use crate::operation::OperationSpec;
use crate::Error;

/// How the client retries transient failures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 disables retries). Default 3.
    pub max_attempts: u32,
    /// Upper bound of the first delay; doubled for each further attempt. Default 200 ms.
    pub initial_backoff: Duration,
    /// Upper bound of any delay computed by backoff. Default 10 s.
    pub max_backoff: Duration,
    /// Upper bound of a delay asked for by `Retry-After`. Default 60 s.
    pub max_retry_after: Duration,
    /// HTTP statuses meaning "busy, try later". Default 429, 502, 503, 504.
    pub retry_statuses: Vec<u16>,
    /// Service `code`s meaning "busy / throttled, try later". Default: the codes
    /// `api-spec/service.yaml` flags `retryable` ([`RETRYABLE_ERROR_CODES`]).
    pub retry_service_codes: Vec<i64>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
            retry_statuses: vec![429, 502, 503, 504],
            retry_service_codes: RETRYABLE_ERROR_CODES.to_vec(),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Sets the number of attempts (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the first and the largest backoff delay.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Sets the service codes treated as "busy".
    pub fn with_retry_service_codes(mut self, codes: impl IntoIterator<Item = i64>) -> Self {
        self.retry_service_codes = codes.into_iter().collect();
        self
    }

    /// Whether `err`, the failure of attempt number `attempt` (1-based) of `op`, should be
    /// retried.
    pub fn should_retry(&self, op: &OperationSpec, err: &Error, attempt: u32) -> bool {
        if attempt >= self.max_attempts {
            return false;
        }
        if not_processed(err) {
            return self.is_transient(err) || is_connect_failure(err);
        }
        op.retry_safe && self.is_transient(err)
    }

    /// Whether `err` says nothing about the request itself.
    pub fn is_transient(&self, err: &Error) -> bool {
        match err {
            Error::Timeout { .. } | Error::Transport { .. } => true,
            Error::Http { status, .. } => self.retry_statuses.contains(status),
            Error::Service {
                code, http_status, ..
            } => {
                self.retry_service_codes.contains(code) || self.retry_statuses.contains(http_status)
            }
            _ => false,
        }
    }

    /// The wait before attempt `attempt + 1`: the server's `Retry-After` (capped) if given,
    /// otherwise a uniform random delay up to `initial_backoff * 2^(attempt-1)`, capped.
    pub(crate) fn delay(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        jitter: &mut Jitter,
    ) -> Duration {
        if let Some(after) = retry_after {
            return after.min(self.max_retry_after);
        }
        let exp = attempt.saturating_sub(1).min(20);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff);
        jitter.below(ceiling)
    }
}

/// A failure that proves the request was not carried out, so even a state-changing request
/// can be sent again: it never left this machine, or the service refused it as "too many
/// requests" (HTTP 429, or a code of class `throttled`) before processing it.
fn not_processed(err: &Error) -> bool {
    if is_connect_failure(err) {
        return true;
    }
    match err {
        Error::Http { status, .. } => *status == 429,
        Error::Service {
            http_status, code, ..
        } => {
            *http_status == 429
                || ErrorCode::from_code(*code).class() == Some(ErrorClass::Throttled)
        }
        _ => false,
    }
}

/// A failure before the request left this machine.
pub(crate) fn is_connect_failure(err: &Error) -> bool {
    matches!(err, Error::Transport { source, .. } if source.is_not_sent())
}

/// Reads `Retry-After` given in seconds (the HTTP-date form is ignored).
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// A small xorshift64* generator for backoff jitter: not cryptographic, just decorrelated
/// across calls and processes, without pulling in a random-number crate.
#[derive(Debug, Clone)]
pub(crate) struct Jitter(u64);

impl Jitter {
    /// Seeded from the clock and a process-wide counter.
    pub fn new() -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        let count = COUNTER.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        Jitter::seeded(nanos ^ count)
    }

    /// A generator with a fixed seed, for reproducible tests.
    pub fn seeded(seed: u64) -> Self {
        // splitmix64 scrambles the seed; xorshift must not start at zero.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Jitter(if z == 0 { 1 } else { z })
    }

    /// The next pseudo-random number.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A uniform duration in `[0, ceiling]` (millisecond resolution).
    pub fn below(&mut self, ceiling: Duration) -> Duration {
        let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        if millis == 0 {
            return Duration::ZERO;
        }
        Duration::from_millis(self.next_u64() % (millis.saturating_add(1)))
    }
}

impl Default for Jitter {
    fn default() -> Self {
        Jitter::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::{BodyKind, DataKind, Envelope, HttpMethod};

    const SAFE: &OperationSpec = &OperationSpec {
        name: "getVideoList",
        method: HttpMethod::Post,
        path: "/x",
        body: BodyKind::Json,
        envelope: Envelope::Standard,
        data: DataKind::Object,
        retry_safe: true,
    };
    const UNSAFE: &OperationSpec = &OperationSpec {
        retry_safe: false,
        name: "deleteVideo",
        ..*SAFE
    };

    fn http(status: u16) -> Error {
        Error::Http {
            operation: "x",
            status,
            request_id: None,
            body_excerpt: String::new(),
        }
    }

    fn service(code: i64) -> Error {
        Error::Service {
            operation: "x",
            code,
            message: String::new(),
            request_id: None,
            http_status: 200,
        }
    }

    #[test]
    fn retries_transient_failures_of_safe_operations_only() {
        let p = RetryPolicy::default();
        for status in [429, 502, 503, 504] {
            assert!(p.should_retry(SAFE, &http(status), 1), "{status}");
        }
        for status in [502, 503, 504] {
            assert!(!p.should_retry(UNSAFE, &http(status), 1), "{status}");
        }
        assert!(!p.should_retry(SAFE, &http(500), 1));
        assert!(!p.should_retry(SAFE, &http(400), 1));
        let timeout = Error::Timeout {
            operation: "x",
            after: Duration::from_secs(1),
        };
        assert!(p.should_retry(SAFE, &timeout, 1));
        assert!(!p.should_retry(UNSAFE, &timeout, 1));
        assert!(p.should_retry(SAFE, &service(503), 1));
        assert!(!p.should_retry(SAFE, &service(1502), 1));
        assert!(!p.should_retry(SAFE, &Error::Config("x".into()), 1));
    }

    #[test]
    fn too_many_requests_means_not_processed_so_even_unsafe_operations_retry() {
        let p = RetryPolicy::default();
        assert!(p.should_retry(UNSAFE, &http(429), 1));
        let throttled_429 = Error::Service {
            operation: "x",
            code: 2102,
            message: String::new(),
            request_id: None,
            http_status: 429,
        };
        assert!(p.should_retry(UNSAFE, &throttled_429, 1));
        // The spec's busy code (HTTP 200) is of class `throttled`: not processed either.
        assert!(p.should_retry(UNSAFE, &service(2101), 1));
        assert!(!p.should_retry(UNSAFE, &service(1502), 1));
        assert!(
            !p.should_retry(UNSAFE, &http(429), 3),
            "attempts still bound it"
        );
    }

    #[test]
    fn default_busy_codes_are_the_specs_retryable_codes() {
        let p = RetryPolicy::default();
        assert_eq!(p.retry_service_codes, RETRYABLE_ERROR_CODES);
        let flagged: Vec<i64> = crate::model::ERROR_CODES
            .iter()
            .filter(|e| e.retryable)
            .map(|e| e.code)
            .collect();
        assert_eq!(p.retry_service_codes, flagged);
        assert!(p
            .retry_service_codes
            .contains(&ErrorCode::ServiceBusy.code()));
        assert!(p.should_retry(SAFE, &service(ErrorCode::ServiceBusy.code()), 1));
    }

    #[test]
    fn stops_after_max_attempts() {
        let p = RetryPolicy::default();
        assert!(p.should_retry(SAFE, &http(503), 2));
        assert!(!p.should_retry(SAFE, &http(503), 3));
        assert!(!RetryPolicy::none().should_retry(SAFE, &http(503), 1));
        assert_eq!(RetryPolicy::default().with_max_attempts(0).max_attempts, 1);
    }

    #[test]
    fn service_codes_are_configurable() {
        let p = RetryPolicy::default().with_retry_service_codes([1000]);
        assert!(p.should_retry(SAFE, &service(1000), 1));
        assert!(!p.should_retry(SAFE, &service(503), 1));
    }

    #[test]
    fn delays_grow_and_stay_within_bounds() {
        let p = RetryPolicy::default()
            .with_backoff(Duration::from_millis(100), Duration::from_millis(350));
        let mut j = Jitter::seeded(7);
        for attempt in 1..10 {
            let ceiling = Duration::from_millis((100u64 << (attempt - 1)).min(350));
            for _ in 0..50 {
                assert!(p.delay(attempt, None, &mut j) <= ceiling);
            }
        }
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(2)), &mut j),
            Duration::from_secs(2)
        );
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(3600)), &mut j),
            Duration::from_secs(60)
        );
        let zero = RetryPolicy::default().with_backoff(Duration::ZERO, Duration::ZERO);
        assert_eq!(zero.delay(3, None, &mut j), Duration::ZERO);
    }

    #[test]
    fn jitter_spreads_values() {
        let mut j = Jitter::seeded(1);
        let values: std::collections::HashSet<u64> =
            (0..100).map(|_| j.next_u64() % 1000).collect();
        assert!(values.len() > 50);
        assert_ne!(Jitter::new().next_u64(), Jitter::new().next_u64());
        assert_eq!(Jitter::seeded(5).next_u64(), Jitter::seeded(5).next_u64());
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn jitter_is_splitmix64_seeded_xorshift64_star() {
        // Reference values: splitmix64's first output for seed 0 is 0xe220a8397b1dcdaf, and
        // xorshift64* (12, 25, 27; multiplier 0x2545f4914f6cdd1d) continues from there.
        let mut j = Jitter::seeded(0);
        assert_eq!(j.0, 0xe220_a839_7b1d_cdaf);
        let got = [j.next_u64(), j.next_u64(), j.next_u64()];
        assert_eq!(
            got,
            [
                0x7bbc_b40d_5506_82d0,
                0xde7f_e413_d00c_c9fd,
                0xb3c6_3835_3c66_8c91
            ]
        );
        assert_eq!(Jitter::seeded(7).0, 0x63cb_e1e4_5932_0dd7);
    }

    #[test]
    fn jitter_below_is_uniform_in_whole_milliseconds_up_to_the_ceiling() {
        // Seed 1 gives 0x4b46a55df3611b9b, 0xd7e1f1410e763ef4, 0x5f14ec66975f9b06: modulo 1001.
        let mut j = Jitter::seeded(1);
        let got: Vec<u64> = (0..3)
            .map(|_| j.below(Duration::from_secs(1)).as_millis() as u64)
            .collect();
        assert_eq!(got, [435, 504, 945]);
        let mut j = Jitter::seeded(3);
        let draws: Vec<Duration> = (0..200)
            .map(|_| j.below(Duration::from_millis(10)))
            .collect();
        assert!(draws.iter().all(|d| *d <= Duration::from_millis(10)));
        assert!(draws.contains(&Duration::ZERO) && draws.contains(&Duration::from_millis(10)));
        assert_eq!(j.below(Duration::from_micros(999)), Duration::ZERO);
    }
}
