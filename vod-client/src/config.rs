//! Building a [`Client`]: where to send requests, how to sign them, how long to wait.
//!
//! Everything is checked in [`ClientBuilder::build`], so a bad endpoint or a missing key
//! fails once, at start-up, with a message naming the setting — not on the first request.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::clock::{Clock, SigningClock};
use crate::credentials::{Credentials, CredentialsProvider, KeySource};
use crate::retry::RetryPolicy;
use crate::{Client, Error};

/// The service's public endpoint (the spec's `default_endpoint`).
pub use crate::model::DEFAULT_ENDPOINT;
/// Environment variable overriding the endpoint.
pub const ENDPOINT_ENV: &str = "VOD_ENDPOINT";
/// Default total time allowed for one attempt (connect, send, receive).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

pub use crate::model::AuthProfile;

/// The runtime's view of a profile: its name as users type it, and the facts the client sends.
/// The enum and its facts are generated from the spec's `auth_profiles`.
impl AuthProfile {
    /// The spec's short name, e.g. `ws3` or `cnc`.
    pub fn name(self) -> &'static str {
        self.facts().name
    }

    /// The profile of a short name (case-insensitive), as `--auth-profile` and
    /// `VOD_AUTH_PROFILE` give it.
    pub fn from_name(name: &str) -> Result<AuthProfile, Error> {
        let name = name.trim();
        AuthProfile::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let known: Vec<&str> = AuthProfile::ALL.iter().map(|p| p.name()).collect();
                Error::Config(format!(
                    "unknown auth profile `{name}`; use one of: {}",
                    known.join(", ")
                ))
            })
    }

    /// The header carrying the access key.
    pub fn access_key_header(self) -> &'static str {
        self.facts().access_key_header
    }

    /// The header carrying the signing timestamp.
    pub fn timestamp_header(self) -> &'static str {
        self.facts().timestamp_header
    }

    /// Further fixed headers the profile requires.
    pub fn extra_headers(self) -> &'static [(&'static str, &'static str)] {
        self.facts().extra_headers
    }

    /// The host the profile is served on, e.g. `open.chinanetcenter.com` for the gateway.
    pub fn default_host(self) -> &'static str {
        self.facts().host
    }

    /// `https://` + [`default_host`](Self::default_host): the endpoint used when none is given.
    pub fn default_endpoint(self) -> String {
        format!("https://{}", self.default_host())
    }
}

/// The headers a request carries and the signature may cover, in order: content type, host,
/// the profile's access-key and timestamp headers, its constant headers. The client sends
/// exactly these, and `vod debug-sign` signs these.
pub fn signing_headers<'a>(
    profile: AuthProfile,
    content_type: &'a str,
    host: &'a str,
    access_key: &'a str,
    timestamp: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut pairs: Vec<(&str, &str)> = vec![
        ("Content-Type", content_type),
        ("Host", host),
        (profile.access_key_header(), access_key),
        (profile.timestamp_header(), timestamp),
    ];
    pairs.extend_from_slice(profile.extra_headers());
    pairs
}

/// A checked endpoint: scheme, host, optional port and base path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// `https://host[:port]`, no trailing slash.
    pub origin: String,
    /// The `Host` header value: the host, with the port when it is not the scheme's default.
    pub host: String,
    /// A path prefix before every operation path (usually empty), no trailing slash.
    pub base_path: String,
    /// The host is a loopback address (proxies are bypassed).
    pub loopback: bool,
    /// The endpoint as parsed, to which each request sets its path and query.
    pub url: reqwest::Url,
}

impl Endpoint {
    /// Checks `url`: `http` or `https`, a host, no credentials, query or fragment.
    pub fn parse(url: &str) -> Result<Self, Error> {
        let bad = |why: &str| Error::Config(format!("invalid endpoint `{url}`: {why}"));
        let parsed = reqwest::Url::parse(url.trim()).map_err(|e| bad(&e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(bad("the scheme must be http or https"));
        }
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("no host"))?;
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(bad(
                "user names and passwords do not belong in the endpoint",
            ));
        }
        if parsed.query().is_some() {
            return Err(bad("the endpoint must not have a query string"));
        }
        if parsed.fragment().is_some() {
            return Err(bad("the endpoint must not have a fragment"));
        }
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let loopback = bare.eq_ignore_ascii_case("localhost")
            || bare
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        let host = match parsed.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        Ok(Endpoint {
            origin: format!("{}://{host}", parsed.scheme()),
            host,
            base_path: parsed.path().trim_end_matches('/').to_string(),
            loopback,
            url: parsed,
        })
    }
}

/// Configures and builds a [`Client`].
///
/// ```
/// # fn main() -> Result<(), vod_client::Error> {
/// let client = vod_client::Client::builder()
///     .endpoint("http://127.0.0.1:8080")
///     .credentials("my-access-key", "my-secret-key")
///     .timeout(std::time::Duration::from_secs(10))
///     .build()?;
/// # let _ = client;
/// # Ok(())
/// # }
/// ```
///
/// The mode parameter says what [`build`](ClientBuilder::build) makes: a [`Client`] by
/// default, a `blocking::Client` for `blocking::Client::builder()` (feature `blocking`). The
/// settings are the same.
#[derive(Clone)]
pub struct ClientBuilder<M = crate::Async> {
    pub(crate) endpoint: Option<String>,
    pub(crate) credentials: Option<KeySource>,
    pub(crate) profile: AuthProfile,
    pub(crate) timeout: Duration,
    pub(crate) operation_timeout: Option<Duration>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) user_agent: String,
    pub(crate) retry: RetryPolicy,
    pub(crate) clock: Option<Clock>,
    pub(crate) http: Option<reqwest::Client>,
    pub(crate) rate_limits: Option<crate::ratelimit::RateLimits>,
    pub(crate) form_bodies: bool,
    pub(crate) mode: std::marker::PhantomData<fn() -> M>,
}

impl<M> Default for ClientBuilder<M> {
    fn default() -> Self {
        ClientBuilder {
            endpoint: None,
            credentials: None,
            profile: AuthProfile::default(),
            timeout: DEFAULT_TIMEOUT,
            operation_timeout: None,
            connect_timeout: None,
            user_agent: concat!("vod-client/", env!("CARGO_PKG_VERSION")).to_string(),
            retry: RetryPolicy::default(),
            clock: None,
            http: None,
            rate_limits: None,
            form_bodies: false,
            mode: std::marker::PhantomData,
        }
    }
}

impl<M> fmt::Debug for ClientBuilder<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("endpoint", &self.endpoint)
            .field("credentials", &self.credentials)
            .field("profile", &self.profile)
            .field("timeout", &self.timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("clock", &self.clock.as_ref().map(|_| "custom"))
            .field("http_client", &self.http.as_ref().map(|_| "custom"))
            .field("rate_limits", &self.rate_limits)
            .finish()
    }
}

impl ClientBuilder {
    /// A builder with defaults: the public endpoint, WS3 signing, 30 s timeout, 3 attempts.
    /// Credentials must still be given.
    pub fn new() -> Self {
        ClientBuilder::default()
    }

    /// A builder configured the way cloud SDKs do it, each setting from the first place that
    /// has it:
    ///
    /// 1. the environment: `VOD_ACCESS_KEY` and `VOD_SECRET_KEY` (both or neither),
    ///    `VOD_ENDPOINT`, `VOD_AUTH_PROFILE` (`ws3` or `cnc`);
    /// 2. the profile file `vod configure` writes (`$VOD_CONFIG_FILE`, else
    ///    `~/.config/vod/config.toml`), profile `$VOD_PROFILE`, else `default` — see
    ///    [`crate::profile`].
    ///
    /// Fails naming every place credentials could have come from when none has them.
    pub fn from_env() -> Result<Self, Error> {
        crate::profile::builder_from_env(&|name| std::env::var(name).ok())
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        self.build_async()
    }
}

impl<M> ClientBuilder<M> {
    /// The base URL, e.g. `http://127.0.0.1:8080` for the emulator. Default: the auth
    /// profile's host ([`DEFAULT_ENDPOINT`] for WS3).
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// The access key pair.
    pub fn credentials(self, access_key: impl Into<String>, secret_key: impl Into<String>) -> Self {
        self.credentials_value(Credentials::new(access_key, secret_key))
    }

    /// The access key pair, already wrapped.
    pub fn credentials_value(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(KeySource::Fixed(Arc::new(credentials)));
        self
    }

    /// Where each attempt gets its key pair, for keys that rotate while the client lives.
    pub fn credentials_provider(mut self, provider: Arc<dyn CredentialsProvider>) -> Self {
        self.credentials = Some(KeySource::Provider(provider));
        self
    }

    /// The signing scheme. Default [`AuthProfile::Ws3`].
    pub fn auth_profile(mut self, profile: AuthProfile) -> Self {
        self.profile = profile;
        self
    }

    /// Total time allowed for one attempt (connect, send, receive). Default 30 s. Same as
    /// [`attempt_timeout`](Self::attempt_timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Total time allowed for one attempt (connect, send, receive). Default 30 s.
    pub fn attempt_timeout(self, timeout: Duration) -> Self {
        self.timeout(timeout)
    }

    /// Total time allowed for a whole call: every attempt and the waits between them.
    /// Default: none (bounded by attempts × attempt timeout + backoff).
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// Time allowed to establish a connection (default: bounded by the timeout only).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header. Default `vod-client/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// How transient failures are retried.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sends through this `reqwest::Client` (shared connection pool, custom TLS, proxies).
    /// The builder's connect timeout, user agent and proxy settings then do not apply; build
    /// it with `redirect(reqwest::redirect::Policy::none())`, since a followed redirect
    /// would send signed requests to another host (this client reports a 3xx as
    /// [`Error::Redirect`] only when it sees one).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Paces calls client-side, a token bucket per operation: e.g.
    /// `RateLimits::from_spec()` for the limits the spec documents (`300/5min`), so a busy
    /// program waits for its turn instead of being refused. Off by default. A wait counts
    /// towards the call's timeout.
    pub fn rate_limits(mut self, limits: crate::ratelimit::RateLimits) -> Self {
        self.rate_limits = Some(limits);
        self
    }

    /// Sends the parameters of operations that accept it (`FORM_OPERATIONS`, from the spec's
    /// `form_body`) as an `application/x-www-form-urlencoded` body instead of JSON, e.g. for a
    /// gateway that only forwards forms. Signed over the exact bytes sent. Default: JSON.
    pub fn form_bodies(mut self, form: bool) -> Self {
        self.form_bodies = form;
        self
    }

    /// Replaces the clock used for signing timestamps.
    pub fn clock(mut self, now: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(now));
        self
    }

    /// Shifts the signing clock by `seconds` (positive: ahead), for a machine whose clock is
    /// known to be off. (The client also corrects itself when the service refuses a
    /// timestamp: see [`Client::clock_offset`].)
    pub fn clock_offset(self, seconds: i64) -> Self {
        let shift = Duration::from_secs(seconds.unsigned_abs());
        self.clock(move || {
            let now = SystemTime::now();
            if seconds >= 0 {
                now.checked_add(shift).unwrap_or(now)
            } else {
                now.checked_sub(shift).unwrap_or(now)
            }
        })
    }

    /// Checks the settings and builds the async client (the blocking one wraps it).
    pub(crate) fn build_async(self) -> Result<Client, Error> {
        let default_endpoint = self.profile.default_endpoint();
        let endpoint = Endpoint::parse(self.endpoint.as_deref().unwrap_or(&default_endpoint))?;
        let credentials = self.credentials.clone().ok_or_else(|| {
            Error::Config(
                "no credentials: call .credentials(access_key, secret_key) or use Client::from_env()"
                    .into(),
            )
        })?;
        // A fixed pair is checked once, here; a provider's at every attempt as well.
        credentials.current()?.check()?;
        if self.timeout.is_zero() || self.operation_timeout.is_some_and(|t| t.is_zero()) {
            return Err(Error::Config(
                "the timeout must be greater than zero".into(),
            ));
        }
        let http = match self.http {
            Some(http) => http,
            None => self.http_client_for(&endpoint)?,
        };
        Ok(Client::from_parts(crate::client::Inner {
            http,
            headers: crate::client::request_headers(self.profile, &endpoint.host)?,
            endpoint,
            credentials,
            profile: self.profile,
            request_id_headers: crate::client::request_id_header_names()?,
            retry: self.retry,
            attempt_timeout: self.timeout,
            operation_timeout: self.operation_timeout,
            clock: SigningClock::new(self.clock.unwrap_or_else(|| Arc::new(SystemTime::now))),
            limiter: self.rate_limits.map(crate::ratelimit::Limiter::new),
            form_bodies: self.form_bodies,
        }))
    }

    fn http_client_for(&self, endpoint: &Endpoint) -> Result<reqwest::Client, Error> {
        // Never follow redirects: reqwest would resend the signed request (body included) to
        // wherever `Location` points, a host nobody configured.
        let mut http = reqwest::Client::builder()
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(self.user_agent.clone());
        if let Some(connect) = self.connect_timeout {
            http = http.connect_timeout(connect);
        }
        if endpoint.loopback {
            http = http.no_proxy();
        }
        http.build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_keeps_non_default_port_in_host() {
        let e = Endpoint::parse("http://127.0.0.1:8080").expect("valid");
        assert_eq!(e.origin, "http://127.0.0.1:8080");
        assert_eq!(e.host, "127.0.0.1:8080");
        assert_eq!(e.base_path, "");
        assert!(e.loopback);
        let e = Endpoint::parse("https://api.cloudv.haplat.net:443/").expect("valid");
        assert_eq!(e.host, "api.cloudv.haplat.net");
        assert!(!e.loopback);
        let e = Endpoint::parse("http://localhost:80/prefix/").expect("valid");
        assert_eq!(
            (e.host.as_str(), e.base_path.as_str()),
            ("localhost", "/prefix")
        );
        let e = Endpoint::parse("http://[::1]:9000").expect("ipv6");
        assert_eq!(e.host, "[::1]:9000");
        assert!(e.loopback);
    }

    #[test]
    fn endpoint_rejects_bad_urls() {
        for bad in [
            "ftp://example.com",
            "example.com",
            "http://",
            "https://a.b/?x=1",
            "https://a.b/#f",
            "https://u:p@a.b",
            "",
        ] {
            let err = Endpoint::parse(bad).expect_err(bad);
            assert!(err.to_string().contains("invalid endpoint"), "{bad}: {err}");
        }
    }

    #[test]
    fn profiles_name_their_headers() {
        assert_eq!(AuthProfile::default(), AuthProfile::Ws3);
        assert_eq!(AuthProfile::Ws3.access_key_header(), "X-WS-AccessKey");
        assert_eq!(AuthProfile::Ws3.timestamp_header(), "X-WS-Timestamp");
        assert!(AuthProfile::Ws3.extra_headers().is_empty());
        assert_eq!(AuthProfile::Cnc.access_key_header(), "x-cnc-accessKey");
        assert_eq!(AuthProfile::Cnc.timestamp_header(), "x-cnc-timestamp");
        assert_eq!(
            AuthProfile::Cnc.extra_headers(),
            &[("x-cnc-auth-method", "AKSK")]
        );
        assert_eq!(AuthProfile::Cnc.algorithm(), "CNC-HMAC-SHA256");
    }

    #[test]
    fn profiles_are_the_specs_auth_profiles() {
        use crate::model::AUTH_PROFILES;
        let names: Vec<&str> = AUTH_PROFILES.iter().map(|f| f.name).collect();
        let ours: Vec<&str> = AuthProfile::ALL.iter().map(|p| p.name()).collect();
        assert_eq!(names, ours, "one variant per spec profile, same order");
        assert_eq!(AUTH_PROFILES[0].name, AuthProfile::default().name());
        for p in AuthProfile::ALL {
            assert_eq!(AuthProfile::from_algorithm(p.algorithm()), Ok(p));
            assert_eq!(AuthProfile::from_name(p.name()).ok(), Some(p));
        }
        assert_eq!(AuthProfile::Cnc.default_host(), "open.chinanetcenter.com");
        assert_eq!(AuthProfile::Ws3.default_endpoint(), DEFAULT_ENDPOINT);
        let err = AuthProfile::from_name("v4").unwrap_err().to_string();
        assert!(err.contains("ws3, cnc"), "{err}");
    }

    #[test]
    fn the_cnc_profile_defaults_to_the_gateway() {
        let c = ClientBuilder::new()
            .credentials("a", "b")
            .auth_profile(AuthProfile::Cnc)
            .build()
            .expect("client");
        assert_eq!(c.endpoint(), "https://open.chinanetcenter.com");
        let c = ClientBuilder::new()
            .credentials("a", "b")
            .auth_profile(AuthProfile::Cnc)
            .endpoint("http://127.0.0.1:1")
            .build()
            .expect("client");
        assert_eq!(c.endpoint(), "http://127.0.0.1:1");
    }

    #[test]
    fn signing_headers_are_the_profiles() {
        let pairs = signing_headers(AuthProfile::Cnc, "application/json", "h", "AK", "17");
        assert_eq!(
            pairs,
            [
                ("Content-Type", "application/json"),
                ("Host", "h"),
                ("x-cnc-accessKey", "AK"),
                ("x-cnc-timestamp", "17"),
                ("x-cnc-auth-method", "AKSK"),
            ]
        );
    }

    #[test]
    fn build_checks_settings() {
        let err = ClientBuilder::new().build().expect_err("no credentials");
        assert!(err.to_string().contains("credentials"), "{err}");
        let err = ClientBuilder::new()
            .credentials("a", "b")
            .endpoint("nope")
            .build()
            .expect_err("bad endpoint");
        assert!(err.to_string().contains("nope"), "{err}");
        let err = ClientBuilder::new()
            .credentials("a", "b")
            .timeout(Duration::ZERO)
            .build()
            .expect_err("zero timeout");
        assert!(err.to_string().contains("timeout"), "{err}");
        let err = ClientBuilder::new()
            .credentials("a", "b")
            .operation_timeout(Duration::ZERO)
            .build()
            .expect_err("zero operation timeout");
        assert!(err.to_string().contains("timeout"), "{err}");
        assert!(ClientBuilder::new().credentials("a", "b").build().is_ok());
    }

    #[test]
    fn debug_hides_the_secret() {
        let b = ClientBuilder::new()
            .credentials("AK", "super-secret")
            .clock(SystemTime::now);
        let text = format!("{b:?}");
        assert!(!text.contains("super-secret"), "{text}");
        assert!(text.contains("AK"), "{text}");
    }
}
