//! `seal.json`: what a seal states. Its exact bytes are what the signature
//! covers; docs/bundle-format.md ("Seals") describes every field.

use super::digest::{root_digest, Entry};
use crate::bundle::manifest::Tool;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `format` value of a seal document.
pub const SEAL_FORMAT: &str = "taskscope-seal";
/// The seal format version this build writes and reads.
pub const SEAL_FORMAT_VERSION: u32 = 1;

/// The whole seal document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SealDocument {
    /// Always [`SEAL_FORMAT`].
    pub format: String,
    /// Seal format version.
    pub format_version: u32,
    /// The tool and version that sealed.
    pub tool: Tool,
    /// When it was sealed, RFC 3339 UTC: the signer's clock.
    pub sealed_at: String,
    /// Who sealed, with which key.
    pub signer: SignerInfo,
    /// Which bundle was sealed.
    pub bundle: BundleIdentity,
    /// How many evidence artifacts the seal covers.
    pub artifacts: u64,
    /// The root digest of [`SealDocument::entries`] (see [`super::digest`]).
    pub root_digest: String,
    /// The journals' lengths and heads when sealed, by file name.
    pub journals: BTreeMap<String, JournalHead>,
    /// Every entry the root digest covers, in path order.
    pub entries: Vec<Entry>,
}

/// The signer as the seal names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerInfo {
    /// The identity (principal) an allowed signers file lists the key under.
    pub identity: String,
    /// The key's algorithm (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, ...).
    pub key_type: String,
    /// The key's fingerprint as `ssh-keygen -l` prints it (`SHA256:...`).
    pub fingerprint: String,
}

/// What ties a seal to its bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleIdentity {
    /// The manifest's `created_at` (to the nanosecond): the bundle's
    /// identity, also the value its journal chains start from.
    pub created_at: String,
}

/// A journal's length and head when sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalHead {
    /// Lines in the journal.
    pub lines: usize,
    /// The chain value after its last line (see [`crate::bundle::chain`]).
    pub head: String,
}

impl SealDocument {
    /// The document's bytes as written: pretty JSON and a final newline.
    pub fn to_bytes(&self) -> Result<Vec<u8>, String> {
        let mut bytes =
            serde_json::to_vec_pretty(self).map_err(|e| format!("cannot encode the seal: {e}"))?;
        bytes.push(b'\n');
        Ok(bytes)
    }

    /// Reads a seal document, checking its format, version, artifact count
    /// and that its root digest is that of its entries.
    pub fn parse(bytes: &[u8]) -> Result<SealDocument, String> {
        let document: SealDocument =
            serde_json::from_slice(bytes).map_err(|e| format!("not a valid seal document: {e}"))?;
        if document.format != SEAL_FORMAT {
            return Err(format!(
                "format is {:?}, expected {SEAL_FORMAT:?}",
                document.format
            ));
        }
        if document.format_version > SEAL_FORMAT_VERSION {
            return Err(format!(
                "seal format version {} is newer than this taskscope reads ({SEAL_FORMAT_VERSION})",
                document.format_version
            ));
        }
        if root_digest(&document.entries) != document.root_digest {
            return Err("its root digest is not the digest of its entries".into());
        }
        let artifacts = document
            .entries
            .iter()
            .filter(|e| e.index.is_some())
            .count();
        if artifacts as u64 != document.artifacts {
            return Err(format!(
                "it counts {} artifacts but lists {artifacts}",
                document.artifacts
            ));
        }
        Ok(document)
    }
}
