//! The error envelope. Every code the emulator answers with is a `vod_client::model::ErrorCode`,
//! declared in `api-spec/service.yaml` (the service's documented codes and the emulator's own,
//! 2001–2015, 2101, 2102), never restated here.
//!
//! Business errors of the service travel as HTTP 200 with `{"code": <int>, "message": ..}`;
//! category operations answer HTTP 400 with code 24112000. The codes the service documents
//! are used as documented (see `api-spec/service.yaml`); the codes below 3000 that start with 2
//! are the emulator's own for situations the service documents no code for (authentication,
//! transport limits, injected faults). They are listed in the module docs of
//! [`crate`].

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use vod_client::model::ErrorCode;

/// One error answer of the API: HTTP status, the envelope's code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status of the answer.
    pub status: StatusCode,
    /// The envelope's `code`.
    pub code: i64,
    /// The envelope's `message`.
    pub message: String,
    /// Seconds to send as `Retry-After` (throttling).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with an explicit HTTP status.
    pub fn new(status: StatusCode, code: i64, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// The error `code` with the HTTP status the spec gives it (`http_status`, default 200).
    pub fn spec(code: ErrorCode, message: impl Into<String>) -> Self {
        let status = code
            .facts()
            .and_then(|f| StatusCode::from_u16(f.http_status).ok())
            .unwrap_or(StatusCode::OK);
        Self::new(status, code.code(), message)
    }

    /// A business error: HTTP 200 with a non-200 code, as the service answers them.
    pub fn business(code: i64, message: impl Into<String>) -> Self {
        Self::new(StatusCode::OK, code, message)
    }

    /// The JSON envelope `{"code", "message"}`.
    pub fn body(&self) -> Value {
        json!({ "code": self.code, "message": self.message })
    }

    /// [`ApiError::body`] as JSON text.
    pub(crate) fn body_bytes(&self) -> Vec<u8> {
        #[derive(serde::Serialize)]
        struct Envelope<'a> {
            code: i64,
            message: &'a str,
        }
        let envelope = Envelope {
            code: self.code,
            message: &self.message,
        };
        serde_json::to_vec(&envelope).unwrap_or_else(|_| b"{}".to_vec())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = json_bytes_response(self.status, self.body_bytes());
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// How an operation answers a parameter error: its code (and that code's HTTP status), both
/// from the spec (`parameter_error`, `http_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ParamStyle(pub(crate) ErrorCode);

impl ParamStyle {
    /// The parameter error of this style.
    pub(crate) fn error(self, message: impl Into<String>) -> ApiError {
        ApiError::spec(self.0, message)
    }
}

/// A JSON answer with `Content-Type: application/json;charset=UTF-8`.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    json_bytes_response(status, bytes)
}

/// Same as [`json_response`] with an already serialised body.
pub(crate) fn json_bytes_response(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    response
}
