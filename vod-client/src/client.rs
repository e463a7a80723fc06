//! The client and its one generic send path:
//! validate → encode → sign → send → classify → decode, with retries around the middle.
//!
//! Nothing here knows any operation: everything specific comes from the request's
//! [`OperationSpec`]. Each attempt is signed afresh (new timestamp) over the exact bytes
//! sent, and traced without the secret or the `Authorization` value.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tracing::Instrument;

use crate::config::{AuthProfile, Clock, Endpoint};
use crate::credentials::Credentials;
use crate::encode::{encode, Encoded};
use crate::operation::{HttpMethod, OperationSpec, Request};
use crate::response::{interpret, RawResponse, Response};
use crate::retry::{parse_retry_after, Jitter, RetryPolicy};
use crate::signer::{self, SigningRequest};
use crate::{ClientBuilder, Error};

/// Response headers that may carry the request id, in order of preference.
const REQUEST_ID_HEADERS: [&str; 2] = ["x-ws-requestid", "x-cnc-request-id"];

/// A Cloud VoD client. Cheap to clone (the state is shared), and safe to use from many tasks
/// at once.
///
/// Each operation has a method returning a [`RequestBuilder`](crate::RequestBuilder), e.g.
/// `client.get_video_list().page_size(20).send().await`.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

/// The shared state behind a [`Client`].
pub(crate) struct Inner {
    pub http: reqwest::Client,
    pub endpoint: Endpoint,
    pub credentials: Credentials,
    pub profile: AuthProfile,
    pub retry: RetryPolicy,
    pub timeout: Duration,
    pub clock: Clock,
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
            .field("timeout", &inner.timeout)
            .finish()
    }
}

/// One prepared attempt: the URL, headers (signed) and body.
struct Attempt {
    url: String,
    headers: HeaderMap,
}

impl Client {
    /// A builder, for an explicit endpoint, credentials, timeouts or retry policy.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from `VOD_ACCESS_KEY`, `VOD_SECRET_KEY` and optionally
    /// `VOD_ENDPOINT`.
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

    /// Sends a request of any operation and returns its decoded data.
    pub async fn send<R: Request>(&self, request: &R) -> Result<R::Output, Error> {
        self.send_with_metadata(request).await.map(|r| r.data)
    }

    /// Sends a request and returns its data with the envelope's code, message and the
    /// request id.
    pub async fn send_with_metadata<R: Request>(
        &self,
        request: &R,
    ) -> Result<Response<R::Output>, Error> {
        let op = R::OPERATION;
        request.validate()?;
        let encoded = encode(op, request)?;
        let span = tracing::debug_span!(
            "vod.request",
            operation = op.name,
            method = op.method.as_str()
        );
        self.execute::<R::Output>(op, &encoded)
            .instrument(span)
            .await
    }

    /// The retry loop: attempts until success, a final failure, or the policy says stop.
    async fn execute<T: serde::de::DeserializeOwned>(
        &self,
        op: &'static OperationSpec,
        encoded: &Encoded,
    ) -> Result<Response<T>, Error> {
        let policy = &self.inner.retry;
        let mut jitter = Jitter::new();
        let mut attempt = 1;
        loop {
            let started = Instant::now();
            let (result, retry_after) = match self.attempt(op, encoded).await {
                Ok((raw, retry_after)) => (interpret::<T>(op, raw), retry_after),
                Err(e) => (Err(e), None),
            };
            let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            match result {
                Ok(response) => {
                    tracing::debug!(
                        attempt,
                        elapsed_ms,
                        status = response.http_status,
                        "answered"
                    );
                    return Ok(response);
                }
                Err(err) if policy.should_retry(op, &err, attempt) => {
                    let delay = policy.delay(attempt, retry_after, &mut jitter);
                    tracing::warn!(attempt, elapsed_ms, error = %err, delay_ms = delay.as_millis() as u64, "retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                Err(err) => {
                    tracing::debug!(attempt, elapsed_ms, error = %err, "failed");
                    return Err(err);
                }
            }
        }
    }

    /// One signed HTTP exchange; returns the raw answer and any `Retry-After`.
    async fn attempt(
        &self,
        op: &'static OperationSpec,
        encoded: &Encoded,
    ) -> Result<(RawResponse, Option<Duration>), Error> {
        let Attempt { url, headers } = self.prepare(op, encoded)?;
        let method = match op.method {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
        };
        let mut builder = self.inner.http.request(method, url).headers(headers);
        if op.method == HttpMethod::Post {
            builder = builder.body(encoded.body.clone());
        }
        let response = builder
            .send()
            .await
            .map_err(|e| self.transport_error(op, e))?;
        let status = response.status().as_u16();
        let request_id = REQUEST_ID_HEADERS.iter().find_map(|name| {
            let value = response.headers().get(*name)?.to_str().ok()?.trim();
            (!value.is_empty()).then(|| value.to_string())
        });
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(op, e))?;
        Ok((
            RawResponse {
                status,
                request_id,
                body,
            },
            retry_after,
        ))
    }

    /// Builds the URL and the signed headers of one attempt, with a fresh timestamp.
    fn prepare(&self, op: &'static OperationSpec, encoded: &Encoded) -> Result<Attempt, Error> {
        let inner = &self.inner;
        let target = format!("{}{}{}", inner.endpoint.base_path, op.path, encoded.query);
        let timestamp = unix_seconds((inner.clock)()).to_string();
        let profile = inner.profile;
        let mut pairs: Vec<(&str, &str)> = vec![
            ("Content-Type", encoded.content_type),
            ("Host", &inner.endpoint.host),
            (profile.access_key_header(), &inner.credentials.access_key),
            (profile.timestamp_header(), &timestamp),
        ];
        pairs.extend_from_slice(profile.extra_headers());
        let body: &[u8] = if op.method == HttpMethod::Post {
            &encoded.body
        } else {
            &[]
        };
        let signed = signer::sign(
            profile.algorithm(),
            &inner.credentials.access_key,
            inner.credentials.secret(),
            &SigningRequest {
                method: op.method.as_str(),
                uri: &target,
                headers: &pairs,
                body,
                timestamp: &timestamp,
                signed_headers: None,
            },
        );
        let mut headers = HeaderMap::with_capacity(pairs.len() + 2);
        for (name, value) in pairs.iter().chain([&("Accept", "application/json")]) {
            headers.insert(header_name(name)?, header_value(name, value)?);
        }
        let mut auth = header_value("Authorization", signed.authorization())?;
        auth.set_sensitive(true);
        headers.insert(reqwest::header::AUTHORIZATION, auth);
        Ok(Attempt {
            url: format!("{}{target}", inner.endpoint.origin),
            headers,
        })
    }

    fn transport_error(&self, op: &'static OperationSpec, e: reqwest::Error) -> Error {
        if e.is_timeout() && !e.is_connect() {
            Error::Timeout {
                operation: op.name,
                after: self.inner.timeout,
            }
        } else {
            Error::Transport {
                operation: op.name,
                source: e,
            }
        }
    }
}

fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
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
    fn debug_hides_secret() {
        let c = Client::builder()
            .credentials("AK", "s3cr3t-value")
            .build()
            .expect("client");
        let text = format!("{c:?}");
        assert!(!text.contains("s3cr3t-value"), "{text}");
        assert!(text.contains("api.cloudv.haplat.net"), "{text}");
        assert_eq!(c.endpoint(), "https://api.cloudv.haplat.net");
    }

    #[test]
    fn unix_seconds_of_epoch_and_before() {
        assert_eq!(unix_seconds(UNIX_EPOCH + Duration::from_secs(5)), 5);
        assert_eq!(unix_seconds(UNIX_EPOCH - Duration::from_secs(5)), 0);
    }
}
