//! Searches for one needle from positions that only move forward, each
//! byte of the text searched about once.

#[cfg(test)]
thread_local! {
    /// Bytes [`find_from`] has searched on this thread: the tests bound the
    /// private key scan's work with it.
    pub(super) static BYTES_SEARCHED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The start of the first `needle` in `text` at or after byte `from`.
fn find_from(text: &str, needle: &str, from: usize) -> Option<usize> {
    let found = text.get(from..)?.find(needle).map(|i| from + i);
    #[cfg(test)]
    BYTES_SEARCHED.with(|searched| {
        let end = found.map_or(text.len(), |at| at + needle.len());
        searched.set(searched.get() + (end - from));
    });
    found
}

/// The first match of one needle at or after positions that never go back.
/// A match ahead of the position answers again without a search, and no
/// match answers for good, so every search starts past the last match and a
/// whole scan searches each byte of the text about once.
pub(super) struct ForwardSearch<'a> {
    text: &'a str,
    needle: &'a str,
    /// The last search's answer, while it still holds.
    known: Option<Option<usize>>,
}

impl<'a> ForwardSearch<'a> {
    /// A search for `needle` in `text`, nothing searched yet.
    pub(super) fn new(text: &'a str, needle: &'a str) -> Self {
        Self {
            text,
            needle,
            known: None,
        }
    }

    /// The start of the first match at or after `from`, which must not be
    /// before any earlier `from`.
    pub(super) fn at_or_after(&mut self, from: usize) -> Option<usize> {
        match self.known {
            Some(Some(start)) if start >= from => return Some(start),
            Some(None) => return None,
            _ => {}
        }
        let found = find_from(self.text, self.needle, from);
        self.known = Some(found);
        found
    }
}
