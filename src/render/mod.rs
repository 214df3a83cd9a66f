//! Headless output: the same rows the console shows, as table, JSON, CSV or Markdown.

pub mod sanitize;
pub mod tasks;
pub mod timeline;

/// Output formats of the headless commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for a terminal; evidence strings escaped.
    Table,
    /// A JSON array of objects.
    Json,
    /// Comma-separated values with a header row; evidence strings escaped.
    Csv,
    /// A Markdown table; evidence strings escaped.
    Md,
}

/// Lays out rows of cells as aligned columns separated by two spaces.
/// Cells must already be sanitized. The last column is not padded.
pub fn aligned(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        for (i, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if i < last {
                let pad = widths[i] - cell.chars().count() + 2;
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

/// Escapes a Markdown table cell: sanitized, with `|` escaped.
pub fn markdown_cell(text: &str) -> String {
    sanitize::escape(text).replace('|', "\\|")
}
