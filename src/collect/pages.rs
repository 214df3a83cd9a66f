//! Reading every page of a listing, with a guard against tokens that never
//! end.

use super::failure::Failure;
use super::limits::MAX_PAGES;
use super::tracker::Tracker;
use std::future::Future;

/// Reads every page of a listing: `page` gets the token to send and returns
/// the items and the next token. Stops at the last page, at a token that
/// repeats, after [`MAX_PAGES`], or at the first failure (recorded on the
/// tracker; the items read so far are kept).
pub async fn all_pages<T, E, F, Fut>(tracker: &Tracker, mut page: F) -> Vec<T>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), E>>,
    E: Into<Failure>,
{
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        match page(token.clone()).await {
            Ok((mut found, next)) => {
                tracker.succeeded();
                items.append(&mut found);
                match next {
                    Some(next) if !next.is_empty() && Some(&next) != token.as_ref() => {
                        token = Some(next)
                    }
                    _ => return items,
                }
            }
            Err(failure) => {
                tracker.record(failure.into());
                return items;
            }
        }
    }
    tracker.failed(format!(
        "stopped after {MAX_PAGES} pages of one listing: narrow the scope or the window"
    ));
    items
}
