//! The blocking ways to send, written once for every operation: the generated builders'
//! blocking methods delegate here, as their async ones delegate to the async
//! [`RequestBuilder`].

use super::{Blocking, Client, Paginator, Task};
use crate::operation::{Paginated, Request, Waitable};
use crate::response::Response;
use crate::upload::{Step, Upload, UploadError, Uploaded};
use crate::{ClientBuilder, Error, RequestBuilder};

impl<R: Request> RequestBuilder<R, Blocking> {
    /// Validates, sends and decodes, blocking until the answer is there; returns the
    /// operation's data.
    pub fn send(self) -> Result<R::Output, Error> {
        let (client, request, mode) = self.into_parts();
        mode.run(R::OPERATION.name, client.send(&request))
    }

    /// Like [`send`](Self::send), keeping the envelope's code and message and the request id.
    pub fn send_with_metadata(self) -> Result<Response<R::Output>, Error> {
        let (client, request, mode) = self.into_parts();
        mode.run(R::OPERATION.name, client.send_with_metadata(&request))
    }
}

impl<R: Paginated> RequestBuilder<R, Blocking> {
    /// Pages through all results, starting at the request's page index (default 1); its
    /// [`items`](Paginator::items) and [`pages`](Paginator::pages) are iterators.
    pub fn into_paginator(self) -> Paginator<R> {
        let (client, request, mode) = self.into_parts();
        Paginator::new(crate::Paginator::new(client, request), mode)
    }
}

impl<R: Waitable> RequestBuilder<R, Blocking> {
    /// Sends the request that starts a task; the returned [`Task`] can wait for its end.
    pub fn start(self) -> Result<Task<R>, Error> {
        let (client, request, mode) = self.into_parts();
        let task = mode.run(
            R::OPERATION.name,
            RequestBuilder::new(client, request).start(),
        )?;
        Ok(Task::new(task, mode))
    }
}

impl Upload<Blocking> {
    /// Asks for an upload token and uploads, blocking until the file is stored.
    #[allow(clippy::result_large_err)] // the async `send`'s error, the same for both modes
    pub fn send(self) -> Result<Uploaded, UploadError> {
        let mode = self.mode().clone();
        let label = self.label();
        match mode.block_on(Step::Check.operation(), self.drive()) {
            Ok(result) => result,
            Err(e) => Err(UploadError::new(&label, Step::Check, e)),
        }
    }
}

impl ClientBuilder<Blocking> {
    /// Checks the settings, starts the runtime and builds the blocking client.
    pub fn build(self) -> Result<Client, Error> {
        Client::from_async(self.build_async()?)
    }
}
