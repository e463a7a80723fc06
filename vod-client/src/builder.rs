//! The typed request builder every operation method returns.
//!
//! Generated code adds one setter per optional parameter (`impl RequestBuilder<'_, X>`);
//! the ways to send — once, with metadata, as pages, or as a task to wait for — live here,
//! once for all operations.

use crate::operation::{Paginated, Request, Waitable};
use crate::paginate::Paginator;
use crate::response::Response;
use crate::wait::Task;
use crate::{Client, Error};

/// A request of operation `R` bound to a client, ready to be refined and sent.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder<'a, R> {
    client: &'a Client,
    request: R,
}

impl<'a, R> RequestBuilder<'a, R> {
    /// Binds `request` to `client`.
    pub fn new(client: &'a Client, request: R) -> Self {
        RequestBuilder { client, request }
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
    pub fn client(&self) -> &'a Client {
        self.client
    }
}

impl<'a, R: Request> RequestBuilder<'a, R> {
    /// Validates, sends and decodes; returns the operation's data.
    pub async fn send(self) -> Result<R::Output, Error> {
        self.client.send(&self.request).await
    }

    /// Like [`send`](Self::send), keeping the envelope's code and message and the request id.
    pub async fn send_with_metadata(self) -> Result<Response<R::Output>, Error> {
        self.client.send_with_metadata(&self.request).await
    }
}

impl<'a, R: Paginated> RequestBuilder<'a, R> {
    /// Pages through all results, starting at the request's page index (default 1).
    pub fn into_paginator(self) -> Paginator<'a, R> {
        Paginator::new(self.client, self.request)
    }
}

impl<'a, R: Waitable> RequestBuilder<'a, R> {
    /// Sends the request that starts a task; the returned [`Task`] can wait for its end.
    pub async fn start(self) -> Result<Task<'a, R>, Error> {
        let output = self.client.send(&self.request).await?;
        Ok(Task::new(self.client, self.request, output))
    }
}
