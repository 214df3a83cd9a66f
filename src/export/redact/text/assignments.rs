//! Values after a secret name: `NAME=value`, `NAME: value`, `"NAME": "value"`,
//! `--NAME value`, and the credentials of an `Authorization` header.

use super::blanks::{is_blank, skip_blanks};
use crate::export::redact::names::{name_kind, NameKind};
use crate::export::redact::replacement::REDACTED;
use std::ops::Range;

fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.')
}

/// The quote that ends at `end` (`"`, `'` or the escaped `\"`), if any.
fn quote_before(bytes: &[u8], end: usize) -> Option<&'static [u8]> {
    match end.checked_sub(1).map(|i| bytes[i]) {
        Some(b'"') if end >= 2 && bytes[end - 2] == b'\\' => Some(b"\\\""),
        Some(b'"') => Some(b"\""),
        Some(b'\'') => Some(b"'"),
        _ => None,
    }
}

/// The quote that starts at `at`, if any.
fn quote_at(bytes: &[u8], at: usize) -> Option<&'static [u8]> {
    let rest = bytes.get(at..).unwrap_or_default();
    if rest.starts_with(b"\\\"") {
        Some(b"\\\"")
    } else if rest.starts_with(b"\"") {
        Some(b"\"")
    } else if rest.starts_with(b"'") {
        Some(b"'")
    } else {
        None
    }
}

/// The span of a value starting at `at`: the inside of a quoted value, else
/// up to the first byte that ends a plain value. Returns the span and where
/// the value (with its closing quote) ends.
fn value_span(bytes: &[u8], at: usize) -> (Range<usize>, usize) {
    if let Some(quote) = quote_at(bytes, at) {
        let start = at + quote.len();
        let mut end = start;
        while end < bytes.len() && !bytes[end..].starts_with(quote) {
            // A backslash escapes the next byte inside `"..."` and `'...'`.
            end += if bytes[end] == b'\\' && quote.len() == 1 {
                2
            } else {
                1
            };
        }
        let end = end.min(bytes.len());
        return (start..end, (end + quote.len()).min(bytes.len()));
    }
    let mut end = at;
    while end < bytes.len() && !ends_plain_value(bytes[end]) {
        end += 1;
    }
    (at..end, end)
}

fn ends_plain_value(byte: u8) -> bool {
    byte.is_ascii_whitespace()
        || matches!(
            byte,
            b'&' | b';' | b',' | b'"' | b'\'' | b'<' | b'>' | b')' | b']' | b'}'
        )
}

/// `NAME=value`, `NAME => value`, `NAME: value`, `"NAME": "value"` and
/// `--NAME value` for secret names; `Authorization: Scheme credentials`.
pub(super) fn named_values(text: &str, spans: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if !is_name_byte(bytes[at]) {
            at += 1;
            continue;
        }
        let start = at;
        while at < bytes.len() && is_name_byte(bytes[at]) {
            at += 1;
        }
        let name = &text[start..at];
        let Some(kind) = name_kind(name) else {
            continue;
        };
        let mut next = at;
        let mut quoted_name = false;
        if let Some(quote) = quote_before(bytes, start) {
            if bytes[next..].starts_with(quote) {
                next += quote.len();
                quoted_name = true;
            }
        }
        let after_name = next;
        next = skip_blanks(bytes, next);
        let separated = match bytes.get(next) {
            Some(b'=') => {
                next += if bytes.get(next + 1) == Some(&b'>') {
                    2
                } else {
                    1
                };
                true
            }
            Some(b':') => {
                let follower = bytes.get(next + 1).copied();
                let ok =
                    quoted_name || follower.is_some_and(|b| is_blank(b) || b == b'"' || b == b'\'');
                next += 1;
                ok
            }
            _ => false,
        };
        let value_start = if separated {
            skip_blanks(bytes, next)
        } else if name.starts_with("--")
            && after_name < bytes.len()
            && is_blank(bytes[after_name])
            && !bytes[next..].starts_with(b"-")
        {
            // `--password value`
            next
        } else {
            continue;
        };
        // Authorization keeps its scheme: `Bearer [REDACTED]`.
        let authorization = kind == NameKind::Authorization;
        let quoted = quote_at(bytes, value_start).is_some();
        let value_start = if authorization && !quoted {
            after_scheme(bytes, value_start)
        } else {
            value_start
        };
        if bytes[value_start..].starts_with(REDACTED.as_bytes()) {
            // Already redacted (redacting twice changes nothing).
            at = value_start + REDACTED.len();
            continue;
        }
        let (mut span, resume) = value_span(bytes, value_start);
        if authorization && quoted {
            span.start = after_scheme(bytes, span.start).min(span.end);
        }
        if !span.is_empty() {
            spans.push(span);
        }
        at = resume.max(at);
    }
}

/// Where the credentials start in an authorization value starting at `at`:
/// after a leading scheme word (`Bearer`, `Basic`, `AWS4-HMAC-SHA256`) and
/// its blanks; at `at` when there is no scheme.
fn after_scheme(bytes: &[u8], at: usize) -> usize {
    let mut end = at;
    while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'-') {
        end += 1;
    }
    if end > at && end < bytes.len() && is_blank(bytes[end]) {
        skip_blanks(bytes, end)
    } else {
        at
    }
}
