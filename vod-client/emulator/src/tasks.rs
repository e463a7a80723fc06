//! Asynchronous tasks: clip, concat, transcode, AI ad removal, workflows and URL pulls.
//!
//! A task is only a record with a start instant, a run time and a planned outcome. Nothing
//! runs in the background: every access to the state first *advances* it (see
//! [`Inner::advance`](super::state::Inner::advance)), finishing the tasks whose time is up and
//! applying their effects (a new video, a changed `transcodeState`). This keeps the emulator
//! deterministic, free of timers to cancel at shutdown, and consistent under concurrency:
//! a task finishes exactly once, under the state lock.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use vod_client::model::VideoId;
use vod_client::Time;

/// What a task does when it finishes.
#[derive(Debug, Clone)]
pub(crate) enum TaskKind {
    /// Cut `duration` seconds of `source` into a new video named `filename`.
    Clip {
        source: VideoId,
        filename: String,
        duration: u64,
    },
    /// Join `sources` into a new video named `filename`.
    Concat {
        sources: Vec<VideoId>,
        filename: String,
    },
    /// Transcode an existing video in place.
    Transcode { video_id: VideoId },
    /// Remove ads from a video into a new video.
    ClearAd { video_id: VideoId },
    /// Run a workflow on a video (transcodes it in place).
    Workflow { target: VideoId },
    /// Fetch videos from URLs.
    Pull {
        items: Vec<PullItem>,
        with_cmd: bool,
    },
}

impl TaskKind {
    /// The operation that starts tasks of this kind (its wire name, from the spec).
    pub(crate) fn name(&self) -> &'static str {
        use vod_client::model as m;
        use vod_client::operation::Request;
        match self {
            TaskKind::Clip { .. } => m::VideoClipRequest::OPERATION.name,
            TaskKind::Concat { .. } => m::VideoConcatRequest::OPERATION.name,
            TaskKind::Transcode { .. } => m::TransCodeRequest::OPERATION.name,
            TaskKind::ClearAd { .. } => m::CreateClearAdTaskRequest::OPERATION.name,
            TaskKind::Workflow { .. } => m::StartWorkflowRequest::OPERATION.name,
            TaskKind::Pull { .. } => m::PullVideoRequest::OPERATION.name,
        }
    }
}

/// One URL of a pull task.
#[derive(Debug, Clone)]
pub(crate) struct PullItem {
    pub(crate) file_name: String,
    pub(crate) fetch_url: String,
    pub(crate) md5: String,
    pub(crate) video_id: Option<VideoId>,
}

/// Where a task stands at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Accepted, not started (the first quarter of its run time).
    Queued,
    /// Running.
    Running,
    /// Finished successfully.
    Succeeded,
    /// Finished with a failure.
    Failed,
}

/// A task record.
#[derive(Debug, Clone)]
pub(crate) struct Task {
    pub(crate) id: String,
    pub(crate) trans_no: Option<String>,
    pub(crate) kind: TaskKind,
    pub(crate) started: Instant,
    pub(crate) run_for: Duration,
    pub(crate) fail: bool,
    pub(crate) finished: bool,
    pub(crate) created: Time,
    /// The account that created it (owner of produced videos).
    pub(crate) user: String,
    /// The video a finished task produced.
    pub(crate) output: Option<VideoId>,
}

impl Task {
    /// The phase, from the finished flag (set by `advance`) and the elapsed time.
    pub(crate) fn phase(&self, now: Instant) -> Phase {
        if self.finished {
            return if self.fail {
                Phase::Failed
            } else {
                Phase::Succeeded
            };
        }
        if now.saturating_duration_since(self.started) < self.run_for / 4 {
            Phase::Queued
        } else {
            Phase::Running
        }
    }

    pub(crate) fn is_due(&self, now: Instant) -> bool {
        !self.finished && now.saturating_duration_since(self.started) >= self.run_for
    }
}

/// A public summary of a task, for tests and tools.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TaskSummary {
    /// Task id.
    pub id: String,
    /// The caller's business id, if the operation takes one.
    pub trans_no: Option<String>,
    /// The operation that created it, e.g. `videoClip`.
    pub operation: &'static str,
    /// `queued`, `running`, `succeeded` or `failed`.
    pub state: &'static str,
    /// The video it produced, once finished.
    pub output_video_id: Option<VideoId>,
}

/// All tasks, with indexes by id and by (operation, transNo).
#[derive(Debug, Default)]
pub(crate) struct Tasks {
    list: Vec<Task>,
    by_id: HashMap<String, usize>,
    by_trans_no: HashMap<(&'static str, String), usize>,
    pending: Vec<usize>,
}

impl Tasks {
    pub(crate) fn insert(&mut self, task: Task) {
        let index = self.list.len();
        self.by_id.insert(task.id.clone(), index);
        if let Some(trans_no) = &task.trans_no {
            self.by_trans_no
                .insert((task.kind.name(), trans_no.clone()), index);
        }
        self.pending.push(index);
        self.list.push(task);
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Task> {
        self.by_id.get(id).and_then(|&i| self.list.get(i))
    }

    pub(crate) fn by_trans_no(&self, operation: &'static str, trans_no: &str) -> Option<&Task> {
        self.by_trans_no
            .get(&(operation, trans_no.to_string()))
            .and_then(|&i| self.list.get(i))
    }

    pub(crate) fn trans_no_used(&self, operation: &'static str, trans_no: &str) -> bool {
        self.by_trans_no(operation, trans_no).is_some()
    }

    /// Takes the tasks due at `now` out of the pending list (the caller finishes them).
    pub(crate) fn take_due(&mut self, now: Instant) -> Vec<Task> {
        let mut due = Vec::new();
        let list = &self.list;
        self.pending.retain(|&i| match list.get(i) {
            Some(task) if task.is_due(now) => {
                due.push(task.clone());
                false
            }
            Some(_) => true,
            None => false,
        });
        due
    }

    /// Stores the finished state of a task taken with [`Tasks::take_due`].
    pub(crate) fn finish(&mut self, id: &str, fail: bool, output: Option<VideoId>, kind: TaskKind) {
        if let Some(task) = self.by_id.get(id).and_then(|&i| self.list.get_mut(i)) {
            task.finished = true;
            task.fail = fail;
            task.output = output;
            task.kind = kind;
        }
    }

    /// True when an unfinished task works on `video_id`.
    pub(crate) fn busy_with(&self, video_id: &VideoId) -> bool {
        self.pending
            .iter()
            .filter_map(|&i| self.list.get(i))
            .any(|t| match &t.kind {
                TaskKind::Transcode { video_id: v } | TaskKind::Workflow { target: v } => {
                    v == video_id
                }
                _ => false,
            })
    }

    pub(crate) fn summaries(&self, now: Instant) -> Vec<TaskSummary> {
        self.list
            .iter()
            .map(|t| TaskSummary {
                id: t.id.clone(),
                trans_no: t.trans_no.clone(),
                operation: t.kind.name(),
                state: match t.phase(now) {
                    Phase::Queued => "queued",
                    Phase::Running => "running",
                    Phase::Succeeded => "succeeded",
                    Phase::Failed => "failed",
                },
                output_video_id: t.output.clone(),
            })
            .collect()
    }
}
