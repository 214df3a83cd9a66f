//! The "Appendix: evidence anchors" section: every anchor the report cites.

use super::anchors::Anchors;
use crate::export::incident::document::{Block, Cell, Section, Table};

/// The evidence cited, by reference number.
pub(super) fn appendix(anchors: Anchors) -> Section {
    let rows: Vec<Vec<Cell>> = anchors
        .list
        .into_iter()
        .enumerate()
        .map(|(position, (anchor, sha256))| {
            vec![
                Cell::EvidenceEntry(position + 1),
                Cell::text(anchor),
                sha256.map_or_else(|| Cell::text("-"), Cell::Code),
            ]
        })
        .collect();
    let blocks = if rows.is_empty() {
        vec![Block::Paragraph("No evidence is cited.".into())]
    } else {
        vec![
            Block::Paragraph(
                "Each reference names the raw record an entry comes from: its anchor \
                 (artifact path in the bundle, then the record's locator, as taskscope \
                 annotate --event takes it) and the SHA-256 the manifest records for the \
                 artifact."
                    .into(),
            ),
            Block::Table(Table {
                header: ["Ref", "Anchor", "Artifact SHA-256"]
                    .map(String::from)
                    .to_vec(),
                rows,
            }),
        ]
    };
    Section {
        heading: "Appendix: evidence anchors".into(),
        blocks,
    }
}
