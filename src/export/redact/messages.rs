//! taskscope's own messages, which may quote evidence, made fit for stderr.

use super::replacement::replace_spans;
use super::text::redact_text;
use crate::render::sanitize::escape_truncated;

/// Makes a message that may quote evidence fit for stderr: the text rules,
/// then the quoted value of a serde type error (`invalid type: string "…"`)
/// and the quoted start of an unrecognized document (``found `…` ``)
/// replaced by [`REDACTED`](super::REDACTED), then escaped and cut to `max_chars` characters.
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
}
