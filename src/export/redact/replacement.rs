//! What a secret becomes: [`REDACTED`], and text with the spans found
//! replaced by it.

use std::ops::Range;

/// What every secret value is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// Replaces each span (merged where they overlap, widened to character
/// boundaries) with [`REDACTED`].
pub(super) fn replace_spans(text: &str, mut spans: Vec<Range<usize>>) -> String {
    spans.sort_by_key(|span| span.start);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for span in spans {
        let mut start = span.start.min(text.len());
        let mut end = span.end.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        while !text.is_char_boundary(end) {
            end += 1;
        }
        if end <= start {
            continue;
        }
        if start < copied {
            // Overlaps the previous replacement: extend it.
            copied = copied.max(end);
            continue;
        }
        out.push_str(&text[copied..start]);
        out.push_str(REDACTED);
        copied = end;
    }
    out.push_str(&text[copied..]);
    out
}
