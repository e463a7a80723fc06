//! The call journal: what the emulator received and answered, for tests to assert on.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

/// How many calls the journal keeps: enough for any test, bounded for long load runs.
const CAPACITY: usize = 10_000;

/// One API call, as the emulator answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallRecord {
    /// The operation's wire name, e.g. `getVideoList`.
    pub operation: String,
    /// Which call of this operation it was: 1 for the first, 2 for the next (a retry, say).
    pub attempt: u64,
    /// The faults applied (`ServiceBusy`, `HttpStatus(503)`, `Throttled`, `Latency(..)`, ...);
    /// empty when none fired.
    pub faults: Vec<String>,
    /// The HTTP status of the answer.
    pub status: u16,
    /// The envelope's code (the success code when the answer has none).
    pub code: i64,
}

/// The journal of one emulator.
#[derive(Debug, Default)]
pub(crate) struct Journal {
    inner: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    records: VecDeque<CallRecord>,
    attempts: HashMap<String, u64>,
}

impl Journal {
    /// Records one answered call of `operation`.
    pub(crate) fn record(&self, operation: &str, faults: Vec<String>, status: u16, code: i64) {
        let mut entries = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let attempt = entries.attempts.entry(operation.to_string()).or_insert(0);
        *attempt = attempt.saturating_add(1);
        let record = CallRecord {
            operation: operation.to_string(),
            attempt: *attempt,
            faults,
            status,
            code,
        };
        if entries.records.len() == CAPACITY {
            entries.records.pop_front();
        }
        entries.records.push_back(record);
    }

    /// Every record, oldest first.
    pub(crate) fn records(&self) -> Vec<CallRecord> {
        let entries = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        entries.records.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_count_per_operation_and_the_journal_stays_bounded() {
        let journal = Journal::default();
        journal.record("getVideoList", vec!["ServiceBusy".into()], 200, 2101);
        journal.record("videoEdit", Vec::new(), 200, 200);
        journal.record("getVideoList", Vec::new(), 200, 200);
        let records = journal.records();
        assert_eq!(
            records.iter().map(|r| r.attempt).collect::<Vec<_>>(),
            [1, 1, 2]
        );
        assert_eq!(records[0].faults, ["ServiceBusy"]);
        for _ in 0..CAPACITY {
            journal.record("x", Vec::new(), 200, 200);
        }
        let records = journal.records();
        assert_eq!(records.len(), CAPACITY);
        assert_eq!(records[0].operation, "x", "the oldest are dropped first");
    }
}
