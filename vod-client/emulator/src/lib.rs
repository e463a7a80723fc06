//! A local Cloud VoD service: signature checks, in-memory state, uploads, tasks and faults.
//!
//! Add it as a dev-dependency next to the SDK, and point a `vod_client::Client` at it:
//!
//! ```toml
//! [dependencies]
//! vod-client = "0.1"
//!
//! [dev-dependencies]
//! vod-emulator = { version = "0.1", default-features = false }  # without the server's CLI options
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
//!
//! ```rust
//! use vod_client::RetryPolicy;
//! use vod_emulator::{Emulator, FaultAction, FaultRule};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let emu = Emulator::start().await?; // 127.0.0.1, a free port, the demo key pair
//! let video_id = emu.state().add_video("talk.mp4");
//! let client = emu.client_builder().retry_policy(RetryPolicy::none()).build()?;
//!
//! let page = client.get_video_list().send().await?;
//! assert_eq!(page.video_list_info[0].video_id, video_id);
//!
//! // Faults test your error paths: here the next getVideoList answers HTTP 503.
//! emu.faults().add(FaultRule::new(FaultAction::HttpStatus(503)).on("getVideoList").first(1))?;
//! let err = client.get_video_list().send().await.unwrap_err();
//! assert_eq!(err.http_status(), Some(503));
//! client.get_video_list().send().await?; // the rule fired once
//! emu.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! The emulator exists so that the SDK, its examples and its users' tests can run the whole
//! API — including uploads and asynchronous tasks — without an account or a network, and so
//! that failure handling (bad signatures, throttling, dropped connections) can be tested on
//! demand. It is *faithful* where a client can tell the difference: the same paths, methods,
//! content types, signature algorithm (verified with the SDK's own [`vod_client::signer`]),
//! envelopes, field names, enums and documented error codes as the spec (`api-spec/`), and
//! the WCS storage upload protocol (token format, `mkblk`/`bput`/`mkfile`, etag) as the
//! SDK's upload module describes it.
//! It is *simple* where a client cannot: no media is decoded or stored (an object is its size
//! and etag), tasks finish after a configurable time, and play URLs point at a fake domain.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use vod_emulator::Emulator;
//! let emulator = Emulator::builder()
//!     .task_duration(std::time::Duration::from_millis(20))
//!     .start()
//!     .await?;
//! let video_id = emulator.state().add_video("seeded.mp4");
//! println!("{} {} {}", emulator.base_url(), emulator.access_key(), video_id);
//! emulator.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Error codes
//!
//! Every code the emulator answers is a [`vod_client::model::ErrorCode`], declared in the spec
//! (`api-spec/service.yaml`) with its meaning and HTTP status
//! ([`ErrorCodeFacts::http_status`](vod_client::model::ErrorCodeFacts::http_status)):
//! business errors answer HTTP 200 with `{"code": <int>, "message": <text>}`. A request that
//! fails the spec's checks (the same the client runs before sending) gets the code the spec
//! gives the failing field or rule, else the operation's parameter error (1000, 1004 for audio
//! and materials, 24112000 with HTTP 400 for categories). The service documents no codes for
//! signature and transport failures; the emulator answers the spec's 2001–2009 (signatures),
//! 2010–2015 (body size, method, content type, path, stalled body, `Host`), and 2101, 2102 for
//! injected busy and throttled answers.
//!
//! Every API answer carries the request-id header of the request's signing profile
//! (`X-WS-RequestId`, or `x-cnc-request-id` for the CNC gateway's); every upload answer carries `X-Reqid`. Upload errors use the storage
//! service's shape: HTTP status = code, `{"code":"<status>","message":..}` (401 bad or expired
//! token, 406 key exists, 412 blocks cannot be assembled, 413 too large, 701 bad ctx/offset).
//!
//! # Limits that keep a shared emulator healthy
//!
//! - A connection that stays silent for the idle timeout (30 s; [`EmulatorBuilder::idle_timeout`])
//!   is closed: before its request head, between keep-alive requests, and between pieces of a
//!   request body (an API body that stalls is answered 408, code 2014).
//! - A request needs exactly one visible-ASCII `Host` header (RFC 9112 §3.2), or it is
//!   answered 400, code 2015, before anything else is checked.
//! - Upload tokens live 24 h ([`EmulatorBuilder::upload_token_lifetime`]); what an unused token
//!   announced is forgotten when it expires, and at most 10 000 announced uploads are kept
//!   ([`EmulatorBuilder::max_pending_uploads`]), oldest forgotten first.
//! - No input makes a handler panic: times past year 9999, numbers past `i64`, and sums of
//!   sizes are refused as parameter errors or saturate.
//! - `Debug` of [`Emulator`] and [`EmulatorBuilder`] never shows a secret key.
//!
//! # Decisions where the sources disagree
//!
//! Wire decisions (answer shapes, time formats, field names such as `tassamplingRatekId`) are
//! the spec's, listed in `api-spec/DECISIONS.md`; the emulator follows them because its routes
//! and answers are generated from the spec. Its own behavioural choices:
//!
//! - Clip, concat and transcode answer the new task's id as their `data` text.
//! - Uploaded videos start with `transcodeState` 2 (not transcoded) unless the token asked for
//!   automatic processing (workflow, template, watermark or subtitle), which runs a transcode.

// docs.rs builds with `--cfg docsrs` on nightly: badges name the feature of gated items.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub mod args;
mod auth;
mod errors;
mod faults;
#[doc(hidden)]
pub mod fuzzing;
/// Routes, request checks and example answers, generated from `api-spec/`.
// Formatted by the generator (prettyplease); `cargo xtask codegen --check` guards it instead.
#[rustfmt::skip]
mod generated;
mod handlers;
mod journal;
mod params;
mod serve;
mod server;
mod state;
mod tasks;
pub mod upload;
mod util;

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret as _, SecretString};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use auth::MAX_CLOCK_SKEW_SECS;
pub use errors::ApiError;
pub use faults::{
    FaultAction, FaultPlan, FaultRule, FaultRuleError, Faults, Trigger, UPLOAD_STEPS,
};
pub use journal::CallRecord;
pub use state::{Audio, Category, CategoryPath, Material, Resolution, StateHandle, Video};
pub use tasks::TaskSummary;
pub use upload::etag::wcs_etag;

use state::{Shared, SharedOptions};

/// The demo access key: accepted by every emulator started without explicit credentials.
pub const DEMO_ACCESS_KEY: &str = "DEMO_ACCESS_KEY";
/// The demo secret key matching [`DEMO_ACCESS_KEY`]. Not a secret: it only opens emulators.
pub const DEMO_SECRET_KEY: &str = "DEMO_SECRET_KEY";
/// The user name (`createUser`) of the demo account.
pub const DEMO_USER: &str = "demo";

/// Default body limit of API calls: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// Default limit of one upload (form file or block): 5 GiB.
pub const DEFAULT_UPLOAD_LIMIT: u64 = 5 * 1024 * 1024 * 1024;
/// Default idle timeout of a connection: 30 s (see [`EmulatorBuilder::idle_timeout`]).
pub const DEFAULT_IDLE_TIMEOUT: Duration = serve::DEFAULT_IDLE_TIMEOUT;
/// Default lifetime of the upload tokens the emulator hands out: 24 hours.
pub const DEFAULT_UPLOAD_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// Default number of announced, unfinished uploads the emulator remembers (see
/// [`EmulatorBuilder::max_pending_uploads`]).
pub const DEFAULT_MAX_PENDING_UPLOADS: usize = state::DEFAULT_MAX_PENDING_UPLOADS;

/// What `Debug` prints instead of a secret key.
const REDACTED: &str = "<redacted>";

/// Configures an [`Emulator`] before it starts.
#[derive(Clone)]
pub struct EmulatorBuilder {
    listen: SocketAddr,
    accounts: Vec<(String, String, String)>,
    task_duration: Duration,
    body_limit: usize,
    upload_limit: u64,
    seed: Option<u64>,
    faults: FaultPlan,
    clock_skew: i64,
    idle_timeout: Duration,
    upload_token_lifetime: Duration,
    max_pending_uploads: usize,
    callback_url: Option<String>,
    fail_tasks: u32,
    examples_only: bool,
}

/// Access keys and user names, never the secret keys.
struct RedactedAccounts<'a>(&'a [(String, String, String)]);

impl fmt::Debug for RedactedAccounts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(access_key, _, user)| {
                format!("{{ access_key: {access_key:?}, secret_key: {REDACTED}, user: {user:?} }}")
            }))
            .finish()
    }
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("listen", &self.listen)
            .field("accounts", &RedactedAccounts(&self.accounts))
            .field("task_duration", &self.task_duration)
            .field("body_limit", &self.body_limit)
            .field("upload_limit", &self.upload_limit)
            .field("seed", &self.seed)
            .field("faults", &self.faults)
            .field("clock_skew", &self.clock_skew)
            .field("idle_timeout", &self.idle_timeout)
            .field("upload_token_lifetime", &self.upload_token_lifetime)
            .field("max_pending_uploads", &self.max_pending_uploads)
            .field("callback_url", &self.callback_url)
            .field("fail_tasks", &self.fail_tasks)
            .field("examples_only", &self.examples_only)
            .finish()
    }
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            accounts: Vec::new(),
            task_duration: Duration::from_millis(200),
            body_limit: DEFAULT_BODY_LIMIT,
            upload_limit: DEFAULT_UPLOAD_LIMIT,
            seed: None,
            faults: FaultPlan::default(),
            clock_skew: 0,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            upload_token_lifetime: DEFAULT_UPLOAD_TOKEN_LIFETIME,
            max_pending_uploads: DEFAULT_MAX_PENDING_UPLOADS,
            callback_url: None,
            fail_tasks: 0,
            examples_only: false,
        }
    }
}

impl EmulatorBuilder {
    /// The address to bind (default `127.0.0.1:0`, a free port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Accepts this key pair (user name: the access key). Without any call, the demo pair
    /// is accepted.
    pub fn credentials(self, access_key: &str, secret_key: &str) -> Self {
        self.account(access_key, secret_key, access_key)
    }

    /// Accepts this key pair, acting as `user` (`createUser` of what it creates).
    pub fn account(mut self, access_key: &str, secret_key: &str, user: &str) -> Self {
        self.accounts.push((
            access_key.to_string(),
            secret_key.to_string(),
            user.to_string(),
        ));
        self
    }

    /// How long tasks (clip, concat, transcode, ...) run before they finish (default 200 ms).
    pub fn task_duration(mut self, duration: Duration) -> Self {
        self.task_duration = duration;
        self
    }

    /// Largest accepted API body (default 1 MiB).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Largest accepted upload file or block (default 5 GiB).
    pub fn upload_limit(mut self, bytes: u64) -> Self {
        self.upload_limit = bytes;
        self
    }

    /// Seed of the id generator (ids are then the same on every run).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Adds a fault rule.
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.faults.rules.push(rule);
        self
    }

    /// At most `limit` calls per `window`.
    pub fn throttle(mut self, limit: u64, window: Duration) -> Self {
        self.faults.throttle = Some((limit, window));
        self
    }

    /// The next `n` tasks (transcode, clip, concat, ...) fail, as if the media could not be
    /// processed: for testing how code handles failed tasks.
    pub fn fail_tasks(mut self, n: u32) -> Self {
        self.fail_tasks = n;
        self
    }

    /// Every operation answers the spec's example answer (documented defaults, empty lists,
    /// zero counts) once the request passed the spec's checks, instead of emulating the
    /// service: no state, no business rules. Signatures, the checks, error codes and faults
    /// stay. For contract tests that care about the wire only, and for trying an operation
    /// whose behaviour nobody wrote yet.
    pub fn examples_only(mut self, on: bool) -> Self {
        self.examples_only = on;
        self
    }

    /// Moves the emulator's clock by `secs`.
    pub fn clock_skew(mut self, secs: i64) -> Self {
        self.clock_skew = secs;
        self
    }

    /// How long a connection may stay silent (default 30 s): a request head must arrive
    /// within this time of the connection opening or finishing its previous answer, and each
    /// piece of a request body within this time of the previous one. Silent connections are
    /// closed; a stalled API body is answered HTTP 408, code 2014.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Lifetime of the upload tokens the token operations hand out (default 24 h). An
    /// announced upload whose token expired is forgotten.
    pub fn upload_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.upload_token_lifetime = lifetime;
        self
    }

    /// How many announced, unfinished uploads (token handed out, bytes not received) the
    /// emulator remembers (default 10 000); past it, the oldest are forgotten and their keys
    /// then upload as plain objects that create no asset.
    pub fn max_pending_uploads(mut self, max: usize) -> Self {
        self.max_pending_uploads = max;
        self
    }

    /// The account's callback address (the console setting): once an upload completes, the
    /// Video (or Audio, Material) Upload Callback is POSTed there, retried when delivery fails.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }

    /// Binds and starts serving in the background of the current Tokio runtime.
    pub async fn start(self) -> io::Result<Emulator> {
        for rule in &self.faults.rules {
            rule.check()
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        }
        let listener = tokio::net::TcpListener::bind(self.listen).await?;
        let addr = listener.local_addr()?;
        let mut accounts = self.accounts;
        if accounts.is_empty() {
            accounts.push((
                DEMO_ACCESS_KEY.into(),
                DEMO_SECRET_KEY.into(),
                DEMO_USER.into(),
            ));
        }
        let (access_key, secret_key) = accounts
            .first()
            .map(|(ak, sk, _)| (ak.clone(), sk.clone()))
            .unwrap_or_default();
        let shared = Arc::new(Shared::new(SharedOptions {
            accounts,
            api_body_limit: self.body_limit,
            upload_limit: self.upload_limit,
            seed: self.seed.unwrap_or_else(util::default_seed),
            task_duration: self.task_duration,
            faults: self.faults,
            upload_token_lifetime: self.upload_token_lifetime,
            max_pending_uploads: self.max_pending_uploads,
            examples_only: self.examples_only,
        }));
        shared.clock.set_skew(self.clock_skew);
        if self.fail_tasks > 0 {
            StateHandle {
                shared: shared.clone(),
            }
            .fail_next_tasks(self.fail_tasks);
        }
        if let Some(url) = self.callback_url {
            shared.uploads.set_callback_url(url);
        }
        let base_url = format!("http://{addr}");
        // Cannot fail: the cell is new.
        let _ = shared.base_url.set(base_url.clone());
        let app = server::router(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve::serve(listener, app, self.idle_timeout, stopped));
        Ok(Emulator {
            addr,
            base_url,
            access_key,
            secret_key: SecretString::from(secret_key),
            state: StateHandle { shared },
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// A running emulator. Dropping it stops the server (in the background); [`Emulator::shutdown`]
/// stops it and waits.
pub struct Emulator {
    addr: SocketAddr,
    base_url: String,
    access_key: String,
    secret_key: SecretString,
    state: StateHandle,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .field("base_url", &self.base_url)
            .field("access_key", &self.access_key)
            .field("secret_key", &REDACTED)
            .field("state", &self.state)
            .field("running", &self.stop.is_some())
            .finish()
    }
}

impl Emulator {
    /// Starts an emulator with the defaults: demo key pair, a free port on 127.0.0.1.
    pub async fn start() -> io::Result<Emulator> {
        Self::builder().start().await
    }

    /// A builder for non-default settings.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// `http://127.0.0.1:<port>`: the endpoint to give a client.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The (first) accepted access key.
    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    /// The secret key of [`Emulator::access_key`].
    pub fn secret_key(&self) -> &str {
        self.secret_key.expose_secret()
    }

    /// A client builder pointed at this emulator with its key pair; set anything else on it,
    /// then `build()`.
    pub fn client_builder(&self) -> vod_client::ClientBuilder {
        vod_client::Client::builder()
            .endpoint(self.base_url())
            .credentials(self.access_key(), self.secret_key())
    }

    /// A handle to read and seed the state.
    pub fn state(&self) -> StateHandle {
        self.state.clone()
    }

    /// Fault injection switches.
    pub fn faults(&self) -> &Faults {
        &self.state.shared.faults
    }

    /// Every API call this emulator answered, oldest first (the last 10,000): operation,
    /// attempt, the fault applied, and the answer's status and code. Tests assert on it
    /// ("retried twice", "the fault fired").
    pub fn journal(&self) -> Vec<CallRecord> {
        self.state.shared.journal.records()
    }

    /// Stops accepting connections, lets requests in flight finish (at most 5 s), and waits.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Runs an emulator until Ctrl-C or SIGTERM: prints `listening on http://<addr>` (one line on
/// stdout) once connections are accepted, then serves, then shuts down cleanly. Logging is
/// the caller's choice (see [`init_logging`]).
#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub async fn run_server(builder: EmulatorBuilder) -> io::Result<()> {
    let emulator = builder.start().await?;
    {
        use std::io::Write as _;
        let mut out = io::stdout().lock();
        writeln!(out, "listening on {}", emulator.base_url())?;
        out.flush()?;
    }
    tracing::info!(target: "vod_emulator", access_key = %emulator.access_key(), "emulator started");
    shutdown_signal().await;
    tracing::info!(target: "vod_emulator", "shutting down");
    emulator.shutdown().await;
    Ok(())
}

/// Logs requests to stderr (`RUST_LOG` filters; default `vod_emulator=info`). Does nothing
/// when a global subscriber is already installed.
#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("vod_emulator=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::IsTerminal::is_terminal(&io::stderr()))
        .try_init();
}

#[cfg(feature = "server")]
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
