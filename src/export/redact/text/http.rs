//! Credentials HTTP carries: passwords in URLs and `Bearer` tokens.

use super::blanks::skip_blanks;
use std::ops::Range;

/// `scheme://user:password@host`: the password.
pub(super) fn url_passwords(text: &str, spans: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    for (index, _) in text.match_indices("://") {
        let start = index + 3;
        let mut end = start;
        while end < bytes.len()
            && !bytes[end].is_ascii_whitespace()
            && !matches!(bytes[end], b'/' | b'?' | b'#' | b'"' | b'\'' | b'<' | b'>')
        {
            end += 1;
        }
        let authority = &bytes[start..end];
        let Some(at) = authority.iter().rposition(|&b| b == b'@') else {
            continue;
        };
        if let Some(colon) = authority[..at].iter().position(|&b| b == b':') {
            if colon + 1 < at {
                spans.push(start + colon + 1..start + at);
            }
        }
    }
}

fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'~' | b'+' | b'/' | b'=' | b'-')
}

/// `Bearer <token>` anywhere (a header quoted in a command line or a log).
pub(super) fn bearer_tokens(text: &str, spans: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let lower = text.to_ascii_lowercase();
    for (index, _) in lower.match_indices("bearer") {
        if index > 0 && bytes[index - 1].is_ascii_alphanumeric() {
            continue;
        }
        let after = index + "bearer".len();
        let start = skip_blanks(bytes, after);
        if start == after {
            continue;
        }
        let mut end = start;
        while end < bytes.len() && is_token_byte(bytes[end]) {
            end += 1;
        }
        if end - start >= 8 {
            spans.push(start..end);
        }
    }
}
