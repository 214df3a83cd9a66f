//! The incident report as a document of plain text: sections of
//! paragraphs, subheadings and tables, which the Markdown and HTML writers
//! escape for their format. [`super::gather`] fills it from a bundle.

/// The whole report, unescaped.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The one top-level heading.
    pub title: String,
    /// What comes before the first section.
    pub intro: Vec<Block>,
    /// The sections, in order.
    pub sections: Vec<Section>,
}

/// A second-level section.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Its heading.
    pub heading: String,
    /// Its content, in order.
    pub blocks: Vec<Block>,
}

/// One piece of a section.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A paragraph of text.
    Paragraph(String),
    /// A third-level heading.
    Subheading(String),
    /// A table.
    Table(Table),
}

/// A table with a header row.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each with as many cells as the header.
    pub rows: Vec<Vec<Cell>>,
}

/// One table cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A literal value, such as a hash, shown in a fixed-width font.
    Code(String),
    /// A reference to the evidence anchor numbered so in the appendix (`E3`).
    Evidence(usize),
    /// The appendix entry that evidence references point to.
    EvidenceEntry(usize),
}

impl Cell {
    /// A text cell.
    pub fn text(text: impl Into<String>) -> Cell {
        Cell::Text(text.into())
    }
}

/// `E3`: how an evidence reference reads in every format.
pub fn evidence_label(number: usize) -> String {
    format!("E{number}")
}
