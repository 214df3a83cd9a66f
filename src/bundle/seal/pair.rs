//! `seal.json` and `seal.json.sig` on disk, replaced as one: a new pair is
//! written beside the old one and committed by a single rename, so a crash
//! at any point leaves either the old seal or the complete new one.
//!
//! The protocol (docs/bundle-format.md, "Seals"): `.seal.json.next` is
//! written and fsynced; the signature is written to `.seal.json.sig.part`,
//! fsynced and renamed to `.seal.json.sig.next`: that rename commits the
//! new pair. Then `.seal.json.next` becomes `seal.json` and
//! `.seal.json.sig.next` becomes `seal.json.sig`. A reader that finds
//! `.seal.json.sig.next` takes it with `.seal.json.next`, or with
//! `seal.json` once that was renamed; the next seal finishes the renames.

use super::{SEAL_FILE, SIGNATURE_FILE};
use crate::bundle::paths::{read_regular_file_capped, Refusal};
use crate::bundle::write::{sync_dir, write_synced};
use std::fs;
use std::io;
use std::path::Path;

/// The new seal document, before the pair is committed.
pub const NEXT_SEAL: &str = ".seal.json.next";
/// The new signature while it is written.
pub const SIGNATURE_PART: &str = ".seal.json.sig.part";
/// The new signature, complete: its presence commits the new pair.
pub const NEXT_SIGNATURE: &str = ".seal.json.sig.next";

/// Largest seal document read (a bundle of a hundred thousand artifacts
/// makes about 20 MB).
pub const MAX_SEAL_BYTES: u64 = 64 * 1024 * 1024;
/// Largest signature read (an RSA-16384 signature is under 5 KB armored).
pub const MAX_SIGNATURE_BYTES: u64 = 64 * 1024;

/// True for the files at the bundle root that belong to a seal (the pair
/// and its files in writing), which the manifest never lists.
pub fn is_seal_file(relative: &str) -> bool {
    [
        SEAL_FILE,
        SIGNATURE_FILE,
        NEXT_SEAL,
        SIGNATURE_PART,
        NEXT_SIGNATURE,
    ]
    .contains(&relative)
}

/// True for a file an interrupted seal left, which is not part of the
/// seal in force.
pub fn is_leftover(root: &Path, relative: &str) -> bool {
    match relative {
        SIGNATURE_PART => true,
        NEXT_SEAL => !root.join(NEXT_SIGNATURE).exists(),
        _ => false,
    }
}

/// The seal in force, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealFiles {
    /// The seal document's bytes.
    pub document: Vec<u8>,
    /// The signature's bytes (armored text, unchecked).
    pub signature: Vec<u8>,
}

/// Reads the seal in force of the bundle at `root`; `None` when it has none.
/// Half a pair (a document without a signature, or the reverse) is an error.
pub fn read(root: &Path) -> Result<Option<SealFiles>, String> {
    let exists = |name: &str| fs::symlink_metadata(root.join(name)).is_ok();
    let (document, signature) = if exists(NEXT_SIGNATURE) {
        let document = if exists(NEXT_SEAL) {
            NEXT_SEAL
        } else {
            SEAL_FILE
        };
        (document, NEXT_SIGNATURE)
    } else {
        match (exists(SEAL_FILE), exists(SIGNATURE_FILE)) {
            (false, false) => return Ok(None),
            (true, false) => {
                return Err(format!(
                    "{SEAL_FILE} is there but {SIGNATURE_FILE} is missing"
                ))
            }
            (false, true) => {
                return Err(format!(
                    "{SIGNATURE_FILE} is there but {SEAL_FILE} is missing"
                ))
            }
            (true, true) => (SEAL_FILE, SIGNATURE_FILE),
        }
    };
    let read = |name: &str, cap: u64| {
        read_regular_file_capped(&root.join(name), name, cap).map_err(|refusal| match refusal {
            Refusal::Io(error) => format!("{name}: cannot read: {error}"),
            other => other.to_string(),
        })
    };
    Ok(Some(SealFiles {
        document: read(document, MAX_SEAL_BYTES)?,
        signature: read(signature, MAX_SIGNATURE_BYTES)?,
    }))
}

/// Replaces the seal of the bundle at `root` with `document` and its
/// `signature`, as the module describes. The caller holds the bundle's lock.
pub fn commit(root: &Path, document: &[u8], signature: &[u8]) -> io::Result<()> {
    finish(root)?;
    write_synced(&root.join(NEXT_SEAL), document)?;
    write_synced(&root.join(SIGNATURE_PART), signature)?;
    fs::rename(root.join(SIGNATURE_PART), root.join(NEXT_SIGNATURE))?;
    sync_dir(root)?;
    finish(root)
}

/// Finishes a committed pair's renames, or removes what an uncommitted one
/// left. The caller holds the bundle's lock.
pub fn finish(root: &Path) -> io::Result<()> {
    let remove = |name: &str| match fs::remove_file(root.join(name)) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    };
    if root.join(NEXT_SIGNATURE).exists() {
        if root.join(NEXT_SEAL).exists() {
            fs::rename(root.join(NEXT_SEAL), root.join(SEAL_FILE))?;
        }
        fs::rename(root.join(NEXT_SIGNATURE), root.join(SIGNATURE_FILE))?;
    } else {
        remove(NEXT_SEAL)?;
    }
    remove(SIGNATURE_PART)?;
    sync_dir(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_interrupted_state_reads_as_the_old_pair_or_the_new_one() {
        let dir = tempfile::TempDir::new().unwrap();
        let root = dir.path();
        assert_eq!(read(root).unwrap(), None);
        commit(root, b"old", b"old-sig").unwrap();
        let pair = |document: &[u8], signature: &[u8]| SealFiles {
            document: document.to_vec(),
            signature: signature.to_vec(),
        };
        assert_eq!(read(root).unwrap(), Some(pair(b"old", b"old-sig")));
        // Killed after the new document, before the signature was committed.
        fs::write(root.join(NEXT_SEAL), b"new").unwrap();
        fs::write(root.join(SIGNATURE_PART), b"new-s").unwrap();
        assert_eq!(read(root).unwrap(), Some(pair(b"old", b"old-sig")));
        assert!(is_leftover(root, NEXT_SEAL));
        // Committed, killed before the renames, then after the first one.
        fs::rename(root.join(SIGNATURE_PART), root.join(NEXT_SIGNATURE)).unwrap();
        assert_eq!(read(root).unwrap(), Some(pair(b"new", b"new-s")));
        assert!(!is_leftover(root, NEXT_SEAL));
        fs::rename(root.join(NEXT_SEAL), root.join(SEAL_FILE)).unwrap();
        assert_eq!(read(root).unwrap(), Some(pair(b"new", b"new-s")));
        finish(root).unwrap();
        assert_eq!(read(root).unwrap(), Some(pair(b"new", b"new-s")));
        assert!(!root.join(NEXT_SIGNATURE).exists());
        fs::remove_file(root.join(SIGNATURE_FILE)).unwrap();
        assert!(read(root).unwrap_err().contains("seal.json.sig is missing"));
    }
}
