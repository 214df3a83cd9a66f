//! AWS credentials: secret access keys next to an access key ID, and
//! session tokens.

use std::ops::Range;

/// Starts of AWS session tokens (the base64 of their binary header).
const SESSION_TOKEN_PREFIXES: [&str; 7] = [
    "IQoJb3JpZ2lu",
    "IgoJb3JpZ2lu",
    "IwoJb3JpZ2lu",
    "AgoJb3JpZ2lu",
    "FwoGZXIvYXdz",
    "FQoGZXIvYXdz",
    "AQoDYXdz",
];

/// Shortest run counted as a session token.
const MIN_SESSION_TOKEN: usize = 100;

/// Length of an AWS secret access key.
const SECRET_KEY_LEN: usize = 40;

fn is_key_id_at(bytes: &[u8], at: usize) -> bool {
    let Some(candidate) = bytes.get(at..at + 20) else {
        return false;
    };
    (candidate.starts_with(b"AKIA") || candidate.starts_with(b"ASIA"))
        && candidate[4..]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && (at == 0 || !bytes[at - 1].is_ascii_alphanumeric())
        && bytes
            .get(at + 20)
            .is_none_or(|b| !b.is_ascii_alphanumeric())
}

fn is_base64_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'/' | b'+')
}

/// A 40-character mixed-case base64 run after an access key ID (`AKIA…` or
/// `ASIA…`) in the same text: the secret access key that goes with it.
pub(super) fn secret_keys_after_key_ids(text: &str, spans: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let first_key_id = text
        .match_indices("AKIA")
        .chain(text.match_indices("ASIA"))
        .map(|(index, _)| index)
        .filter(|&index| is_key_id_at(bytes, index))
        .min();
    let Some(mut at) = first_key_id.map(|index| index + 20) else {
        return;
    };
    while at < bytes.len() {
        if !is_base64_byte(bytes[at]) {
            at += 1;
            continue;
        }
        let start = at;
        while at < bytes.len() && is_base64_byte(bytes[at]) {
            at += 1;
        }
        let run = &bytes[start..at];
        if run.len() == SECRET_KEY_LEN
            && run.iter().any(u8::is_ascii_uppercase)
            && run.iter().any(u8::is_ascii_lowercase)
        {
            spans.push(start..at);
        }
    }
}

/// AWS session tokens by their start, plain or URL-encoded.
pub(super) fn session_tokens(text: &str, spans: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    for prefix in SESSION_TOKEN_PREFIXES {
        for (start, _) in text.match_indices(prefix) {
            if start > 0 && is_base64_byte(bytes[start - 1]) {
                continue;
            }
            let mut end = start;
            while end < bytes.len()
                && (is_base64_byte(bytes[end]) || matches!(bytes[end], b'=' | b'%'))
            {
                end += 1;
            }
            if end - start >= MIN_SESSION_TOKEN {
                spans.push(start..end);
            }
        }
    }
}
