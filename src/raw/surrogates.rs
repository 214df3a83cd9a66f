//! Lone UTF-16 surrogates in JSON `\u` escapes, made readable.
//!
//! JSON text can escape half of a surrogate pair (`"\ud800"`, `"\udc00"`),
//! which no Rust string can hold. serde_json refuses such a string when it
//! builds it, but skips it unchecked when it ignores a value, so the
//! importers accept a record that holds one in a field they do not read. To
//! show that record, each lone surrogate escape is read as `\ufffd` (U+FFFD,
//! the replacement character). The escape is six bytes either way, so every
//! byte offset into the text stays valid.

/// The escape a lone surrogate escape is replaced by.
const REPLACEMENT: &str = "\\ufffd";
/// Bytes in a `\uXXXX` escape.
const ESCAPE_LEN: usize = 6;

/// `text` with every lone surrogate escape replaced by `\ufffd`; the same
/// string, untouched, when it has none. Paired surrogates are kept.
pub(super) fn without_lone_surrogates(text: String) -> String {
    let lone = lone_surrogate_escapes(text.as_bytes());
    if lone.is_empty() {
        return text;
    }
    let mut fixed = String::with_capacity(text.len());
    let mut copied = 0;
    for start in lone {
        // Both ends are ASCII bytes (`\` and the byte after a hex digit),
        // so they are character boundaries.
        fixed.push_str(&text[copied..start]);
        fixed.push_str(REPLACEMENT);
        copied = start + ESCAPE_LEN;
    }
    fixed.push_str(&text[copied..]);
    fixed
}

/// Byte offsets of the `\uXXXX` escapes that are half of a surrogate pair
/// with no other half beside them. A backslash starts an escape wherever it
/// appears: outside strings it is invalid JSON anyway.
fn lone_surrogate_escapes(bytes: &[u8]) -> Vec<usize> {
    let mut lone = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'\\' {
            at += 1;
            continue;
        }
        match unicode_escape(bytes, at) {
            Some(unit) if is_leading(unit) => match unicode_escape(bytes, at + ESCAPE_LEN) {
                Some(next) if is_trailing(next) => at += 2 * ESCAPE_LEN,
                _ => {
                    lone.push(at);
                    at += ESCAPE_LEN;
                }
            },
            Some(unit) if is_trailing(unit) => {
                lone.push(at);
                at += ESCAPE_LEN;
            }
            Some(_) => at += ESCAPE_LEN,
            // `\"`, `\\`, `\n`...: the escaped byte cannot start an escape.
            None => at += 2,
        }
    }
    lone
}

/// The code unit of a `\uXXXX` escape starting at `at`, if there is one.
fn unicode_escape(bytes: &[u8], at: usize) -> Option<u16> {
    let escape = bytes.get(at..at.checked_add(ESCAPE_LEN)?)?;
    let (prefix, digits) = escape.split_at(2);
    if prefix != b"\\u" {
        return None;
    }
    digits.iter().try_fold(0u16, |unit, &digit| {
        let value = char::from(digit).to_digit(16)?;
        Some(unit << 4 | value as u16)
    })
}

fn is_leading(unit: u16) -> bool {
    (0xD800..=0xDBFF).contains(&unit)
}

fn is_trailing(unit: u16) -> bool {
    (0xDC00..=0xDFFF).contains(&unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(text: &str) -> String {
        without_lone_surrogates(text.to_string())
    }

    #[test]
    fn lone_halves_become_replacement_characters() {
        assert_eq!(fixed(r#""a\ud800b""#), r#""a\ufffdb""#);
        assert_eq!(fixed(r#""\uDC00""#), r#""\ufffd""#);
        // A leading half at the very end of the text.
        assert_eq!(fixed(r"\udbff"), r"\ufffd");
        // Two leading halves, then a trailing one: only the first is alone.
        assert_eq!(fixed(r#""\ud800\ud83d\ude00""#), r#""\ufffd\ud83d\ude00""#);
        // A leading half followed by another escape.
        assert_eq!(fixed(r#""\ud800\n\\""#), r#""\ufffd\n\\""#);
    }

    #[test]
    fn pairs_other_escapes_and_escaped_backslashes_are_kept() {
        for text in [
            r#"{"smile":"\ud83d\ude00","e":"\u00e9\u0041"}"#,
            // `\\ud800` is a backslash followed by the text `ud800`.
            r#""\\ud800""#,
            r#""\ud8""#,
            r#""\ud80g""#,
            "plain \u{1F600} text",
        ] {
            assert_eq!(fixed(text), text);
        }
    }

    #[test]
    fn every_result_parses_and_keeps_its_length() {
        let text = r#"{"k\udc01ey":["\ud800x","\ud800\udbff\udfff","\\\ud800"]}"#;
        assert!(serde_json::from_str::<serde_json::Value>(text).is_err());
        let result = fixed(text);
        assert_eq!(result.len(), text.len());
        let value: serde_json::Value = serde_json::from_str(&result).expect("parses");
        assert_eq!(
            value,
            serde_json::json!({"k\u{fffd}ey": ["\u{fffd}x", "\u{fffd}\u{10ffff}", "\\\u{fffd}"]})
        );
    }
}
