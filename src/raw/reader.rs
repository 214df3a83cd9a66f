//! Reading raw records from a bundle, with the artifacts checked against
//! the manifest and the last few decoded ones kept.

use super::artifact::{capture_block, DecodedArtifact};
use super::error::RawError;
use crate::bundle::write::sha256_hex;
use crate::bundle::Bundle;
use crate::import::scap;
use crate::model::RawRef;
use serde_json::Value;
use std::collections::VecDeque;

/// How many decoded artifacts a [`RawReader`] keeps.
pub(super) const CACHED_ARTIFACTS: usize = 4;
/// Decoded bytes a [`RawReader`] keeps beyond the most recent artifact.
const CACHED_BYTES: usize = 512 << 20;

/// Reads raw records from a bundle, keeping the last few decoded artifacts
/// so that records of the same big (gzip) file are decoded once, and large
/// arrays and objects in them are scanned once.
pub struct RawReader {
    bundle: Bundle,
    cache: VecDeque<DecodedArtifact>,
}

impl RawReader {
    /// A reader that owns its bundle.
    pub fn new(bundle: Bundle) -> RawReader {
        RawReader {
            bundle,
            cache: VecDeque::new(),
        }
    }

    /// A reader over a copy of an opened bundle's root and manifest.
    pub fn for_bundle(bundle: &Bundle) -> RawReader {
        RawReader::new(Bundle {
            root: bundle.root.clone(),
            manifest: bundle.manifest.clone(),
        })
    }

    /// The bundle being read.
    pub fn bundle(&self) -> &Bundle {
        &self.bundle
    }

    /// The raw record `raw` points at. The artifact's size and SHA-256 are
    /// checked against the manifest when it is first read.
    pub fn record(&mut self, raw: &RawRef) -> Result<Value, RawError> {
        if let Some(offset) = capture_block(&raw.locator) {
            // Streamed from the sealed artifact each time: never decoded whole.
            let bytes = self.read_checked(raw.artifact)?;
            return scap::record::block_at(&bytes, offset).map_err(RawError::Decode);
        }
        self.load(raw.artifact)?.resolve(&raw.locator)
    }

    /// The decoded artifact, from the cache or read now (and cached first).
    fn load(&mut self, index: usize) -> Result<&mut DecodedArtifact, RawError> {
        match self.cache.iter().position(|cached| cached.index == index) {
            Some(0) => {}
            Some(position) => {
                if let Some(hit) = self.cache.remove(position) {
                    self.cache.push_front(hit);
                }
            }
            None => {
                let decoded = DecodedArtifact::decode(index, self.read_checked(index)?)?;
                self.cache.push_front(decoded);
                self.evict();
            }
        }
        Ok(&mut self.cache[0])
    }

    /// Drops the least recently used artifacts beyond the count and size budgets,
    /// always keeping the most recent one.
    fn evict(&mut self) {
        let mut total: usize = self.cache.iter().map(|c| c.text.len()).sum();
        while self.cache.len() > 1 && (self.cache.len() > CACHED_ARTIFACTS || total > CACHED_BYTES)
        {
            if let Some(dropped) = self.cache.pop_back() {
                total -= dropped.text.len();
            }
        }
    }

    /// The artifact's bytes, after checking them against the manifest.
    fn read_checked(&self, index: usize) -> Result<Vec<u8>, RawError> {
        let artifacts = &self.bundle.manifest.artifacts;
        let artifact = artifacts.get(index).ok_or(RawError::UnknownArtifact {
            index,
            count: artifacts.len(),
        })?;
        let bytes = self
            .bundle
            .read_artifact(&artifact.path)
            .map_err(|source| RawError::Read {
                path: artifact.path.clone(),
                source,
            })?;
        let altered = |detail: String| RawError::Altered {
            path: artifact.path.clone(),
            detail,
        };
        if bytes.len() as u64 != artifact.size {
            return Err(altered(format!(
                "size {} differs from the manifest's {}",
                bytes.len(),
                artifact.size
            )));
        }
        if sha256_hex(&bytes) != artifact.sha256 {
            return Err(altered("SHA-256 differs from the manifest".into()));
        }
        Ok(bytes)
    }
}
