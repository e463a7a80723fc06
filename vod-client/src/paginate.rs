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

#[cfg(test)]
mod tests {
    //! The stop rule, pinned: a short or empty page ends the walk, and so do `max_pages` and
    //! the service's cap on results. End-to-end cases go through `Client::send` against a
    //! local server and check which pages were asked for.

    use futures_util::StreamExt;
    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::operation::{BodyKind, DataKind, Envelope, HttpMethod, OperationSpec, Request};
    use crate::test_server::{client, serve, Seen};

    /// A list operation whose items are numbers.
    #[derive(Debug, Clone, Default, Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Numbers {
        #[serde(skip_serializing_if = "Option::is_none")]
        page_index: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        page_size: Option<i64>,
    }

    #[derive(Debug, Clone, Deserialize)]
    struct NumbersPage {
        numbers: Vec<i64>,
    }

    impl Request for Numbers {
        type Output = NumbersPage;
        const OPERATION: &'static OperationSpec = &OperationSpec {
            name: "getNumbers",
            method: HttpMethod::Post,
            path: "/numbers",
            body: BodyKind::Json,
            envelope: Envelope::Standard,
            data: DataKind::Object,
            retry_safe: true,
        };
        fn validate(&self) -> Result<(), Error> {
            Ok(())
        }
    }

    impl Paginated for Numbers {
        type Item = i64;
        const DEFAULT_PAGE_SIZE: i64 = 3;
        fn page_index(&self) -> Option<i64> {
            self.page_index
        }
        fn set_page_index(&mut self, index: i64) {
            self.page_index = Some(index);
        }
        fn page_size(&self) -> Option<i64> {
            self.page_size
        }
        fn into_items(output: NumbersPage) -> Vec<i64> {
            output.numbers
        }
    }

    /// A service holding the numbers `1..=total`, paged as asked (3 a page by default); page
    /// `fail_at` answers a service error instead.
    async fn service(total: i64, fail_at: Option<i64>) -> (Client, Seen) {
        let (endpoint, seen) = serve(move |body| {
            let index = body["pageIndex"]
                .as_i64()
                .expect("pageIndex is always sent");
            if Some(index) == fail_at {
                return r#"{"code":"1000","message":"broken page"}"#.to_string();
            }
            let size = body["pageSize"].as_i64().unwrap_or(3);
            let page: Vec<i64> = ((index - 1) * size + 1..=(index * size).min(total)).collect();
            serde_json::json!({"code": 200, "message": "ok", "data": {"numbers": page}}).to_string()
        })
        .await;
        (client(&endpoint), seen)
    }

    /// The page indexes the service was asked for.
    fn asked(seen: &Seen) -> Vec<i64> {
        seen.lock()
            .expect("log")
            .iter()
            .map(|b| b["pageIndex"].as_i64().expect("pageIndex"))
            .collect()
    }

    fn paginator(client: Client, index: Option<i64>, size: Option<i64>) -> Paginator<Numbers> {
        Paginator::new(
            client,
            Numbers {
                page_index: index,
                page_size: size,
            },
        )
    }

    fn offline() -> Client {
        client("http://127.0.0.1:9")
    }

    #[test]
    fn a_walk_starts_at_the_requests_page_and_size() {
        let walk = paginator(offline(), Some(4), Some(5)).walk();
        assert_eq!(
            (walk.index, walk.size, walk.pages, walk.done),
            (4, 5, 0, false)
        );
        // Unset, zero or negative: page 1, the operation's default size.
        for (index, size) in [(None, None), (Some(0), Some(0)), (Some(-2), Some(-1))] {
            let walk = paginator(offline(), index, size).walk();
            assert_eq!((walk.index, walk.size), (1, 3), "{index:?} {size:?}");
        }
        assert!(paginator(offline(), None, None).max_pages(0).walk().done);
        assert!(!paginator(offline(), None, None).max_pages(1).walk().done);
    }

    #[test]
    fn a_full_page_goes_on_and_a_short_or_empty_one_ends_the_walk() {
        let mut walk = paginator(offline(), None, Some(10)).walk();
        walk.advance(10);
        assert_eq!((walk.index, walk.pages, walk.done), (2, 1, false));
        walk.advance(10);
        assert_eq!((walk.index, walk.pages, walk.done), (3, 2, false));
        walk.advance(9);
        assert_eq!((walk.index, walk.pages, walk.done), (4, 3, true));

        let mut walk = paginator(offline(), None, Some(10)).walk();
        walk.advance(0);
        assert!(walk.done);
        // More items than asked for is not a short page.
        let mut walk = paginator(offline(), None, Some(10)).walk();
        walk.advance(11);
        assert!(!walk.done);
    }

    #[test]
    fn max_pages_ends_the_walk_on_the_last_allowed_page() {
        let mut walk = paginator(offline(), None, Some(10)).max_pages(2).walk();
        walk.advance(10);
        assert!(!walk.done);
        walk.advance(10);
        assert!(walk.done);
    }

    #[test]
    fn the_services_result_cap_ends_the_walk() {
        // 100 000 results at most: with pages of 40 000, page 3 (results 80 001..) is past it.
        let mut walk = paginator(offline(), None, Some(40_000)).walk();
        walk.advance(40_000);
        assert!(!walk.done, "page 2 ends at 80 000");
        walk.advance(40_000);
        assert!(walk.done, "page 3 would end at 120 000");
        // A page ending exactly at the cap is still asked for.
        let mut walk = paginator(offline(), Some(9), Some(10_000)).walk();
        walk.advance(10_000);
        assert!(!walk.done, "page 10 ends at 100 000");
        walk.advance(10_000);
        assert!(walk.done);
        // No overflow near the end of the index range.
        let mut walk = paginator(offline(), Some(i64::MAX), Some(1)).walk();
        walk.advance(1);
        assert!(walk.done);
    }

    #[tokio::test]
    async fn items_stop_after_the_first_short_page() {
        let (client, seen) = service(7, None).await;
        let all = paginator(client, None, None)
            .collect_items()
            .await
            .expect("items");
        assert_eq!(all, (1..=7).collect::<Vec<_>>());
        assert_eq!(asked(&seen), [1, 2, 3]);
    }

    #[tokio::test]
    async fn a_full_last_page_costs_one_empty_page() {
        let (client, seen) = service(6, None).await;
        let pages: Vec<usize> = paginator(client, None, None)
            .pages()
            .map(|p| p.expect("page").numbers.len())
            .collect()
            .await;
        assert_eq!(pages, [3, 3, 0]);
        assert_eq!(asked(&seen), [1, 2, 3]);
    }

    #[tokio::test]
    async fn max_pages_and_the_start_page_bound_what_is_asked() {
        let (client, seen) = service(100, None).await;
        let all = paginator(client.clone(), None, Some(2))
            .max_pages(2)
            .collect_items()
            .await
            .expect("items");
        assert_eq!(all, [1, 2, 3, 4]);
        assert_eq!(asked(&seen), [1, 2]);

        seen.lock().expect("log").clear();
        let all = paginator(client.clone(), Some(33), None)
            .collect_items()
            .await
            .expect("items");
        assert_eq!(all, [97, 98, 99, 100]);
        assert_eq!(asked(&seen), [33, 34]);

        seen.lock().expect("log").clear();
        let none = paginator(client, None, None)
            .max_pages(0)
            .collect_items()
            .await;
        assert!(none.expect("nothing asked").is_empty());
        assert!(asked(&seen).is_empty());
    }

    #[tokio::test]
    async fn a_failed_page_ends_the_stream_after_its_error() {
        let (client, seen) = service(100, Some(2)).await;
        let items: Vec<Result<i64, Error>> = paginator(client.clone(), None, None)
            .items()
            .collect()
            .await;
        assert_eq!(items.len(), 4, "{items:?}");
        assert!(items[..3].iter().all(Result::is_ok));
        assert_eq!(
            items[3].as_ref().expect_err("page 2").service_code(),
            Some(1000)
        );
        assert_eq!(asked(&seen), [1, 2]);

        let pages: Vec<_> = paginator(client.clone(), None, None)
            .pages()
            .collect()
            .await;
        assert_eq!(pages.len(), 2);
        assert!(pages[0].is_ok() && pages[1].is_err());

        let err = paginator(client, None, None).collect_items().await;
        assert!(err.is_err());
    }

    #[tokio::test]
    async fn a_transport_failure_is_yielded_once() {
        let pages: Vec<_> = paginator(offline(), None, None).pages().collect().await;
        assert_eq!(pages.len(), 1);
        assert!(pages[0].is_err());
    }
}
