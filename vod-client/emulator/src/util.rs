//! Small helpers shared by the emulator's modules: ids, clock, base64. Times on the wire are
//! the SDK's `Time`, encoded as the spec says; nothing here formats one.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use vod_client::model::VideoId;
use vod_client::Time;

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

    /// Now, as records keep it.
    pub(crate) fn now(&self) -> Time {
        Time::from_unix_seconds(self.now_unix())
    }

    /// Now to the millisecond, as task records keep it (`pullVideoQuery` answers it so).
    pub(crate) fn now_millis_time(&self) -> Time {
        Time::from_unix_millis(self.now_millis())
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

    /// A fresh video id.
    pub(crate) fn video_id(&self) -> VideoId {
        VideoId::new(self.hex32())
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

/// `yyyyMM` of a time in the service's zone, used in storage keys (`video/202401/...`).
pub(crate) fn year_month(unix: i64) -> String {
    vod_client::Time::from_unix_seconds(unix)
        .service_datetime()
        .map_or_else(|| "000000".to_string(), |t| t.strftime("%Y%m").to_string())
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
    fn storage_months_are_the_services() {
        // 2023-12-31 20:00:00 UTC is already January in UTC+8.
        assert_eq!(year_month(1_704_052_800), "202401");
        for t in [i64::MIN, -1, 0, i64::MAX] {
            assert_eq!(year_month(t).len(), 6);
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
