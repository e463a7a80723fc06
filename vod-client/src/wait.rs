//! Waiting for tasks (transcoding, pulling, clipping...) the service runs in the background.
//!
//! An operation that starts a task answers at once; another operation reports the task's
//! state. The spec says which one, and which state values mean success or failure; the
//! generated [`Waitable`] impl maps an answer to a [`TaskState`] with [`classify`], and
//! [`Task`] polls until the state is final.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use crate::error::TaskFailure;
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
///
/// Polling backs off, as AWS waiters do: the first pause is `min_delay`, each next one doubles,
/// up to `max_delay`, so a short task is seen done quickly and a long one is not polled every
/// few seconds for half an hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitOptions {
    /// First pause between two rounds of state queries. Default 2 s.
    pub min_delay: Duration,
    /// Longest pause. Default 30 s.
    pub max_delay: Duration,
    /// Give up after this long. Default 30 min.
    pub timeout: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            min_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(30),
            timeout: Duration::from_secs(30 * 60),
        }
    }
}

impl WaitOptions {
    /// Backs off from `min_delay` to `max_delay`; gives up after `timeout`.
    pub fn new(min_delay: Duration, max_delay: Duration, timeout: Duration) -> Self {
        WaitOptions {
            min_delay,
            max_delay: max_delay.max(min_delay),
            timeout,
        }
    }

    /// Polls at a fixed `interval` (no back-off); gives up after `timeout`.
    pub fn every(interval: Duration, timeout: Duration) -> Self {
        Self::new(interval, interval, timeout)
    }

    /// The pause after `round` rounds (0-based): `min_delay · 2^round`, at most `max_delay`.
    pub fn delay(&self, round: u32) -> Duration {
        let factor = 1u32.checked_shl(round.min(31)).unwrap_or(u32::MAX);
        self.min_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// Where one resource of a task stands: the subject (`videoId=v1`), its state, and the last
/// answer of its state query.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskOutcome<T> {
    /// Which resource the state is about, as `field=value` of the query (`videoId=v1`).
    pub subject: String,
    /// The last state seen.
    pub state: TaskState,
    /// The last answer of the state query (`None` before the first answer).
    pub answer: Option<T>,
}

/// Every resource of a task in a final state.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished<T> {
    outcomes: Vec<TaskOutcome<T>>,
}

impl<T> Finished<T> {
    /// One outcome per resource, in the order of the request (`videoIds` order).
    pub fn outcomes(&self) -> &[TaskOutcome<T>] {
        &self.outcomes
    }

    /// Takes the outcomes out.
    pub fn into_outcomes(self) -> Vec<TaskOutcome<T>> {
        self.outcomes
    }

    /// The last answer about the first (usually only) resource.
    pub fn answer(&self) -> Option<&T> {
        self.outcomes.first().and_then(|o| o.answer.as_ref())
    }

    /// Takes the last answer about the first (usually only) resource.
    pub fn into_answer(self) -> Option<T> {
        self.outcomes.into_iter().next().and_then(|o| o.answer)
    }

    /// The outcomes that ended in failure.
    pub fn failures(&self) -> impl Iterator<Item = &TaskOutcome<T>> {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.state, TaskState::Failed(_)))
    }

    /// Whether every resource ended in success.
    pub fn all_succeeded(&self) -> bool {
        self.outcomes
            .iter()
            .all(|o| o.state == TaskState::Succeeded)
    }
}

/// A started task: the answer of the starting request, and the means to wait for its end.
///
/// A task may cover several resources (`transCode` of several videos): each is polled until it
/// is final, and the outcome says which failed. A `Task` owns its client, so it is
/// `'static + Send` and can be moved into `tokio::spawn`.
///
/// Operations that start a task have `start()` on their builder:
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let client = vod_client::Client::from_env()?;
/// use std::time::Duration;
/// use vod_client::{Error, WaitOptions};
///
/// # let (a, b) = (vod_client::model::VideoId::from("a"), vod_client::model::VideoId::from("b"));
/// let options = WaitOptions::every(Duration::from_millis(20), Duration::from_secs(30));
/// let mut task = client.trans_code([&a, &b]).start().await?;
/// let done = task.wait_with(options).await?;
/// assert!(done.all_succeeded() && done.outcomes().len() == 2);
///
/// // A failed task names the videos that failed.
/// match client.trans_code([&a]).start().await?.wait_with(options).await {
///     Ok(done) => println!("{} done", done.outcomes().len()),
///     Err(err @ Error::TaskFailed { .. }) => eprintln!("{err}"),
///     Err(other) => return Err(other.into()),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[must_use = "a task keeps running on the service; wait for it or drop it knowingly"]
pub struct Task<R: Waitable> {
    client: Client,
    request: R,
    output: R::Output,
    last: Vec<TaskOutcome<<R::Query as Request>::Output>>,
}

impl<R: Waitable> Task<R> {
    /// A task started by `request`, whose answer was `output`.
    pub fn new(client: Client, request: R, output: R::Output) -> Self {
        let last = request
            .state_queries(&output)
            .into_iter()
            .map(|(subject, _)| TaskOutcome {
                subject,
                state: TaskState::Running,
                answer: None,
            })
            .collect();
        Task {
            client,
            request,
            output,
            last,
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

    /// The last state and answer seen for each resource (kept after a timeout or an error).
    pub fn last_outcomes(&self) -> &[TaskOutcome<<R::Query as Request>::Output>] {
        &self.last
    }

    /// Waits with the default [`WaitOptions`] until every resource succeeded;
    /// [`Error::TaskFailed`] names each one that failed.
    pub async fn wait_until_done(
        &mut self,
    ) -> Result<Finished<<R::Query as Request>::Output>, Error> {
        self.wait_with(WaitOptions::default()).await
    }

    /// Like [`wait_until_done`](Self::wait_until_done), with the given options. Returns the
    /// final outcomes when every resource succeeded; [`Error::TaskFailed`] (listing the failed
    /// resources; the others are in [`last_outcomes`](Self::last_outcomes)) when any failed;
    /// [`Error::WaitTimeout`] when time runs out.
    pub async fn wait_with(
        &mut self,
        options: WaitOptions,
    ) -> Result<Finished<<R::Query as Request>::Output>, Error> {
        let finished = self.wait_for_all(options).await?;
        let failures: Vec<TaskFailure> = finished
            .failures()
            .map(|o| TaskFailure {
                subject: o.subject.clone(),
                state: match &o.state {
                    TaskState::Failed(state) => state.clone(),
                    _ => String::new(),
                },
            })
            .collect();
        if failures.is_empty() {
            Ok(finished)
        } else {
            Err(Error::TaskFailed {
                operation: R::OPERATION.name,
                failures,
            })
        }
    }

    /// Polls until every resource is final, success or failure, and returns them all (mixed
    /// outcomes are not an error here). Errors are transport or service errors of the state
    /// query, and [`Error::WaitTimeout`].
    pub async fn wait_for_all(
        &mut self,
        options: WaitOptions,
    ) -> Result<Finished<<R::Query as Request>::Output>, Error> {
        let started = Instant::now();
        let queries = self.request.state_queries(&self.output);
        for round in 0u32.. {
            for ((_, query), outcome) in queries.iter().zip(self.last.iter_mut()) {
                if outcome.state != TaskState::Running {
                    continue;
                }
                let answer = self.client.send(query).await?;
                outcome.state = R::task_state(&answer);
                outcome.answer = Some(answer);
            }
            let pending: Vec<String> = self
                .last
                .iter()
                .filter(|o| o.state == TaskState::Running)
                .map(|o| o.subject.clone())
                .collect();
            if pending.is_empty() {
                return Ok(Finished {
                    outcomes: self.last.clone(),
                });
            }
            let pause = options.delay(round);
            if started.elapsed().saturating_add(pause) > options.timeout {
                return Err(Error::WaitTimeout {
                    operation: R::OPERATION.name,
                    after: started.elapsed(),
                    pending,
                });
            }
            tracing::debug!(
                operation = R::OPERATION.name,
                ?pending,
                "task still running"
            );
            tokio::time::sleep(pause).await;
        }
        unreachable!("the loop above only ends by returning")
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
    fn default_options_back_off_to_a_ceiling() {
        let o = WaitOptions::default();
        assert_eq!(o.timeout, Duration::from_secs(1800));
        let delays: Vec<u64> = (0..7).map(|r| o.delay(r).as_secs()).collect();
        assert_eq!(delays, [2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(o.delay(u32::MAX), Duration::from_secs(30));
        let fixed = WaitOptions::every(Duration::from_millis(5), Duration::from_secs(1));
        assert_eq!(fixed.delay(9), Duration::from_millis(5));
    }

    /// Waiting end to end, through `Client::send` against a local server whose tasks finish
    /// after a scripted number of polls.
    mod polling {
        use std::collections::HashMap;
        use std::sync::Mutex;

        use serde::{Deserialize, Serialize};

        use super::*;
        use crate::operation::{BodyKind, DataKind, Envelope, HttpMethod, OperationSpec};
        use crate::test_server::{client, serve, Seen};

        const OP: OperationSpec = OperationSpec {
            name: "startThings",
            method: HttpMethod::Post,
            path: "/things",
            body: BodyKind::Json,
            envelope: Envelope::Standard,
            data: DataKind::Object,
            retry_safe: true,
        };

        /// Starts a task over some things.
        #[derive(Debug, Serialize)]
        struct Start {
            ids: Vec<String>,
        }

        /// Asks for the state of one thing.
        #[derive(Debug, Serialize)]
        struct Query {
            id: String,
        }

        #[derive(Debug, Clone, PartialEq, Deserialize)]
        struct State {
            id: String,
            state: String,
        }

        impl Request for Start {
            type Output = ();
            const OPERATION: &'static OperationSpec = &OP;
            fn validate(&self) -> Result<(), Error> {
                Ok(())
            }
        }

        impl Request for Query {
            type Output = State;
            const OPERATION: &'static OperationSpec = &OperationSpec {
                name: "getThing",
                ..OP
            };
            fn validate(&self) -> Result<(), Error> {
                Ok(())
            }
        }

        impl Waitable for Start {
            type Query = Query;
            fn state_queries(&self, _: &()) -> Vec<(String, Query)> {
                self.ids
                    .iter()
                    .map(|id| (format!("id={id}"), Query { id: id.clone() }))
                    .collect()
            }
            fn task_state(output: &State) -> TaskState {
                classify(Some(Cow::Borrowed(&output.state)), &["ok"], &["bad"])
            }
        }

        /// A service where thing `id` reports `script[id]`'s states in turn (the last one
        /// for ever after).
        async fn service(script: &[(&str, &[&str])]) -> (Client, Seen) {
            let script: HashMap<String, Vec<String>> = script
                .iter()
                .map(|(id, states)| {
                    (
                        id.to_string(),
                        states.iter().map(|s| s.to_string()).collect(),
                    )
                })
                .collect();
            let polls = Mutex::new(HashMap::<String, usize>::new());
            let (endpoint, seen) = serve(move |body| {
                let id = body["id"].as_str().expect("id").to_string();
                let mut polls = polls.lock().expect("polls");
                let n = polls.entry(id.clone()).or_default();
                let states = &script[&id];
                let state = &states[(*n).min(states.len() - 1)];
                *n += 1;
                serde_json::json!({"code": 200, "message": "ok", "data": {"id": id, "state": state}})
                    .to_string()
            })
            .await;
            (client(&endpoint), seen)
        }

        fn task(client: Client, ids: &[&str]) -> Task<Start> {
            let ids = ids.iter().map(|s| s.to_string()).collect();
            Task::new(client, Start { ids }, ())
        }

        fn polled(seen: &Seen) -> Vec<String> {
            seen.lock()
                .expect("log")
                .iter()
                .map(|b| b["id"].as_str().expect("id").to_string())
                .collect()
        }

        fn state(id: &str, state: &str) -> Option<State> {
            Some(State {
                id: id.into(),
                state: state.into(),
            })
        }

        fn quick() -> WaitOptions {
            WaitOptions::every(Duration::from_millis(1), Duration::from_secs(20))
        }

        #[tokio::test]
        async fn polls_each_resource_until_it_is_final() {
            let (client, seen) = service(&[("a", &["1", "1", "ok"]), ("b", &["bad"])]).await;
            let mut task = task(client, &["a", "b"]);
            assert_eq!(task.last_outcomes().len(), 2);
            assert!(task
                .last_outcomes()
                .iter()
                .all(|o| o.state == TaskState::Running));
            let done = task.wait_for_all(quick()).await.expect("final");
            // A final resource is not asked again.
            assert_eq!(polled(&seen), ["a", "b", "a", "a"]);
            let expected = vec![
                TaskOutcome {
                    subject: "id=a".into(),
                    state: TaskState::Succeeded,
                    answer: state("a", "ok"),
                },
                TaskOutcome {
                    subject: "id=b".into(),
                    state: TaskState::Failed("bad".into()),
                    answer: state("b", "bad"),
                },
            ];
            assert_eq!(done.outcomes(), expected);
            assert_eq!(task.last_outcomes(), expected);
            assert!(!done.all_succeeded());
            let failed: Vec<&str> = done.failures().map(|o| o.subject.as_str()).collect();
            assert_eq!(failed, ["id=b"]);
            assert_eq!(done.answer(), state("a", "ok").as_ref());
            assert_eq!(done.clone().into_answer(), state("a", "ok"));
            assert_eq!(done.into_outcomes(), expected);
        }

        #[tokio::test]
        async fn wait_with_fails_naming_the_failed_resources() {
            let (client, _) = service(&[("a", &["ok"]), ("b", &["1", "bad"])]).await;
            let mut task = task(client, &["a", "b"]);
            match task.wait_with(quick()).await {
                Err(Error::TaskFailed {
                    operation,
                    failures,
                }) => {
                    assert_eq!(operation, "startThings");
                    assert_eq!(failures.len(), 1);
                    assert_eq!(failures[0].subject, "id=b");
                    assert_eq!(failures[0].state, "bad");
                }
                other => panic!("{other:?}"),
            }
            // The others are kept.
            assert_eq!(task.last_outcomes()[0].state, TaskState::Succeeded);
        }

        #[tokio::test]
        async fn wait_with_returns_every_outcome_when_all_succeed() {
            let (client, seen) = service(&[("a", &["1", "ok"]), ("b", &["ok"])]).await;
            let done = task(client, &["a", "b"])
                .wait_with(quick())
                .await
                .expect("done");
            assert!(done.all_succeeded());
            assert_eq!(done.failures().count(), 0);
            assert_eq!(done.outcomes().len(), 2);
            assert_eq!(done.outcomes()[1].answer, state("b", "ok"));
            assert_eq!(polled(&seen), ["a", "b", "a"]);
        }

        #[tokio::test]
        async fn gives_up_when_the_next_pause_would_pass_the_timeout() {
            let (client, seen) = service(&[("a", &["1"])]).await;
            let mut task = task(client, &["a"]);
            let options = WaitOptions::every(Duration::from_millis(40), Duration::from_millis(100));
            let started = Instant::now();
            match task.wait_with(options).await {
                Err(Error::WaitTimeout {
                    operation, pending, ..
                }) => {
                    assert_eq!(operation, "startThings");
                    assert_eq!(pending, ["id=a"]);
                }
                other => panic!("{other:?}"),
            }
            // The timeout is checked before each pause, so it ends only once the next pause
            // would pass it (after 60 ms at the earliest), having polled more than once.
            assert!(started.elapsed() >= Duration::from_millis(60));
            assert!(polled(&seen).len() >= 2, "{:?}", polled(&seen));
            assert_eq!(task.last_outcomes()[0].answer, state("a", "1"));
        }

        #[tokio::test]
        async fn a_failed_state_query_is_the_error() {
            let mut task = task(client("http://127.0.0.1:9"), &["a"]);
            let err = task.wait_for_all(quick()).await.expect_err("no server");
            assert!(matches!(err, Error::Transport { .. }), "{err:?}");
        }
    }
}
