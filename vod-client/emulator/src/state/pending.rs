//! The uploads that token operations announced: what each storage key becomes once its bytes
//! arrive.
//!
//! Every `getUploadToken` (and each file of the audio and material token calls) leaves one
//! entry here, and a client may ask for tokens it never uses. So the store forgets an entry
//! when its token expires (an upload with that token is refused anyway) and holds at most a
//! fixed number of entries, dropping the oldest first: a client that floods the emulator with
//! token calls costs it a bounded amount of memory, while any realistic test (far fewer open
//! uploads than the bound, each finished within the token lifetime) sees no difference.

use std::collections::{BTreeMap, HashMap};

use crate::upload::PendingUpload;

/// Default bound of [`PendingUploads`].
pub(crate) const DEFAULT_MAX_PENDING_UPLOADS: usize = 10_000;

#[derive(Debug)]
struct Entry {
    pending: PendingUpload,
    /// Unix milliseconds after which the token of this key is expired.
    expires_ms: i64,
    /// Position in [`PendingUploads::order`].
    seq: u64,
}

/// Pending uploads by storage key, bounded and expiring.
#[derive(Debug)]
pub(crate) struct PendingUploads {
    entries: HashMap<String, Entry>,
    /// Keys by insertion order, oldest first; the first entry also expires first because
    /// every entry gets the same lifetime.
    order: BTreeMap<u64, String>,
    next_seq: u64,
    max: usize,
}

impl Default for PendingUploads {
    fn default() -> Self {
        Self::with_max(DEFAULT_MAX_PENDING_UPLOADS)
    }
}

impl PendingUploads {
    pub(crate) fn with_max(max: usize) -> Self {
        PendingUploads {
            entries: HashMap::new(),
            order: BTreeMap::new(),
            next_seq: 0,
            max: max.max(1),
        }
    }

    /// Records (or replaces) the upload of `key`, valid until `expires_ms`; first drops what
    /// has expired at `now_ms` and, at the bound, the oldest entries.
    pub(crate) fn insert(
        &mut self,
        key: String,
        pending: PendingUpload,
        now_ms: i64,
        expires_ms: i64,
    ) {
        self.prune(now_ms);
        if let Some(old) = self.entries.remove(&key) {
            self.order.remove(&old.seq);
        }
        while self.entries.len() >= self.max {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            self.entries.remove(&oldest);
        }
        let seq = self.next_seq;
        self.next_seq = self.next_seq.saturating_add(1);
        self.order.insert(seq, key.clone());
        self.entries.insert(
            key,
            Entry {
                pending,
                expires_ms,
                seq,
            },
        );
    }

    /// Takes the upload of `key` out of the store.
    pub(crate) fn remove(&mut self, key: &str) -> Option<PendingUpload> {
        let entry = self.entries.remove(key)?;
        self.order.remove(&entry.seq);
        Some(entry.pending)
    }

    /// Every pending upload with its key.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&String, &PendingUpload)> {
        self.entries
            .iter()
            .map(|(key, entry)| (key, &entry.pending))
    }

    /// Drops the entries whose token has expired at `now_ms`.
    pub(crate) fn prune(&mut self, now_ms: i64) {
        while let Some((&seq, key)) = self.order.first_key_value() {
            let expired = self
                .entries
                .get(key)
                .is_none_or(|entry| entry.expires_ms < now_ms);
            if !expired {
                break;
            }
            if let Some(key) = self.order.remove(&seq) {
                self.entries.remove(&key);
            }
        }
    }

    /// How many uploads are pending.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audio(n: usize) -> PendingUpload {
        PendingUpload::Audio {
            audio_id: format!("a{n}").into(),
            name: "x.mp3".into(),
            domain: "d".into(),
            user: "u".into(),
            url: "http://d/x.mp3".into(),
        }
    }

    #[test]
    fn expired_entries_go_and_the_bound_holds() {
        let mut store = PendingUploads::with_max(100);
        for n in 0..40_000 {
            store.insert(format!("k{n}"), audio(n), 0, 1_000);
        }
        assert_eq!(store.len(), 100);
        assert!(store.remove("k39999").is_some());
        assert!(store.remove("k0").is_none(), "the oldest were dropped");
        store.insert("late".into(), audio(0), 1_001, 2_000);
        assert_eq!(store.len(), 1, "entries expired at 1000 are gone at 1001");
        assert_eq!(store.iter().count(), 1);
    }

    #[test]
    fn replacing_a_key_keeps_one_entry() {
        let mut store = PendingUploads::with_max(10);
        store.insert("k".into(), audio(1), 0, 10);
        store.insert("k".into(), audio(2), 0, 10);
        assert_eq!(store.len(), 1);
        store.prune(11);
        assert_eq!(store.len(), 0);
    }
}
