//! Blocks and texts several sections build the same way.

use crate::export::incident::document::{Block, Cell, Table};

/// A two-column table of fields and their values.
pub(super) fn field_table(rows: Vec<(&str, Cell)>) -> Block {
    Block::Table(Table {
        header: vec!["Field".into(), "Value".into()],
        rows: rows
            .into_iter()
            .map(|(field, value)| vec![Cell::text(field), value])
            .collect(),
    })
}

/// `a, b, c`, or `-` when empty.
pub(super) fn listed<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<&str> = items.into_iter().collect();
    if items.is_empty() {
        "-".to_string()
    } else {
        items.join(", ")
    }
}
