//! JSON Web Tokens.

use std::ops::Range;

fn is_base64url_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_')
}

/// JSON Web Tokens: `eyJ…` header, `.`, `eyJ…` payload, `.`, signature.
pub(super) fn json_web_tokens(text: &str, spans: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let segment_end = |mut at: usize| {
        while at < bytes.len() && is_base64url_byte(bytes[at]) {
            at += 1;
        }
        at
    };
    for (start, _) in text.match_indices("eyJ") {
        if start > 0 && is_base64url_byte(bytes[start - 1]) {
            continue;
        }
        let header_end = segment_end(start);
        if bytes.get(header_end) != Some(&b'.') || !bytes[header_end + 1..].starts_with(b"eyJ") {
            continue;
        }
        let payload_end = segment_end(header_end + 1);
        if bytes.get(payload_end) != Some(&b'.') {
            continue;
        }
        spans.push(start..segment_end(payload_end + 1));
    }
}
