//! Makes attacker-controlled text safe to put on a terminal.
//!
//! Command lines, log lines, user agents and file names in evidence come from
//! the adversary. Control characters (C0, DEL, C1), which start terminal escape
//! and OSC sequences, and Unicode bidirectional overrides, which reorder what a
//! reader sees, are shown as visible escapes instead of being interpreted.

use std::borrow::Cow;
use std::fmt::Write;

/// True for characters that must never reach a terminal as themselves.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() // C0, DEL and C1
        || matches!(c,
            '\u{061c}' | '\u{200e}' | '\u{200f}'       // bidi marks
            | '\u{202a}'..='\u{202e}'                  // bidi embeddings and overrides
            | '\u{2066}'..='\u{2069}'                  // bidi isolates
            | '\u{2028}' | '\u{2029}'                  // line and paragraph separators
            | '\u{feff}')
}

/// Unsafe characters other than C0 controls (which JSON escapes already):
/// DEL, C1 controls and the bidi and separator characters.
pub fn is_unsafe_outside_c0(c: char) -> bool {
    is_unsafe(c) && c as u32 >= 0x20
}

/// Returns `text` with every unsafe character replaced by a visible escape:
/// `\n`, `\r`, `\t`, `\x1b` for bytes below 0x100, `\u{202e}` above.
/// Borrowed when nothing needed escaping.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) && (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Escapes `text` and cuts it to at most `max` characters, marking the cut with `…`.
pub fn escape_truncated(text: &str, max: usize) -> String {
    let escaped = escape(text);
    if escaped.chars().count() <= max {
        return escaped.into_owned();
    }
    let mut cut: String = escaped.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_sequences() {
        assert_eq!(
            escape("a\u{1b}]0;pwned\u{7}\u{1b}[2J b"),
            "a\\x1b]0;pwned\\x07\\x1b[2J b"
        );
        assert_eq!(escape("x\u{9b}31m"), "x\\x9b31m");
        assert_eq!(escape("evil\u{202e}txt.exe"), "evil\\u{202e}txt.exe");
        assert_eq!(escape("line\nnext\0"), "line\\nnext\\x00");
    }

    #[test]
    fn leaves_safe_text_alone() {
        assert!(matches!(
            escape("curl -s http://x | sh — ünïcode"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn truncates_after_escaping() {
        assert_eq!(escape_truncated("abcdef", 4), "abc…");
        assert_eq!(escape_truncated("ab", 4), "ab");
        assert_eq!(escape_truncated("\u{1b}[31m", 5), "\\x1b…");
    }
}
