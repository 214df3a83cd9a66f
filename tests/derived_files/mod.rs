//! Helpers shared by the tests of a bundle's derived files (the derived
//! index and the correlated index): a demo bundle, and manifest edits.

use std::fs;
use std::path::{Path, PathBuf};
use taskscope::bundle::build::import_to_bundle;
use taskscope::bundle::manifest::{Manifest, MANIFEST_FILE};
use taskscope::bundle::write::sha256_hex;
use taskscope::bundle::Bundle;
use taskscope::demo;
use tempfile::TempDir;

/// The sample incident imported as a bundle, in a directory of its own.
pub fn demo_bundle() -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let root = dir.path().join("bundle");
    import_to_bundle(demo::inputs(), &root).unwrap();
    (dir, root)
}

/// The bundle at `root`, opened.
pub fn open(root: &Path) -> Bundle {
    Bundle::open(root).unwrap()
}

/// Writes `manifest` as the bundle's manifest.
pub fn write_manifest(root: &Path, manifest: &Manifest) {
    fs::write(
        root.join(MANIFEST_FILE),
        serde_json::to_vec_pretty(manifest).unwrap(),
    )
    .unwrap();
}

/// Replaces the bytes of the artifact at `path` and makes the manifest
/// agree with them, so that only the content is wrong, not the hash.
pub fn replace_consistently(root: &Path, path: &str, bytes: &[u8]) {
    fs::write(root.join(path), bytes).unwrap();
    let mut manifest = open(root).manifest;
    let entry = manifest
        .artifacts
        .iter_mut()
        .find(|a| a.path == path)
        .unwrap();
    entry.size = bytes.len() as u64;
    entry.sha256 = sha256_hex(bytes);
    write_manifest(root, &manifest);
}
