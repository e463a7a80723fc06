//! A typed async client for the Wangsu / CDNetworks Cloud VoD HTTP API.
//!
//! Every operation of the API is a method on [`Client`] returning that operation's builder
//! (`GetVideoListBuilder`, `TransCodeBuilder`, ...): required parameters are arguments,
//! optional ones are setters, and `send()` validates the request against the documented limits,
//! signs it (`WS3-HMAC-SHA256`, or `CNC-HMAC-SHA256` through the OpenAPI gateway), sends it,
//! retries transient failures of operations that are safe to repeat, and decodes the answer
//! into typed data. The types and operations are generated from `api-spec/` into [`model`].
//!
//! The examples on this page are compiled by `cargo test`; those that call the service are
//! `no_run` here, and run for real against the local emulator in the `vod-emulator` package's
//! tests (`tests/sdk/guide.rs`), so what you read is known to work.
//!
//! # Getting started
//!
//! ```toml
//! [dependencies]
//! vod-client = "0.1"
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! futures = "0.3"    # or futures-util: the paginators are `Stream`s
//!
//! [dev-dependencies]
//! vod-emulator = "0.1"  # a local Cloud VoD service for your tests
//! ```
//!
//! ```no_run
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let client = vod_client::Client::from_env()?;
//! let page = client.get_video_list().video_name("cat").page_size(20).send().await?;
//! for video in &page.video_list_info {
//!     println!("{} {}", video.video_id, video.video_name);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Lists are `Vec<_>`, ids are newtypes ([`model::VideoId`], ...), times are [`Time`]: the SDK
//! does the wire's comma lists, base64 of JSON, numbers as text and UTC+8 date-times. Any
//! builder can also be turned into its plain request (`into_request()`) and sent with
//! [`Client::send`].
//!
//! # Credentials and profiles
//!
//! [`Client::from_env()`] takes each setting from the first place that has it:
//!
//! 1. the environment: `VOD_ACCESS_KEY` and `VOD_SECRET_KEY` (both or neither), `VOD_ENDPOINT`,
//!    `VOD_AUTH_PROFILE` (`ws3`, the default, or `cnc` for the OpenAPI gateway);
//! 2. the profile file `vod configure` writes: `$VOD_CONFIG_FILE`, else
//!    `~/.config/vod/config.toml`, profile `$VOD_PROFILE`, else `default` (see [`profile`]).
//!
//! It fails naming every place credentials could have come from when none has them.
//!
//! ```no_run
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // What a deployment sets (here for a local emulator), usually outside the program.
//! std::env::set_var("VOD_ACCESS_KEY", "DEMO_ACCESS_KEY");
//! std::env::set_var("VOD_SECRET_KEY", "DEMO_SECRET_KEY");
//! std::env::set_var("VOD_ENDPOINT", "http://127.0.0.1:8787");
//! let client = vod_client::Client::from_env()?;
//! assert_eq!(client.endpoint(), "http://127.0.0.1:8787");
//! client.get_video_list().send().await?;
//! # Ok(())
//! # }
//! ```
//!
//! Keys that change while the program runs (a vault, rotation) come from a
//! [`CredentialsProvider`] given to [`ClientBuilder::credentials_provider`]: it is asked for the
//! key pair before each attempt. Secrets are kept in `secrecy` wrappers and never printed.
//!
//! # Errors and matching codes
//!
//! Every call fails with one [`Error`], which tells apart invalid requests (refused before
//! sending, naming the operation and every bad field), service errors (code, message, request
//! id), HTTP and transport failures, timeouts and decode errors (with the field path).
//! [`Error::code()`] gives the service's code as a [`model::ErrorCode`] to `match` on; the class
//! helpers [`Error::is_not_found`], [`Error::is_throttled`], [`Error::is_auth`] and
//! [`Error::is_invalid_parameter`] cover whole families of codes.
//!
//! ```no_run
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let client = vod_client::Client::from_env()?;
//! use vod_client::model::ErrorCode;
//!
//! let err = client.video_block("no-such-video").send().await.unwrap_err();
//! assert!(err.is_not_found());
//! match err.code() {
//!     Some(ErrorCode::VideoNotFound) => println!("gone already ({:?})", err.request_id()),
//!     Some(other) => println!("service said {other}"),
//!     None => return Err(err.into()),
//! }
//!
//! // Invalid requests never leave the machine, and name the field.
//! let err = client.get_video_list().page_size(100_000).send().await.unwrap_err();
//! assert!(err.is_invalid_parameter());
//! println!("{err}");
//! # Ok(())
//! # }
//! ```
//!
//! A request that is not safe to repeat (an upload, a transcode) and lost its answer after it was
//! sent fails with [`Error::Ambiguous`] ([`Error::is_ambiguous()`]): it may or may not have been
//! carried out. Operations with a way to check resolve it themselves (see [`ambiguous`]); for the
//! others, look before you send again.
//!
//! # Retries and timeouts
//!
//! The client resends transient failures (timeouts, transport errors, HTTP 429/502/503/504, the
//! codes the spec flags as retryable) of operations that are safe to repeat, with jittered
//! exponential backoff: [`RetryPolicy`], set with [`ClientBuilder::retry_policy`]. Each attempt has
//! a timeout ([`ClientBuilder::attempt_timeout`], default 30 s), and the whole call, all attempts
//! and pauses included, can have one too ([`ClientBuilder::operation_timeout`]). One call can
//! override them with [`CallOptions`] and [`Client::send_with_options`]:
//!
//! ```no_run
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use vod_client::{CallOptions, Client, RetryPolicy};
//!
//! let client = Client::builder()
//!     .credentials("AK", "SK")
//!     .retry_policy(RetryPolicy::default().with_max_attempts(5))
//!     .attempt_timeout(Duration::from_secs(10))
//!     .operation_timeout(Duration::from_secs(60))
//!     .build()?;
//!
//! let request = client.get_video_list().page_size(10).into_request();
//! // This call: 5 s in all, no retries.
//! let options = CallOptions::new().timeout(Duration::from_secs(5)).retry(RetryPolicy::none());
//! let page = client.send_with_options(&request, &options).await?;
//! # let _ = page;
//! # Ok(())
//! # }
//! ```
//!
//! # Pagination
//!
//! Operations that page have `into_paginator()`: a [`Paginator`] whose `items()` is a `'static`
//! stream of every item over every page (it can be moved into `tokio::spawn`), `pages()` the
//! pages themselves, and `max_pages` a bound.
//!
//! ```no_run
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let client = vod_client::Client::from_env()?;
//! use futures_util::TryStreamExt;
//!
//! let videos: Vec<_> = client.get_video_list().page_size(10).into_paginator().items().try_collect().await?;
//! println!("{} videos", videos.len());
//! # Ok(())
//! # }
//! ```
//!
//! # Waiting for tasks
//!
//! Operations that start work in the background (transcode, clip, concat, ...) have `start()`:
//! it sends the request and returns a [`Task`] that polls the resource's state query.
//! `wait_until_done()` waits with the default [`WaitOptions`] until every resource named in the
//! request succeeded, and fails with [`Error::TaskFailed`] naming each one that did not;
//! `wait_for_all` returns every [`TaskOutcome`], failed ones included, and `wait_with` takes
//! your own delays and time limit.
//!
//! ```no_run
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let client = vod_client::Client::from_env()?;
//! use std::time::Duration;
//! use vod_client::WaitOptions;
//! # let (first, second) = (vod_client::model::VideoId::from("a"), vod_client::model::VideoId::from("b"));
//!
//! // Several ids in one call: the task follows each video.
//! let done = client.trans_code([&first, &second]).start().await?.wait_until_done().await?;
//! assert_eq!(done.outcomes().len(), 2);
//!
//! let mut task = client.trans_code([&first]).start().await?;
//! let options = WaitOptions::every(Duration::from_millis(20), Duration::from_secs(30));
//! let finished = task.wait_for_all(options).await?;
//! for outcome in finished.outcomes() {
//!     println!("{}: {:?}", outcome.subject, outcome.state);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Uploads
//!
//! `upload_video` (and `upload_audio`, `upload_material`) takes a path, bytes or a reader, picks
//! a form upload or a block upload by size, sends blocks in parallel, checks every chunk, and can
//! resume: with a resume directory, a new run on the same file sends only the blocks the last
//! one did not finish. `progress` is called with `(bytes done, total)`; `events()` gives a
//! stream of [`upload::UploadEvent`]s; `cancel_on` stops it. See [`upload`].
//!
//! ```no_run
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let client = vod_client::Client::from_env()?;
//! # let dir = std::path::Path::new("uploads");
//! let path = dir.join("talk.mp4");
//! let uploaded = client
//!     .upload_video(&path)
//!     .parallel(4)
//!     .resume_dir(dir.join("resume"))
//!     .progress(|done, total| eprintln!("{done}/{total} bytes"))
//!     .send()
//!     .await?;
//! println!("video {} ({} bytes, hash {})", uploaded.id, uploaded.size, uploaded.hash);
//! # Ok(())
//! # }
//! ```
//!
//! An upload error converts into [`Error`] (so `?` works) and names the file, step, block and
//! offset; [`Error::upload`] gives the details back.
//!
//! # Callbacks
//!
//! The service POSTs notifications (upload finished, ...) to the account's callback URL. Their
//! payload types are in [`model`] (`VideoUploadCallback`, ...), each with a `from_body`:
//!
//! ```rust
//! // As the service sends it: the payload in the `data` of a `{code, message, data}` envelope.
//! let body = br#"{"code":200,"message":"ok","data":{"videoTotal":1,
//!     "videoListInfo":[{"videoId":"v1","videoName":"talk.mp4",
//!     "videoState":0,"transcodeState":2}]}}"#;
//! let notice = vod_client::model::VideoUploadCallback::from_body(body)?;
//! for video in &notice.video_list_info {
//!     println!("uploaded {}", video.video_id);
//! }
//! assert_eq!(notice.video_list_info[0].video_name, "talk.mp4");
//! # Ok::<(), vod_client::Error>(())
//! ```
//!
//! [`callback`] shows a complete webhook receiver, and `examples/callback_receiver.rs` runs one
//! against the emulator (`EmulatorBuilder::callback_url`).
//!
//! # Testing your own code with the emulator
//!
//! The `vod-emulator` crate, added as a dev-dependency, is a Cloud VoD server in your test
//! process: it checks signatures, keeps state (seed it with `emu.state()`), runs uploads and
//! tasks, sends callbacks, and injects faults (`emu.faults()`: busy answers, any service code,
//! HTTP errors, dropped connections, delays, throttling), so the error paths of your code can be
//! tested too. A test of yours, with `vod-emulator` in `[dev-dependencies]`:
//!
//! ```ignore
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use vod_emulator::{Emulator, FaultAction, FaultRule};
//! use vod_client::{Client, RetryPolicy};
//!
//! let emu = Emulator::start().await?;
//! let client = Client::builder()
//!     .endpoint(emu.base_url())
//!     .credentials(emu.access_key(), emu.secret_key())
//!     .retry_policy(RetryPolicy::none())
//!     .build()?;
//!
//! emu.faults().add(FaultRule::new(FaultAction::HttpStatus(503)).on("getVideoList").first(1))?;
//! let err = client.get_video_list().send().await.unwrap_err();
//! assert_eq!(err.http_status(), Some(503));
//! assert!(err.is_retryable());
//! client.get_video_list().send().await?; // the rule fired once
//! emu.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! (`ignore` only because this crate does not depend on the emulator; the same example is a doc
//! test of `vod-emulator`, and runs there.) The `vod-emulator` binary (and `vod emulator`)
//! serves the same emulator for other languages and for trying the `vod` command line.
//!
//! # Times
//!
//! The service's times are in its zone, China Standard Time (UTC+8), as `yyyy-MM-dd HH:mm:ss`
//! text or as Unix seconds/milliseconds. Fields of all three are a [`Time`]: a
//! [`jiff::Timestamp`] the SDK converts to and from the wire form, or, for a value that does not
//! read as a time, the raw text (one odd field does not fail a whole answer).
//!
//! ```rust
//! use vod_client::Time;
//!
//! let t = Time::from_service_text("2024-02-29 23:59:59"); // UTC+8 on the wire
//! assert_eq!(t.timestamp().unwrap().to_string(), "2024-02-29T15:59:59Z");
//! assert_eq!(Time::from_unix_seconds(0).to_service_text(), "1970-01-01 08:00:00");
//! ```
//!
//! # Without async
//!
//! With feature `blocking`, `vod_client::blocking::Client` has the same operations,
//! setters, paginators (as iterators), waiters and uploads, and blocks the calling thread
//! instead of returning futures: `client.get_video_list().page_size(20).send()?`. It drives
//! the async client on a Tokio runtime of its own; inside async code its calls fail with
//! [`Error::BlockingInAsync`] rather than stall the runtime.
//!
//! # Features
//!
//! | feature | what it adds |
//! |---|---|
//! | *(none)* | the client: every operation, paging, uploads, waiters, callback decoding |
//! | `blocking` | `vod_client::blocking::Client`: every operation, paginators as iterators, waiters and uploads, without `.await` |
//! | `serde` | `Serialize` for answers and callbacks, `Deserialize` for requests (to store, replay or print them); without it requests only serialize and answers only deserialize, which is all sending needs and compiles faster. the emulator and the CLI turn it on |
//! | `native-roots` | trust the operating system's certificate store as well as the bundled webpki roots (e.g. behind a TLS-inspecting proxy) |
//!
//! Beside this crate, in the same repository: `vod-emulator` (the local service, for tests), and
//! `vod-cli` (the `vod` command line: `cargo install --locked --path vod-client/cli`). The runnable
//! programs in `vod-client/examples/` (`quickstart`, `list_videos`, `upload`, `transcode`,
//! `callback_receiver`, `testing`) each start their own emulator:
//! `cargo run -p vod-examples --example quickstart`.
// docs.rs builds with `--cfg docsrs` on nightly: badges name the feature of gated items.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

/// Types and operations generated from `api-spec/` (requests, outputs, enums, client methods).
// Formatted by the generator (prettyplease); `cargo xtask codegen --check` guards it instead.
#[rustfmt::skip]
#[path = "generated/mod.rs"]
pub mod model;

/// The generator's golden output for its fixture spec, compiled against this runtime so the
/// golden files are known to build (see `codegen/tests/golden.rs`).
/// Workspace only (`build.rs`): the published crate does not ship the generator's files.
#[cfg(all(test, vod_workspace))]
#[rustfmt::skip]
#[allow(dead_code, unused_imports)]
#[path = "../../codegen/tests/golden/mini/mod.rs"]
mod golden_fixture;
#[cfg(all(test, vod_workspace))]
mod golden_fixture_tests;

/// The workspace README's examples, compiled as doc tests so they cannot rot.
#[cfg(all(doctest, vod_workspace))]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// The crate README's examples (shipped with the crate), compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct CrateReadmeDoctests;

pub mod operation;

pub mod ambiguous;
#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;
mod builder;
mod call;
pub mod callback;
mod client;
mod clock;
#[doc(hidden)]
pub mod codec;
mod config;
pub mod credentials;
#[doc(hidden)]
pub mod de;
mod encode;
mod error;
#[doc(hidden)]
pub mod fuzzing;
#[doc(hidden)]
pub mod id;
mod json_path;
mod lenient;
pub mod paginate;
pub mod profile;
pub mod ratelimit;
/// Any request, signed: [`Client::raw_request`].
pub mod raw;
mod response;
pub mod retry;
pub mod signer;
#[cfg(test)]
mod test_server;
pub mod time;
pub mod upload;
#[doc(hidden)]
pub mod validate;
pub mod wait;
pub mod wire;

pub use builder::{Async, RequestBuilder};
pub use call::CallOptions;
pub use client::Client;
pub use config::{
    signing_headers, AuthProfile, ClientBuilder, DEFAULT_ENDPOINT, DEFAULT_TIMEOUT, ENDPOINT_ENV,
};
pub use credentials::{Credentials, CredentialsProvider};
pub use error::{Error, ErrorClass, FieldProblem, TaskFailure, TransportError, Violation};
/// The time crate [`Time`] builds on, re-exported so callers need no dependency of their own.
pub use jiff;
pub use lenient::DecodeWarning;
pub use paginate::Paginator;
pub use response::{Response, SUCCESS_CODE};
pub use retry::RetryPolicy;
pub use time::Time;
pub use wait::{Finished, Task, TaskOutcome, WaitOptions};
