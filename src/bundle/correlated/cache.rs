//! Where a correlated index rebuilt from a bundle's raw evidence is kept:
//! a per-user cache directory, never the bundle (a bundle is evidence, and
//! may be sealed or on read-only media). Each bundle's rebuilt index sits
//! in a directory of its own, named after what it was derived from, and is
//! checked as the bundle's own would be before it answers.

use super::read::{evidence_in_place, CorrelatedIndex};
use super::Unusable;
use crate::bundle::index::{imported_artifacts, inputs_digest};
use crate::bundle::manifest::Manifest;
use crate::bundle::paths;
use crate::model::provenance::LogGroup;
use sha2::{Digest, Sha256};
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

/// The environment variable naming the cache directory; when unset, the
/// cache is `$XDG_CACHE_HOME/taskscope`, else `$HOME/.cache/taskscope`.
pub const CACHE_DIR_VARIABLE: &str = "TASKSCOPE_CACHE_DIR";
/// The file name of a rebuilt correlated index in its directory.
pub const CACHED_FILE: &str = "correlated.bin";
/// The folder of the cache that holds rebuilt correlated indexes.
const CORRELATED_FOLDER: &str = "correlated";

/// The cache directory from the environment: [`CACHE_DIR_VARIABLE`], else
/// `$XDG_CACHE_HOME/taskscope` (an absolute path only, as the XDG base
/// directory specification asks), else `$HOME/.cache/taskscope`.
pub fn cache_root() -> io::Result<PathBuf> {
    let set = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    cache_root_from(set(CACHE_DIR_VARIABLE), set("XDG_CACHE_HOME"), set("HOME"))
}

/// [`cache_root`] from the values of its three variables.
fn cache_root_from(
    named: Option<OsString>,
    xdg: Option<OsString>,
    home: Option<OsString>,
) -> io::Result<PathBuf> {
    if let Some(named) = named {
        return Ok(PathBuf::from(named));
    }
    if let Some(xdg) = xdg.map(PathBuf::from).filter(|path| path.is_absolute()) {
        return Ok(xdg.join("taskscope"));
    }
    home.map(|home| PathBuf::from(home).join(".cache/taskscope"))
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("no cache directory: set {CACHE_DIR_VARIABLE} or HOME"),
            )
        })
}

/// The directory of the bundle's rebuilt correlated index under the cache
/// at `cache`: named after the hex SHA-256 of the inputs digest and the
/// log group each imported input was read from (the two decide what
/// importing the raw artifacts yields), so bundles holding the same
/// evidence share it and any other evidence gets another.
pub fn entry_dir(cache: &Path, manifest: &Manifest) -> PathBuf {
    let mut key = Sha256::new();
    key.update(inputs_digest(&manifest.inputs, &manifest.artifacts));
    for (_, input) in imported_artifacts(manifest, &mut Vec::new()) {
        key.update(match input.log_group() {
            LogGroup::Unknown => [0],
            LogGroup::EventBridgeArchive => [1],
        });
    }
    let name: String = key
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    cache.join(CORRELATED_FOLDER).join(name)
}

/// The correlated index rebuilt earlier into `dir` for the bundle at
/// `root`, when it can answer: [`Unusable::Missing`] when there is none,
/// else the checks of [`CorrelatedIndex::from_file`] and the bundle's
/// evidence still in place. A link or anything but a regular file where it
/// belongs is refused.
pub fn open_cached(
    dir: &Path,
    root: &Path,
    manifest: &Manifest,
) -> Result<CorrelatedIndex, Unusable> {
    evidence_in_place(root, manifest)?;
    let (file, _) = match paths::open_inside(dir, CACHED_FILE) {
        Ok(opened) => opened,
        // Nothing there yet, or not even the directories on the way.
        Err(paths::Refusal::Io(error))
            if error.kind() == io::ErrorKind::NotFound
                || error.raw_os_error() == Some(libc::ENOTDIR) =>
        {
            return Err(Unusable::Missing)
        }
        Err(refusal) => return Err(Unusable::Damaged(refusal.to_string())),
    };
    CorrelatedIndex::from_file(file, manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_is_the_named_directory_else_xdg_else_home() {
        let os = |text: &str| Some(OsString::from(text));
        let root = |named, xdg, home| cache_root_from(named, xdg, home).ok();
        assert_eq!(
            root(os("/c"), os("/x"), os("/h")),
            Some(PathBuf::from("/c"))
        );
        assert_eq!(
            root(None, os("/x"), os("/h")),
            Some(PathBuf::from("/x/taskscope"))
        );
        // A relative XDG_CACHE_HOME is ignored, as the specification asks.
        assert_eq!(
            root(None, os("x"), os("/h")),
            Some(PathBuf::from("/h/.cache/taskscope"))
        );
        assert_eq!(root(None, None, None), None);
    }
}
