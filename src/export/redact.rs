//! `taskscope export --redact`: secret values out of everything an export
//! writes, the bundle untouched.
//!
//! Two layers, both documented rule by rule in docs/exports.md (Redaction):
//!
//! - [`redact_value`] walks a raw record: values of fields whose *name* says
//!   they are secret (`secretAccessKey`, `sessionToken`, `password`, ...),
//!   the values of `environment` variables (names kept), and then every
//!   other string through the text rules.
//! - [`redact_text`] finds secrets inside free text (command lines, log
//!   lines, URLs, summaries, notes): `NAME=value` and `NAME: value` for
//!   secret names, `--password x`, `mysql -pX`, `Authorization:` and
//!   `Bearer` credentials, URL user-info passwords, AWS secret keys next to an
//!   access key ID, AWS session tokens, JWTs and PEM private keys.
//!
//! Every secret becomes [`REDACTED`]; names, key IDs (`AKIA…`, `ASIA…`),
//! ARNs and the rest of the text stay, so the export still tells the story.
//! [`log_text`] applies the same rules to what taskscope writes to stderr.

use crate::bundle::annotations::Annotations;
use crate::correlate::Incident;
use crate::model::{Event, TaskFacts};
use crate::render::sanitize::escape_truncated;
use serde_json::Value;
use std::borrow::Cow;
use std::ops::Range;

/// What every secret value is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// Words that make a field or variable name secret, matched in the name
/// lower-cased with everything but letters and digits removed.
const SECRET_WORDS: [&str; 10] = [
    "secret",
    "password",
    "passwd",
    "passphrase",
    "token",
    "apikey",
    "privatekey",
    "signature",
    "credential",
    "mysqlpwd",
];

/// Names that hold a secret although they contain none of [`SECRET_WORDS`].
const SECRET_NAMES: [&str; 1] = ["sig"];

/// Endings that make a name describe a secret rather than hold it
/// (`secretId`, `secretArn`, `passwordLastUsed`, `tokenType`, ...).
const NOT_SECRET_SUFFIXES: [&str; 16] = [
    "id",
    "ids",
    "arn",
    "arns",
    "name",
    "names",
    "type",
    "lastused",
    "length",
    "policy",
    "expiration",
    "expires",
    "required",
    "enabled",
    "version",
    "count",
];

/// Names that contain a secret word but hold none: the presigned URL's
/// access key ID and credential scope.
const NOT_SECRET_NAMES: [&str; 1] = ["xamzcredential"];

/// Names of HTTP headers carrying credentials after an optional scheme.
const AUTHORIZATION_NAMES: [&str; 2] = ["authorization", "proxyauthorization"];

/// Field names holding environment variables.
const ENVIRONMENT_NAMES: [&str; 3] = ["environment", "env", "environmentvariables"];

/// Command-line tools whose short option takes a password, and that option.
const PASSWORD_OPTIONS: [(&str, &str); 17] = [
    ("mysql", "-p"),
    ("mysqldump", "-p"),
    ("mysqladmin", "-p"),
    ("mysqlimport", "-p"),
    ("mysqlshow", "-p"),
    ("mysqlcheck", "-p"),
    ("mariadb", "-p"),
    ("mariadb-dump", "-p"),
    ("mariadb-admin", "-p"),
    ("sshpass", "-p"),
    ("redis-cli", "-a"),
    ("mongo", "-p"),
    ("mongosh", "-p"),
    ("mongodump", "-p"),
    ("mongorestore", "-p"),
    ("mongoexport", "-p"),
    ("mongoimport", "-p"),
];

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

/// How deep strings holding JSON are parsed and walked in turn.
const MAX_EMBEDDED_DEPTH: usize = 4;

/// How a name should be treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameKind {
    /// Its value is a secret.
    Secret,
    /// An HTTP authorization header: the scheme stays, the credentials go.
    Authorization,
}

/// The name lower-cased, letters and digits only.
fn normalize(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn name_kind(name: &str) -> Option<NameKind> {
    let name = normalize(name);
    if AUTHORIZATION_NAMES.contains(&name.as_str()) {
        return Some(NameKind::Authorization);
    }
    if NOT_SECRET_NAMES.contains(&name.as_str())
        || NOT_SECRET_SUFFIXES.iter().any(|end| name.ends_with(end))
    {
        return None;
    }
    let secret = SECRET_NAMES.contains(&name.as_str())
        || SECRET_WORDS.iter().any(|word| name.contains(word));
    secret.then_some(NameKind::Secret)
}

/// Whether a field, variable or option named `name` holds a secret value
/// (`AWS_SECRET_ACCESS_KEY`, `sessionToken`, `X-Amz-Signature`, `--db-password`;
/// not `secretId`, `accessKeyId` or `X-Amz-Credential`).
pub fn is_secret_name(name: &str) -> bool {
    name_kind(name).is_some()
}

fn is_environment_name(name: &str) -> bool {
    ENVIRONMENT_NAMES.contains(&normalize(name).as_str())
}

// ---------------------------------------------------------------------------
// Text

/// Returns `text` with every secret value the text rules find replaced by
/// [`REDACTED`]; borrowed when nothing was found.
pub fn redact_text(text: &str) -> Cow<'_, str> {
    let mut spans = Vec::new();
    named_values(text, &mut spans);
    tool_passwords(text, &mut spans);
    url_passwords(text, &mut spans);
    bearer_tokens(text, &mut spans);
    secret_keys_after_key_ids(text, &mut spans);
    session_tokens(text, &mut spans);
    json_web_tokens(text, &mut spans);
    private_key_blocks(text, &mut spans);
    if spans.is_empty() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(replace_spans(text, spans))
    }
}

/// Replaces each span (merged where they overlap, widened to character
/// boundaries) with [`REDACTED`].
fn replace_spans(text: &str, mut spans: Vec<Range<usize>>) -> String {
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

fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.')
}

fn is_blank(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t')
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

fn skip_blanks(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && is_blank(bytes[at]) {
        at += 1;
    }
    at
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

fn ends_word(byte: u8) -> bool {
    byte.is_ascii_whitespace()
}

/// `NAME=value`, `NAME => value`, `NAME: value`, `"NAME": "value"` and
/// `--NAME value` for secret names; `Authorization: Scheme credentials`.
fn named_values(text: &str, spans: &mut Vec<Range<usize>>) {
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

/// Words of `text` split on whitespace, with their byte ranges.
fn words(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() && ends_word(bytes[at]) {
            at += 1;
        }
        if at >= bytes.len() {
            return None;
        }
        let start = at;
        while at < bytes.len() && !ends_word(bytes[at]) {
            at += 1;
        }
        Some(start..at)
    })
}

fn is_command_separator(word: &str) -> bool {
    matches!(word, "|" | "||" | "&&" | ";") || word.ends_with(';')
}

/// `mysql -pSECRET`, `mysql -p SECRET`, `sshpass -p SECRET`,
/// `redis-cli -a SECRET`: the password option of the tools that take one,
/// after the tool's name and before the next `|`, `;`, `&&` or `||`.
fn tool_passwords(text: &str, spans: &mut Vec<Range<usize>>) {
    let mut option: Option<&str> = None;
    let mut value_next = false;
    for range in words(text) {
        let word = &text[range.clone()];
        if value_next {
            value_next = false;
            if !word.starts_with('-') {
                spans.push(range);
                continue;
            }
        }
        if is_command_separator(word) {
            option = None;
            continue;
        }
        // `/usr/bin/mysql`, `'mysql`, `command=mysql`: the program's name.
        let program = word
            .trim_matches(['"', '\'', '(', ')'])
            .rsplit(['/', '='])
            .next()
            .unwrap_or(word);
        if let Some((_, flag)) = PASSWORD_OPTIONS.iter().find(|(tool, _)| *tool == program) {
            option = Some(flag);
            continue;
        }
        let Some(flag) = option else {
            continue;
        };
        if word == flag {
            value_next = true;
            // One password per invocation: what follows may be another command.
            option = None;
        } else if let Some(attached) = word.strip_prefix(flag) {
            if !attached.is_empty() {
                spans.push(range.start + flag.len()..range.end);
                option = None;
            }
        }
    }
}

/// `scheme://user:password@host`: the password.
fn url_passwords(text: &str, spans: &mut Vec<Range<usize>>) {
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
fn bearer_tokens(text: &str, spans: &mut Vec<Range<usize>>) {
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
fn secret_keys_after_key_ids(text: &str, spans: &mut Vec<Range<usize>>) {
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
fn session_tokens(text: &str, spans: &mut Vec<Range<usize>>) {
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

fn is_base64url_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_')
}

/// JSON Web Tokens: `eyJ…` header, `.`, `eyJ…` payload, `.`, signature.
fn json_web_tokens(text: &str, spans: &mut Vec<Range<usize>>) {
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

#[cfg(test)]
thread_local! {
    /// Bytes [`find_from`] has searched on this thread: the tests bound the
    /// private key scan's work with it.
    static BYTES_SEARCHED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
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
struct ForwardSearch<'a> {
    text: &'a str,
    needle: &'a str,
    /// The last search's answer, while it still holds.
    known: Option<Option<usize>>,
}

impl<'a> ForwardSearch<'a> {
    fn new(text: &'a str, needle: &'a str) -> Self {
        Self {
            text,
            needle,
            known: None,
        }
    }

    /// The start of the first match at or after `from`, which must not be
    /// before any earlier `from`.
    fn at_or_after(&mut self, from: usize) -> Option<usize> {
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

/// The body of PEM private keys (`-----BEGIN … PRIVATE KEY-----`), up to
/// `-----END` or the end of the text. A header is the first `PRIVATE KEY-----`
/// after a `-----BEGIN ` with no line break between them; starts sharing a
/// header share its body, which is kept once.
fn private_key_blocks(text: &str, spans: &mut Vec<Range<usize>>) {
    const MARKER: &str = "PRIVATE KEY-----";
    let mut header_ends = ForwardSearch::new(text, MARKER);
    let mut line_breaks = ForwardSearch::new(text, "\n");
    let mut body_ends = ForwardSearch::new(text, "-----END");
    let mut last_header_end = None;
    for (index, _) in text.match_indices("-----BEGIN ") {
        let Some(header_end) = header_ends.at_or_after(index).map(|i| i + MARKER.len()) else {
            // No header ends after this start, nor after any later one.
            break;
        };
        if line_breaks
            .at_or_after(index)
            .is_some_and(|line_break| line_break < header_end)
            || last_header_end == Some(header_end)
        {
            continue;
        }
        last_header_end = Some(header_end);
        let end = body_ends.at_or_after(header_end).unwrap_or(text.len());
        if end > header_end {
            spans.push(header_end..end);
        }
    }
}

// ---------------------------------------------------------------------------
// JSON records

/// Redacts a raw record in place: secret-named fields, environment variable
/// values, and the text rules on every other string (strings that hold JSON
/// are parsed and walked the same way).
pub fn redact_value(value: &mut Value) {
    walk(value, false, 0);
}

fn walk(value: &mut Value, secret: bool, depth: usize) {
    match value {
        Value::String(text) if secret && !text.is_empty() => *text = REDACTED.to_string(),
        Value::String(_) if secret => {}
        Value::Number(_) if secret => *value = Value::String(REDACTED.to_string()),
        Value::String(text) => {
            if let Some(redacted) = redact_string(text, depth) {
                *text = redacted;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| walk(item, secret, depth)),
        Value::Object(members) => {
            for (name, member) in members.iter_mut() {
                if is_environment_name(name) {
                    redact_environment(member, depth);
                } else {
                    walk(member, is_secret_name(name), depth);
                }
            }
        }
        _ => {}
    }
}

/// A string's redacted form, or `None` when nothing changed. A string that
/// holds a JSON object or array is walked as JSON and written back compact.
fn redact_string(text: &str, depth: usize) -> Option<String> {
    let trimmed = text.trim_start();
    if depth < MAX_EMBEDDED_DEPTH && (trimmed.starts_with('{') || trimmed.starts_with('[')) {
        if let Ok(mut embedded) = serde_json::from_str::<Value>(text) {
            let before = embedded.clone();
            walk(&mut embedded, false, depth + 1);
            return (embedded != before).then(|| embedded.to_string());
        }
    }
    match redact_text(text) {
        Cow::Owned(redacted) => Some(redacted),
        Cow::Borrowed(_) => None,
    }
}

/// Environment variables: `[{"name": N, "value": V}]` (ECS and Batch),
/// `["N=V"]` (Docker), `{"Variables": {N: V}}` (Lambda) or `{N: V}`. Every
/// value goes; names stay.
fn redact_environment(environment: &mut Value, depth: usize) {
    match environment {
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(variable) => {
                        for (name, member) in variable.iter_mut() {
                            let is_value = name.eq_ignore_ascii_case("value");
                            walk(member, is_value || is_secret_name(name), depth);
                        }
                    }
                    Value::String(assignment) => {
                        if let Some((name, value)) = assignment.split_once('=') {
                            if !value.is_empty() {
                                *assignment = format!("{name}={REDACTED}");
                            }
                        }
                    }
                    other => walk(other, false, depth),
                }
            }
        }
        Value::Object(members) => {
            for (name, member) in members.iter_mut() {
                if name.eq_ignore_ascii_case("variables") {
                    redact_environment(member, depth);
                } else {
                    let plain = member.is_string() || member.is_number();
                    walk(member, plain, depth);
                }
            }
        }
        other => walk(other, false, depth),
    }
}

// ---------------------------------------------------------------------------
// Incident and annotations

fn redact_in_place(text: &mut String) {
    if let Cow::Owned(redacted) = redact_text(text) {
        *text = redacted;
    }
}

fn redact_option(text: &mut Option<String>) {
    if let Some(text) = text {
        redact_in_place(text);
    }
}

fn redact_event(event: &mut Event) {
    redact_in_place(&mut event.kind);
    redact_in_place(&mut event.summary);
    redact_option(&mut event.actor);
    redact_option(&mut event.original_severity);
    event.attack.labels.iter_mut().for_each(redact_in_place);
}

fn redact_task(task: &mut TaskFacts) {
    for field in [
        &mut task.cluster,
        &mut task.group,
        &mut task.task_definition_arn,
        &mut task.started_by,
        &mut task.launch_type,
        &mut task.last_status,
        &mut task.desired_status,
        &mut task.stop_code,
        &mut task.stopped_reason,
    ] {
        redact_option(field);
    }
    for container in &mut task.containers {
        redact_in_place(&mut container.name);
        for field in [
            &mut container.image,
            &mut container.image_digest,
            &mut container.runtime_id,
            &mut container.last_status,
            &mut container.reason,
        ] {
            redact_option(field);
        }
    }
}

/// A copy of the incident with the text rules applied to every string an
/// export shows: event kinds, summaries, actors and original severities, and
/// the task facts' free text. Task IDs and ARNs, links, times and raw
/// references are unchanged, so anchors and timelines are the same.
pub fn redact_incident(incident: &Incident) -> Incident {
    let mut copy = incident.clone();
    copy.events.iter_mut().for_each(redact_event);
    copy.tasks.iter_mut().for_each(redact_task);
    copy
}

/// A copy of the annotations with the text rules applied to every note.
/// Marks, tags, authors and anchors are unchanged.
pub fn redact_annotations(annotations: &Annotations) -> Annotations {
    annotations.with_note_texts(|text| redact_text(text).into_owned())
}

// ---------------------------------------------------------------------------
// taskscope's own messages

/// Makes a message that may quote evidence fit for stderr: the text rules,
/// then the quoted value of a serde type error (`invalid type: string "…"`)
/// and the quoted start of an unrecognized document (``found `…` ``)
/// replaced by [`REDACTED`], then escaped and cut to `max_chars` characters.
pub fn log_text(message: &str, max_chars: usize) -> String {
    let redacted = redact_text(message);
    let mut spans = Vec::new();
    for (opening, closing) in [("string \"", '"'), ("found `", '`')] {
        if let Some(index) = redacted.find(opening) {
            let start = index + opening.len();
            let end = redacted[start..]
                .rfind(closing)
                .map_or(redacted.len(), |i| start + i);
            if end > start {
                spans.push(start..end);
            }
        }
    }
    let masked = if spans.is_empty() {
        redacted.into_owned()
    } else {
        replace_spans(&redacted, spans)
    };
    escape_truncated(&masked, max_chars)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    fn session_token() -> String {
        format!("IQoJb3JpZ2luX2VjEJr{}", "aB3/dE+fG9hIjK".repeat(12))
    }

    #[test]
    fn secret_names_and_names_that_only_describe_secrets() {
        for name in [
            "AWS_SECRET_ACCESS_KEY",
            "aws_session_token",
            "secretAccessKey",
            "sessionToken",
            "X-Amz-Security-Token",
            "X-Amz-Signature",
            "access_token",
            "--db-password",
            "DB_PASSWD",
            "STRIPE_API_KEY",
            "client_secret",
            "sig",
            "MYSQL_PWD",
        ] {
            assert!(is_secret_name(name), "{name} should be secret");
        }
        for name in [
            "secretId",
            "SecretArn",
            "accessKeyId",
            "AWS_ACCESS_KEY_ID",
            "X-Amz-Credential",
            "passwordLastUsed",
            "tokenType",
            "key",
            "PWD",
            "name",
        ] {
            assert!(!is_secret_name(name), "{name} should not be secret");
        }
    }

    #[test]
    fn assignments_lose_their_values_and_keep_their_names() {
        assert_eq!(
            redact_text(&format!(
                "env AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY={SECRET_KEY} aws s3 ls"
            )),
            "env AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=[REDACTED] aws s3 ls"
        );
        assert_eq!(
            redact_text("aws_secret_access_key = abc123def\nregion = us-east-1"),
            "aws_secret_access_key = [REDACTED]\nregion = us-east-1"
        );
        assert_eq!(
            redact_text(r#"{"password": "hunter2", "user": "app"}"#),
            r#"{"password": "[REDACTED]", "user": "app"}"#
        );
        assert_eq!(
            redact_text(r#"payload={\"apiKey\":\"k-123\",\"n\":1}"#),
            r#"payload={\"apiKey\":\"[REDACTED]\",\"n\":1}"#
        );
        assert_eq!(
            redact_text("X-Amz-Security-Token: FQoXYZ\r\nHost: x"),
            "X-Amz-Security-Token: [REDACTED]\r\nHost: x"
        );
        assert_eq!(
            redact_text(r#":password => 'p@ss word'"#),
            r#":password => '[REDACTED]'"#
        );
    }

    #[test]
    fn attack_labels_are_evidence_and_are_redacted() {
        let raw = crate::model::RawRef {
            artifact: 0,
            locator: String::new(),
        };
        let mut event = Event::new(
            crate::model::time::now(),
            crate::model::Source::Falco,
            "r",
            "",
            raw,
        );
        event.attack.add_label("mitre_password=hunter2");
        redact_event(&mut event);
        assert_eq!(event.attack.labels, ["mitre_password=[REDACTED]"]);
    }

    #[test]
    fn prose_and_arns_are_not_assignments() {
        for text in [
            "GetSecretValue (secretsmanager) by arn:aws:sts::111122223333:assumed-role/app/x",
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf",
            "rotated the token yesterday",
            "passwordLastUsed=2026-11-20",
        ] {
            assert_eq!(redact_text(text), text);
        }
    }

    #[test]
    fn command_line_options_lose_their_values() {
        assert_eq!(
            redact_text("app --db-password s3cr3t --port 80"),
            "app --db-password [REDACTED] --port 80"
        );
        assert_eq!(
            redact_text("app --password='two words' -v"),
            "app --password='[REDACTED]' -v"
        );
        assert_eq!(
            redact_text("mysql -h db -u root -pS3cret! orders"),
            "mysql -h db -u root -p[REDACTED] orders"
        );
        assert_eq!(
            redact_text("/usr/bin/mysqldump -p hunter2 orders | gzip"),
            "/usr/bin/mysqldump -p [REDACTED] orders | gzip"
        );
        assert_eq!(
            redact_text("ExecuteCommand command=mysql -u admin -pS3cret orders"),
            "ExecuteCommand command=mysql -u admin -p[REDACTED] orders"
        );
        assert_eq!(
            redact_text("sshpass -p letmein ssh -p 22 host"),
            "sshpass -p [REDACTED] ssh -p 22 host"
        );
        // Without a password-taking tool, -p is left alone (a port, a path).
        assert_eq!(redact_text("psql -p 5432 -U app"), "psql -p 5432 -U app");
        assert_eq!(
            redact_text("redis-cli -h cache -a hunter2 && ls -p x"),
            "redis-cli -h cache -a [REDACTED] && ls -p x"
        );
    }

    #[test]
    fn authorization_keeps_the_scheme() {
        assert_eq!(
            redact_text("curl -H 'Authorization: Bearer abc.def-123' https://api"),
            "curl -H 'Authorization: Bearer [REDACTED]' https://api"
        );
        assert_eq!(
            redact_text("Authorization: Basic dXNlcjpwYXNz"),
            "Authorization: Basic [REDACTED]"
        );
        assert_eq!(
            redact_text("headers={Authorization: Bearer abcdefgh123} next=1"),
            "headers={Authorization: Bearer [REDACTED]} next=1"
        );
        assert_eq!(
            redact_text(r#"{"authorization":"Bearer abc123xyz"}"#),
            r#"{"authorization":"Bearer [REDACTED]"}"#
        );
        assert_eq!(
            redact_text("sent bearer eyAbCdEfGhIjKlMn to upstream"),
            "sent bearer [REDACTED] to upstream"
        );
    }

    #[test]
    fn urls_lose_passwords_and_token_parameters() {
        let url = format!(
            "https://app-data.s3.amazonaws.com/report.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=ASIAY34FZKBOKMUTVV7A%2F20261120%2Fus-east-1%2Fs3%2Faws4_request\
             &X-Amz-Date=20261120T134900Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\
             &X-Amz-Security-Token={}&X-Amz-Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
            session_token()
        );
        let redacted = redact_text(&url);
        assert!(!redacted.contains(&session_token()), "{redacted}");
        assert!(!redacted.contains("5d672d79c15b"), "{redacted}");
        assert!(redacted.contains("X-Amz-Credential=ASIAY34FZKBOKMUTVV7A%2F"));
        assert!(redacted.contains("X-Amz-Security-Token=[REDACTED]&X-Amz-Signature=[REDACTED]"));
        assert_eq!(
            redact_text("postgres://app:pa55@db.internal:5432/orders?sslmode=require"),
            "postgres://app:[REDACTED]@db.internal:5432/orders?sslmode=require"
        );
        assert_eq!(
            redact_text("GET /cb?code=1&access_token=ya29.abc&state=x"),
            "GET /cb?code=1&access_token=[REDACTED]&state=x"
        );
        assert_eq!(
            redact_text("https://user@example.com/x"),
            "https://user@example.com/x"
        );
    }

    #[test]
    fn bare_secret_keys_go_only_after_a_key_id() {
        assert_eq!(
            redact_text(&format!(
                "aws configure set AKIAIOSFODNN7EXAMPLE {SECRET_KEY}"
            )),
            "aws configure set AKIAIOSFODNN7EXAMPLE [REDACTED]"
        );
        // The same shape with no key ID before it is left alone.
        let alone = format!("digest {SECRET_KEY}");
        assert_eq!(redact_text(&alone), alone);
        // Hex digests (one case) are not keys.
        let sha = "AKIAIOSFODNN7EXAMPLE 0123456789abcdef0123456789abcdef01234567";
        assert_eq!(redact_text(sha), sha);
    }

    #[test]
    fn session_tokens_jwts_and_private_keys_go() {
        let token = session_token();
        assert_eq!(
            redact_text(&format!("creds {token} end")),
            "creds [REDACTED] end"
        );
        assert_eq!(
            redact_text("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl ok"),
            "jwt [REDACTED] ok"
        );
        assert_eq!(
            redact_text("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"),
            "-----BEGIN RSA PRIVATE KEY-----[REDACTED]-----END RSA PRIVATE KEY-----"
        );
    }

    #[test]
    fn text_without_secrets_is_borrowed_and_unicode_survives() {
        assert!(matches!(
            redact_text("curl -s http://x | sh — ünïcode"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            redact_text("grüße password=ünï€ode rest"),
            "grüße password=[REDACTED] rest"
        );
        assert_eq!(redact_text("token=€"), "token=[REDACTED]");
        // Redacting twice changes nothing more.
        let once = redact_text("password=x token=y").into_owned();
        assert_eq!(redact_text(&once), once);
    }

    #[test]
    fn records_lose_secret_fields_and_environment_values() {
        let mut record = json!({
            "responseElements": {"credentials": {
                "accessKeyId": "ASIAY34FZKBOKMUTVV7A",
                "secretAccessKey": SECRET_KEY,
                "sessionToken": session_token(),
                "expiration": "Nov 20, 2026, 2:49:00 PM"
            }},
            "requestParameters": {"secretId": "prod/db", "pin": 1234, "password": 1234},
            "containerDefinitions": [{
                "name": "app",
                "environment": [
                    {"name": "DB_URL", "value": "postgres://app:pa55@db/orders"},
                    {"name": "FEATURE_FLAGS", "value": "beta"}
                ],
                "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:ssm:us-east-1:111122223333:parameter/db"}],
                "command": ["sh", "-c", "mysql -uroot -phunter2 orders"]
            }],
            "Config": {"Env": ["PATH=/usr/bin", "API_TOKEN=abc"]},
            "Environment": {"Variables": {"SIGNING_KEY": "k1"}},
            "message": "{\"environment\":[{\"name\":\"X\",\"value\":\"embedded-secret\"}]}"
        });
        redact_value(&mut record);
        let text = record.to_string();
        for gone in [
            SECRET_KEY,
            &session_token(),
            "pa55",
            "beta",
            "hunter2",
            "API_TOKEN=abc",
            "k1",
            "embedded-secret",
        ] {
            assert!(!text.contains(gone), "{gone} survived in {text}");
        }
        for kept in [
            "ASIAY34FZKBOKMUTVV7A",
            "prod/db",
            "DB_URL",
            "FEATURE_FLAGS",
            "DB_PASSWORD",
            "arn:aws:ssm:us-east-1:111122223333:parameter/db",
            "PATH=[REDACTED]",
            "SIGNING_KEY",
            "Nov 20, 2026",
        ] {
            assert!(text.contains(kept), "{kept} lost in {text}");
        }
        assert_eq!(record["requestParameters"]["pin"], 1234);
        assert_eq!(record["requestParameters"]["password"], REDACTED);
    }

    #[test]
    fn log_text_hides_quoted_values_and_cuts() {
        let message = "line 3: invalid JSON: invalid type: string \"wJalrXUtnFEMI\", expected struct Identity";
        assert_eq!(
            log_text(message, 200),
            "line 3: invalid JSON: invalid type: string \"[REDACTED]\", expected struct Identity"
        );
        assert_eq!(
            log_text("expected a JSON object, found `\"hunter2\"`", 200),
            "expected a JSON object, found `[REDACTED]`"
        );
        assert_eq!(log_text("a\u{1b}[2Jbcdef", 6), "a\\x1b…");
    }

    /// The private key rule stated one `-----BEGIN ` at a time, each
    /// searching afresh: the reference the scan must agree with.
    fn private_key_spans_one_marker_at_a_time(text: &str) -> Vec<Range<usize>> {
        let mut spans = Vec::new();
        for (index, _) in text.match_indices("-----BEGIN ") {
            let Some(header_end) = text[index..]
                .find("PRIVATE KEY-----")
                .map(|i| index + i + "PRIVATE KEY-----".len())
            else {
                continue;
            };
            if text[index..header_end].contains('\n') {
                continue;
            }
            let end = text[header_end..]
                .find("-----END")
                .map_or(text.len(), |i| header_end + i);
            if end > header_end {
                spans.push(header_end..end);
            }
        }
        spans
    }

    #[test]
    fn private_key_scan_agrees_with_the_rule_on_partial_nested_and_open_blocks() {
        const PIECES: [&str; 7] = [
            "-----BEGIN ",
            "RSA ",
            "PRIVATE KEY-----",
            "\n",
            "MIIE",
            "-----END",
            " PRIVATE KEY-----",
        ];
        let mut texts = vec![String::new()];
        let mut checked = 0;
        for _ in 0..5 {
            texts = texts
                .iter()
                .flat_map(|text| PIECES.iter().map(move |piece| format!("{text}{piece}")))
                .collect();
            for text in &texts {
                // Repeats of one span redact nothing more.
                let mut spans = Vec::new();
                private_key_blocks(text, &mut spans);
                spans.dedup();
                let mut expected = private_key_spans_one_marker_at_a_time(text);
                expected.dedup();
                assert_eq!(spans, expected, "{text:?}");
                checked += 1;
            }
        }
        assert_eq!(checked, 7 + 49 + 343 + 2_401 + 16_807);
    }

    fn bytes_searched_for_private_keys(text: &str) -> usize {
        BYTES_SEARCHED.with(|searched| searched.set(0));
        private_key_blocks(text, &mut Vec::new());
        BYTES_SEARCHED.with(std::cell::Cell::get)
    }

    #[test]
    fn private_key_scan_searches_each_byte_a_bounded_number_of_times() {
        let markers = 2_000;
        let starts = "-----BEGIN ".repeat(markers);
        let body = "MIIE".repeat(5_000);
        for hostile in [
            // No header ever ends.
            starts.clone(),
            // Every start shares the one header end, far away.
            format!("{starts}{body}PRIVATE KEY-----{body}"),
            // Every header is cut by a line break before its end.
            format!("{}{body}PRIVATE KEY-----", "-----BEGIN \n".repeat(markers)),
            // Complete headers whose bodies never end.
            format!(
                "{}{body}",
                "-----BEGIN RSA PRIVATE KEY-----".repeat(markers)
            ),
            // Well-formed blocks.
            format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n")
                .repeat(markers / 100),
        ] {
            let searched = bytes_searched_for_private_keys(&hostile);
            assert!(
                searched <= 4 * hostile.len(),
                "{searched} bytes searched in a text of {} bytes",
                hostile.len()
            );
        }
    }
}
