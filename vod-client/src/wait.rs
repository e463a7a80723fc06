//! Waiting for tasks (transcoding, pulling, clipping...) the service runs in the background.
//!
//! An operation that starts a task answers at once; another operation reports the task's
//! state. The spec says which one, and which state values mean success or failure; the
//! generated [`Waitable`] impl maps an answer to a [`TaskState`] with [`classify`], and
//! [`Task`] polls until the state is final.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use crate::operation::{Request, TaskState, Waitable};
use crate::{Client, Error};

/// Maps a reported state (its wire text) to a [`TaskState`]: one of `success` → succeeded,
/// one of `failure` → failed, anything else (including no state yet) → still running.
pub fn classify(state: Option<Cow<'_, str>>, success: &[&str], failure: &[&str]) -> TaskState {
    let Some(state) = state else {
        return TaskState::Running;
    };
    let state = state.trim();
    if success.contains(&state) {
        TaskState::Succeeded
    } else if failure.contains(&state) {
        TaskState::Failed(state.to_string())
    } else {
        TaskState::Running
    }
}

/// How often and how long to poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitOptions {
    /// Pause between two state queries. Default 2 s.
    pub interval: Duration,
    /// Give up after this long. Default 30 min.
    pub timeout: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            interval: Duration::from_secs(2),
            timeout: Duration::from_secs(30 * 60),
        }
    }
}

/// A started task: the answer of the starting request, and the means to wait for the end.
#[derive(Debug)]
#[must_use = "a task keeps running on the service; wait for it or drop it knowingly"]
pub struct Task<R: Waitable> {
    client: Client,
    request: R,
    output: R::Output,
}

impl<R: Waitable> Task<R> {
    /// A task started by `request`, whose answer was `output`.
    pub fn new(client: Client, request: R, output: R::Output) -> Self {
        Task {
            client,
            request,
            output,
        }
    }

    /// The answer of the request that started the task (e.g. a task id).
    pub fn output(&self) -> &R::Output {
        &self.output
    }

    /// Takes the starting answer out.
    pub fn into_output(self) -> R::Output {
        self.output
    }

    /// Polls every 2 s, for at most 30 minutes, until the task succeeds or fails.
    pub async fn wait_until_done(&self) -> Result<<R::Query as Request>::Output, Error> {
        self.wait_with(WaitOptions::default()).await
    }

    /// Polls with the given interval and timeout. Returns the last state answer on
    /// success; [`Error::TaskFailed`] on a failure state; [`Error::WaitTimeout`] when time
    /// runs out.
    pub async fn wait_with(
        &self,
        options: WaitOptions,
    ) -> Result<<R::Query as Request>::Output, Error> {
        let started = Instant::now();
        let query = self.request.state_query(&self.output);
        loop {
            let answer = self.client.send(&query).await?;
            match R::task_state(&answer) {
                TaskState::Succeeded => return Ok(answer),
                TaskState::Failed(state) => {
                    return Err(Error::TaskFailed {
                        operation: R::OPERATION.name,
                        state,
                    })
                }
                TaskState::Running => {}
            }
            if started.elapsed().saturating_add(options.interval) > options.timeout {
                return Err(Error::WaitTimeout {
                    operation: R::OPERATION.name,
                    after: started.elapsed(),
                });
            }
            tracing::debug!(operation = R::OPERATION.name, "task still running");
            tokio::time::sleep(options.interval).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_states() {
        let s = |x: &'static str| Some(Cow::Borrowed(x));
        assert_eq!(classify(s("2"), &["2"], &["3", "4"]), TaskState::Succeeded);
        assert_eq!(classify(s(" 2 "), &["2"], &["3"]), TaskState::Succeeded);
        assert_eq!(
            classify(s("4"), &["2"], &["3", "4"]),
            TaskState::Failed("4".into())
        );
        assert_eq!(classify(s("1"), &["2"], &["3"]), TaskState::Running);
        assert_eq!(classify(None, &["2"], &["3"]), TaskState::Running);
        assert_eq!(
            classify(Some(Cow::Owned("fail".into())), &[], &["fail"]),
            TaskState::Failed("fail".into())
        );
    }

    #[test]
    fn default_options() {
        let o = WaitOptions::default();
        assert_eq!(o.interval, Duration::from_secs(2));
        assert_eq!(o.timeout, Duration::from_secs(1800));
    }
}
