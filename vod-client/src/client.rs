//! The client and its send path: validate → encode → [execute] → decode.
//!
//! Only the first two steps and the last are generic over the request type. Everything in
//! between — sign, send, classify, retry, correct the clock, time out — is one non-generic
//! function ([`Client::execute`]) over the operation's [`OperationSpec`] and the encoded bytes,
//! compiled once for the whole API instead of once per operation. Each attempt is signed
//! afresh (new timestamp) over the exact bytes sent, and traced without the secret or the
//! `Authorization` value.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use futures_util::future::BoxFuture;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tracing::Instrument;

use crate::ambiguous::Resolution;
use crate::call::CallOptions;
use crate::clock::{parse_http_date, unix_seconds, SigningClock};
use crate::config::{AuthProfile, Endpoint};
use crate::credentials::KeySource;
use crate::encode::{encode, Encoded};
use crate::error::TransportError;
use crate::operation::{HttpMethod, OperationSpec, Request};
use crate::response::{failure, interpret_keeping, Keep, RawResponse, Response};
use crate::retry::{parse_retry_after, Jitter, RetryPolicy};
use crate::signer::{self, SigningRequest};
use crate::{ClientBuilder, Error};

/// A Cloud VoD client. Cheap to clone (the state is shared), and safe to use from many tasks
/// at once.
///
/// Each operation has a method returning a [`RequestBuilder`](crate::RequestBuilder), e.g.
/// `client.get_video_list().page_size(20).send().await`.
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let client = vod_client::Client::from_env()?;
/// use std::time::Duration;
/// use futures_util::TryStreamExt;
/// use vod_client::upload::UploadSource;
///
/// let uploaded = client.upload_video(UploadSource::bytes("talk.mp4", vec![1u8; 4096])).send().await?;
/// client.video_edit(&uploaded.id).video_description("the keynote").send().await?;
/// let videos: Vec<_> = client.get_video_list().into_paginator().items().try_collect().await?;
/// assert_eq!(videos[0].video_id, uploaded.id);
/// let mut task = client.trans_code([&uploaded.id]).start().await?;
/// task.wait_with(vod_client::WaitOptions::every(Duration::from_millis(10), Duration::from_secs(30))).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

/// The shared state behind a [`Client`].
pub(crate) struct Inner {
    pub http: reqwest::Client,
    pub endpoint: Endpoint,
    pub credentials: KeySource,
    pub profile: AuthProfile,
    /// The headers every attempt sends ([`request_headers`]), found once instead of at every
    /// attempt.
    pub headers: Vec<(HeaderName, Option<HeaderValue>)>,
    /// [`crate::model::REQUEST_ID_HEADERS`], parsed.
    pub request_id_headers: Vec<HeaderName>,
    pub retry: RetryPolicy,
    /// Time allowed for one attempt.
    pub attempt_timeout: Duration,
    /// Time allowed for a whole call, all attempts and waits included.
    pub operation_timeout: Option<Duration>,
    pub clock: SigningClock,
    /// Client-side pacing per operation, when enabled.
    pub limiter: Option<crate::ratelimit::Limiter>,
    /// Form bodies for the operations that accept them.
    pub form_bodies: bool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("endpoint", &inner.endpoint.origin)
            .field("base_path", &inner.endpoint.base_path)
            .field("credentials", &inner.credentials)
            .field("profile", &inner.profile)
            .field("retry", &inner.retry)
            .field("attempt_timeout", &inner.attempt_timeout)
            .field("operation_timeout", &inner.operation_timeout)
            .field("clock_offset_secs", &inner.clock.offset())
            .finish()
    }
}

/// A request's outcome check with its typed result taken out (see `Client::call`).
type ErasedCheck<'a> = BoxFuture<'a, Result<Resolution<()>, Error>>;

/// An answer that is not a failure of the exchange itself (it may still be a service error),
/// with the headers the send core reads.
#[derive(Debug)]
pub(crate) struct RawAnswer {
    pub raw: RawResponse,
    retry_after: Option<Duration>,
    date: Option<SystemTime>,
}

/// A failed attempt: the error, whether the request may have reached the service, and the
/// server's `Date` if an answer came.
struct Failed {
    error: Error,
    maybe_sent: bool,
    retry_after: Option<Duration>,
    date: Option<SystemTime>,
}

impl Failed {
    fn unsent(error: Error) -> Self {
        Failed {
            error,
            maybe_sent: false,
            retry_after: None,
            date: None,
        }
    }
}

impl Client {
    /// A builder, for an explicit endpoint, credentials, timeouts or retry policy.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured the way cloud SDKs do it: the environment (`VOD_ACCESS_KEY`,
    /// `VOD_SECRET_KEY`, `VOD_ENDPOINT`, `VOD_AUTH_PROFILE`) first, then the profile file
    /// `vod configure` writes. See [`ClientBuilder::from_env`].
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env()?.build()
    }

    pub(crate) fn from_parts(inner: Inner) -> Client {
        Client {
            inner: Arc::new(inner),
        }
    }

    /// The endpoint requests go to, e.g. `https://api.cloudv.haplat.net`.
    pub fn endpoint(&self) -> String {
        format!(
            "{}{}",
            self.inner.endpoint.origin, self.inner.endpoint.base_path
        )
    }

    /// The signing scheme in use.
    pub fn auth_profile(&self) -> AuthProfile {
        self.inner.profile
    }

    /// The correction, in seconds, the client applies to its clock after the service refused
    /// a timestamp (positive: the service's clock is ahead). 0 until that happens.
    pub fn clock_offset(&self) -> i64 {
        self.inner.clock.offset()
    }

    /// Sends a request of any operation and returns its decoded data.
    pub async fn send<R: Request>(&self, request: &R) -> Result<R::Output, Error> {
        self.call(request, &CallOptions::default(), Keep::Data)
            .await
            .map(|r| r.data)
    }

    /// Sends a request with per-call timeouts or retry policy (see [`CallOptions`]).
    ///
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = vod_client::Client::from_env()?;
    /// use std::time::Duration;
    /// use vod_client::{CallOptions, RetryPolicy};
    ///
    /// let request = client.get_video_list().into_request();
    /// let options = CallOptions::new()
    ///     .timeout(Duration::from_secs(5))
    ///     .retry(RetryPolicy::default().with_max_attempts(2));
    /// let page = client.send_with_options(&request, &options).await?;
    /// assert!(page.video_list_info.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn send_with_options<R: Request>(
        &self,
        request: &R,
        options: &CallOptions,
    ) -> Result<R::Output, Error> {
        self.call(request, options, Keep::Data)
            .await
            .map(|r| r.data)
    }

    /// Sends a request and returns its data with the envelope's code, message and the
    /// request id. (After a lost answer resolved by the request's own check, see
    /// [`crate::ambiguous`], only the data is known: code, message and request id are `None`.)
    pub async fn send_with_metadata<R: Request>(
        &self,
        request: &R,
    ) -> Result<Response<R::Output>, Error> {
        self.call(request, &CallOptions::default(), Keep::Metadata)
            .await
    }

    /// Like [`send_with_metadata`](Self::send_with_metadata), with per-call options.
    pub async fn send_with_metadata_and_options<R: Request>(
        &self,
        request: &R,
        options: &CallOptions,
    ) -> Result<Response<R::Output>, Error> {
        self.call(request, options, Keep::Metadata).await
    }

    /// The generic shell around [`Client::execute`]: encode before, decode after, and the
    /// request's own check when the outcome is ambiguous.
    async fn call<R: Request>(
        &self,
        request: &R,
        options: &CallOptions,
        keep: Keep,
    ) -> Result<Response<R::Output>, Error> {
        let op = R::OPERATION;
        request.validate()?;
        let form = self.inner.form_bodies
            && crate::model::FORM_OPERATIONS
                .binary_search(&op.name)
                .is_ok();
        let encoded = encode(op, request, form)?;
        let total = options.timeout.or(self.inner.operation_timeout);
        let deadline = total.map(|t| tokio::time::Instant::now() + t);
        let err = match self.execute(op, &encoded, options).await {
            Ok(answer) => return interpret_keeping::<R::Output>(op, answer.raw, keep),
            Err(err) if err.is_ambiguous() && options.resolves_ambiguous() => err,
            Err(err) => return Err(err),
        };
        // The request's own check, with its typed result parked in `found` so that the
        // resolution loop itself is not generic.
        let found: Mutex<Option<R::Output>> = Mutex::new(None);
        let check = || -> Option<ErasedCheck<'_>> {
            let typed = request.resolve_ambiguous(self)?;
            let found = &found;
            Some(Box::pin(async move {
                Ok(match typed.await? {
                    Resolution::Done(data) => {
                        *found.lock().unwrap_or_else(PoisonError::into_inner) = Some(data);
                        Resolution::Done(())
                    }
                    Resolution::NotDone => Resolution::NotDone,
                })
            }))
        };
        // The check and any resend count towards the call's deadline: past it, the outcome
        // is still unknown.
        let resolution = self.resolve(op, &encoded, options, err, &check);
        let past_deadline = || Error::Ambiguous {
            operation: op.name,
            source: Box::new(Error::Timeout {
                operation: op.name,
                after: total.unwrap_or_default(),
            }),
        };
        let resolved = match deadline {
            Some(deadline) => match tokio::time::timeout_at(deadline, resolution).await {
                // The check gave up once the deadline had passed (a lookup's own timeout
                // fired with it): the deadline is what left the outcome unknown.
                Ok(Err(e)) if e.is_ambiguous() && tokio::time::Instant::now() >= deadline => {
                    Err(past_deadline())
                }
                Ok(resolved) => resolved,
                Err(_) => Err(past_deadline()),
            },
            None => resolution.await,
        };
        match resolved? {
            Some(answer) => interpret_keeping::<R::Output>(op, answer.raw, keep),
            None => {
                let data = found
                    .into_inner()
                    .unwrap_or_else(PoisonError::into_inner)
                    .ok_or_else(|| {
                        Error::Config(format!("{}: the outcome check lost its result", op.name))
                    })?;
                // No answer was read: only the data is known, not the envelope.
                Ok(Response {
                    data,
                    request_id: None,
                    code: None,
                    message: None,
                    http_status: 200,
                    warnings: Vec::new(),
                })
            }
        }
    }

    /// After an ambiguous failure: runs the request's own check (`check`), if it has one.
    /// `Ok(None)`: it was carried out (the check kept the result); `Ok(Some(answer))`: it was
    /// not, and sending it again got this answer; `Err`: the original error when nothing can
    /// be told, or the failure of the new attempt.
    fn resolve<'a>(
        &'a self,
        op: &'static OperationSpec,
        encoded: &'a Encoded,
        options: &'a CallOptions,
        mut err: Error,
        check: &'a (dyn Fn() -> Option<ErasedCheck<'a>> + Send + Sync),
    ) -> BoxFuture<'a, Result<Option<RawAnswer>, Error>> {
        Box::pin(async move {
            let mut resends = 1;
            loop {
                let Some(outcome) = check() else {
                    return Err(err);
                };
                match outcome.await {
                    Ok(Resolution::Done(())) => {
                        tracing::info!(
                            operation = op.name,
                            "ambiguous outcome resolved: carried out"
                        );
                        return Ok(None);
                    }
                    Ok(Resolution::NotDone) if resends < self.policy(options).max_attempts => {
                        tracing::info!(
                            operation = op.name,
                            "ambiguous outcome resolved: not carried out; sending again"
                        );
                        resends += 1;
                        match self.execute(op, encoded, options).await {
                            Ok(answer) => return Ok(Some(answer)),
                            Err(again) if again.is_ambiguous() => err = again,
                            Err(other) => return Err(other),
                        }
                    }
                    Ok(Resolution::NotDone) => return Err(err),
                    Err(check_error) => {
                        tracing::warn!(operation = op.name, error = %check_error, "cannot resolve the ambiguous outcome");
                        return Err(err);
                    }
                }
            }
        })
    }

    fn policy<'a>(&'a self, options: &'a CallOptions) -> &'a RetryPolicy {
        options.retry.as_ref().unwrap_or(&self.inner.retry)
    }

    /// The send core: sign, send, classify, retry, correct the clock, within the attempt and
    /// operation timeouts. Returns an answer that is not an error; decoding is the caller's.
    /// Not boxed: a call awaits it in place (one allocation fewer per call).
    pub(crate) fn execute<'a>(
        &'a self,
        op: &'static OperationSpec,
        encoded: &'a Encoded,
        options: &'a CallOptions,
    ) -> impl std::future::Future<Output = Result<RawAnswer, Error>> + Send + 'a {
        let span = tracing::debug_span!(
            "vod.request",
            operation = op.name,
            method = op.method.as_str()
        );
        self.execute_inner(op, encoded, options).instrument(span)
    }

    async fn execute_inner(
        &self,
        op: &'static OperationSpec,
        encoded: &Encoded,
        options: &CallOptions,
    ) -> Result<RawAnswer, Error> {
        let policy = self.policy(options);
        let attempt_timeout = options
            .attempt_timeout
            .unwrap_or(self.inner.attempt_timeout);
        let total = options.timeout.or(self.inner.operation_timeout);
        let deadline = total.map(|t| Instant::now() + t);
        // Seeded at the first retry: most calls never need it.
        let mut jitter: Option<Jitter> = None;
        let mut attempt = 1;
        let mut clock_corrected = false;
        loop {
            self.wait_for_turn(op, deadline, total.unwrap_or(attempt_timeout))
                .await?;
            let started = Instant::now();
            let left = deadline.map(|d| d.saturating_duration_since(started));
            let budget = left.map_or(attempt_timeout, |l| l.min(attempt_timeout));
            if budget.is_zero() {
                return Err(Error::Timeout {
                    operation: op.name,
                    after: total.unwrap_or(attempt_timeout),
                });
            }
            // When the deadline is what bounds this attempt, a timeout is the call's.
            let timeout_label = match (left, total) {
                (Some(l), Some(t)) if l < attempt_timeout => t,
                _ => attempt_timeout,
            };
            let outcome = match self.attempt(op, encoded, budget, timeout_label).await {
                Ok(answer) => match failure(op, &answer.raw) {
                    None => {
                        tracing::debug!(
                            attempt,
                            elapsed_ms = millis(started.elapsed()),
                            status = answer.raw.status,
                            "answered"
                        );
                        return Ok(answer);
                    }
                    Some(error) => Failed {
                        error,
                        maybe_sent: false,
                        retry_after: answer.retry_after,
                        date: answer.date,
                    },
                },
                Err(failed) => failed,
            };
            let elapsed_ms = millis(started.elapsed());
            if !clock_corrected {
                if let Some(offset) = outcome
                    .date
                    .and_then(|d| self.inner.clock.learn(&outcome.error, d))
                {
                    // The service refused our timestamp without processing the request, so
                    // signing again is safe for every operation; once per call.
                    tracing::warn!(attempt, offset_secs = offset, error = %outcome.error, "clock skew: corrected the signing clock; signing again");
                    clock_corrected = true;
                    continue;
                }
            }
            if policy.should_retry(op, &outcome.error, attempt) {
                let jitter = jitter.get_or_insert_with(Jitter::new);
                let delay = policy.delay(attempt, outcome.retry_after, jitter);
                let fits = deadline.is_none_or(|d| Instant::now() + delay < d);
                if fits {
                    tracing::warn!(attempt, elapsed_ms, error = %outcome.error, delay_ms = millis(delay), "retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                    continue;
                }
            }
            tracing::debug!(attempt, elapsed_ms, error = %outcome.error, "failed");
            return Err(if outcome.maybe_sent && !op.retry_safe {
                Error::Ambiguous {
                    operation: op.name,
                    source: Box::new(outcome.error),
                }
            } else {
                outcome.error
            });
        }
    }

    /// Takes a rate-limit token for `op` (when limiting is on), waiting for it if need be;
    /// fails as a timeout of `after` when the turn would come after the deadline.
    async fn wait_for_turn(
        &self,
        op: &'static OperationSpec,
        deadline: Option<Instant>,
        after: Duration,
    ) -> Result<(), Error> {
        let Some(limiter) = &self.inner.limiter else {
            return Ok(());
        };
        let now = Instant::now();
        let left = deadline.map(|d| d.saturating_duration_since(now));
        match limiter.reserve(op.name, now, left) {
            Ok(wait) if wait.is_zero() => Ok(()),
            Ok(wait) => {
                tracing::debug!(wait_ms = millis(wait), "rate limit: waiting for a turn");
                tokio::time::sleep(wait).await;
                Ok(())
            }
            Err(wait) => {
                tracing::debug!(
                    wait_ms = millis(wait),
                    "rate limit: no turn before the deadline"
                );
                Err(Error::Timeout {
                    operation: op.name,
                    after,
                })
            }
        }
    }

    /// One signed HTTP exchange within `timeout`.
    async fn attempt(
        &self,
        op: &'static OperationSpec,
        encoded: &Encoded,
        timeout: Duration,
        timeout_label: Duration,
    ) -> Result<RawAnswer, Failed> {
        let (url, headers) = self.prepare(op, encoded).map_err(Failed::unsent)?;
        let method = match op.method {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
        };
        // A `Request` made whole, not through `RequestBuilder`, which would copy the headers
        // into a map of its own.
        let mut request = reqwest::Request::new(method, url);
        *request.headers_mut() = headers;
        *request.timeout_mut() = Some(timeout);
        if op.method == HttpMethod::Post {
            *request.body_mut() = Some(encoded.body.clone().into());
        }
        let response = self
            .inner
            .http
            .execute(request)
            .await
            .map_err(|e| transport_failure(op, e, timeout_label))?;
        let status = response.status().as_u16();
        let headers = response.headers();
        let text = |name: &HeaderName| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let request_id = self
            .inner
            .request_id_headers
            .iter()
            .find_map(text)
            .map(str::to_string);
        let retry_after = text(&reqwest::header::RETRY_AFTER).and_then(parse_retry_after);
        let date = text(&reqwest::header::DATE).and_then(parse_http_date);
        if (300..400).contains(&status) {
            return Err(Failed {
                error: Error::Redirect {
                    operation: op.name,
                    status,
                    location: text(&reqwest::header::LOCATION)
                        .unwrap_or_default()
                        .to_string(),
                    request_id,
                },
                maybe_sent: false,
                retry_after,
                date,
            });
        }
        let body = response.bytes().await.map_err(|e| {
            let mut failed = transport_failure(op, e, timeout_label);
            // An answer had started: the request reached the service.
            failed.maybe_sent = true;
            failed
        })?;
        Ok(RawAnswer {
            raw: RawResponse {
                status,
                request_id,
                body,
            },
            retry_after,
            date,
        })
    }

    /// Builds the URL and the signed headers of one attempt, with a fresh timestamp.
    fn prepare(
        &self,
        op: &'static OperationSpec,
        encoded: &Encoded,
    ) -> Result<(reqwest::Url, HeaderMap), Error> {
        let inner = &self.inner;
        let credentials = inner.credentials.current()?;
        let path_len = inner.endpoint.base_path.len() + op.path.len();
        let target = format!("{}{}{}", inner.endpoint.base_path, op.path, encoded.query);
        let timestamp = unix_seconds(inner.clock.now()).to_string();
        let pairs = crate::config::signing_headers(
            inner.profile,
            encoded.content_type,
            &inner.endpoint.host,
            &credentials.access_key,
            &timestamp,
        );
        let body: &[u8] = if op.method == HttpMethod::Post {
            &encoded.body
        } else {
            &[]
        };
        let signed = signer::sign(
            inner.profile,
            &credentials.access_key,
            credentials.secret(),
            &SigningRequest {
                method: op.method.as_str(),
                uri: &target,
                headers: &pairs,
                body,
                timestamp: &timestamp,
                signed_headers: None,
            },
        );
        // Room for `Accept`, `Authorization` and what reqwest adds (`User-Agent`), so that no
        // insert grows the map.
        let mut headers = HeaderMap::with_capacity(pairs.len() + 4);
        let sent = pairs.iter().chain([&ACCEPT_JSON]);
        for ((name, value), (header, fixed)) in sent.zip(&inner.headers) {
            let value = match fixed {
                Some(fixed) => fixed.clone(),
                None => header_value(name, value)?,
            };
            headers.insert(header.clone(), value);
        }
        let mut auth = header_value("Authorization", signed.authorization())?;
        auth.set_sensitive(true);
        headers.insert(reqwest::header::AUTHORIZATION, auth);
        // The endpoint was parsed once; only the path and query are set here, to the bytes
        // just signed (already percent-encoded, so the URL keeps them as they are).
        let mut url = inner.endpoint.url.clone();
        url.set_path(&target[..path_len]);
        url.set_query(target[path_len..].strip_prefix('?'));
        Ok((url, headers))
    }
}

/// A failed exchange as an [`Error`], and whether the request may have reached the service.
fn transport_failure(op: &'static OperationSpec, e: reqwest::Error, after: Duration) -> Failed {
    let source = TransportError::from_reqwest(e);
    let maybe_sent = source.may_have_been_sent();
    let error = if maybe_sent && timed_out(&source) {
        Error::Timeout {
            operation: op.name,
            after,
        }
    } else {
        Error::Transport {
            operation: op.name,
            source,
        }
    };
    Failed {
        error,
        maybe_sent,
        retry_after: None,
        date: None,
    }
}

fn timed_out(source: &TransportError) -> bool {
    let mut next: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(source);
    while let Some(e) = next {
        if e.downcast_ref::<reqwest::Error>()
            .is_some_and(reqwest::Error::is_timeout)
        {
            return true;
        }
        next = e.source();
    }
    false
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Sent with every request besides the signing headers.
const ACCEPT_JSON: (&str, &str) = ("Accept", "application/json");

/// The headers each request of `profile` to `host` carries, in the order `prepare` sends them
/// (the signing headers of [`crate::config::signing_headers`], then `Accept`), each with its
/// value when that never changes (the host, `Accept`, the profile's constant headers).
pub(crate) fn request_headers(
    profile: AuthProfile,
    host: &str,
) -> Result<Vec<(HeaderName, Option<HeaderValue>)>, Error> {
    let constant: Vec<&str> = profile
        .extra_headers()
        .iter()
        .map(|(name, _)| *name)
        .chain(["Host", ACCEPT_JSON.0])
        .collect();
    crate::config::signing_headers(profile, "", host, "", "")
        .iter()
        .chain([&ACCEPT_JSON])
        .map(|(name, value)| {
            let fixed = constant
                .contains(name)
                .then(|| header_value(name, value))
                .transpose()?;
            Ok((header_name(name)?, fixed))
        })
        .collect()
}

/// The headers that may carry the request id, in the spec's order of preference.
pub(crate) fn request_id_header_names() -> Result<Vec<HeaderName>, Error> {
    crate::model::REQUEST_ID_HEADERS
        .iter()
        .map(|name| header_name(name))
        .collect()
}

fn header_name(name: &str) -> Result<HeaderName, Error> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::Config(format!("invalid header name `{name}`")))
}

fn header_value(name: &str, value: &str) -> Result<HeaderValue, Error> {
    // Only the access key can make this fail (a control character in it); say which header.
    HeaderValue::from_str(value)
        .map_err(|_| Error::Config(format!("invalid characters in the `{name}` header value")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client_is_send_sync_clone<T: Send + Sync + Clone>() {}

    #[test]
    fn client_is_shareable() {
        client_is_send_sync_clone::<Client>();
    }

    #[test]
    fn the_url_sent_is_the_origin_and_the_signed_target() {
        let op = &OperationSpec {
            name: "getThings",
            method: HttpMethod::Get,
            path: "/vod/things/getThings",
            body: crate::operation::BodyKind::Query,
            envelope: crate::operation::Envelope::Standard,
            data: crate::operation::DataKind::Object,
            retry_safe: true,
        };
        for (endpoint, query, expected) in [
            (
                "http://127.0.0.1:9/prefix/",
                "?name=a%20b%2Bc&ids=v1%2Cv2&t=%7E~",
                "http://127.0.0.1:9/prefix/vod/things/getThings?name=a%20b%2Bc&ids=v1%2Cv2&t=%7E~",
            ),
            (
                "https://api.example.com",
                "",
                "https://api.example.com/vod/things/getThings",
            ),
        ] {
            let client = Client::builder()
                .endpoint(endpoint)
                .credentials("AK", "SK")
                .build()
                .expect("client");
            let encoded = Encoded {
                query: query.into(),
                body: bytes::Bytes::new(),
                content_type: "application/x-www-form-urlencoded",
            };
            let (url, headers) = client.prepare(op, &encoded).expect("prepared");
            assert_eq!(url.as_str(), expected);
            assert!(headers.contains_key("x-ws-accesskey"), "{headers:?}");
            assert_eq!(headers["accept"], "application/json");
        }
    }

    #[test]
    fn debug_hides_secret() {
        let c = Client::builder()
            .credentials("AK", "s3cr3t-value")
            .build()
            .expect("client");
        let text = format!("{c:?}");
        assert!(!text.contains("s3cr3t-value"), "{text}");
        assert!(text.contains("api.cloudv.haplat.net"), "{text}");
        assert_eq!(c.endpoint(), "https://api.cloudv.haplat.net");
        assert_eq!(c.clock_offset(), 0);
    }
}
