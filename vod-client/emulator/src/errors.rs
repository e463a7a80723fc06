//! The error envelope and every code the emulator answers with.
//!
//! Business errors of the service travel as HTTP 200 with `{"code": <int>, "message": ..}`;
//! category operations answer HTTP 400 with code 24112000. The codes the service documents
//! are used as documented (see `vod-api-facts.json`); the codes below 3000 that start with 2
//! are the emulator's own for situations the service documents no code for (authentication,
//! transport limits, injected faults). They are listed in the module docs of
//! [`crate`].

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// Codes the service documents (a subset the emulator produces).
pub mod codes {
    /// Success.
    pub const OK: i64 = 200;
    /// Operation failed (startWorkflow).
    pub const OPERATION_FAILED: i64 = 300;
    /// The resource is in use; delete refused.
    pub const IN_USE: i64 = 400;
    /// Generic parameter error.
    pub const PARAM: i64 = 1000;
    /// Parameter error of audio and material operations.
    pub const ASSET_PARAM: i64 = 1004;
    /// Material list: start time later than end time.
    pub const TIME_ORDER: i64 = 1407;
    /// Video name longer than 40 characters.
    pub const NAME_TOO_LONG: i64 = 1500;
    /// Video does not exist.
    pub const VIDEO_NOT_FOUND: i64 = 1502;
    /// videoId empty.
    pub const VIDEO_ID_EMPTY: i64 = 1503;
    /// videoId contains illegal characters.
    pub const VIDEO_ID_ILLEGAL: i64 = 1504;
    /// Video already blocked.
    pub const ALREADY_BLOCKED: i64 = 1506;
    /// Video already enabled.
    pub const ALREADY_ENABLED: i64 = 1509;
    /// Domain contains illegal characters.
    pub const DOMAIN_ILLEGAL: i64 = 1527;
    /// Domain does not exist.
    pub const DOMAIN_UNKNOWN: i64 = 1531;
    /// Invalid codeType.
    pub const CODE_TYPE: i64 = 1532;
    /// transCode: videoIds empty.
    pub const TC_IDS_EMPTY: i64 = 1540;
    /// transCode: videoIds contain illegal characters.
    pub const TC_IDS_ILLEGAL: i64 = 1541;
    /// transCode: videoIds only commas.
    pub const TC_IDS_COMMAS: i64 = 1542;
    /// transCode: watermark template name too long.
    pub const TC_WATERMARK_LONG: i64 = 1543;
    /// transCode: transcoding template name too long.
    pub const TC_TEMPLATE_LONG: i64 = 1544;
    /// transCode: some videoIds missing.
    pub const TC_IDS_MISSING: i64 = 1545;
    /// Invalid frame rate (videoClip).
    pub const FRAME_RATE: i64 = 1561;
    /// Invalid audio sampling rate (videoClip).
    pub const SAMPLING_RATE: i64 = 1562;
    /// Invalid video bitrate (videoClip).
    pub const VIDEO_BITRATE: i64 = 1563;
    /// Operations on this video are forbidden (deleteVideo while it is being processed).
    pub const VIDEO_BUSY: i64 = 1569;
    /// videoConcat: videoIds empty.
    pub const CC_IDS_EMPTY: i64 = 1575;
    /// videoConcat: videoIds contain illegal characters.
    pub const CC_IDS_ILLEGAL: i64 = 1576;
    /// videoConcat: videoIds badly formatted.
    pub const CC_IDS_FORMAT: i64 = 1577;
    /// videoConcat: more than 50 videos.
    pub const CC_TOO_MANY: i64 = 1578;
    /// videoConcat: duplicate ids.
    pub const CC_DUPLICATE: i64 = 1580;
    /// videoConcat: some videos missing.
    pub const CC_MISSING: i64 = 1581;
    /// videoConcat: transNo invalid (empty, too long or already used).
    pub const TRANS_NO_INVALID: i64 = 1602;
    /// startWorkflow: transNo already used.
    pub const TRANS_NO_USED: i64 = 1630;
    /// Category operations: parameter error (HTTP 400).
    pub const CATEGORY_PARAM: i64 = 24_112_000;

    /// Emulator: a required authentication header is missing (HTTP 401).
    pub const AUTH_MISSING_HEADER: i64 = 2001;
    /// Emulator: the `Authorization` header cannot be parsed (HTTP 401).
    pub const AUTH_MALFORMED: i64 = 2002;
    /// Emulator: the algorithm is neither WS3-HMAC-SHA256 nor CNC-HMAC-SHA256 (HTTP 401).
    pub const AUTH_ALGORITHM: i64 = 2003;
    /// Emulator: the access key is unknown (HTTP 403).
    pub const AUTH_UNKNOWN_KEY: i64 = 2004;
    /// Emulator: the timestamp header is not Unix seconds (HTTP 401).
    pub const AUTH_BAD_TIMESTAMP: i64 = 2005;
    /// Emulator: the timestamp is more than 5 minutes off the server clock (HTTP 401).
    pub const AUTH_EXPIRED: i64 = 2006;
    /// Emulator: `Credential` differs from the access-key header (HTTP 403).
    pub const AUTH_CREDENTIAL_MISMATCH: i64 = 2007;
    /// Emulator: `SignedHeaders` lacks `content-type` or `host` (HTTP 401).
    pub const AUTH_SIGNED_HEADERS: i64 = 2008;
    /// Emulator: the signature does not match the request (HTTP 403).
    pub const AUTH_SIGNATURE: i64 = 2009;
    /// Emulator: the request body exceeds the limit (HTTP 413).
    pub const BODY_TOO_LARGE: i64 = 2010;
    /// Emulator: the HTTP method is not accepted by the operation (HTTP 405).
    pub const METHOD_NOT_ALLOWED: i64 = 2011;
    /// Emulator: the content type is not accepted by the operation (HTTP 415).
    pub const UNSUPPORTED_MEDIA_TYPE: i64 = 2012;
    /// Emulator: no operation has this path (HTTP 404).
    pub const NOT_FOUND: i64 = 2013;
    /// Emulator: the request body stalled longer than the idle timeout (HTTP 408).
    pub const BODY_TIMEOUT: i64 = 2014;
    /// Emulator: the request has no `Host` header, several, or an unreadable one (HTTP 400).
    pub const BAD_HOST: i64 = 2015;
    /// Emulator (fault injection): the service is busy; retry later (HTTP 200).
    pub const SERVICE_BUSY: i64 = 2101;
    /// Emulator (fault injection): the call rate limit is exceeded (HTTP 429).
    pub const THROTTLED: i64 = 2102;
}

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

/// How an operation reports bad parameters: the service uses three conventions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamStyle {
    /// HTTP 200, code 1000 (most operations).
    Generic,
    /// HTTP 200, code 1004 (audio and material operations).
    Asset,
    /// HTTP 400, code 24112000 (category operations).
    Category,
}

impl ParamStyle {
    /// The parameter error of this style.
    pub(crate) fn error(self, message: impl Into<String>) -> ApiError {
        match self {
            ParamStyle::Generic => ApiError::business(codes::PARAM, message),
            ParamStyle::Asset => ApiError::business(codes::ASSET_PARAM, message),
            ParamStyle::Category => {
                ApiError::new(StatusCode::BAD_REQUEST, codes::CATEGORY_PARAM, message)
            }
        }
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
