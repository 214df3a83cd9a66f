//! One artifact, decompressed and ready to walk, and the locator of a
//! syscall capture block.

use super::error::RawError;
use super::{surrogates, walk};
use crate::import::decode;
use serde_json::Value;
use std::borrow::Cow;

/// The byte offset a syscall capture's locator (`B<offset>`) names.
pub(super) fn capture_block(locator: &str) -> Option<u64> {
    locator.strip_prefix('B')?.parse().ok()
}

/// One artifact, decompressed and ready to walk.
pub(super) struct DecodedArtifact {
    /// Its index in the manifest.
    pub(super) index: usize,
    /// The content, without a leading byte-order mark (importers skip it
    /// too), its lone surrogate escapes replaced by `\ufffd`.
    pub(super) text: String,
    /// Byte offset of each line's start, computed on the first `L<n>` locator.
    line_starts: Option<Vec<usize>>,
    /// Children of the large containers walked so far.
    containers: walk::ContainerIndex,
}

impl DecodedArtifact {
    /// Decompresses (when gzip) and checks the content is UTF-8 text.
    pub(super) fn decode(index: usize, bytes: Vec<u8>) -> Result<DecodedArtifact, RawError> {
        let inflated = match decode::decompress(&bytes) {
            Ok(Cow::Owned(inflated)) => Some(inflated),
            Ok(Cow::Borrowed(_)) => None,
            Err(error) => return Err(RawError::Decode(error.message)),
        };
        let mut text = String::from_utf8(inflated.unwrap_or(bytes)).map_err(|e| {
            RawError::Decode(format!(
                "not UTF-8 text at byte {}",
                e.utf8_error().valid_up_to()
            ))
        })?;
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        Ok(DecodedArtifact {
            index,
            text: surrogates::without_lone_surrogates(text),
            line_starts: None,
            containers: walk::ContainerIndex::default(),
        })
    }

    /// The record at `locator`.
    pub(super) fn resolve(&mut self, locator: &str) -> Result<Value, RawError> {
        let text = self.text.as_str();
        let starts = locator.starts_with('L').then(|| {
            self.line_starts
                .get_or_insert_with(|| walk::line_starts(text))
                .as_slice()
        });
        walk::resolve_in_text(text, locator, starts, Some(&mut self.containers))
    }
}
