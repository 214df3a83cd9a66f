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
use std::sync::atomic::{AtomicU64, Ordering};

/// What separates the target's name from the process ID and time in the
/// name of a staging directory: `.NAME.partial-PID-NANOS`.
const STAGING_MARKER: &str = ".partial-";

/// True for the name of a staging directory a [`BundleWriter`] makes,
/// `.NAME.partial-PID-NANOS`: what an interrupted import leaves behind.
pub fn is_staging_name(name: &str) -> bool {
    let Some((_, suffix)) = name
        .strip_prefix('.')
        .and_then(|rest| rest.rsplit_once(STAGING_MARKER))
    else {
        return false;
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    suffix
        .split_once('-')
        .is_some_and(|(pid, nanos)| digits(pid) && digits(nanos))
}

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
        if is_staging_name(&name.to_string_lossy()) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a bundle cannot be named like a staging directory (.NAME.partial-PID-NANOS)",
            ));
        }
        let staging = parent.join(format!(
            ".{}{STAGING_MARKER}{}-{}",
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

    /// Starts an artifact at the bundle-relative `path` whose bytes come in
    /// pieces (written through the returned stream, hashed as they go).
    /// It is recorded, after any artifact added meanwhile, by
    /// [`BundleWriter::finish_stream`].
    pub fn begin_stream(&mut self, path: &str) -> io::Result<ArtifactStream> {
        let full = paths::resolve(&self.staging, path)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        if let Some(dir) = full.parent() {
            fs::create_dir_all(dir)?;
            self.directories.insert(dir.to_path_buf());
        }
        Ok(ArtifactStream {
            path: path.to_string(),
            file: io::BufWriter::new(File::create_new(&full)?),
            hasher: Sha256::new(),
            size: 0,
        })
    }

    /// Fsyncs a streamed artifact and records its hash. Returns its index in
    /// the manifest.
    pub fn finish_stream(&mut self, stream: ArtifactStream) -> io::Result<usize> {
        let ArtifactStream {
            path,
            file,
            hasher,
            size,
        } = stream;
        file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        self.artifacts.push(Artifact {
            path,
            sha256: hex(&hasher.finalize()),
            size,
        });
        Ok(self.artifacts.len() - 1)
    }

    /// The directory the bundle is written in until it is published.
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// The artifacts added so far.
    pub fn artifacts(&self) -> &[Artifact] {
        &self.artifacts
    }

    /// Writes the manifest (with the artifacts added) and publishes the bundle.
    /// Returns the manifest as written.
    pub fn seal(mut self, mut manifest: Manifest) -> io::Result<Manifest> {
        manifest.artifacts = std::mem::take(&mut self.artifacts);
        let directories = std::mem::take(&mut self.directories);
        let text = serde_json::to_vec_pretty(&manifest).map_err(io::Error::other)?;
        self.publish_with(|staging| {
            write_synced(&staging.join(MANIFEST_FILE), &text)?;
            // Deepest first, so each directory's entry is durable before its parent's.
            for dir in directories.iter().rev() {
                sync_dir(dir)?;
            }
            Ok(())
        })?;
        Ok(manifest)
    }

    /// Lets `fill` write files directly into the staging directory, then
    /// publishes it at the target with one rename, as [`BundleWriter::seal`]
    /// does, but without writing a manifest of its own.
    pub fn publish_with(mut self, fill: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<()> {
        fill(&self.staging)?;
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
        Ok(())
    }
}

impl Drop for BundleWriter {
    fn drop(&mut self) {
        if !self.sealed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// An artifact being written in pieces (see [`BundleWriter::begin_stream`]).
pub struct ArtifactStream {
    path: String,
    file: io::BufWriter<File>,
    hasher: Sha256,
    size: u64,
}

impl Write for ArtifactStream {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let written = self.file.write(bytes)?;
        self.hasher.update(&bytes[..written]);
        self.size += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Writes `bytes` to a new file at `path` (it must not exist) and fsyncs it.
pub(crate) fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = File::create_new(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Fsyncs a directory, making the entries created or renamed in it durable.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Distinguishes temporary files made by one process at the same instant.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The prefix of the temporary files [`write_file_atomically`] makes for
/// `name`: `.NAME.tmp-`, followed by the process ID, a counter and the time.
pub fn temp_prefix(name: &str) -> String {
    format!(".{name}.tmp-")
}

/// Writes `bytes` to `target` so that readers (and a crash) see either the old
/// content or the new, never a mix: the bytes go to a temporary file beside
/// the target, which is fsynced, then moved into place, and the directory is
/// fsynced. With `replace` false an existing target is left alone and the
/// call fails with [`io::ErrorKind::AlreadyExists`].
pub fn write_file_atomically(target: &Path, bytes: &[u8], replace: bool) -> io::Result<()> {
    let (dir, temp) = temp_beside(target)?;
    write_synced(&temp, bytes)?;
    let placed = if replace {
        fs::rename(&temp, target)
    } else {
        place_without_replacing(&temp, target)
    };
    if let Err(error) = placed {
        let _ = fs::remove_file(&temp);
        return Err(error);
    }
    sync_dir(&dir)
}

/// The directory of `target` and a fresh temporary path in it, named
/// [`temp_prefix`] of the target's name, then the process ID, a counter
/// and the time: where a file is written before it is moved to `target`.
pub(crate) fn temp_beside(target: &Path) -> io::Result<(PathBuf, PathBuf)> {
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"))?
        .to_string_lossy()
        .into_owned();
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let temp = dir.join(format!(
        "{}{}-{}-{}",
        temp_prefix(&name),
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    Ok((dir, temp))
}

/// Moves `temp` to `target` unless `target` exists. A hard link fails
/// atomically when the target exists; file systems without hard links fall
/// back to checking first, then renaming.
fn place_without_replacing(temp: &Path, target: &Path) -> io::Result<()> {
    let exists = || {
        io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} already exists", target.display()),
        )
    };
    match fs::hard_link(temp, target) {
        Ok(()) => fs::remove_file(temp),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Err(exists()),
        Err(_) if target.symlink_metadata().is_ok() => Err(exists()),
        Err(_) => fs::rename(temp, target),
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of a digest.
fn hex(digest: &[u8]) -> String {
    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_directories_are_named_so_they_can_be_recognized() {
        let dir = tempfile::TempDir::new().unwrap();
        let writer = BundleWriter::create(&dir.path().join("case-17")).unwrap();
        let name = writer.staging.file_name().unwrap().to_string_lossy();
        assert!(name.starts_with(".case-17.partial-"), "{name}");
        assert!(is_staging_name(&name));
        for not_staging in [
            "case-17",
            ".case-17",
            "case-17.partial-1-2",
            ".case-17.partial-",
            ".case-17.partial-12",
            ".case-17.partial-12-x",
            ".case-17.partial--5",
        ] {
            assert!(!is_staging_name(not_staging), "{not_staging}");
        }
        drop(writer);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        // A bundle with such a name could never be opened: refused up front.
        let refused = BundleWriter::create(&dir.path().join(".b.partial-1-2")).err();
        assert_eq!(refused.map(|e| e.kind()), Some(io::ErrorKind::InvalidInput));
    }

    #[test]
    fn atomic_write_replaces_only_when_asked_and_leaves_no_temp_file() {
        let dir = tempfile::TempDir::new().unwrap();
        let target = dir.path().join("out.md");
        write_file_atomically(&target, b"first", false).unwrap();
        let refused = write_file_atomically(&target, b"second", false).unwrap_err();
        assert_eq!(refused.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&target).unwrap(), b"first");
        write_file_atomically(&target, b"third", true).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"third");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.md")]);
    }
}
