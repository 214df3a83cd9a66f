//! The incident report as one self-contained HTML file: the style sheet is
//! inline, nothing is fetched (a Content-Security-Policy forbids it, and no
//! element names an outside resource), and there is no script. Every string
//! goes through [`html_text`]: control and bidi characters made visible,
//! then `&`, `<`, `>`, `"` and `'` written as character references.

use super::document::{evidence_label, Block, Cell, Document};
use crate::render::sanitize::escape;
use std::fmt::Write;

/// The style sheet, inline: readable on screen and on paper.
const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:80em;\
padding:0 1em;color:#111;background:#fff;line-height:1.4}\
h1{font-size:1.6em}h2{font-size:1.3em;margin-top:2em;border-bottom:1px solid #888}\
h3{font-size:1.1em}\
table{border-collapse:collapse;margin:0.5em 0 1em;font-size:0.9em}\
th,td{border:1px solid #999;padding:0.2em 0.4em;text-align:left;vertical-align:top;\
overflow-wrap:anywhere}\
th{background:#eee}code{font-family:ui-monospace,monospace;font-size:0.95em}\
@media print{body{margin:0;max-width:none}a{color:inherit;text-decoration:none}}";

/// Blocks every fetch and every script: the file shows with nothing but itself.
const CONTENT_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'";

/// `text` made safe for HTML text and attribute values: unsafe characters
/// as visible escapes (`\x1b`, `\u{202e}`), then the five characters HTML
/// gives meaning to as character references.
pub fn html_text(text: &str) -> String {
    let visible = escape(text);
    let mut out = String::with_capacity(visible.len() + 16);
    for c in visible.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The fragment an evidence reference links to (`e3`).
fn evidence_id(number: usize) -> String {
    format!("e{number}")
}

fn cell(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => html_text(text),
        Cell::Code(text) => format!("<code>{}</code>", html_text(text)),
        Cell::Evidence(number) => format!(
            "<a href=\"#{}\">{}</a>",
            evidence_id(*number),
            evidence_label(*number)
        ),
        Cell::EvidenceEntry(number) => format!(
            "<span id=\"{}\">{}</span>",
            evidence_id(*number),
            evidence_label(*number)
        ),
    }
}

fn block(out: &mut String, block: &Block) {
    match block {
        Block::Paragraph(text) => {
            let _ = writeln!(out, "<p>{}</p>", html_text(text));
        }
        Block::Subheading(text) => {
            let _ = writeln!(out, "<h3>{}</h3>", html_text(text));
        }
        Block::Table(table) => {
            out.push_str("<table>\n<thead><tr>");
            for name in &table.header {
                let _ = write!(out, "<th>{}</th>", html_text(name));
            }
            out.push_str("</tr></thead>\n<tbody>\n");
            for row in &table.rows {
                out.push_str("<tr>");
                for item in row {
                    let _ = write!(out, "<td>{}</td>", cell(item));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody>\n</table>\n");
        }
    }
}

/// Writes `document` as a complete HTML file.
pub fn write(document: &Document) -> String {
    let title = html_text(&document.title);
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_POLICY}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
    );
    for item in &document.intro {
        block(&mut out, item);
    }
    for section in &document.sections {
        let _ = writeln!(out, "<section>\n<h2>{}</h2>", html_text(&section.heading));
        for item in &section.blocks {
            block(&mut out, item);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_text_neutralizes_markup_and_shows_controls() {
        assert_eq!(
            html_text("<img src=x onerror='a()'> & \"q\""),
            "&lt;img src=x onerror=&#39;a()&#39;&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(
            html_text("a\u{1b}[2Jb\u{202e}c\nd"),
            "a\\x1b[2Jb\\u{202e}c\\nd"
        );
    }
}
