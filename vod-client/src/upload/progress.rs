//! Progress: a callback of `(bytes done, total)`, and a stream of [`UploadEvent`]s.

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::sync::mpsc;

/// A progress callback: `(bytes done, total bytes)`.
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync + 'static>;

/// Something that happened during an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UploadEvent {
    /// The upload starts: `total` bytes in `blocks` blocks (1 for a form upload), of which
    /// `resumed` bytes were already stored by an earlier run.
    Started {
        /// File size.
        total: u64,
        /// Number of blocks.
        blocks: u32,
        /// Bytes of blocks a previous run finished.
        resumed: u64,
    },
    /// The storage service accepted more bytes.
    Progress {
        /// Bytes stored so far (resumed blocks included).
        done: u64,
        /// File size.
        total: u64,
    },
    /// A block is complete (and recorded in the resume store, if any).
    BlockDone {
        /// Its index.
        index: u32,
        /// Bytes stored so far.
        done: u64,
        /// File size.
        total: u64,
    },
    /// A request failed and is sent again.
    Retrying {
        /// The step (`mkblk`, `bput`, ...).
        step: &'static str,
        /// The block, if the step belongs to one.
        block: Option<u32>,
        /// The failure.
        error: String,
    },
    /// A block is sent again from its start (its ctx was refused).
    BlockRestarted {
        /// Its index.
        index: u32,
    },
    /// The upload token expired and was replaced.
    TokenRenewed,
    /// The file is stored; `hash` is its etag.
    Finished {
        /// The storage service's etag, equal to the local one.
        hash: String,
    },
}

/// A stream of the events of one upload; it ends when the upload ends.
#[derive(Debug)]
pub struct UploadEvents {
    rx: mpsc::UnboundedReceiver<UploadEvent>,
}

impl futures_util::Stream for UploadEvents {
    type Item = UploadEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<UploadEvent>> {
        self.rx.poll_recv(cx)
    }
}

/// Where an upload reports to.
#[derive(Clone, Default)]
pub(crate) struct Reporter {
    callback: Option<Progress>,
    events: Option<mpsc::UnboundedSender<UploadEvent>>,
    done: Arc<AtomicU64>,
    total: Arc<AtomicU64>,
}

impl Reporter {
    pub(crate) fn set_callback(&mut self, callback: Progress) {
        self.callback = Some(callback);
    }

    pub(crate) fn subscribe(&mut self) -> UploadEvents {
        let (tx, rx) = mpsc::unbounded_channel();
        self.events = Some(tx);
        UploadEvents { rx }
    }

    pub(crate) fn event(&self, event: UploadEvent) {
        if let Some(tx) = &self.events {
            let _ = tx.send(event);
        }
    }

    pub(crate) fn start(&self, total: u64, blocks: u32, resumed: u64) {
        self.total.store(total, Ordering::Relaxed);
        self.done.store(resumed, Ordering::Relaxed);
        self.event(UploadEvent::Started {
            total,
            blocks,
            resumed,
        });
        self.notify(resumed, total);
    }

    /// `bytes` more were stored; `cancel` takes back bytes of a block being restarted.
    pub(crate) fn add(&self, bytes: u64) {
        let done = self.done.fetch_add(bytes, Ordering::Relaxed) + bytes;
        let total = self.total.load(Ordering::Relaxed);
        self.event(UploadEvent::Progress { done, total });
        self.notify(done, total);
    }

    pub(crate) fn take_back(&self, bytes: u64) {
        let done = self.done.fetch_sub(bytes, Ordering::Relaxed) - bytes;
        self.notify(done, self.total.load(Ordering::Relaxed));
    }

    pub(crate) fn block_done(&self, index: u32) {
        let done = self.done.load(Ordering::Relaxed);
        let total = self.total.load(Ordering::Relaxed);
        self.event(UploadEvent::BlockDone { index, done, total });
    }

    pub(crate) fn reset(&self) {
        self.done.store(0, Ordering::Relaxed);
        self.notify(0, self.total.load(Ordering::Relaxed));
    }

    fn notify(&self, done: u64, total: u64) {
        if let Some(cb) = &self.callback {
            cb(done, total);
        }
    }
}
