//! Walking paged list operations as streams.
//!
//! The service pages with `pageIndex` (1-based) and `pageSize` and does not always report a
//! usable total, so the end is detected from the pages themselves: a page with fewer items
//! than the page size (or none) is the last. Every walk is also bounded — by an optional
//! page limit and by the service's documented cap of 100 000 results — so a service that
//! keeps answering full pages cannot make it loop forever.

use futures_util::stream::{self, BoxStream, StreamExt};

use crate::operation::Paginated;
use crate::{Client, Error};

/// The service never returns results beyond this offset (`pageIndex * pageSize`).
pub const MAX_RESULTS: i64 = 100_000;

/// Pages through the results of a [`Paginated`] request.
///
/// Every list operation's builder has `into_paginator()`; [`items`](Paginator::items) streams
/// the items of every page, [`pages`](Paginator::pages) the pages.
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let client = vod_client::Client::from_env()?;
/// use futures_util::TryStreamExt;
///
/// let mut items = client.get_video_list().page_size(2).into_paginator().items();
/// let mut names = Vec::new();
/// while let Some(video) = items.try_next().await? {
///     names.push(video.video_name);
/// }
///
/// // At most 2 pages: at most 4 videos.
/// let first: Vec<_> = client.get_video_list().page_size(2).into_paginator().max_pages(2).collect_items().await?;
/// assert!(first.len() <= 4);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a paginator does nothing until its stream is polled"]
pub struct Paginator<R> {
    client: Client,
    request: R,
    max_pages: Option<u64>,
}

/// Where a walk stands between two pages.
struct Walk<R> {
    client: Client,
    request: R,
    index: i64,
    size: i64,
    pages: u64,
    max_pages: Option<u64>,
    done: bool,
}

impl<R: Paginated> Walk<R> {
    /// Fetches the next page, or `None` when the walk is over.
    async fn next_page(&mut self) -> Option<Result<R::Output, Error>> {
        if self.done {
            return None;
        }
        self.request.set_page_index(self.index);
        let result = self.client.send(&self.request).await;
        if result.is_err() {
            self.done = true;
        }
        Some(result)
    }

    /// Records that the page just fetched held `count` items and decides whether to go on.
    fn advance(&mut self, count: usize) {
        self.pages += 1;
        let short = i64::try_from(count).is_ok_and(|n| n < self.size);
        let next = self.index.saturating_add(1);
        self.done = count == 0
            || short
            || self.max_pages.is_some_and(|max| self.pages >= max)
            || next.saturating_mul(self.size) > MAX_RESULTS;
        self.index = next;
    }
}

impl<R> Paginator<R> {
    /// A paginator starting at `request`'s page index.
    pub fn new(client: Client, request: R) -> Self {
        Paginator {
            client,
            request,
            max_pages: None,
        }
    }

    /// Stops after `pages` pages at most.
    pub fn max_pages(mut self, pages: u64) -> Self {
        self.max_pages = Some(pages);
        self
    }
}

impl<R: Paginated + 'static> Paginator<R> {
    fn walk(self) -> Walk<R> {
        let size = self
            .request
            .page_size()
            .filter(|s| *s > 0)
            .unwrap_or(R::DEFAULT_PAGE_SIZE)
            .max(1);
        let index = self.request.page_index().filter(|i| *i > 0).unwrap_or(1);
        Walk {
            client: self.client,
            request: self.request,
            index,
            size,
            pages: 0,
            max_pages: self.max_pages,
            done: self.max_pages == Some(0),
        }
    }

    /// The pages, one answer each. A failed page ends the stream after yielding its error.
    pub fn pages(self) -> BoxStream<'static, Result<R::Output, Error>>
    where
        R::Output: Clone,
    {
        stream::unfold(self.walk(), |mut walk| async move {
            let page = walk.next_page().await?;
            if let Ok(output) = &page {
                walk.advance(R::into_items(output.clone()).len());
            }
            Some((page, walk))
        })
        .fuse()
        .boxed()
    }

    /// The entries of all pages, in order. A failed page ends the stream after its error.
    pub fn items(self) -> BoxStream<'static, Result<R::Item, Error>> {
        stream::unfold(self.walk(), |mut walk| async move {
            let items: Vec<Result<R::Item, Error>> = match walk.next_page().await? {
                Ok(output) => {
                    let items = R::into_items(output);
                    walk.advance(items.len());
                    items.into_iter().map(Ok).collect()
                }
                Err(e) => vec![Err(e)],
            };
            Some((stream::iter(items), walk))
        })
        .flatten()
        .fuse()
        .boxed()
    }

    /// Every entry of every page, or the first error.
    pub async fn collect_items(self) -> Result<Vec<R::Item>, Error> {
        let mut all = Vec::new();
        let mut items = self.items();
        while let Some(item) = items.next().await {
            all.push(item?);
        }
        Ok(all)
    }
}
