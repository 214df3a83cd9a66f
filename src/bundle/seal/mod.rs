//! Seals: `seal.json`, a signed statement of what a bundle holds (every
//! evidence artifact and its manifest entry, summed up in a root digest)
//! and how long its journals were, and `seal.json.sig`, an OpenSSH SSHSIG
//! signature over its exact bytes that `ssh-keygen -Y verify` accepts.
//! docs/custody.md says what a seal proves; docs/bundle-format.md gives the
//! formats.

pub mod allowed_signers;
pub mod check;
pub mod digest;
pub mod document;
pub mod journals;
pub mod pair;
pub mod signature;
pub mod signing_key;
pub mod write;

use super::annotations::ANNOTATIONS_FILE;
use super::audit::AUDIT_FILE;
use super::custody::CUSTODY_FILE;

/// The seal document's file name at the bundle root.
pub const SEAL_FILE: &str = "seal.json";
/// The signature's file name at the bundle root.
pub const SIGNATURE_FILE: &str = "seal.json.sig";
/// The SSHSIG namespace of a seal's signature (`ssh-keygen -Y ... -n`).
pub const NAMESPACE: &str = "taskscope-bundle";

/// The journals that grow after a bundle is made: a seal records their
/// heads instead of their bytes, so lines added later do not break it.
pub const JOURNALS: [&str; 3] = [ANNOTATIONS_FILE, AUDIT_FILE, CUSTODY_FILE];
