//! The incident report as Markdown: one `#` title, a `##` heading per
//! section, `###` within, and tables written as the per-task report writes
//! them. Every string goes through [`markdown_cell`]: control and bidi
//! characters made visible, `\`, `|` and `<` neutralized, so neither
//! evidence nor a note can break a table or inject HTML; a paragraph cannot
//! start with Markdown syntax either.

use super::document::{evidence_label, Block, Cell, Document};
use crate::render::{markdown_cell, markdown_table as table};

/// One cell, escaped.
fn cell(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => markdown_cell(text),
        Cell::Code(text) => format!("`{}`", markdown_cell(text).replace('`', "'")),
        Cell::Evidence(number) | Cell::EvidenceEntry(number) => evidence_label(*number),
    }
}

/// Characters that start a Markdown block (heading, quote, list, rule,
/// code fence, table) at the beginning of a line.
const BLOCK_STARTS: [char; 10] = ['#', '>', '-', '+', '*', '=', '_', '`', '~', '|'];

/// A paragraph, escaped as a cell is (so it stays on one line), and made
/// unable to start a block: a backslash before a leading [`BLOCK_STARTS`]
/// character, or before the `.` or `)` after leading digits (an ordered
/// list), so text from a `--summary` file or a note stays a paragraph.
fn paragraph(text: &str) -> String {
    let escaped = markdown_cell(text);
    if escaped.starts_with(BLOCK_STARTS) {
        return format!("\\{escaped}");
    }
    let digits = escaped.len()
        - escaped
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .len();
    match escaped[digits..].chars().next() {
        Some('.' | ')') if digits > 0 => {
            format!("{}\\{}", &escaped[..digits], &escaped[digits..])
        }
        _ => escaped,
    }
}

fn block(out: &mut String, block: &Block) {
    match block {
        Block::Paragraph(text) => {
            out.push_str(&paragraph(text));
            out.push_str("\n\n");
        }
        Block::Subheading(text) => {
            out.push_str("### ");
            out.push_str(&markdown_cell(text));
            out.push_str("\n\n");
        }
        Block::Table(contents) => {
            let header: Vec<String> = contents.header.iter().map(|h| markdown_cell(h)).collect();
            let header: Vec<&str> = header.iter().map(String::as_str).collect();
            let rows: Vec<Vec<String>> = contents
                .rows
                .iter()
                .map(|row| row.iter().map(cell).collect())
                .collect();
            table(out, &header, &rows);
        }
    }
}

/// Writes `document` as Markdown.
pub fn write(document: &Document) -> String {
    let mut out = format!("# {}\n\n", markdown_cell(&document.title));
    for item in &document.intro {
        block(&mut out, item);
    }
    for section in &document.sections {
        out.push_str("## ");
        out.push_str(&markdown_cell(&section.heading));
        out.push_str("\n\n");
        for item in &section.blocks {
            block(&mut out, item);
        }
    }
    // One newline at the end, not a blank line.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_cannot_start_a_block() {
        assert_eq!(paragraph("# title"), "\\# title");
        assert_eq!(paragraph("> quote"), "\\> quote");
        assert_eq!(paragraph("- item"), "\\- item");
        assert_eq!(paragraph("12. item"), "12\\. item");
        assert_eq!(paragraph("3) item"), "3\\) item");
        assert_eq!(paragraph("2026 was calm"), "2026 was calm");
        assert_eq!(paragraph("<b>"), "&lt;b>");
        // The visible escape's backslash is itself escaped for Markdown.
        assert_eq!(paragraph("a\nb|c"), "a\\\\nb\\|c");
    }
}
