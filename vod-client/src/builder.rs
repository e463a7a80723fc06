//! The generic core of every operation's builder.
//!
//! Each operation has its own generated builder type (`GetVideoListBuilder`, ...) with one
//! setter per optional parameter, so rustdoc shows each operation's setters on one page. All of
//! them wrap a [`RequestBuilder`], where the ways to send — once, with metadata, as pages, or as
//! a task to wait for — live once for all operations.
//!
//! A builder owns a [`Client`] (an `Arc` inside), never borrows one: builders, paginators and
//! tasks are `'static + Send`, so they can be returned, stored and moved into `tokio::spawn`.
//!
//! Builders carry a mode type, [`Async`] by default: the setters exist once for every mode, and
//! only the ways to send differ (`async fn send` here; a blocking `send` in
//! `crate::blocking`, feature `blocking`), so the blocking client adds no second set of setters.

use crate::operation::{Paginated, Request, Waitable};
use crate::paginate::Paginator;
use crate::response::Response;
use crate::wait::Task;
use crate::{Client, Error};

/// A request of operation `R` bound to a client, ready to be refined and sent.
///
/// Each client method returns one (wrapped in the operation's own builder type): set the
/// optional parameters, then send it once, with metadata, as pages, or as a task.
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let client = vod_client::Client::from_env()?;
/// let video_id = vod_client::model::VideoId::from("a-video-id");
///
/// // Required parameters are arguments, optional ones setters.
/// client.video_edit(&video_id).video_name("Keynote").send().await?;
///
/// // With the envelope's metadata: the request id is what support asks for.
/// let answer = client.get_video_list().video_name("Keynote").send_with_metadata().await?;
/// assert_eq!(answer.data.video_list_info[0].video_id, video_id);
/// println!("request id {:?}", answer.request_id);
///
/// // A plain request to keep and send later (any number of times).
/// let request = client.get_video_list().page_size(10).into_request();
/// let page = client.send(&request).await?;
/// println!("{} videos on this page", page.video_list_info.len());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder<R, M = Async> {
    client: Client,
    request: R,
    mode: M,
}

/// The mode of builders made by [`Client`]: they are sent with `.await`.
///
/// It is the default of every builder's mode parameter, so `GetVideoListBuilder` means
/// `GetVideoListBuilder<Async>`. The other mode is `blocking::Blocking` (feature `blocking`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Async;

impl<R> RequestBuilder<R> {
    /// Binds `request` to `client` (a clone of a [`Client`] is cheap).
    pub fn new(client: Client, request: R) -> Self {
        RequestBuilder {
            client,
            request,
            mode: Async,
        }
    }
}

impl<R, M> RequestBuilder<R, M> {
    /// Binds `request` to `client` in `mode`.
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub(crate) fn with_mode(client: Client, request: R, mode: M) -> Self {
        RequestBuilder {
            client,
            request,
            mode,
        }
    }

    /// The client, the request and the mode, taken apart.
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub(crate) fn into_parts(self) -> (Client, R, M) {
        (self.client, self.request, self.mode)
    }

    /// The request as built so far.
    pub fn request(&self) -> &R {
        &self.request
    }

    /// The request, for setting fields that have no setter.
    pub fn request_mut(&mut self) -> &mut R {
        &mut self.request
    }

    /// Takes the request out (to store it, or send it later with [`Client::send`]).
    pub fn into_request(self) -> R {
        self.request
    }

    /// The client the request will be sent with.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl<R: Request> RequestBuilder<R> {
    /// Validates, sends and decodes; returns the operation's data.
    pub async fn send(self) -> Result<R::Output, Error> {
        self.client.send(&self.request).await
    }

    /// Like [`send`](Self::send), keeping the envelope's code and message and the request id.
    pub async fn send_with_metadata(self) -> Result<Response<R::Output>, Error> {
        self.client.send_with_metadata(&self.request).await
    }
}

impl<R: Paginated> RequestBuilder<R> {
    /// Pages through all results, starting at the request's page index (default 1).
    pub fn into_paginator(self) -> Paginator<R> {
        Paginator::new(self.client, self.request)
    }
}

impl<R: Waitable> RequestBuilder<R> {
    /// Sends the request that starts a task; the returned [`Task`] can wait for its end.
    pub async fn start(self) -> Result<Task<R>, Error> {
        let output = self.client.send(&self.request).await?;
        Ok(Task::new(self.client, self.request, output))
    }
}
