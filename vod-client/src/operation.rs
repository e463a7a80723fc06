//! The contract between generated operations and the hand-written runtime.
//!
//! Users meet [`Request`], [`Paginated`], [`Waitable`] and [`TaskState`]; the static
//! description of an operation (`OperationSpec` and its parts) is for generated code only and
//! hidden from the docs.
//!
//! Every generated request type implements [`Request`]; the runtime never knows any one
//! operation, it only reads the [`OperationSpec`] a request carries. Keeping this surface small
//! is what lets one generic send path serve the whole API.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::Error;

#[doc(hidden)]
/// HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// `GET`: parameters travel in the query string.
    Get,
    /// `POST`: parameters travel in a JSON body.
    Post,
}

impl HttpMethod {
    /// The method as it appears on the wire and in the canonical request.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
        }
    }
}

#[doc(hidden)]
/// Where an operation's parameters are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyKind {
    /// A JSON object in the body (`Content-Type: application/json`).
    Json,
    /// The query string, percent-encoded (`Content-Type: application/x-www-form-urlencoded`).
    Query,
}

#[doc(hidden)]
/// How the service wraps a successful answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Envelope {
    /// `{"code": 200, "message": "...", "data": ...}`; a non-success `code` is a service error.
    Standard,
    /// The body itself is the data; failures still come as `{"code", "message"}`.
    Bare,
}

#[doc(hidden)]
/// What the envelope's `data` member holds on success.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataKind {
    /// A JSON object decoded into the operation's output struct.
    Object,
    /// A JSON object; a list holding exactly one such object is accepted too.
    SingleItemList,
    /// A string (decoded into `String`).
    String,
    /// Nothing useful; the output is `()` whatever `data` holds.
    None,
}

#[doc(hidden)]
/// Static facts about one operation, emitted by the generator from `api-spec/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OperationSpec {
    /// The service's action name, e.g. `getVideoList`.
    pub name: &'static str,
    /// HTTP method.
    pub method: HttpMethod,
    /// Request path, starting with `/`.
    pub path: &'static str,
    /// Where parameters are encoded.
    pub body: BodyKind,
    /// How the answer is wrapped.
    pub envelope: Envelope,
    /// What the answer's data holds.
    pub data: DataKind,
    /// Whether the runtime may resend the request after a transient failure.
    pub retry_safe: bool,
}

/// A request of one operation: its parameters, plus what the runtime needs to send it.
pub trait Request: Serialize + Send + Sync {
    /// The decoded `data` of a successful answer.
    type Output: DeserializeOwned + Send;
    /// The operation this request belongs to.
    const OPERATION: &'static OperationSpec;
    /// Checks the constraints the spec documents (ranges, lengths, list sizes, required text)
    /// so that a bad request fails before anything is sent.
    fn validate(&self) -> Result<(), Error>;

    /// How to find out whether this request was carried out when its answer was lost
    /// ([`Error::Ambiguous`]): e.g. for `createCategory`, look the label up with
    /// `getCategoryList`. The default cannot check (`None`), so such a call fails with
    /// [`Error::Ambiguous`]. See [`crate::ambiguous`].
    fn resolve_ambiguous<'a>(
        &'a self,
        client: &'a crate::Client,
    ) -> Option<crate::ambiguous::ResolveFuture<'a, Self::Output>> {
        let _ = client;
        None
    }
}

/// An operation whose results come in pages.
pub trait Paginated: Request {
    /// One entry of a page.
    type Item: Send;
    /// The page size the service uses when none is sent.
    const DEFAULT_PAGE_SIZE: i64;
    /// The page number this request asks for (`None`: the service's default, page 1).
    fn page_index(&self) -> Option<i64>;
    /// Asks for another page.
    fn set_page_index(&mut self, index: i64);
    /// The page size this request asks for (`None`: [`Self::DEFAULT_PAGE_SIZE`]).
    fn page_size(&self) -> Option<i64>;
    /// Takes the entries out of one page.
    fn into_items(output: Self::Output) -> Vec<Self::Item>;
}

/// The state of a task as its query operation reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskState {
    /// Still running (or not reported yet).
    Running,
    /// Finished successfully.
    Succeeded,
    /// Finished with a failure; holds the wire value the service reported.
    Failed(String),
}

/// An operation that starts a task whose state another operation reports.
pub trait Waitable: Request {
    /// The request that reports the task's state.
    type Query: Request<Output: Clone + std::fmt::Debug>;
    /// The state queries for the task this request started: one per resource the task covers
    /// (`transCode` of two videos: two), each with its subject (`videoId=v1`).
    fn state_queries(&self, output: &Self::Output) -> Vec<(String, Self::Query)>;
    /// Reads the task state out of one answer of the query.
    fn task_state(output: &<Self::Query as Request>::Output) -> TaskState;
}

#[doc(hidden)]
/// Something done once per operation, generic over its request type: given to the generated
/// `model::visit_operations`, which calls [`VisitOperation::visit`] for every operation in the
/// order of `model::OPERATIONS` (the fuzz targets pick an operation by index this way).
#[cfg(feature = "serde")]
pub trait VisitOperation {
    /// Called with one operation's request type.
    fn visit<R>(&mut self)
    where
        R: Request + DeserializeOwned + 'static,
        R::Output: Serialize + 'static;
}

#[doc(hidden)]
/// Calls operation `R` with its parameters as a JSON object (wire names) and returns its data
/// as JSON: the command line's and other dynamic callers' way in. The input goes through the
/// typed request, so lenient decoding and validation apply exactly as for typed callers; a
/// parameter of the wrong shape fails as [`Error::InvalidRequest`] naming the field.
pub async fn invoke_json<R>(
    client: &crate::Client,
    input: serde_json::Value,
) -> Result<serde_json::Value, Error>
where
    R: Request + DeserializeOwned,
    R::Output: Serialize,
{
    let op = R::OPERATION;
    let input = if input.is_null() {
        serde_json::Value::Object(serde_json::Map::new())
    } else {
        input
    };
    let request: R = serde_path_to_error::deserialize(input).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        let field = if path == "." {
            missing_field_name(&message).unwrap_or_default()
        } else {
            path
        };
        Error::InvalidRequest {
            operation: op.name,
            problems: vec![crate::error::FieldProblem::new(
                field,
                crate::error::Violation::Shape,
                message,
            )],
        }
    })?;
    let output = client.send(&request).await?;
    serde_json::to_value(&output).map_err(|e| Error::Decode {
        operation: op.name,
        path: ".".into(),
        message: format!("cannot turn the answer into JSON: {e}"),
        body_excerpt: String::new(),
    })
}

/// `missing field `videoId`` → `videoId`, so a missing parameter is named like any other.
fn missing_field_name(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next().map(str::to_string)
}
