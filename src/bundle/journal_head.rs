//! The head of a bundle's chained journal (`annotations.jsonl`,
//! `audit.jsonl`, `custody.jsonl`) over its committed lines: what a seal or a
//! signature over the journal records.

use super::chain::{check, genesis, Break};
use super::journal;
use super::Bundle;

/// A journal's head and length: what a seal or a signature over the
/// journal records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// Lines in the journal.
    pub lines: usize,
    /// Of those, lines written before taskscope chained its journals (only
    /// the head covers them; an edit among them cannot be named).
    pub unchained: usize,
    /// The value after the last line, lower-case hex (the genesis when the
    /// journal is empty or absent).
    pub hash: String,
}

/// Why a journal's head cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeadError {
    /// The journal cannot be read, or its committed bytes differ from the manifest.
    #[error("{0}")]
    Unreadable(String),
    /// The chain is broken: the head would vouch for a damaged journal.
    #[error("{file}: chain broken at {at}")]
    Broken {
        /// The journal.
        file: String,
        /// The first break.
        at: Break,
    },
}

/// The head of the journal `file` (`annotations.jsonl`, `audit.jsonl`,
/// `custody.jsonl`) of `bundle`, over the committed lines the manifest
/// records; a journal the manifest does not list has no lines. Fails when
/// the journal differs from the manifest or its chain is broken.
pub fn head(bundle: &Bundle, file: &str) -> Result<Head, HeadError> {
    let genesis = genesis(&bundle.manifest, file);
    let content = journal::read_committed(bundle, file)
        .map_err(HeadError::Unreadable)?
        .unwrap_or_default();
    let chain = check(&genesis, &content);
    match chain.broken {
        Some(at) => Err(HeadError::Broken {
            file: file.to_string(),
            at,
        }),
        None => Ok(Head {
            lines: chain.lines,
            unchained: chain.unchained,
            hash: chain.head,
        }),
    }
}
