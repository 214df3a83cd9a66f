//! Which correlated index answers for a bundle: its own when it can, else
//! the one rebuilt from its raw evidence into the cache ([`super::cache`]),
//! rebuilt when there is none or it cannot be used ([`super::rebuild`]);
//! with a notice for the user each time something was not as expected.

use super::cache::{cache_root, entry_dir, open_cached, CACHED_FILE};
use super::read::{evidence_in_place, CorrelatedIndex};
use super::rebuild::rebuild;
use super::Unusable;
use crate::bundle::manifest::CollectionState;
use crate::bundle::Bundle;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What a notice ends with when the index that could not answer was
/// damaged.
const VERIFY_HINT: &str = " (run taskscope verify)";

/// The correlated index that answers for `bundle`, and the notices to show.
/// See [`Bundle::correlated_or_rebuilt`].
pub fn correlated_or_rebuilt(bundle: &Bundle) -> (Option<CorrelatedIndex>, Vec<String>) {
    let own = match bundle.correlated() {
        Ok(index) => return (Some(index), Vec::new()),
        Err(own) => own,
    };
    if !worth_rebuilding(bundle) {
        return (None, Vec::new());
    }
    // A missing or outdated index is expected; a damaged one is worth
    // checking the bundle for.
    let hint = match own {
        Unusable::Damaged(_) => VERIFY_HINT,
        Unusable::Missing | Unusable::Outdated(_) => "",
    };
    let why = own.to_string();
    let dir = match cache_dir_for(bundle, &why, hint) {
        Ok(dir) => dir,
        Err(notices) => return (None, notices),
    };
    let mut notices = Vec::new();
    match open_cached(&dir, &bundle.root, &bundle.manifest) {
        Ok(index) => {
            if !hint.is_empty() {
                notices.push(reused(&why, &dir, hint));
            }
            return (Some(index), notices);
        }
        Err(Unusable::Damaged(reason)) => notices.push(format!(
            "the index rebuilt earlier into {} cannot be used: {reason}",
            dir.display()
        )),
        Err(Unusable::Missing | Unusable::Outdated(_)) => {}
    }
    let (index, notice) = rebuild_and_open(bundle, &dir, &why, hint);
    notices.push(notice);
    (index, notices)
}

/// Another correlated index for when `damaged`, the one that answered,
/// turned out damaged while it was read (`damage`: its records are checked
/// as they are read, not on open): the copy in the cache when `damaged`
/// was not that copy and it is valid, else one rebuilt again from the raw
/// evidence; and the notice to show. See
/// [`Bundle::correlated_rebuilt_after`].
pub fn rebuilt_after(
    bundle: &Bundle,
    damaged: &CorrelatedIndex,
    damage: &Unusable,
) -> (Option<CorrelatedIndex>, Vec<String>) {
    let why = match damage {
        Unusable::Damaged(reason) | Unusable::Outdated(reason) => {
            format!("the correlated index was found damaged while read: {reason}")
        }
        Unusable::Missing => "the correlated index went missing while read".to_string(),
    };
    let dir = match cache_dir_for(bundle, &why, VERIFY_HINT) {
        Ok(dir) => dir,
        Err(notices) => return (None, notices),
    };
    if !damaged.is_read_from(&dir.join(CACHED_FILE)) {
        if let Ok(index) = open_cached(&dir, &bundle.root, &bundle.manifest) {
            return (Some(index), vec![reused(&why, &dir, VERIFY_HINT)]);
        }
    }
    let (index, notice) = rebuild_and_open(bundle, &dir, &why, VERIFY_HINT);
    (index, vec![notice])
}

/// The notice for an answer from the copy in `dir`, reused because of `why`.
fn reused(why: &str, dir: &Path, hint: &str) -> String {
    format!(
        "{why}; answering from its copy rebuilt earlier from the raw evidence, in {}{hint}",
        dir.display()
    )
}

/// Whether a rebuilt index could answer for the bundle: not when actions
/// were recorded (the audit log is read as it grows, and is not in the
/// index), nor while a collection is still adding to it (each answer would
/// need another).
fn worth_rebuilding(bundle: &Bundle) -> bool {
    !bundle.has_recorded_actions()
        && bundle.manifest.collection.state != Some(CollectionState::Collecting)
}

/// The directory of the bundle's copy in the cache; or, when nothing can
/// be rebuilt, the notices to show: why (`why`, then `hint`), unless the
/// index was merely missing or outdated (an empty `hint`) and evidence is
/// missing, which the raw path reports as it always has.
fn cache_dir_for(bundle: &Bundle, why: &str, hint: &str) -> Result<PathBuf, Vec<String>> {
    if evidence_in_place(&bundle.root, &bundle.manifest).is_err() {
        let told = (!hint.is_empty()).then(|| format!("{why}; answering from the evidence{hint}"));
        return Err(told.into_iter().collect());
    }
    cache_root()
        .map(|cache| entry_dir(&cache, &bundle.manifest))
        .map_err(|error| vec![format!("{why}; {}", in_memory(&error, hint))])
}

/// Rebuilds into `dir` and opens the result; the notice says why (`why`),
/// where, how long it took or why it failed, then `hint`.
fn rebuild_and_open(
    bundle: &Bundle,
    dir: &Path,
    why: &str,
    hint: &str,
) -> (Option<CorrelatedIndex>, String) {
    let started = Instant::now();
    let rebuilt = rebuild(bundle, dir).and_then(|()| {
        open_cached(dir, &bundle.root, &bundle.manifest).map_err(|unusable| {
            io::Error::other(format!("{}: {unusable}", dir.join(CACHED_FILE).display()))
        })
    });
    match rebuilt {
        Ok(index) => (
            Some(index),
            format!(
                "{why}; rebuilt from the raw evidence into {} in {:.1} s{hint}",
                dir.display(),
                started.elapsed().as_secs_f64()
            ),
        ),
        Err(error) => (
            None,
            format!(
                "{why}; cannot rebuild it into {}: {}",
                dir.display(),
                in_memory(&error, hint)
            ),
        ),
    }
}

/// How a notice ends when nothing could be rebuilt, for `error`, and the
/// answer comes from the evidence correlated in memory.
fn in_memory(error: &io::Error, hint: &str) -> String {
    format!("{error}; answering from the evidence, correlated in memory{hint}")
}
