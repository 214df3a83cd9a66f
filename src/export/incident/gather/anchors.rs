//! The evidence the report cites, numbered in order of first use: the
//! appendix lists them.

use crate::export::incident::document::Cell;
use std::collections::HashMap;

/// The evidence anchors referenced so far, numbered from 1 in order of first use.
#[derive(Default)]
pub(super) struct Anchors {
    /// Anchor and the SHA-256 of its artifact, by number - 1.
    pub(super) list: Vec<(String, Option<String>)>,
    numbers: HashMap<String, usize>,
}

impl Anchors {
    /// The reference cell for `anchor`, numbering it on first use.
    pub(super) fn cite(&mut self, anchor: String, artifact_sha256: Option<&str>) -> Cell {
        if let Some(&number) = self.numbers.get(&anchor) {
            return Cell::Evidence(number);
        }
        self.list
            .push((anchor.clone(), artifact_sha256.map(str::to_string)));
        let number = self.list.len();
        self.numbers.insert(anchor, number);
        Cell::Evidence(number)
    }
}
