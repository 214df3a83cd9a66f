//! Headless output: the same rows the console shows, as table, JSON, CSV or Markdown.

pub mod safe_csv;
pub mod sanitize;
pub mod tasks;
pub mod timeline;

use unicode_width::UnicodeWidthStr;

/// Output formats of the headless commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for a terminal; evidence strings escaped.
    Table,
    /// A JSON array of objects.
    Json,
    /// Comma-separated values with a header row; evidence strings escaped
    /// and formula-like cells neutralized ([`safe_csv`]).
    Csv,
    /// A Markdown table; evidence strings escaped.
    Md,
}

/// Lays out rows of cells as aligned columns separated by two spaces,
/// measured in terminal columns (a wide character, such as CJK or emoji,
/// takes two). Cells must already be sanitized. The last column is not padded.
pub fn aligned(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        for (i, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if i < last {
                let pad = widths[i].saturating_sub(cell.width()) + 2;
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

/// Pretty JSON in which every character [`sanitize::is_unsafe`] flags is a
/// `\uXXXX` escape: the same data, but nothing a terminal would interpret.
/// (serde_json escapes C0 controls itself; this adds DEL, C1 and bidi.)
pub fn json_text<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    Ok(escape_unsafe_json(serde_json::to_string_pretty(value)?))
}

/// Compact, single-line JSON with the same escaping as [`json_text`]; for
/// JSON-lines output. Never contains a raw newline.
pub fn json_line<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    Ok(escape_unsafe_json(serde_json::to_string(value)?))
}

/// Rewrites the unsafe characters serde_json leaves raw as `\u` escapes.
/// Only valid on serde_json output: such characters can only occur inside strings.
fn escape_unsafe_json(text: String) -> String {
    if !text.chars().any(sanitize::is_unsafe_outside_c0) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if sanitize::is_unsafe_outside_c0(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Escapes a Markdown table cell: sanitized, then `\\` and `|` escaped with a
/// backslash (so text ending in a backslash cannot unescape the cell's `|`),
/// and `<` written as `&lt;` so evidence cannot inject HTML.
pub fn markdown_cell(text: &str) -> String {
    let sanitized = sanitize::escape(text);
    let mut out = String::with_capacity(sanitized.len() + 8);
    for c in sanitized.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            c => out.push(c),
        }
    }
    out
}

/// One Markdown table as text: header, separator, and one line per row of
/// already escaped cells ([`markdown_cell`]).
pub fn markdown_table_text(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n", header.join(" | "));
    out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
    for row in rows {
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out
}

/// Writes one Markdown table ([`markdown_table_text`]) followed by a blank
/// line, as a section of a longer document.
pub fn markdown_table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    out.push_str(&markdown_table_text(header, rows));
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_text_escapes_what_terminals_interpret_and_keeps_the_data() {
        let value = vec![
            "esc\u{1b}[2J",
            "csi\u{9b}31m",
            "bidi\u{202e}gpj.exe",
            "del\u{7f}",
        ];
        let text = json_text(&value).unwrap();
        assert!(
            !text.chars().any(|c| c != '\n' && sanitize::is_unsafe(c)),
            "{text}"
        );
        let back: Vec<String> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
        let line = json_line(&value).unwrap();
        assert!(!line.chars().any(sanitize::is_unsafe), "{line}");
        let back: Vec<String> = serde_json::from_str(&line).unwrap();
        assert_eq!(back, value);
    }

    /// The terminal column at which `needle` starts in `line`.
    fn column_of(line: &str, needle: &str) -> usize {
        let byte = line.find(needle).expect("the cell is on the line");
        line[..byte].width()
    }

    #[test]
    fn aligns_columns_by_display_width_with_cjk_and_emoji() {
        let rows = vec![
            vec![
                "日本語サービス".to_string(),
                "x1".to_string(),
                "end".to_string(),
            ],
            vec!["🦀🦀".to_string(), "x2".to_string(), "end".to_string()],
            vec!["plain".to_string(), "x3".to_string(), "end".to_string()],
        ];
        let text = aligned(&["NAME", "MID", "LAST"], &rows);
        let lines: Vec<&str> = text.lines().collect();
        // The widest cell is 14 columns (seven wide characters), then two
        // spaces; MID is 3 columns wide, then two spaces.
        assert_eq!(column_of(lines[0], "MID"), 16);
        assert_eq!(column_of(lines[0], "LAST"), 21);
        for (line, mid) in lines[1..].iter().zip(["x1", "x2", "x3"]) {
            assert_eq!(column_of(line, mid), 16, "{line}");
            assert_eq!(column_of(line, "end"), 21, "{line}");
        }
    }

    #[test]
    fn markdown_cells_cannot_break_the_table_or_inject_html() {
        assert_eq!(markdown_cell("a|b"), "a\\|b");
        // A trailing backslash must not turn the escaped pipe back into a separator.
        assert_eq!(markdown_cell("x\\|y"), "x\\\\\\|y");
        assert_eq!(
            markdown_cell("<script>alert(1)</script>"),
            "&lt;script>alert(1)&lt;/script>"
        );
        assert_eq!(markdown_cell("\u{1b}[2J"), "\\\\x1b[2J");
    }
}
