//! A blocking client, for programs without an async runtime (feature `blocking`).
//!
//! [`Client`] has a method per operation, like [`crate::Client`], returning the same builder
//! types in the [`Blocking`] mode: the same setters, and `send()` returns the result instead
//! of a future. Paginators are iterators, tasks wait on the calling thread, and uploads have
//! the async [`Upload`]'s setters. Code ports by deleting `.await`.
//!
//! Underneath it is the async client, driven by a Tokio runtime the blocking client starts
//! once and shares with its clones (an `Arc`): every call runs the async code on the calling
//! thread with `block_on`, so both clients behave alike (retries, timeouts, uploads) and the
//! operations are generated once.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use vod_client::upload::UploadSource;
//! use vod_client::WaitOptions;
//!
//! let client = vod_client::blocking::Client::from_env()?;
//!
//! let video = client
//!     .upload_video(UploadSource::bytes("talk.mp4", vec![7u8; 4096]))
//!     .parallel(2)
//!     .send()?;
//! client.video_edit(&video.id).video_name("Keynote").send()?;
//!
//! // Pages are fetched as the iterator advances.
//! for entry in client.get_video_list().page_size(10).into_paginator().items() {
//!     println!("{}", entry?.video_name);
//! }
//!
//! let options = WaitOptions::every(Duration::from_millis(10), Duration::from_secs(30));
//! let done = client.trans_code([&video.id]).start()?.wait_with(options)?;
//! assert!(done.all_succeeded());
//! # Ok(())
//! # }
//! ```
//!
//! **Inside async code** a blocking call would stall the runtime's thread (and Tokio refuses
//! to start a runtime inside another), so every blocking method checks first and fails with
//! [`Error::BlockingInAsync`] when it runs on a thread inside a Tokio runtime — including
//! `spawn_blocking` closures, which Tokio does not let a library tell apart. There, use
//! [`crate::Client`] (or [`Client::as_async`]) with `.await`; a blocking library called from
//! async code can move its calls to a `std::thread` of their own. Dropping the last clone of
//! a blocking client inside a runtime is fine: its runtime is then shut down in the background.

mod paginate;
mod send;
mod task;

use std::fmt;
use std::future::Future;
use std::sync::Arc;

pub use paginate::{Iter, Paginator};
pub use task::Task;

use crate::call::CallOptions;
use crate::operation::Request;
use crate::response::Response;
use crate::upload::{AssetKind, Upload, UploadSource};
use crate::{ClientBuilder, Error, RequestBuilder};

/// The mode of builders made by a blocking [`Client`]: `send()` blocks the calling thread
/// until the answer is there.
///
/// It holds the client's runtime, so a builder, paginator or task in this mode can be sent
/// to another thread and used there.
#[derive(Clone)]
pub struct Blocking {
    runtime: Arc<Runtime>,
}

impl fmt::Debug for Blocking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Blocking").finish_non_exhaustive()
    }
}

/// The Tokio runtime behind a blocking client and its clones.
struct Runtime {
    tokio: Option<tokio::runtime::Runtime>,
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // Tokio panics when a runtime is dropped where blocking is not allowed (in async
        // code); there, shut it down without waiting for its threads.
        if let Some(runtime) = self.tokio.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                runtime.shutdown_background();
            }
        }
    }
}

impl Blocking {
    /// Starts the runtime: a few worker threads, for the tasks the async code spawns (upload
    /// blocks, connections); each call's own future runs on the calling thread.
    fn start() -> Result<Blocking, Error> {
        let workers = std::thread::available_parallelism()
            .map_or(2, std::num::NonZeroUsize::get)
            .clamp(1, 4);
        let tokio = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name("vod-blocking")
            .enable_all()
            .build()
            .map_err(|e| {
                Error::Config(format!("cannot start the blocking client's runtime: {e}"))
            })?;
        Ok(Blocking {
            runtime: Arc::new(Runtime { tokio: Some(tokio) }),
        })
    }

    /// Runs `future` to its end on the calling thread, unless that thread is inside an async
    /// runtime (where Tokio would panic, and blocking would stall it).
    pub(crate) fn block_on<F: Future>(
        &self,
        operation: &'static str,
        future: F,
    ) -> Result<F::Output, Error> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::BlockingInAsync { operation });
        }
        match &self.runtime.tokio {
            Some(runtime) => Ok(runtime.block_on(future)),
            None => Err(Error::Config(
                "the blocking client's runtime was shut down".into(),
            )),
        }
    }

    /// [`block_on`](Self::block_on) of a fallible future, with the two errors merged.
    pub(crate) fn run<T>(
        &self,
        operation: &'static str,
        future: impl Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        self.block_on(operation, future)?
    }
}

/// A Cloud VoD client that blocks the calling thread: [`crate::Client`] without `.await`.
///
/// Cheap to clone (clones share the connection pool and the runtime), `Send + Sync`: use it
/// from many threads at once. See [the module](self) for an example.
#[derive(Clone)]
pub struct Client {
    inner: crate::Client,
    mode: Blocking,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Client")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder with the async client's settings; its `build()` makes a blocking client.
    pub fn builder() -> ClientBuilder<Blocking> {
        ClientBuilder::default()
    }

    /// Configured from the environment, then the profile file, as
    /// [`crate::Client::from_env`]. To change a setting on top, build the async client with
    /// [`ClientBuilder::from_env`] and pass it to [`Client::from_async`].
    pub fn from_env() -> Result<Client, Error> {
        Client::from_async(crate::Client::from_env()?)
    }

    /// Wraps an async client (sharing its connection pool and settings) and starts the
    /// runtime that drives it.
    pub fn from_async(client: crate::Client) -> Result<Client, Error> {
        Ok(Client {
            inner: client,
            mode: Blocking::start()?,
        })
    }

    /// The async client underneath, for use in async code.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// Takes the async client out.
    pub fn into_async(self) -> crate::Client {
        self.inner
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> String {
        self.inner.endpoint()
    }

    /// Validates, sends and decodes a request built beforehand (see
    /// [`crate::Client::send`]).
    pub fn send<R: Request>(&self, request: &R) -> Result<R::Output, Error> {
        self.mode.run(R::OPERATION.name, self.inner.send(request))
    }

    /// Like [`send`](Self::send), with per-call timeouts or retry policy.
    pub fn send_with_options<R: Request>(
        &self,
        request: &R,
        options: &CallOptions,
    ) -> Result<R::Output, Error> {
        self.mode.run(
            R::OPERATION.name,
            self.inner.send_with_options(request, options),
        )
    }

    /// Like [`send`](Self::send), keeping the envelope's code, message and request id.
    pub fn send_with_metadata<R: Request>(
        &self,
        request: &R,
    ) -> Result<Response<R::Output>, Error> {
        self.mode
            .run(R::OPERATION.name, self.inner.send_with_metadata(request))
    }

    /// Starts configuring the upload of a video (see [`crate::Client::upload_video`]).
    pub fn upload_video(&self, source: impl Into<UploadSource>) -> Upload<Blocking> {
        self.upload(source.into(), AssetKind::Video)
    }

    /// Starts configuring the upload of an mp3 audio file (`getAudioUploadToken`).
    pub fn upload_audio(&self, source: impl Into<UploadSource>) -> Upload<Blocking> {
        self.upload(source.into(), AssetKind::Audio)
    }

    /// Starts configuring the upload of a material (image, document, ...;
    /// `getMaterialUploadToken`).
    pub fn upload_material(&self, source: impl Into<UploadSource>) -> Upload<Blocking> {
        self.upload(source.into(), AssetKind::Material)
    }

    /// Runs any future of the async API (an upload's event stream, a custom sequence of
    /// calls) to its end on this client's runtime; fails with [`Error::BlockingInAsync`]
    /// inside an async runtime.
    pub fn block_on<F: Future>(&self, future: F) -> Result<F::Output, Error> {
        self.mode.block_on("block_on", future)
    }

    fn upload(&self, source: UploadSource, kind: AssetKind) -> Upload<Blocking> {
        Upload::new(self.inner.clone(), source, kind, self.mode.clone())
    }

    /// Binds `request` to this client, for the generated operation methods.
    pub(crate) fn bind<R>(&self, request: R) -> RequestBuilder<R, Blocking> {
        RequestBuilder::with_mode(self.inner.clone(), request, self.mode.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GetVideoListBuilder, GetVideoListRequest, TransCodeRequest};

    #[test]
    fn clients_builders_and_iterators_cross_threads() {
        fn send_sync<T: Send + Sync>() {}
        fn send<T: Send + 'static>() {}
        send_sync::<Client>();
        send_sync::<GetVideoListBuilder<Blocking>>();
        send_sync::<Paginator<GetVideoListRequest>>();
        send::<Upload<Blocking>>();
        send::<Iter<crate::model::VideoInfo>>();
        send::<Task<TransCodeRequest>>();
    }

    #[test]
    fn clones_share_one_runtime_and_a_drop_outside_async_code_joins_it() {
        let client = Client::builder()
            .endpoint("http://127.0.0.1:9")
            .credentials("AK", "SK")
            .build()
            .expect("client");
        let clone = client.clone();
        assert!(Arc::ptr_eq(&client.mode.runtime, &clone.mode.runtime));
        let builder = clone.get_video_list();
        drop(client);
        drop(clone);
        // The builder still holds the runtime: refused before sending, by validation.
        let err = builder.page_size(0).send().expect_err("invalid");
        assert!(matches!(err, Error::InvalidRequest { .. }), "{err}");
    }
}
