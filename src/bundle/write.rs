//! Writing a bundle atomically: everything goes into a temporary directory
//! beside the target, every file is fsynced, and one rename publishes it.
//! A crash leaves either no bundle or a complete one; an existing bundle is
//! never touched.

use super::manifest::{Artifact, Manifest, MANIFEST_FILE};
use super::paths;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A bundle being written. Dropped without [`BundleWriter::seal`], it leaves nothing.
pub struct BundleWriter {
    target: PathBuf,
    staging: PathBuf,
    artifacts: Vec<Artifact>,
    directories: BTreeSet<PathBuf>,
    sealed: bool,
}

impl BundleWriter {
    /// Starts a bundle that will appear at `target`, which must not exist yet.
    pub fn create(target: &Path) -> io::Result<BundleWriter> {
        if target.symlink_metadata().is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} already exists: bundles are never overwritten",
                    target.display()
                ),
            ));
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target.file_name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "bundle path has no name")
        })?;
        let staging = parent.join(format!(
            ".{}.partial-{}-{}",
            name.to_string_lossy(),
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        fs::create_dir(&staging)?;
        Ok(BundleWriter {
            target: target.to_path_buf(),
            staging,
            artifacts: Vec::new(),
            directories: BTreeSet::new(),
            sealed: false,
        })
    }

    /// Stores `bytes` at the bundle-relative `path`, fsynced, and records its hash.
    /// Returns the artifact's index in the manifest.
    pub fn add(&mut self, path: &str, bytes: &[u8]) -> io::Result<usize> {
        let full = paths::resolve(&self.staging, path)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        if let Some(dir) = full.parent() {
            fs::create_dir_all(dir)?;
            self.directories.insert(dir.to_path_buf());
        }
        write_synced(&full, bytes)?;
        self.artifacts.push(Artifact {
            path: path.to_string(),
            sha256: sha256_hex(bytes),
            size: bytes.len() as u64,
        });
        Ok(self.artifacts.len() - 1)
    }

    /// The artifacts added so far.
    pub fn artifacts(&self) -> &[Artifact] {
        &self.artifacts
    }

    /// Writes the manifest (with the artifacts added) and publishes the bundle.
    /// Returns the manifest as written.
    pub fn seal(mut self, mut manifest: Manifest) -> io::Result<Manifest> {
        manifest.artifacts = std::mem::take(&mut self.artifacts);
        let text = serde_json::to_vec_pretty(&manifest).map_err(io::Error::other)?;
        write_synced(&self.staging.join(MANIFEST_FILE), &text)?;
        // Deepest first, so each directory's entry is durable before its parent's.
        for dir in self.directories.iter().rev() {
            sync_dir(dir)?;
        }
        sync_dir(&self.staging)?;
        if self.target.symlink_metadata().is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} appeared while writing: left untouched",
                    self.target.display()
                ),
            ));
        }
        fs::rename(&self.staging, &self.target)?;
        if let Some(parent) = self.target.parent().filter(|p| !p.as_os_str().is_empty()) {
            sync_dir(parent)?;
        }
        self.sealed = true;
        Ok(manifest)
    }
}

impl Drop for BundleWriter {
    fn drop(&mut self) {
        if !self.sealed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = File::create_new(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}
