//! Client-side rate limiting: a token bucket per operation, from the spec's documented limits.
//!
//! The service documents a limit per operation (`300/5min`) and refuses calls beyond it. A
//! client that knows it will send many calls can pace itself instead of collecting refusals:
//! opt in with [`ClientBuilder::rate_limits`](crate::ClientBuilder::rate_limits). Each
//! operation gets a bucket holding up to `calls` tokens, refilled evenly over `per`; an attempt
//! takes a token or waits for one (within the call's timeout).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// At most `calls` calls per `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Calls allowed in one period (also the burst size).
    pub calls: u32,
    /// The period.
    pub per: Duration,
}

impl RateLimit {
    /// `calls` per `per`; `None` when either is zero.
    pub fn new(calls: u32, per: Duration) -> Option<RateLimit> {
        (calls > 0 && !per.is_zero()).then_some(RateLimit { calls, per })
    }

    fn tokens_per_sec(self) -> f64 {
        f64::from(self.calls) / self.per.as_secs_f64()
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}s", self.calls, self.per.as_secs_f64())
    }
}

impl FromStr for RateLimit {
    type Err = String;

    /// The spec's text: `<calls>/<period>`, the period an optional count and a unit (`s`,
    /// `min`, `h`, `d`), e.g. `300/5min`, `10/s`, `1000/1 h`.
    fn from_str(text: &str) -> Result<Self, String> {
        let bad = |why: &str| format!("rate limit `{text}`: {why}");
        let (calls, period) = text
            .split_once('/')
            .ok_or_else(|| bad("expected <calls>/<period>, e.g. 300/5min"))?;
        let calls: u32 = calls
            .trim()
            .parse()
            .map_err(|_| bad("the call count is not a whole number"))?;
        let period = period.trim();
        let split = period
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(period.len());
        let (count, unit) = period.split_at(split);
        let count: u64 = if count.is_empty() {
            1
        } else {
            count
                .parse()
                .map_err(|_| bad("the period count is too large"))?
        };
        let unit_secs = match unit.trim() {
            "s" | "sec" | "second" | "seconds" => 1,
            "min" | "minute" | "minutes" => 60,
            "h" | "hour" | "hours" => 3600,
            "d" | "day" | "days" => 86_400,
            other => return Err(bad(&format!("unknown unit `{other}` (use s, min, h or d)"))),
        };
        let per = Duration::from_secs(count.saturating_mul(unit_secs));
        RateLimit::new(calls, per).ok_or_else(|| bad("calls and period must be above zero"))
    }
}

/// The limit of each operation the client paces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateLimits {
    limits: HashMap<String, RateLimit>,
}

impl RateLimits {
    /// No limits.
    pub fn new() -> Self {
        RateLimits::default()
    }

    /// Every limit the spec documents ([`RATE_LIMITS`](crate::model::RATE_LIMITS)).
    pub fn from_spec() -> Self {
        let limits = crate::model::RATE_LIMITS
            .iter()
            // Every spec text parses (a unit test checks); an unparsable one is simply not paced.
            .filter_map(|(op, text)| Some(((*op).to_string(), text.parse().ok()?)))
            .collect();
        RateLimits { limits }
    }

    /// Sets (or replaces) the limit of one operation.
    pub fn set(mut self, operation: &str, limit: RateLimit) -> Self {
        self.limits.insert(operation.to_string(), limit);
        self
    }

    /// The limit of `operation`, if any.
    pub fn get(&self, operation: &str) -> Option<RateLimit> {
        self.limits.get(operation).copied()
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// The live buckets of one client.
#[derive(Debug)]
pub(crate) struct Limiter {
    limits: RateLimits,
    buckets: Mutex<HashMap<&'static str, Bucket>>,
}

impl Limiter {
    pub(crate) fn new(limits: RateLimits) -> Self {
        Limiter {
            limits,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token of `operation` at `now`: `Ok(wait)` with how long to wait before sending
    /// (zero when one was available; later callers queue behind), or `Err(wait)` without
    /// taking one when the wait would exceed `max_wait`.
    pub(crate) fn reserve(
        &self,
        operation: &'static str,
        now: Instant,
        max_wait: Option<Duration>,
    ) -> Result<Duration, Duration> {
        let Some(limit) = self.limits.get(operation) else {
            return Ok(Duration::ZERO);
        };
        let rate = limit.tokens_per_sec();
        let capacity = f64::from(limit.calls);
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let bucket = buckets.entry(operation).or_insert(Bucket {
            tokens: capacity,
            last: now,
        });
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(capacity);
        bucket.last = bucket.last.max(now);
        let missing = 1.0 - bucket.tokens;
        let wait = if missing > 0.0 {
            Duration::from_secs_f64(missing / rate)
        } else {
            Duration::ZERO
        };
        if max_wait.is_some_and(|max| wait > max) {
            return Err(wait);
        }
        bucket.tokens -= 1.0;
        Ok(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_specs_texts() {
        assert_eq!(
            "300/5min".parse(),
            Ok(RateLimit {
                calls: 300,
                per: Duration::from_secs(300)
            })
        );
        assert_eq!(
            "10/s".parse::<RateLimit>().map(|l| l.per),
            Ok(Duration::from_secs(1))
        );
        assert_eq!(
            " 1000 / 2 h "
                .parse::<RateLimit>()
                .map(|l| (l.calls, l.per)),
            Ok((1000, Duration::from_secs(7200)))
        );
        for bad in ["300", "x/5min", "300/5 fortnights", "0/5min", "3/0s"] {
            let err = bad.parse::<RateLimit>().unwrap_err();
            assert!(err.contains(bad), "{err}");
        }
        for (op, text) in crate::model::RATE_LIMITS {
            assert!(text.parse::<RateLimit>().is_ok(), "{op}: {text}");
        }
        let spec = RateLimits::from_spec();
        assert_eq!(spec.get("getVideoList").map(|l| l.calls), Some(300));
        assert_eq!(spec.get("noSuchOperation"), None);
    }

    #[test]
    fn a_bucket_allows_the_burst_then_paces_evenly() {
        let limit = RateLimit::new(3, Duration::from_secs(3)).expect("limit");
        let limiter = Limiter::new(RateLimits::new().set("op", limit));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.reserve("op", t0, None), Ok(Duration::ZERO));
        }
        // Empty: the next token comes in 1 s, the one after in 2 s (queued).
        assert_eq!(limiter.reserve("op", t0, None), Ok(Duration::from_secs(1)));
        assert_eq!(limiter.reserve("op", t0, None), Ok(Duration::from_secs(2)));
        // Too long a wait is refused without taking a token.
        assert_eq!(
            limiter.reserve("op", t0, Some(Duration::from_millis(500))),
            Err(Duration::from_secs(3))
        );
        // Time refills the bucket; it never holds more than the burst.
        let later = t0 + Duration::from_secs(100);
        for _ in 0..3 {
            assert_eq!(limiter.reserve("op", later, None), Ok(Duration::ZERO));
        }
        assert!(limiter.reserve("op", later, None).expect("ok") > Duration::ZERO);
        // Operations without a limit never wait.
        assert_eq!(limiter.reserve("other", t0, None), Ok(Duration::ZERO));
    }
}
