//! Sealing a bundle: under its lock, check that it verifies, sum up its
//! evidence and journals in a [`SealDocument`], sign it and put the pair in
//! place ([`super::pair`]). A later seal replaces the pair, signing the
//! journals' current heads.

use super::digest::{entries, root_digest};
use super::document::{BundleIdentity, SealDocument, SignerInfo, SEAL_FORMAT, SEAL_FORMAT_VERSION};
use super::journals::heads;
use super::pair;
use super::signing_key::SigningKey;
use crate::bundle::manifest::{CollectionState, Tool, MANIFEST_FILE};
use crate::bundle::paths::read_regular_file;
use crate::bundle::verify::verify;
use crate::bundle::Bundle;
use crate::model::time::format_time;
use crate::render::sanitize;
use ssh_key::{HashAlg, LineEnding};
use std::fs::File;
use std::path::Path;

/// Longest signer identity accepted, in characters.
const MAX_IDENTITY_CHARS: usize = 200;

/// Seals the bundle at `bundle_root` with `key`, naming the signer
/// `identity`, at `now`; returns the document written. Refuses a bundle
/// that does not verify or whose collection has not finished.
pub fn seal(
    bundle_root: &Path,
    key: &mut SigningKey,
    identity: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<SealDocument, String> {
    check_identity(identity)?;
    let shown = bundle_root.display().to_string();
    let directory =
        File::open(bundle_root).map_err(|e| format!("{shown}: cannot open the bundle: {e}"))?;
    directory
        .lock()
        .map_err(|e| format!("{shown}: cannot lock the bundle: {e}"))?;
    let bundle = Bundle::open(bundle_root).map_err(|e| e.to_string())?;
    if bundle.manifest.collection.state == Some(CollectionState::Collecting) {
        return Err(format!(
            "{shown}: its collection has not finished: seal it once it has"
        ));
    }
    let failures: Vec<String> = verify(&bundle)
        .iter()
        .filter(|problem| problem.is_failure())
        .map(ToString::to_string)
        .collect();
    if let Some(first) = failures.first() {
        return Err(format!(
            "{shown} does not verify ({} problem(s), the first: {first}): \
             a seal would vouch for it; run taskscope verify",
            failures.len()
        ));
    }
    let manifest_bytes = read_regular_file(&bundle_root.join(MANIFEST_FILE), MANIFEST_FILE)
        .map_err(|e| format!("{MANIFEST_FILE}: {e}"))?;
    let manifest: serde_json::Value = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| format!("{MANIFEST_FILE}: not JSON: {e}"))?;
    let entries = entries(&manifest)?;
    let public = key.public_key();
    let document = SealDocument {
        format: SEAL_FORMAT.to_string(),
        format_version: SEAL_FORMAT_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        },
        sealed_at: format_time(&now),
        signer: SignerInfo {
            identity: identity.to_string(),
            key_type: public.algorithm().as_str().to_string(),
            fingerprint: public.fingerprint(HashAlg::Sha256).to_string(),
        },
        bundle: BundleIdentity {
            created_at: bundle.manifest.created_at.clone(),
        },
        artifacts: entries.iter().filter(|e| e.index.is_some()).count() as u64,
        root_digest: root_digest(&entries),
        journals: heads(&bundle)?,
        entries,
    };
    let bytes = document.to_bytes()?;
    let signature = key
        .sign(&bytes)?
        .to_pem(LineEnding::LF)
        .map_err(|e| format!("cannot encode the signature: {e}"))?;
    pair::commit(bundle_root, &bytes, signature.as_bytes())
        .map_err(|e| format!("{shown}: cannot write the seal: {e}"))?;
    drop(directory); // releases the lock, after the commit
    Ok(document)
}

/// Checks a signer identity: not blank, at most 200 characters, no control
/// characters, whitespace or commas (an allowed signers file could not name
/// it as one principal).
pub fn check_identity(identity: &str) -> Result<(), String> {
    if identity.trim().is_empty() {
        return Err("the signer identity is empty".into());
    }
    if identity.chars().count() > MAX_IDENTITY_CHARS {
        return Err(format!(
            "the signer identity is longer than {MAX_IDENTITY_CHARS} characters"
        ));
    }
    if identity
        .chars()
        .any(|c| sanitize::is_unsafe(c) || c.is_whitespace() || c == ',')
    {
        return Err(format!(
            "the signer identity {:?} holds whitespace, a comma or a control character",
            sanitize::escape(identity)
        ));
    }
    Ok(())
}
