//! Small helpers shared by the emulator's modules: ids, clock, time text, base64.
//!
//! The service formats times as `yyyy-MM-dd HH:mm:ss` in China Standard Time (UTC+8); the
//! emulator does the same so that filters written against the real service behave alike. The
//! conversions are done by hand (civil-from-days) to avoid a date crate for two functions.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Offset of the service's local time (China Standard Time) from UTC, in seconds.
const CST_OFFSET_SECS: i64 = 8 * 3600;

/// The emulator's clock: the machine's clock plus a skew that fault injection can set, so
/// tests can exercise the "timestamp too far off" rule without faking the client's clock.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    skew_secs: AtomicI64,
}

impl Clock {
    /// Unix seconds as the emulator sees them.
    pub(crate) fn now_unix(&self) -> i64 {
        real_unix_secs().saturating_add(self.skew_secs.load(Ordering::Relaxed))
    }

    /// Unix milliseconds as the emulator sees them.
    pub(crate) fn now_millis(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        real.saturating_add(self.skew_secs.load(Ordering::Relaxed).saturating_mul(1000))
    }

    /// The skew set by fault injection, in seconds (0: the machine's clock).
    pub(crate) fn skew(&self) -> i64 {
        self.skew_secs.load(Ordering::Relaxed)
    }

    pub(crate) fn set_skew(&self, secs: i64) {
        self.skew_secs.store(secs, Ordering::Relaxed);
    }
}

fn real_unix_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Deterministic id source: SHA-256 of a seed and a counter. Ids look like the service's
/// (32 lowercase hex characters) and never repeat within one emulator.
#[derive(Debug)]
pub(crate) struct IdGen {
    seed: u64,
    counter: AtomicU64,
}

impl IdGen {
    pub(crate) fn new(seed: u64) -> Self {
        IdGen {
            seed,
            counter: AtomicU64::new(0),
        }
    }

    /// 32 lowercase hex characters.
    pub(crate) fn hex32(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut hasher = Sha256::new();
        hasher.update(self.seed.to_le_bytes());
        hasher.update(n.to_le_bytes());
        hex::encode(&hasher.finalize()[..16])
    }

    /// A UUID-shaped id (8-4-4-4-12), as the AI task ids are.
    pub(crate) fn uuid(&self) -> String {
        let h = self.hex32();
        format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }

    /// A positive 64-bit number (category node ids, deletion task ids are numeric).
    pub(crate) fn number(&self) -> i64 {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        i64::try_from(n).unwrap_or(i64::MAX).saturating_add(100_000)
    }
}

/// A seed that differs between runs (time and process id), for ids that should not collide
/// with an earlier run's.
pub(crate) fn default_seed() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    (nanos as u64) ^ (u64::from(std::process::id()) << 32)
}

/// Unix seconds shown as `yyyy-MM-dd HH:mm:ss` in China Standard Time (written straight
/// into answers, without an intermediate string).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CstTime(pub(crate) i64);

impl std::fmt::Display for CstTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let local = self.0.saturating_add(CST_OFFSET_SECS);
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    }
}

/// `yyyy-MM-dd HH:mm:ss` in China Standard Time.
#[cfg(test)]
pub(crate) fn format_time(unix: i64) -> String {
    CstTime(unix).to_string()
}

/// `yyyyMM` of a time, used in storage keys (`video/202401/...`).
pub(crate) fn year_month(unix: i64) -> String {
    let (y, m, _) = civil_from_days(unix.saturating_add(CST_OFFSET_SECS).div_euclid(86_400));
    format!("{y:04}{m:02}")
}

/// The years `yyyy` can spell. Later years are refused rather than computed: the text format
/// has four digits, and refusing them keeps every computation below far from overflow.
const MAX_YEAR: i64 = 9999;

/// Parses `yyyy-MM-dd HH:mm:ss` (China Standard Time) into Unix seconds; `None` for text of
/// another shape or a time outside years 0..=9999.
pub(crate) fn parse_time(text: &str) -> Option<i64> {
    let (date, time) = text.trim().split_once(' ')?;
    let mut d = date.split('-').map(parse_digits);
    let (y, mo, da) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':').map(parse_digits);
    let (h, mi, s) = (t.next()??, t.next()??, t.next()??);
    if d.next().is_some() || t.next().is_some() {
        return None;
    }
    let valid = (0..=MAX_YEAR).contains(&y)
        && (1..=12).contains(&mo)
        && (1..=31).contains(&da)
        && (0..24).contains(&h)
        && (0..60).contains(&mi)
        && (0..60).contains(&s);
    if !valid {
        return None;
    }
    let days = days_from_civil(y, mo, da)?;
    let clock = h
        .checked_mul(3600)?
        .checked_add(mi.checked_mul(60)?)?
        .checked_add(s)?;
    days.checked_mul(86_400)?
        .checked_add(clock)?
        .checked_sub(CST_OFFSET_SECS)
}

/// A number of plain ASCII digits (no sign, no spaces), at most 18 of them so it fits an
/// `i64` whatever they say.
fn parse_digits(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > 18 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

// Howard Hinnant's algorithms (public domain). `civil_from_days` is total over the days an
// `i64` of seconds can hold (|z| < 1.1e14), so it needs no checks.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Days since 1970-01-01 of a civil date; `None` on overflow (only for absurd years).
fn days_from_civil(y: i64, m: i64, d: i64) -> Option<i64> {
    let y = if m <= 2 { y.checked_sub(1)? } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era.checked_mul(146_097)?
        .checked_add(doe)?
        .checked_sub(719_468)
}

/// URL-safe base64 with padding (upload tokens keep `=`).
pub(crate) fn b64_url(data: &[u8]) -> String {
    URL_SAFE.encode(data)
}

/// Decodes base64 in any of the spellings clients use: URL-safe or standard, padded or not.
pub(crate) fn b64_decode_any(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    let unpadded = text.trim_end_matches('=');
    URL_SAFE_NO_PAD
        .decode(unpadded)
        .ok()
        .or_else(|| STANDARD.decode(text).ok())
        .or_else(|| {
            let normal: String = unpadded
                .chars()
                .map(|c| match c {
                    '-' => '+',
                    '_' => '/',
                    c => c,
                })
                .collect();
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(normal)
                .ok()
        })
}

/// True when `id` is non-empty and only holds letters, digits, `-` and `_` (the characters
/// ids of the service are made of).
pub(crate) fn is_id_like(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// True when a domain holds only the characters a host name (with port) may hold.
pub(crate) fn is_domain_like(domain: &str) -> bool {
    !domain.is_empty()
        && domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_round_trip() {
        let t = 1_700_000_000;
        let text = format_time(t);
        assert_eq!(text, "2023-11-15 06:13:20");
        assert_eq!(parse_time(&text), Some(t));
        assert_eq!(parse_time("2016-01-01 12:00:00"), Some(1_451_620_800));
        assert_eq!(parse_time("2016-13-01 12:00:00"), None);
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn far_and_odd_times_are_refused_not_overflowed() {
        for text in [
            "99999-01-01 00:00:00",
            "9223372036854775807-12-31 23:59:59",
            "292277026596-12-04 15:30:07",
            "2020-01-01 9223372036854775807:00:00",
            "2020-01-01 +1:00:00",
            "2020--01-01 00:00:00",
            "-2020-01-01 00:00:00",
            "2020-01-01 00:00:00:00",
            "2020-01-01",
            "",
        ] {
            assert_eq!(parse_time(text), None, "{text:?}");
        }
        assert_eq!(parse_time("0000-01-01 00:00:00"), Some(-62_167_248_000));
        assert_eq!(parse_time("9999-12-31 23:59:59"), Some(253_402_271_999));
        for t in [i64::MIN, -1, 0, i64::MAX] {
            assert!(!format_time(t).is_empty());
            assert!(!year_month(t).is_empty());
        }
    }

    #[test]
    fn ids() {
        let ids = IdGen::new(7);
        let a = ids.hex32();
        assert_eq!(a.len(), 32);
        assert_ne!(a, ids.hex32());
        assert_eq!(ids.uuid().len(), 36);
    }

    #[test]
    fn base64_spellings() {
        assert_eq!(b64_decode_any("aGk-"), Some(vec![b'h', b'i', 0x3e]));
        assert_eq!(b64_decode_any("aGk+"), Some(vec![b'h', b'i', 0x3e]));
        assert_eq!(b64_decode_any("aGk="), Some(b"hi".to_vec()));
    }
}
