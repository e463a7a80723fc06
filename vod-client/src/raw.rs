//! Any request, signed: [`Client::raw_request`] sends a method, a path and parameters of your
//! choosing through the same send path as the generated operations (signing, retries,
//! timeouts, clock correction, rate limits, error classification), and gives back the
//! envelope's `data` as JSON.
//!
//! It is the way to an operation this SDK's spec does not describe (a new endpoint, an
//! account-specific one): nothing is invented on your behalf, no field is checked, renamed
//! or converted. When the method and path are those of an operation the spec does describe,
//! that operation's facts are used (its name in errors, its rate limit, its envelope, whether
//! it is safe to retry); otherwise the answer is read as the standard `{code, message, data}`
//! envelope, and a `POST` is never retried once it may have reached the service (a `GET`
//! is).
//!
//! Five operations are named by the vendor's newer Go SDK with their method and path, but no
//! source describes their fields, so the spec lists them without generating anything
//! ([`UNDESCRIBED_OPERATIONS`](crate::model::UNDESCRIBED_OPERATIONS): `getWorkflowList`,
//! `getTranscodeCombineList`, `getSubtitleList`, `getDomainList`, `getWatermarkList`). This
//! is how to call them, with the fields your account's documentation gives.
//!
//! ```no_run
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), vod_client::Error> {
//! let client = vod_client::Client::from_env()?;
//! let page = client
//!     .raw_request("POST", "/vod/videoManage/getVideoList")
//!     .field("pageSize", 5)
//!     .send()
//!     .await?;
//! println!("{} (request id {:?})", page.data["videoTotal"], page.request_id);
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use serde_json::{Map, Value};

use crate::call::CallOptions;
use crate::encode::encode;
use crate::operation::{BodyKind, DataKind, Envelope, HttpMethod, OperationSpec};
use crate::response::{interpret_keeping, Keep, Response};
use crate::{Client, Error, FieldProblem};

/// A request built by [`Client::raw_request`]; [`RawRequest::send`] sends it.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct RawRequest {
    client: Client,
    method: String,
    path: String,
    params: Map<String, Value>,
    form: bool,
    options: CallOptions,
}

impl Client {
    /// A request of `method` (`GET` or `POST`, case ignored) to `path` (from `/`, below the
    /// endpoint), signed with this client's credentials. `GET` parameters travel in the query
    /// string; `POST` parameters as a JSON object body, or as a form with
    /// [`RawRequest::form`]. The answer's `data` comes back as JSON, with the request id.
    ///
    /// This reaches operations the spec does not describe; see the [module docs](crate::raw).
    pub fn raw_request(&self, method: &str, path: &str) -> RawRequest {
        RawRequest {
            client: self.clone(),
            method: method.trim().to_ascii_uppercase(),
            path: path.trim().to_string(),
            params: Map::new(),
            form: false,
            options: CallOptions::default(),
        }
    }
}

impl RawRequest {
    /// Sets one parameter (a later value for the same name replaces the earlier one).
    pub fn field(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.params.insert(name.into(), value.into());
        self
    }

    /// Sets every member of `params` (replacing parameters of the same names).
    pub fn fields(mut self, params: Map<String, Value>) -> Self {
        self.params.extend(params);
        self
    }

    /// Sends a `POST`'s parameters as `application/x-www-form-urlencoded` instead of JSON.
    pub fn form(mut self, form: bool) -> Self {
        self.form = form;
        self
    }

    /// Per-call timeouts and retry policy.
    pub fn options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Signs and sends the request; the answer's `data` (the whole body for an operation the
    /// spec describes as bare), the envelope's code and message, and the request id.
    pub async fn send(self) -> Result<Response<Value>, Error> {
        let op = spec_for(&self.method, &self.path, self.form)?;
        let encoded = encode(op, &self.params, self.form)?;
        let answer = self.client.execute(op, &encoded, &self.options).await?;
        interpret_keeping::<Value>(op, answer.raw, Keep::Metadata)
    }
}

/// Leaked operation facts by (method, path, form).
type SpecCache = HashMap<(String, String, bool), &'static OperationSpec>;

/// The operation facts a raw request is sent with: the spec's for a described operation
/// (with its data read as any JSON), else a standard-envelope operation named `METHOD PATH`.
/// The send core takes `'static` facts, so each distinct (method, path, form) gets one leaked
/// copy, kept for reuse: bounded by the endpoints a program calls.
fn spec_for(method: &str, path: &str, form: bool) -> Result<&'static OperationSpec, Error> {
    let invalid = |message: String| Error::InvalidRequest {
        operation: "rawRequest",
        problems: vec![FieldProblem::new(
            String::new(),
            crate::Violation::UnknownValue,
            message,
        )],
    };
    let http = match method {
        "GET" => HttpMethod::Get,
        "POST" => HttpMethod::Post,
        other => {
            return Err(invalid(format!(
                "method must be GET or POST (the service takes no other), got `{other}`"
            )))
        }
    };
    if !path.starts_with('/') || path.contains(['?', '#', ' ']) {
        return Err(invalid(format!(
            "path must start with `/` and hold no query (give parameters as fields), got `{path}`"
        )));
    }
    if form && http == HttpMethod::Get {
        return Err(invalid("a GET has no body to send as a form".into()));
    }
    static SPECS: OnceLock<Mutex<SpecCache>> = OnceLock::new();
    let mut specs = SPECS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let key = (method.to_string(), path.to_string(), form);
    if let Some(spec) = specs.get(&key) {
        return Ok(spec);
    }
    let known = crate::model::OPERATIONS
        .iter()
        .find(|op| op.method == http && op.path == path);
    let spec = match known {
        Some(op) => OperationSpec {
            body: if form { BodyKind::Json } else { op.body },
            data: data_as_json(op.data),
            ..**op
        },
        None => OperationSpec {
            name: Box::leak(format!("{method} {path}").into_boxed_str()),
            method: http,
            path: Box::leak(path.to_string().into_boxed_str()),
            body: match http {
                HttpMethod::Get => BodyKind::Query,
                HttpMethod::Post => BodyKind::Json,
            },
            envelope: Envelope::Standard,
            data: DataKind::Object,
            retry_safe: http == HttpMethod::Get,
        },
    };
    let spec: &'static OperationSpec = Box::leak(Box::new(spec));
    specs.insert(key, spec);
    Ok(spec)
}

/// Raw answers keep whatever `data` holds: nothing is dropped as "no useful data".
fn data_as_json(kind: DataKind) -> DataKind {
    match kind {
        DataKind::None | DataKind::String => DataKind::Object,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn described_operations_keep_their_facts_others_get_safe_defaults() {
        let known = spec_for("POST", "/vod/videoManage/getVideoList", false).unwrap();
        assert_eq!(known.name, "getVideoList");
        assert!(known.retry_safe);
        let again = spec_for("POST", "/vod/videoManage/getVideoList", false).unwrap();
        assert!(std::ptr::eq(known, again), "one copy per endpoint");
        let unknown = spec_for("POST", "/vod/newThing/doIt", false).unwrap();
        assert_eq!(unknown.name, "POST /vod/newThing/doIt");
        assert!(
            !unknown.retry_safe,
            "a POST nobody described is never resent"
        );
        assert_eq!(unknown.envelope, Envelope::Standard);
        let get = spec_for("GET", "/vod/newThing/list", false).unwrap();
        assert_eq!(get.body, BodyKind::Query);
        assert!(get.retry_safe);
        for (method, path, form) in [
            ("PUT", "/x", false),
            ("POST", "x", false),
            ("POST", "/x?a=1", false),
            ("GET", "/x", true),
        ] {
            let err = spec_for(method, path, form).unwrap_err();
            assert!(err.is_invalid_parameter(), "{method} {path}: {err}");
        }
    }
}
