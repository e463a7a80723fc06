//! A typed async client for the Wangsu / CDNetworks Cloud VoD HTTP API.
//!
//! Every operation of the API is a method on [`Client`] returning that operation's builder
//! (`GetVideoListBuilder`, `TransCodeBuilder`, ...): required parameters are arguments,
//! optional ones are setters, and `send()` validates the request against the documented limits,
//! signs it (`WS3-HMAC-SHA256`, or `CNC-HMAC-SHA256` through the OpenAPI gateway), sends it,
//! retries transient failures of operations that are safe to repeat, and decodes the answer
//! into typed data. The types and operations are generated from `api-spec/` into [`model`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), vod_client::Error> {
//! use futures_util::TryStreamExt;
//! use vod_client::model::PullFile;
//! use vod_client::Client;
//!
//! let client = Client::from_env()?; // VOD_ACCESS_KEY, VOD_SECRET_KEY (and VOD_ENDPOINT)
//!
//! // Page through every video: a 'static stream, it can be moved into tokio::spawn.
//! let videos: Vec<_> = client.get_video_list().page_size(50).into_paginator().items().try_collect().await?;
//!
//! // Lists are Vec<_>, ids are newtypes, times are vod_client::Time: the SDK does the wire's
//! // comma lists, base64 of JSON, numbers as text and UTC+8 date-times.
//! let ids: Vec<_> = videos.iter().map(|v| v.video_id.clone()).collect();
//! let mut task = client.trans_code(ids).start().await?;
//! let done = task.wait_until_done().await?; // polls each video; an error names those that failed
//! println!("{} videos transcoded", done.outcomes().len());
//!
//! client.pull_video([PullFile::new("https://media.example.com/talk.mp4")]).send().await?;
//! # Ok(())
//! # }
//! ```
//!
//! Times travel in the service's zone, China Standard Time (UTC+8), as `yyyy-MM-dd HH:mm:ss`
//! text or as Unix seconds/milliseconds; [`Time`] holds a [`jiff::Timestamp`] (or, for a value
//! the service sent that does not read as a time, the raw text).
//!
//! Errors come as one [`Error`] that tells apart invalid requests (naming the operation and
//! field), service errors (code, message, request id), HTTP and transport failures, timeouts
//! and decode errors (with the field path).
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
pub mod id;
pub mod paginate;
pub mod profile;
pub mod ratelimit;
mod response;
pub mod retry;
pub mod signer;
pub mod time;
pub mod upload;
#[doc(hidden)]
pub mod validate;
pub mod wait;
pub mod wire;

#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "emulator")]
pub mod emulator;

pub use builder::RequestBuilder;
pub use call::CallOptions;
pub use client::Client;
pub use config::{
    signing_headers, AuthProfile, ClientBuilder, DEFAULT_ENDPOINT, DEFAULT_TIMEOUT, ENDPOINT_ENV,
};
pub use credentials::{Credentials, CredentialsProvider};
pub use error::{Error, ErrorClass, FieldProblem, TaskFailure, TransportError};
/// The time crate [`Time`] builds on, re-exported so callers need no dependency of their own.
pub use jiff;
pub use paginate::Paginator;
pub use response::{Response, SUCCESS_CODE};
pub use retry::RetryPolicy;
pub use time::Time;
pub use wait::{Finished, Task, TaskOutcome, WaitOptions};
