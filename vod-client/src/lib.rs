//! A typed async client for the Wangsu / CDNetworks Cloud VoD HTTP API.
//!
//! Every operation of the API is a method on [`Client`] returning a [`RequestBuilder`]:
//! required parameters are arguments, optional ones are setters, and `send()` validates the
//! request against the documented limits, signs it (`WS3-HMAC-SHA256`, or `CNC-HMAC-SHA256`
//! through the OpenAPI gateway), sends it, retries transient failures of operations that are
//! safe to repeat, and decodes the answer into typed data. The types and operations are
//! generated from `api-spec/` into [`model`]; the runtime in the other modules knows no
//! operation in particular.
//!
//! ```no_run
//! # async fn demo() -> Result<(), vod_client::Error> {
//! use vod_client::operation::{BodyKind, DataKind, Envelope, HttpMethod, OperationSpec, Request};
//!
//! // Usually: `client.get_video_list().page_size(20).send().await?` (a generated method).
//! // Any request type works through the same path; here one written by hand:
//! #[derive(serde::Serialize)]
//! struct Ping {
//!     #[serde(rename = "pageSize")]
//!     page_size: i32,
//! }
//! impl Request for Ping {
//!     type Output = serde_json::Value;
//!     const OPERATION: &'static OperationSpec = &OperationSpec {
//!         name: "getVideoList",
//!         method: HttpMethod::Post,
//!         path: "/vod/videoManage/getVideoList",
//!         body: BodyKind::Json,
//!         envelope: Envelope::Standard,
//!         data: DataKind::Object,
//!         retry_safe: true,
//!     };
//!     fn validate(&self) -> Result<(), vod_client::Error> {
//!         let mut v = vod_client::validate::Validator::new(Self::OPERATION);
//!         v.int_range("pageSize", Some(i64::from(self.page_size)), Some(1), Some(50));
//!         v.finish()
//!     }
//! }
//!
//! let client = vod_client::Client::builder()
//!     .endpoint("http://127.0.0.1:8080") // e.g. the emulator; default: the public endpoint
//!     .credentials("access-key", "secret-key") // or Client::from_env()
//!     .build()?;
//! let answer = vod_client::RequestBuilder::new(&client, Ping { page_size: 20 })
//!     .send_with_metadata()
//!     .await?;
//! println!("{} (request id {:?})", answer.data, answer.request_id);
//! # Ok(())
//! # }
//! ```
//!
//! Errors come as one [`Error`] that tells apart invalid requests, service errors (code,
//! message, request id), HTTP and transport failures, timeouts and decode errors (with the
//! field path).
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

mod builder;
pub mod callback;
mod client;
mod config;
pub mod credentials;
pub mod de;
mod encode;
mod error;
pub mod paginate;
mod response;
pub mod retry;
pub mod signer;
pub mod upload;
pub mod validate;
pub mod wait;
pub mod wire;

#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "emulator")]
pub mod emulator;

pub use builder::RequestBuilder;
pub use client::Client;
pub use config::{AuthProfile, ClientBuilder, DEFAULT_ENDPOINT, DEFAULT_TIMEOUT, ENDPOINT_ENV};
pub use credentials::Credentials;
pub use error::{Error, FieldProblem};
pub use paginate::Paginator;
pub use response::{Response, SUCCESS_CODE};
pub use retry::RetryPolicy;
pub use wait::{Task, WaitOptions};
