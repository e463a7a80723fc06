//! `--all-pages` and `--wait`: the library's [`vod_client::Paginator`] and [`vod_client::Task`] behind
//! JSON in and out, for the generated `generated::invoke_items` / `invoke_and_wait` tables
//! (one arm per paginated or task operation). Going through the typed request keeps
//! validation and lenient decoding exactly as for library users.

use futures_util::stream::{self, BoxStream, StreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use vod_client::operation::{Paginated, Request, TaskState, Waitable};
use vod_client::{Client, Error, FieldProblem, Paginator, TaskFailure, WaitOptions};

/// The entries of every page, one JSON value each.
pub type JsonStream<'a> = BoxStream<'a, Result<Value, Error>>;

/// A JSON answer to come.
pub type JsonFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Value, Error>> + Send + 'a>>;

/// Every entry of every page of `R`, starting at the input's page (page 1 by default).
pub fn items_json<'a, R>(client: &'a Client, input: Value) -> JsonStream<'a>
where
    R: Paginated + DeserializeOwned + Send + Sync + 'static,
    R::Item: Serialize + 'static,
    R::Output: Send,
{
    match request_from_json::<R>(input) {
        Ok(request) => Paginator::new(client.clone(), request)
            .items()
            .map(|item| item.and_then(|entry| to_json(R::OPERATION.name, &entry)))
            .boxed(),
        Err(error) => stream::once(async move { Err(error) }).boxed(),
    }
}

/// Told after each round of state queries: each resource's subject and state, and the time
/// since waiting began (`--wait` draws its progress line from it).
pub type Progress<'a> = &'a (dyn Fn(&[(String, TaskState)], std::time::Duration) + Send + Sync);

/// Starts the task of `R`, then polls its state operation until every resource is final; the
/// answer is `outcomes_json`'s list.
pub fn wait_json<'a, R>(
    client: &'a Client,
    input: Value,
    options: WaitOptions,
    progress: Progress<'a>,
) -> JsonFuture<'a>
where
    R: Waitable + DeserializeOwned + Send + Sync + 'a,
    R::Output: Send + Sync,
    R::Query: Send + Sync,
    <R::Query as Request>::Output: Serialize + Send,
{
    Box::pin(async move {
        let request = request_from_json::<R>(input)?;
        let output = client.send(&request).await?;
        let queries = request.state_queries(&output);
        poll::<R>(client, queries, options, progress).await
    })
}

/// Follows a task of `R` started earlier, from the request alone (nothing is started): for
/// operations whose state queries come from the request (`transCode`'s `videoIds`).
pub fn follow_json<'a, R>(
    client: &'a Client,
    input: Value,
    options: WaitOptions,
    progress: Progress<'a>,
) -> JsonFuture<'a>
where
    R: Waitable + DeserializeOwned + Send + Sync + 'a,
    R::Output: Default + Send + Sync,
    R::Query: Send + Sync,
    <R::Query as Request>::Output: Serialize + Send,
{
    Box::pin(async move {
        let request = request_from_json::<R>(input)?;
        // The queries of these operations read the request only; the answer is a stand-in.
        let queries = request.state_queries(&R::Output::default());
        poll::<R>(client, queries, options, progress).await
    })
}

/// Polls every query until its resource is final (backing off as [`WaitOptions`] says). The
/// answer is always a list, one entry per resource in request order:
/// `{"subject": "videoId=v1", "state": "succeeded", "answer": <last state query answer>}`.
/// Any failure fails the whole with [`Error::TaskFailed`]; time running out with
/// [`Error::WaitTimeout`].
async fn poll<R>(
    client: &Client,
    queries: Vec<(String, R::Query)>,
    options: WaitOptions,
    progress: Progress<'_>,
) -> Result<Value, Error>
where
    R: Waitable,
    <R::Query as Request>::Output: Serialize,
{
    let started = std::time::Instant::now();
    let mut states: Vec<(String, TaskState)> = queries
        .iter()
        .map(|(subject, _)| (subject.clone(), TaskState::Running))
        .collect();
    let mut answers: Vec<Value> = vec![Value::Null; queries.len()];
    for round in 0u32.. {
        for (i, (_, query)) in queries.iter().enumerate() {
            if states[i].1 != TaskState::Running {
                continue;
            }
            let answer = client.send(query).await?;
            states[i].1 = R::task_state(&answer);
            answers[i] = to_json(R::OPERATION.name, &answer)?;
        }
        progress(&states, started.elapsed());
        let pending: Vec<String> = states
            .iter()
            .filter(|(_, s)| *s == TaskState::Running)
            .map(|(subject, _)| subject.clone())
            .collect();
        if pending.is_empty() {
            break;
        }
        let pause = options.delay(round);
        if started.elapsed().saturating_add(pause) > options.timeout {
            return Err(Error::WaitTimeout {
                operation: R::OPERATION.name,
                after: started.elapsed(),
                pending,
            });
        }
        tokio::time::sleep(pause).await;
    }
    let failures: Vec<TaskFailure> = states
        .iter()
        .filter_map(|(subject, state)| match state {
            TaskState::Failed(wire) => Some(TaskFailure {
                subject: subject.clone(),
                state: wire.clone(),
            }),
            _ => None,
        })
        .collect();
    if !failures.is_empty() {
        return Err(Error::TaskFailed {
            operation: R::OPERATION.name,
            failures,
        });
    }
    Ok(Value::Array(
        states
            .into_iter()
            .zip(answers)
            .map(|((subject, state), answer)| {
                serde_json::json!({"subject": subject, "state": state_name(&state), "answer": answer})
            })
            .collect(),
    ))
}

/// `running`, `succeeded` or `failed`.
pub fn state_name(state: &TaskState) -> &'static str {
    match state {
        TaskState::Running => "running",
        TaskState::Succeeded => "succeeded",
        TaskState::Failed(_) => "failed",
    }
}

/// The progress message `--wait` keeps on a terminal (the spinner adds the time spent):
/// `2/3 done (videoId=a, videoId=b), waiting for videoId=c`.
pub fn progress_line(states: &[(String, TaskState)]) -> String {
    let done: Vec<&str> = states
        .iter()
        .filter(|(_, s)| *s != TaskState::Running)
        .map(|(subject, _)| subject.as_str())
        .collect();
    let pending: Vec<&str> = states
        .iter()
        .filter(|(_, s)| *s == TaskState::Running)
        .map(|(subject, _)| subject.as_str())
        .collect();
    let mut line = format!("{}/{} done", done.len(), states.len());
    if !done.is_empty() {
        line.push_str(&format!(" ({})", done.join(", ")));
    }
    if !pending.is_empty() {
        line.push_str(&format!(", waiting for {}", pending.join(", ")));
    }
    line
}

/// The typed request from a JSON object of wire names; a field of the wrong shape is named
/// by its path, as the library's own `invoke_json` does.
fn request_from_json<R: Request + DeserializeOwned>(input: Value) -> Result<R, Error> {
    let input = if input.is_null() {
        Value::Object(serde_json::Map::new())
    } else {
        input
    };
    serde_path_to_error::deserialize(input).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        let field = if path == "." {
            message
                .strip_prefix("missing field `")
                .and_then(|rest| rest.split('`').next())
                .unwrap_or_default()
                .to_string()
        } else {
            path
        };
        Error::InvalidRequest {
            operation: R::OPERATION.name,
            problems: vec![FieldProblem::new(
                field,
                vod_client::Violation::Shape,
                message,
            )],
        }
    })
}

fn to_json<T: Serialize>(operation: &'static str, value: &T) -> Result<Value, Error> {
    serde_json::to_value(value).map_err(|e| Error::Decode {
        operation,
        path: ".".into(),
        message: format!("cannot turn the answer into JSON: {e}"),
        body_excerpt: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_line_says_which_are_done() {
        let states = vec![
            ("videoId=a".to_string(), TaskState::Succeeded),
            ("videoId=b".to_string(), TaskState::Running),
            ("videoId=c".to_string(), TaskState::Failed("3".into())),
        ];
        assert_eq!(
            progress_line(&states),
            "2/3 done (videoId=a, videoId=c), waiting for videoId=b"
        );
        assert_eq!(progress_line(&states[..1]), "1/1 done (videoId=a)");
        assert_eq!(state_name(&states[2].1), "failed");
    }
}
