//! Finding out what happened to a request whose answer was lost.
//!
//! A state-changing request (`videoEdit`, `deleteVideo`, ...) is never resent blindly
//! after the connection broke once it may have reached the service: it could be carried out
//! twice. The call fails with [`Error::Ambiguous`] instead — unless
//! the request type knows how to ask the service what really happened, by overriding
//! [`Request::resolve_ambiguous`](crate::operation::Request::resolve_ambiguous). The client
//! then runs that check (by default; see [`CallOptions`](crate::CallOptions)) and returns
//! the real outcome: the result if the request was carried out, a fresh attempt if it was not.
//! `createCategory` (the label is looked up), `deleteAudio` and `deleteMaterial` have such a
//! check, declared in the spec (`outcome_check`).

use futures_util::future::BoxFuture;

use crate::Error;

/// What a check of an ambiguous outcome found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution<T> {
    /// The request was carried out; this is what it would have answered.
    Done(T),
    /// The request was not carried out: sending it again is safe.
    NotDone,
}

/// The future a [`Request::resolve_ambiguous`](crate::operation::Request::resolve_ambiguous)
/// check returns. An `Err` means "cannot tell": the call then fails with the original
/// [`Error::Ambiguous`].
pub type ResolveFuture<'a, T> = BoxFuture<'a, Result<Resolution<T>, Error>>;

/// The first entry of any page of `query` that `matches`, or `None` after the last page: the
/// search behind the generated checks (`outcome_check` in the spec).
pub async fn find_item<R, F>(
    client: &crate::Client,
    query: R,
    matches: F,
) -> Result<Option<R::Item>, Error>
where
    R: crate::operation::Paginated + 'static,
    F: Fn(&R::Item) -> bool,
{
    use futures_util::StreamExt;
    let mut items = crate::Paginator::new(client.clone(), query).items();
    while let Some(item) = items.next().await {
        let item = item?;
        if matches(&item) {
            return Ok(Some(item));
        }
    }
    Ok(None)
}
