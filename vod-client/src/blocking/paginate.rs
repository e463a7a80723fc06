//! Paginators as iterators: the async [`Paginator`](crate::Paginator)'s streams, advanced one
//! item at a time on the blocking client's runtime.

use std::fmt;
use std::iter::FusedIterator;

use futures_util::stream::{BoxStream, StreamExt};

use super::Blocking;
use crate::operation::{Paginated, Request};
use crate::Error;

/// Pages through the results of a list operation, as iterators.
///
/// Made by `into_paginator()` on a blocking builder. Pages are fetched as the iterator
/// advances, and the walk ends as the async [`Paginator`](crate::Paginator)'s does (a short
/// page, the page limit, or the service's 100 000-result cap).
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let client = vod_client::blocking::Client::from_env()?;
/// let mut names = Vec::new();
/// for video in client.get_video_list().page_size(2).into_paginator().items() {
///     names.push(video?.video_name);
/// }
///
/// let pages = client.get_video_list().page_size(2).into_paginator().pages().count();
/// println!("{} videos on {pages} pages", names.len());
/// let first = client.get_video_list().page_size(2).into_paginator().max_pages(1).collect_items()?;
/// assert!(first.len() <= 2);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a paginator does nothing until its iterator is advanced"]
pub struct Paginator<R> {
    inner: crate::Paginator<R>,
    mode: Blocking,
}

impl<R> Paginator<R> {
    pub(crate) fn new(inner: crate::Paginator<R>, mode: Blocking) -> Self {
        Paginator { inner, mode }
    }

    /// Stops after `pages` pages at most.
    pub fn max_pages(self, pages: u64) -> Self {
        Paginator {
            inner: self.inner.max_pages(pages),
            mode: self.mode,
        }
    }

    /// The async paginator underneath.
    pub fn into_async(self) -> crate::Paginator<R> {
        self.inner
    }
}

impl<R: Paginated + 'static> Paginator<R> {
    /// The pages, one answer each. A failed page ends the iteration after yielding its error.
    pub fn pages(self) -> Iter<R::Output>
    where
        R::Output: Clone,
    {
        Iter::new(self.inner.pages(), self.mode, R::OPERATION.name)
    }

    /// The entries of all pages, in order. A failed page ends the iteration after its error.
    pub fn items(self) -> Iter<R::Item> {
        Iter::new(self.inner.items(), self.mode, R::OPERATION.name)
    }

    /// Every entry of every page, or the first error.
    pub fn collect_items(self) -> Result<Vec<R::Item>, Error> {
        let mode = self.mode.clone();
        mode.run(<R as Request>::OPERATION.name, self.inner.collect_items())
    }
}

/// An iterator over a paginator's pages or entries; each step may fetch a page, blocking the
/// calling thread. After an error it yields nothing more.
#[must_use = "an iterator does nothing until advanced"]
pub struct Iter<T> {
    stream: Option<BoxStream<'static, Result<T, Error>>>,
    mode: Blocking,
    operation: &'static str,
}

impl<T> Iter<T> {
    fn new(
        stream: BoxStream<'static, Result<T, Error>>,
        mode: Blocking,
        operation: &'static str,
    ) -> Self {
        Iter {
            stream: Some(stream),
            mode,
            operation,
        }
    }
}

impl<T> fmt::Debug for Iter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter")
            .field("operation", &self.operation)
            .field("done", &self.stream.is_none())
            .finish_non_exhaustive()
    }
}

impl<T> Iterator for Iter<T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let stream = self.stream.as_mut()?;
        let next = match self.mode.block_on(self.operation, stream.next()) {
            Ok(next) => next,
            Err(e) => Some(Err(e)),
        };
        if !matches!(next, Some(Ok(_))) {
            self.stream = None;
        }
        next
    }
}

impl<T> FusedIterator for Iter<T> {}
