//! HTTP plumbing: the router, the API entry point (body limit → authentication → faults →
//! parameters → handler → envelope), request ids, request logging, and serving.
//!
//! Every API path goes through one entry point rather than one axum route per operation:
//! the checks before the handler are identical for all operations and must happen in one
//! fixed order (an unsigned request must fail authentication whatever its body holds), and a
//! table lookup keeps the list of operations in one place: the routes generated from the spec
//! (`crate::generated::ROUTES`).

use std::sync::Arc;
use std::time::Instant;
use vod_client::model::ErrorCode;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

use super::auth::{self, Received};
use super::errors::{json_bytes_response, ApiError};
use super::faults::{self, Injected};
use super::handlers::{self, Ctx, Route};
use super::params::Params;
use super::state::Shared;
use super::upload;

/// The whole emulator as one router.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .fallback(api_entry)
        .with_state(shared.clone())
        .merge(upload::routes(shared.clone()))
        .layer(middleware::from_fn(check_host))
        .layer(middleware::from_fn_with_state(shared, skewed_date))
        .layer(middleware::from_fn(log_request))
}

/// With a skewed clock, the `Date` header tells the emulator's time, as a real server's tells
/// its own: that is what a client reads to correct its clock. Without skew, hyper's own
/// `Date` is the same time and costs nothing extra.
async fn skewed_date(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let skew = shared.clock.skew();
    if skew != 0 {
        let now = u64::try_from(shared.clock.now_unix()).unwrap_or(0);
        let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(now);
        if let Ok(value) = HeaderValue::from_str(&httpdate::fmt_http_date(when)) {
            response
                .headers_mut()
                .insert(axum::http::header::DATE, value);
        }
    }
    response
}

/// HTTP/1.1 requires exactly one `Host` (RFC 9112 §3.2), and the signature covers it: with
/// two, the emulator and a proxy in front of it could each read a different one.
async fn check_host(request: Request, next: Next) -> Response {
    let mut hosts = request.headers().get_all(axum::http::header::HOST).iter();
    let problem = match (hosts.next(), hosts.next()) {
        (None, _) => Some("the request has no Host header"),
        (Some(_), Some(_)) => Some("the request has more than one Host header"),
        (Some(host), None) if host.is_empty() || host.to_str().is_err() => {
            Some("the Host header must be visible ASCII text")
        }
        (Some(_), None) => None,
    };
    match problem {
        None => next.run(request).await,
        Some(message) if is_upload_path(request.uri().path()) => {
            upload::UploadError::new(400, message).into_response()
        }
        Some(message) => ApiError::spec(ErrorCode::BadHostHeader, message).into_response(),
    }
}

async fn log_request(request: Request, next: Next) -> Response {
    // Without a subscriber that wants the line, do not even copy the path.
    if !tracing::enabled!(target: "vod_emulator", tracing::Level::INFO) {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        target: "vod_emulator",
        %method,
        %path,
        status = response.status().as_u16(),
        elapsed_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "request"
    );
    response
}

/// Entry point of every API call; adds the request id header to whatever the answer is.
async fn api_entry(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let header = auth::profile_of(&parts.headers).facts().request_id_header;
    let request_id = shared.request_id();
    let mut response = match serve_api(&shared, &parts, body).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(header, value);
    }
    response
}

async fn serve_api(shared: &Shared, parts: &Parts, body: Body) -> Result<Response, ApiError> {
    let op = handlers::find(parts.uri.path()).ok_or_else(|| {
        ApiError::spec(
            ErrorCode::NoSuchOperation,
            format!("no operation at {}", parts.uri.path()),
        )
    })?;
    check_method(op, &parts.method)?;
    let body = axum::body::to_bytes(body, shared.api_body_limit)
        .await
        .map_err(|e| body_error(&e, shared.api_body_limit))?;
    let target = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let received = Received {
        method: parts.method.as_str(),
        target,
        headers: &parts.headers,
        body: &body,
    };
    let caller = auth::verify(shared, &received)?;
    let decision = shared.faults.decide(op.name);
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    let faults = decision.applied;
    let reset = match decision.outcome {
        Some(Injected::Error(error)) => {
            shared
                .journal
                .record(op.name, faults, error.status.as_u16(), error.code);
            return Err(error);
        }
        Some(Injected::Reset) => true,
        None => false,
    };
    let answered = answer(shared, op, parts, &body, &caller);
    let (status, code) = match &answered {
        Ok(_) => (StatusCode::OK, vod_client::SUCCESS_CODE),
        Err(error) => (error.status, error.code),
    };
    shared
        .journal
        .record(op.name, faults, status.as_u16(), code);
    let (status, bytes) = match answered {
        Ok(reply) => (StatusCode::OK, reply.0),
        Err(error) => (error.status, error.body_bytes()),
    };
    if reset {
        return Ok(faults::reset_response(status, bytes));
    }
    Ok(json_bytes_response(status, bytes))
}

/// The operation's answer: its parameters read, the spec's checks passed, its behaviour run.
fn answer(
    shared: &Shared,
    op: &'static Route,
    parts: &Parts,
    body: &[u8],
    caller: &auth::Caller<'_>,
) -> Result<handlers::Reply, ApiError> {
    let params = read_params(op, parts, body)?;
    let ctx = Ctx {
        shared,
        caller,
        route: op,
    };
    (op.serve)(&ctx, &params)
}

/// Paths of the storage side ([`upload::routes`]), whose errors have the storage shape.
fn is_upload_path(path: &str) -> bool {
    ["/upload/", "/file/upload", "/mkblk/", "/bput/", "/mkfile/"]
        .iter()
        .any(|prefix| path.starts_with(prefix))
}

/// A body that could not be read: it stalled (see [`super::serve`]) or it is too large.
fn body_error(error: &axum::Error, limit: usize) -> ApiError {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = cause {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return ApiError::spec(
                ErrorCode::BodyStalled,
                "the request body stalled for longer than the idle timeout",
            );
        }
        cause = e.source();
    }
    ApiError::spec(
        ErrorCode::BodyTooLarge,
        format!("request body larger than {limit} bytes"),
    )
}

fn check_method(op: &Route, method: &Method) -> Result<(), ApiError> {
    let allowed = if !op.form {
        method == Method::POST
    } else {
        method == Method::POST || method == Method::GET
    };
    if allowed {
        return Ok(());
    }
    let accepted = if op.form { "GET or POST" } else { "POST" };
    Err(ApiError::spec(
        ErrorCode::MethodNotAllowed,
        format!("{} accepts {accepted}, not {method}", op.name),
    ))
}

/// Parameters from the query string (GET) or the body (POST). A POST without
/// `Content-Type` is read as JSON when the body looks like JSON (the vendor's Python SDK
/// sends its JSON bodies that way) and as a form otherwise.
fn read_params(op: &Route, parts: &Parts, body: &[u8]) -> Result<Params, ApiError> {
    let style = op.style();
    if parts.method == Method::GET {
        return Ok(Params::from_form(parts.uri.query().unwrap_or("")));
    }
    let content_type = parts
        .headers
        .get("content-type")
        .map(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let media = content_type.split(';').next().unwrap_or("").trim();
    let looks_json = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    match media {
        "application/json" => Params::from_json(body, style),
        "" if looks_json || !op.form => Params::from_json(body, style),
        "application/x-www-form-urlencoded" | "" if op.form => {
            Ok(Params::from_form(&String::from_utf8_lossy(body)))
        }
        _ => Err(ApiError::spec(
            ErrorCode::UnsupportedMediaType,
            format!(
                "{} does not accept content type {content_type:?}; use {}",
                op.name,
                if op.form {
                    "application/json or application/x-www-form-urlencoded"
                } else {
                    "application/json"
                }
            ),
        )),
    }
}
