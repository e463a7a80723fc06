//! Waiting for a task on the calling thread.

use super::Blocking;
use crate::operation::{Request, Waitable};
use crate::wait::{Finished, TaskOutcome, WaitOptions};
use crate::Error;

/// The state query's answer type of task `R`.
type QueryOutput<R> = <<R as Waitable>::Query as Request>::Output;

/// A started task, waited for on the calling thread: the async [`Task`](crate::Task) with
/// blocking `wait_*` methods of the same names and meaning.
///
/// Made by `start()` on a blocking builder of an operation that starts a task.
#[must_use = "a task keeps running on the service; wait for it or drop it knowingly"]
pub struct Task<R: Waitable> {
    inner: crate::Task<R>,
    mode: Blocking,
}

impl<R: Waitable> std::fmt::Debug for Task<R>
where
    crate::Task<R>: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("blocking::Task")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<R: Waitable> Task<R> {
    pub(crate) fn new(inner: crate::Task<R>, mode: Blocking) -> Self {
        Task { inner, mode }
    }

    /// The answer of the request that started the task (e.g. a task id).
    pub fn output(&self) -> &R::Output {
        self.inner.output()
    }

    /// Takes the starting answer out.
    pub fn into_output(self) -> R::Output {
        self.inner.into_output()
    }

    /// The last state and answer seen for each resource (kept after a timeout or an error).
    pub fn last_outcomes(&self) -> &[TaskOutcome<QueryOutput<R>>] {
        self.inner.last_outcomes()
    }

    /// The async task underneath.
    pub fn into_async(self) -> crate::Task<R> {
        self.inner
    }

    /// Waits with the default [`WaitOptions`] until every resource succeeded;
    /// [`Error::TaskFailed`] names each one that failed.
    pub fn wait_until_done(&mut self) -> Result<Finished<QueryOutput<R>>, Error> {
        self.wait_with(WaitOptions::default())
    }

    /// Like [`wait_until_done`](Self::wait_until_done), with the given options; see
    /// [`crate::Task::wait_with`].
    pub fn wait_with(&mut self, options: WaitOptions) -> Result<Finished<QueryOutput<R>>, Error> {
        self.mode
            .run(R::OPERATION.name, self.inner.wait_with(options))
    }

    /// Polls until every resource is final, success or failure, and returns them all; see
    /// [`crate::Task::wait_for_all`].
    pub fn wait_for_all(
        &mut self,
        options: WaitOptions,
    ) -> Result<Finished<QueryOutput<R>>, Error> {
        self.mode
            .run(R::OPERATION.name, self.inner.wait_for_all(options))
    }
}
