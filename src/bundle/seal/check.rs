//! Verifying a bundle's seal: the signature over `seal.json`, the signer
//! against an allowed signers file, the seal's bundle, every sealed entry
//! against the bundle as it lies, and the journals' sealed heads.

use super::allowed_signers::AllowedSigners;
use super::digest::{entries, root_digest, DIGEST_PREFIX};
use super::document::SealDocument;
use super::journals::after_seal;
use super::{pair, signature};
use super::{JOURNALS, SEAL_FILE, SIGNATURE_FILE};
use crate::bundle::annotations::ANNOTATIONS_FILE;
use crate::bundle::custody::CUSTODY_FILE;
use crate::bundle::manifest::MANIFEST_FILE;
use crate::bundle::paths::read_regular_file;
use crate::bundle::Bundle;
use crate::model::time::parse_time_str;

/// What verifying a seal found. Strings are raw: escape them before
/// showing them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SealReport {
    /// The bundle's root digest as it lies now (`None` when its manifest
    /// cannot be read as JSON: then a problem says why).
    pub root_digest: Option<String>,
    /// The seal in a few lines, for a bundle that verifies.
    pub lines: Vec<String>,
    /// Verification failures, each naming what is wrong.
    pub problems: Vec<String>,
    /// The sealing signer, fingerprint and time, when a valid seal was read.
    pub sealed_by: Option<SealedBy>,
}

/// Who sealed, with which key, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedBy {
    /// The identity the seal names.
    pub identity: String,
    /// The signing key's fingerprint (`SHA256:...`).
    pub fingerprint: String,
    /// The sealing time, as the seal states it.
    pub sealed_at: String,
}

/// What verification is asked to hold the seal to.
#[derive(Debug, Clone, Default)]
pub struct Expectations<'a> {
    /// The signers allowed; a missing seal is then a failure.
    pub allowed: Option<&'a AllowedSigners>,
    /// The root digest the bundle must have (`sha256:HEX` or `HEX`).
    pub root_digest: Option<&'a str>,
}

/// Verifies the seal of `bundle` (if any) and computes its root digest.
pub fn check(bundle: &Bundle, expect: &Expectations) -> SealReport {
    let mut report = SealReport::default();
    let current = current_entries(bundle);
    match &current {
        Ok(entries) => report.root_digest = Some(root_digest(entries)),
        Err(problem) => report.problems.push(problem.clone()),
    }
    if let (Some(wanted), Some(actual)) = (expect.root_digest, &report.root_digest) {
        let wanted_full = if wanted.starts_with(DIGEST_PREFIX) {
            wanted.to_ascii_lowercase()
        } else {
            format!("{DIGEST_PREFIX}{}", wanted.to_ascii_lowercase())
        };
        if &wanted_full != actual {
            report.problems.push(format!(
                "root digest {actual}, expected {wanted_full} (--expect)"
            ));
        }
    }
    let files = match pair::read(&bundle.root) {
        Ok(Some(files)) => files,
        Ok(None) => {
            if expect.allowed.is_some() {
                report.problems.push(format!(
                    "not sealed: the bundle has no {SEAL_FILE}, and --allowed-signers asks for a seal"
                ));
            } else {
                report.lines.push("not sealed".to_string());
            }
            return report;
        }
        Err(problem) => {
            report.problems.push(format!("seal unreadable: {problem}"));
            return report;
        }
    };
    let signed = match signature::parse(&files.signature) {
        Ok(signed) => signed,
        Err(problem) => {
            report.problems.push(format!("{SIGNATURE_FILE}: {problem}"));
            return report;
        }
    };
    if let Err(problem) = signature::verify(&signed, &files.document) {
        report.problems.push(format!("{SIGNATURE_FILE}: {problem}"));
        return report;
    }
    let document = match SealDocument::parse(&files.document) {
        Ok(document) => document,
        Err(problem) => {
            report.problems.push(format!("{SEAL_FILE}: {problem}"));
            return report;
        }
    };
    let fingerprint = signature::fingerprint(&signed);
    if fingerprint != document.signer.fingerprint {
        report.problems.push(format!(
            "{SEAL_FILE} names the key {} but {SIGNATURE_FILE} was made by {fingerprint}",
            document.signer.fingerprint
        ));
    }
    let identity = &document.signer.identity;
    let by = format!(
        "sealed by {identity} ({fingerprint}) at {}",
        document.sealed_at
    );
    report.sealed_by = Some(SealedBy {
        identity: identity.clone(),
        fingerprint: fingerprint.clone(),
        sealed_at: document.sealed_at.clone(),
    });
    match expect.allowed {
        Some(allowed) => {
            let at = parse_time_str(&document.sealed_at);
            let verdict = match at {
                Some(at) => allowed.allows(identity, signed.public_key(), at),
                None => Err(format!(
                    "the sealing time {:?} is not a time",
                    document.sealed_at
                )),
            };
            match verdict {
                Ok(line) => report.lines.push(format!(
                    "{by}: an allowed signer (line {line} of the allowed signers file)"
                )),
                Err(why) => report
                    .problems
                    .push(format!("{by}: not an allowed signer: {why}")),
            }
        }
        None => report
            .lines
            .push(format!("{by}, not checked against allowed signers")),
    }
    if document.bundle.created_at != bundle.manifest.created_at {
        report.problems.push(format!(
            "the seal is from another bundle: it sealed a bundle created at {}, this one was \
             created at {}",
            document.bundle.created_at, bundle.manifest.created_at
        ));
        return report;
    }
    report.lines.push(format!(
        "sealed root digest {} over {} artifact(s)",
        document.root_digest, document.artifacts
    ));
    if let Ok(current) = &current {
        for difference in super::digest::compare(&document.entries, current) {
            report.problems.push(difference.to_string());
        }
    }
    let after = after_seal(bundle, &document.journals);
    report.problems.extend(after.problems.iter().cloned());
    if after.problems.is_empty() {
        let added = |file: &str| after.lines.get(file).copied().unwrap_or(0);
        report.lines.push(format!(
            "{} annotation(s) and {} action(s) after the seal, chain intact",
            added(ANNOTATIONS_FILE),
            after.actions
        ));
        if added(CUSTODY_FILE) > 0 {
            report
                .lines
                .push(format!("{} handoff(s) after the seal", added(CUSTODY_FILE)));
        }
        if JOURNALS.iter().any(|file| added(file) > 0) {
            report.lines.push(
                "lines after the seal are protected by their chain only: the last of them \
                 only once sealed again"
                    .to_string(),
            );
        }
    }
    report
}

/// The entries of the bundle's manifest as it lies now.
fn current_entries(bundle: &Bundle) -> Result<Vec<super::digest::Entry>, String> {
    let bytes = read_regular_file(&bundle.root.join(MANIFEST_FILE), MANIFEST_FILE)
        .map_err(|e| format!("{MANIFEST_FILE}: {e}"))?;
    let manifest: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("{MANIFEST_FILE}: not JSON: {e}"))?;
    entries(&manifest)
}
