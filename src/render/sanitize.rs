//! Makes attacker-controlled text safe to put on a terminal.
//!
//! Command lines, log lines, user agents and file names in evidence come from
//! the adversary. Control characters (C0, DEL, C1), which start terminal escape
//! and OSC sequences, and Unicode bidirectional overrides, which reorder what a
//! reader sees, are shown as visible escapes instead of being interpreted.

use std::borrow::Cow;
use unicode_width::UnicodeWidthChar;

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
    let Some(first) = text.find(is_unsafe) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// Appends `c`, or its visible escape when it is unsafe.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if is_unsafe(c) && (c as u32) < 0x100 => {
            out.push_str("\\x");
            push_hex(out, c as u32, 2);
        }
        c if is_unsafe(c) => {
            out.push_str("\\u{");
            push_hex(out, c as u32, 1);
            out.push('}');
        }
        c => out.push(c),
    }
}

/// Appends `value` in lower-case hex, with at least `min_digits` digits.
fn push_hex(out: &mut String, value: u32, min_digits: u32) {
    let digits = (32 - value.leading_zeros()).div_ceil(4).max(min_digits);
    for shift in (0..digits).rev() {
        let nibble = (value >> (shift * 4)) & 0xf;
        out.push(char::from_digit(nibble, 16).unwrap_or('?'));
    }
}

/// Escapes `text` and cuts it to at most `max` characters, marking the cut
/// with `…`. Only the part shown is escaped, so a huge string costs no more
/// than a short one.
pub fn escape_truncated(text: &str, max: usize) -> String {
    escape_cut(text, max, |_| 1)
}

/// Escapes `text` and cuts it to at most `max` terminal columns (a wide
/// character, such as CJK or emoji, takes two), marking the cut with `…`. A
/// wide character that would straddle the cut is left out whole.
pub fn escape_truncated_columns(text: &str, max: usize) -> String {
    escape_cut(text, max, |c| UnicodeWidthChar::width(c).unwrap_or(0))
}

/// Escapes `text` and cuts it where the characters shown, each counted by
/// `measure`, would exceed `max`: the kept part measures at most `max - 1`,
/// followed by `…`. Escapes are ASCII, so they measure one per character in
/// any measure. Escaping stops at the cut.
fn escape_cut(text: &str, max: usize, measure: fn(char) -> usize) -> String {
    let mut out = String::new();
    let mut shown = 0;
    for c in text.chars() {
        let before = out.len();
        push_escaped(&mut out, c);
        shown += out[before..].chars().map(measure).sum::<usize>();
        if shown > max {
            let budget = max.saturating_sub(1);
            let mut kept = 0;
            let mut cut: String = out
                .chars()
                .take_while(|&c| {
                    kept += measure(c);
                    kept <= budget
                })
                .collect();
            cut.push('…');
            return cut;
        }
    }
    out
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
        assert_eq!(escape_truncated("abcd", 4), "abcd");
        assert_eq!(escape_truncated("ab", 4), "ab");
        assert_eq!(escape_truncated("\u{1b}[31m", 5), "\\x1b…");
        assert_eq!(escape_truncated("é\u{202e}x", 12), "é\\u{202e}x");
        assert_eq!(escape_truncated("é\u{202e}x", 6), "é\\u{2…");
        assert_eq!(escape_truncated("", 3), "");
    }

    #[test]
    fn truncates_by_columns_without_splitting_a_wide_character() {
        // Six columns: a two-column character would straddle the cut at
        // five columns, so it is left out whole.
        assert_eq!(escape_truncated_columns("ab日本語", 6), "ab日…");
        assert_eq!(escape_truncated_columns("abcd日本", 6), "abcd…");
        assert_eq!(escape_truncated_columns("日本", 4), "日本");
        assert_eq!(escape_truncated_columns("🦀🦀🦀", 4), "🦀…");
        assert_eq!(escape_truncated_columns("\u{1b}日本", 6), "\\x1b…");
        // Counted in characters, the same text is cut later.
        assert_eq!(escape_truncated("ab日本語", 4), "ab日…");
    }

    #[test]
    fn escapes_every_width_of_code_point() {
        assert_eq!(escape("\u{0}\u{7f}\u{85}"), "\\x00\\x7f\\x85");
        assert_eq!(escape("\u{61c}\u{feff}"), "\\u{61c}\\u{feff}");
    }
}
