//! `--all-pages` and `--wait`: the library's [`vod_client::Paginator`] and [`vod_client::Task`] behind
//! JSON in and out, for the generated `generated::invoke_items` / `invoke_and_wait` tables
//! (one arm per paginated or task operation). Going through the typed request keeps
//! validation and lenient decoding exactly as for library users.

use futures_util::stream::{self, BoxStream, StreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use vod_client::operation::{Paginated, Request, Waitable};
use vod_client::{Client, Error, FieldProblem, Paginator, Task, WaitOptions};

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

/// Starts the task of `R`, then polls its state operation until it succeeds or fails; the
/// answer is the last state.
pub fn wait_json<'a, R>(client: &'a Client, input: Value, options: WaitOptions) -> JsonFuture<'a>
where
    R: Waitable + DeserializeOwned + Send + Sync + 'a,
    R::Output: Send + Sync,
    R::Query: Send + Sync,
    <R::Query as Request>::Output: Serialize + Send,
{
    Box::pin(async move {
        let request = request_from_json::<R>(input)?;
        let output = client.send(&request).await?;
        let mut task = Task::new(client.clone(), request, output);
        let done = task.wait_with(options).await?.into_outcomes();
        // One resource: its last state, as the query answers it; several: one entry each.
        match done.as_slice() {
            [only] => to_json(R::OPERATION.name, &only.answer),
            all => {
                let entries: Vec<Value> = all
                    .iter()
                    .map(|o| {
                        let answer = to_json(R::OPERATION.name, &o.answer)?;
                        Ok(serde_json::json!({ "subject": o.subject, "answer": answer }))
                    })
                    .collect::<Result<_, Error>>()?;
                Ok(Value::Array(entries))
            }
        }
    })
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
