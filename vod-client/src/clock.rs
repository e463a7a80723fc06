//! The signing clock, and its correction when the service says our clock is off.
//!
//! The service refuses a timestamp more than five minutes from its own clock. A machine whose
//! clock drifted would fail every call, so when an answer refuses the signature and its `Date`
//! header shows the gap, the client keeps the difference as an offset: the call is signed
//! again at once, and every later call uses the corrected time.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::ErrorClass;
use crate::Error;

/// The source of "now" for signing timestamps; replaceable so tests can pin the clock.
pub(crate) type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// A gap that makes a plain authentication failure (HTTP 401/403 without a clock-skew code)
/// look like a skewed clock: well inside the service's five-minute window, well outside what
/// network delay and the `Date` header's one-second resolution explain.
const SUSPECT_GAP: Duration = Duration::from_secs(60);

/// Smallest gap worth correcting when the service names clock skew outright.
const MIN_GAP: Duration = Duration::from_secs(2);

/// The configured clock plus a learned offset (seconds, signed).
pub(crate) struct SigningClock {
    base: Clock,
    offset: AtomicI64,
}

impl SigningClock {
    pub(crate) fn new(base: Clock) -> Self {
        SigningClock {
            base,
            offset: AtomicI64::new(0),
        }
    }

    /// The corrected time.
    pub(crate) fn now(&self) -> SystemTime {
        shift((self.base)(), self.offset())
    }

    /// The learned offset in seconds (positive: the service is ahead of us).
    pub(crate) fn offset(&self) -> i64 {
        self.offset.load(Ordering::Relaxed)
    }

    /// Learns the offset from an answer refused with `err` that carried `server` as its
    /// `Date`. Returns the new offset when it changed, `None` when the refusal does not look
    /// like a clock problem.
    pub(crate) fn learn(&self, err: &Error, server: SystemTime) -> Option<i64> {
        let skew_code = err.class() == Some(ErrorClass::ClockSkew);
        if !skew_code && !err.is_auth() {
            return None;
        }
        let local = self.now();
        let gap = signed_secs(server, local);
        let threshold = if skew_code { MIN_GAP } else { SUSPECT_GAP };
        if gap.unsigned_abs() < threshold.as_secs() {
            return None;
        }
        let offset = self.offset().saturating_add(gap);
        self.offset.store(offset, Ordering::Relaxed);
        Some(offset)
    }
}

/// `a - b` in whole seconds.
fn signed_secs(a: SystemTime, b: SystemTime) -> i64 {
    match a.duration_since(b) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

fn shift(t: SystemTime, secs: i64) -> SystemTime {
    let by = Duration::from_secs(secs.unsigned_abs());
    let shifted = if secs >= 0 {
        t.checked_add(by)
    } else {
        t.checked_sub(by)
    };
    shifted.unwrap_or(t)
}

/// Reads an HTTP `Date` header (IMF-fixdate and the two obsolete forms).
pub(crate) fn parse_http_date(value: &str) -> Option<SystemTime> {
    httpdate::parse_http_date(value.trim()).ok()
}

/// Unix seconds of `t` (0 before 1970).
pub(crate) fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn refused(code: i64, http_status: u16) -> Error {
        Error::Service {
            operation: "x",
            code,
            message: String::new(),
            request_id: None,
            http_status,
        }
    }

    #[test]
    fn learns_the_gap_from_a_clock_skew_code() {
        let clock = SigningClock::new(Arc::new(|| at(1_000_000)));
        let skew = refused(2006, 401);
        assert_eq!(clock.learn(&skew, at(1_003_600)), Some(3600));
        assert_eq!(clock.now(), at(1_003_600));
        // Already corrected: the same answer again changes nothing.
        assert_eq!(clock.learn(&skew, at(1_003_600)), None);
        assert_eq!(clock.learn(&skew, at(1_000_000)), Some(0));
    }

    #[test]
    fn plain_auth_failures_need_a_large_gap_and_others_are_ignored() {
        let clock = SigningClock::new(Arc::new(|| at(1_000_000)));
        assert_eq!(clock.learn(&refused(2009, 403), at(1_000_030)), None);
        assert_eq!(clock.learn(&refused(2009, 403), at(999_000)), Some(-1000));
        assert_eq!(clock.learn(&refused(1000, 200), at(5_000_000)), None);
        assert_eq!(clock.offset(), -1000);
    }

    #[test]
    fn http_dates() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(at(784_111_777))
        );
        assert_eq!(parse_http_date("yesterday"), None);
        assert_eq!(unix_seconds(at(5)), 5);
        assert_eq!(unix_seconds(UNIX_EPOCH - Duration::from_secs(5)), 0);
    }

    #[test]
    fn the_skew_thresholds_are_inclusive() {
        // A named clock-skew code: a gap of exactly MIN_GAP (2 s) is corrected, 1 s is not.
        let clock = SigningClock::new(Arc::new(|| at(1_000_000)));
        let skew = refused(2006, 401);
        assert_eq!(clock.learn(&skew, at(1_000_001)), None);
        assert_eq!(clock.learn(&skew, at(999_999)), None);
        assert_eq!(clock.learn(&skew, at(1_000_002)), Some(2));
        assert_eq!(clock.learn(&skew, at(1_000_000)), Some(0));
        // A plain authentication failure: exactly SUSPECT_GAP (60 s) counts, 59 s does not.
        let auth = refused(2009, 403);
        assert_eq!(clock.learn(&auth, at(1_000_059)), None);
        assert_eq!(clock.learn(&auth, at(999_941)), None);
        assert_eq!(clock.learn(&auth, at(999_940)), Some(-60));
        assert_eq!(clock.now(), at(999_940));
    }

    #[test]
    fn signed_gaps_and_shifts_go_both_ways() {
        assert_eq!(signed_secs(at(10), at(4)), 6);
        assert_eq!(signed_secs(at(4), at(10)), -6);
        assert_eq!(signed_secs(at(4), at(4)), 0);
        assert_eq!(shift(at(10), 5), at(15));
        assert_eq!(shift(at(10), -5), at(5));
        assert_eq!(unix_seconds(at(1_700_000_000)), 1_700_000_000);
        let clock = SigningClock::new(Arc::new(|| at(500)));
        assert_eq!(clock.now(), at(500));
    }
}
