//! Safe artifact paths: relative, `/`-separated, no `..`, no absolute parts;
//! and reading them from disk without leaving the bundle: no symbolic link
//! anywhere on the way, regular files only, a size cap.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Component, Path, PathBuf};

/// Largest file a bundle reader reads (the manifest or one artifact); the
/// same cap as a decompressed input.
pub const MAX_FILE_BYTES: u64 = crate::import::decode::MAX_DECOMPRESSED_BYTES;

/// Why a file of a bundle was not read.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The manifest path could leave the bundle.
    #[error("{0}")]
    UnsafePath(String),
    /// The file, or a directory on the way to it, is a symbolic link.
    #[error("{0} is a symbolic link: refused, bundles hold regular files only")]
    Symlink(String),
    /// A directory, FIFO, socket or device where a file should be (or a
    /// file where a directory should be).
    #[error("{0} is not a regular file: refused, bundles hold regular files only")]
    NotAFile(String),
    /// Larger than the reader's cap ([`MAX_FILE_BYTES`] for a bundle file).
    #[error("{path} holds {size} bytes, more than the {limit} a bundle file may: refused")]
    TooLarge {
        /// The file.
        path: String,
        /// Its size.
        size: u64,
        /// The cap.
        limit: u64,
    },
    /// Reading failed (including a missing file).
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl From<Refusal> for io::Error {
    fn from(refusal: Refusal) -> io::Error {
        match refusal {
            Refusal::Io(error) => error,
            other => io::Error::new(io::ErrorKind::InvalidData, other.to_string()),
        }
    }
}

/// Resolves a manifest artifact path under `root`, refusing anything that
/// could leave the bundle (absolute paths, `..`, empty or odd components).
pub fn resolve(root: &Path, relative: &str) -> Result<PathBuf, String> {
    if relative.is_empty() || relative.contains('\\') || relative.contains('\0') {
        return Err(format!("invalid artifact path {relative:?}"));
    }
    let canonical = relative
        .split('/')
        .all(|segment| !matches!(segment, "" | "." | ".."));
    let path = Path::new(relative);
    if !canonical || !path.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(format!(
            "artifact path {relative:?} is not a plain path inside the bundle"
        ));
    }
    Ok(root.join(path))
}

/// Reads the artifact at the manifest path `relative` under `root`. Refuses
/// unsafe paths, and a symbolic link at any step (a linked directory would
/// lead a plain-looking path out of the bundle); then reads it as
/// [`read_regular_file`] does.
pub fn read_inside(root: &Path, relative: &str) -> Result<Vec<u8>, Refusal> {
    let full = walk_inside(root, relative)?;
    read_regular_file(&full, relative)
}

/// Opens the artifact at the manifest path `relative` under `root` for
/// reading, refused as [`read_inside`] would refuse it, with its metadata.
pub fn open_inside(root: &Path, relative: &str) -> Result<(File, fs::Metadata), Refusal> {
    let full = walk_inside(root, relative)?;
    open_regular_file(&full, relative)
}

/// The size of the artifact at the manifest path `relative` under `root`,
/// refused as [`read_inside`] would refuse it, without opening it.
pub fn regular_file_size(root: &Path, relative: &str) -> Result<u64, Refusal> {
    let full = walk_inside(root, relative)?;
    let meta = fs::symlink_metadata(full)?;
    if meta.file_type().is_symlink() {
        return Err(Refusal::Symlink(relative.to_string()));
    }
    if !meta.is_file() {
        return Err(Refusal::NotAFile(relative.to_string()));
    }
    Ok(meta.len())
}

/// The full path of the manifest path `relative` under `root`, once every
/// directory on the way is known to be a real directory, not a link.
fn walk_inside(root: &Path, relative: &str) -> Result<PathBuf, Refusal> {
    let full = resolve(root, relative).map_err(Refusal::UnsafePath)?;
    let mut walked = root.to_path_buf();
    let mut shown = String::new();
    let segments: Vec<&str> = relative.split('/').collect();
    for segment in &segments[..segments.len().saturating_sub(1)] {
        walked.push(segment);
        if !shown.is_empty() {
            shown.push('/');
        }
        shown.push_str(segment);
        let meta = fs::symlink_metadata(&walked)?;
        if meta.file_type().is_symlink() {
            return Err(Refusal::Symlink(shown));
        }
        if !meta.is_dir() {
            return Err(Refusal::NotAFile(shown));
        }
    }
    Ok(full)
}

/// Reads a file that must be a regular file (not a symbolic link, FIFO,
/// socket, device or directory) of at most [`MAX_FILE_BYTES`]. `shown` names
/// it in errors. The file is opened as [`open_regular_file`] opens it, so
/// nothing swapped in under its name after a check can be read.
pub fn read_regular_file(path: &Path, shown: &str) -> Result<Vec<u8>, Refusal> {
    read_regular_file_capped(path, shown, MAX_FILE_BYTES)
}

/// [`read_regular_file`] with another size cap than [`MAX_FILE_BYTES`].
pub fn read_regular_file_capped(path: &Path, shown: &str, cap: u64) -> Result<Vec<u8>, Refusal> {
    let (file, opened) = open_regular_file(path, shown)?;
    let too_large = |size| Refusal::TooLarge {
        path: shown.to_string(),
        size,
        limit: cap,
    };
    if opened.len() > cap {
        return Err(too_large(opened.len()));
    }
    let mut bytes = Vec::with_capacity(opened.len() as usize);
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Opens `path` for reading and returns the file with its metadata, taken
/// from the opened handle (never by name, which a link could be swapped in
/// under). The open itself refuses a symbolic link at the last step
/// (`O_NOFOLLOW`), and does not wait for a writer on a FIFO (`O_NONBLOCK`):
/// the handle's type then refuses it, with directories, sockets and devices.
fn open_regular_file(path: &Path, shown: &str) -> Result<(File, fs::Metadata), Refusal> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|error| match error.raw_os_error() {
            Some(libc::ELOOP) => Refusal::Symlink(shown.to_string()),
            // A socket (or a device with nothing behind it) cannot be opened.
            Some(libc::ENXIO) => Refusal::NotAFile(shown.to_string()),
            _ => Refusal::Io(error),
        })?;
    let opened = file.metadata()?;
    if !opened.is_file() {
        return Err(Refusal::NotAFile(shown.to_string()));
    }
    Ok((file, opened))
}

/// A file-name-safe version of a user's file name: ASCII letters, digits,
/// `.`, `-` and `_` kept, anything else replaced by `_`, at most 80 bytes.
pub fn safe_file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = cleaned.trim_start_matches('.');
    let mut short: String = trimmed
        .chars()
        .rev()
        .take(80)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if short.is_empty() {
        short.push_str("input");
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_leave_the_bundle() {
        let root = Path::new("/b");
        assert!(resolve(root, "raw/0001-a.json").is_ok());
        for bad in [
            "../etc/passwd",
            "/etc/passwd",
            "raw/../../x",
            "",
            "raw/./x",
            "a\\b",
        ] {
            assert!(resolve(root, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn refuses_links_fifos_and_oversized_files_on_the_way() {
        let dir = tempfile::TempDir::new().unwrap();
        let root = dir.path().join("bundle");
        let outside = dir.path().join("outside");
        fs::create_dir_all(root.join("raw")).unwrap();
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("secret.json"), b"{}").unwrap();
        fs::write(root.join("raw/ok.json"), b"{\"a\":1}").unwrap();
        assert_eq!(read_inside(&root, "raw/ok.json").unwrap(), b"{\"a\":1}");

        std::os::unix::fs::symlink(&outside, root.join("linked")).unwrap();
        let linked = read_inside(&root, "linked/secret.json").unwrap_err();
        assert!(
            matches!(&linked, Refusal::Symlink(p) if p == "linked"),
            "{linked}"
        );
        std::os::unix::fs::symlink(outside.join("secret.json"), root.join("raw/l.json")).unwrap();
        assert!(matches!(
            read_inside(&root, "raw/l.json"),
            Err(Refusal::Symlink(_))
        ));
        assert!(matches!(
            read_inside(&root, "raw/ok.json/x"),
            Err(Refusal::NotAFile(_))
        ));
        assert!(matches!(
            read_inside(&root, "../outside/secret.json"),
            Err(Refusal::UnsafePath(_))
        ));
        assert!(matches!(
            read_inside(&root, "raw"),
            Err(Refusal::NotAFile(_))
        ));

        let fifo = root.join("raw/pipe.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|status| status.success()) {
            // Opened without waiting for a writer, and refused by its type.
            assert!(matches!(
                read_inside(&root, "raw/pipe.json"),
                Err(Refusal::NotAFile(_))
            ));
        }

        let sparse = File::create(root.join("raw/huge.json")).unwrap();
        sparse.set_len(MAX_FILE_BYTES + 1).unwrap();
        let huge = read_inside(&root, "raw/huge.json").unwrap_err();
        assert!(matches!(huge, Refusal::TooLarge { .. }), "{huge}");
    }

    #[test]
    fn the_open_itself_refuses_a_link_swapped_in_for_a_file() {
        let dir = tempfile::TempDir::new().unwrap();
        let secret = dir.path().join("secret.json");
        let artifact = dir.path().join("artifact.json");
        fs::write(&secret, b"{\"secret\":1}").unwrap();
        fs::write(&artifact, b"{}").unwrap();
        // The name was a regular file when looked at; a link replaces it
        // before the open. No check by name stands between: the open refuses.
        assert!(fs::symlink_metadata(&artifact).unwrap().is_file());
        fs::remove_file(&artifact).unwrap();
        std::os::unix::fs::symlink(&secret, &artifact).unwrap();
        let refused = open_regular_file(&artifact, "artifact.json").unwrap_err();
        assert!(
            matches!(&refused, Refusal::Symlink(p) if p == "artifact.json"),
            "{refused}"
        );
        // A link to a directory is refused the same way.
        let linked_dir = dir.path().join("dir.json");
        std::os::unix::fs::symlink(dir.path(), &linked_dir).unwrap();
        assert!(matches!(
            open_regular_file(&linked_dir, "dir.json"),
            Err(Refusal::Symlink(_))
        ));
    }

    #[test]
    fn the_open_itself_refuses_a_fifo_without_waiting_for_a_writer() {
        let dir = tempfile::TempDir::new().unwrap();
        let fifo = dir.path().join("pipe.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|status| status.success()), "mkfifo failed");
        // Opened on another thread: a blocking open fails the test instead
        // of hanging it.
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = sender.send(open_regular_file(&fifo, "pipe.json").map(|_| ()));
        });
        let opened = receiver
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("opening a FIFO must not wait for a writer");
        assert!(matches!(opened, Err(Refusal::NotAFile(_))), "{opened:?}");
    }

    #[test]
    fn cleans_file_names() {
        assert_eq!(
            safe_file_name("../../evil name.json.gz"),
            "_.._evil_name.json.gz"
        );
        assert_eq!(safe_file_name("..."), "input");
        assert_eq!(safe_file_name("ok-File_1.json"), "ok-File_1.json");
    }
}
