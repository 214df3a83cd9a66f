//! Expands the paths a user names into the files to import.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Lists the files under each path: a file stands for itself; a directory is
/// walked recursively in name order. Symbolic links inside directories are
/// not followed (they could loop or leave the evidence tree), and FIFOs,
/// sockets and devices inside them are not read (a FIFO would block the
/// import forever); a link or FIFO named explicitly is. Unreadable entries
/// are returned as errors, not skipped.
pub fn collect_files(paths: &[PathBuf]) -> Vec<Result<PathBuf, (PathBuf, io::Error)>> {
    let mut out = Vec::new();
    for path in paths {
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk_dir(path, &mut out),
            Ok(_) => out.push(Ok(path.clone())),
            Err(error) => out.push(Err((path.clone(), error))),
        }
    }
    out
}

fn walk_dir(dir: &Path, out: &mut Vec<Result<PathBuf, (PathBuf, io::Error)>>) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            out.push(Err((dir.to_path_buf(), error)));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => paths.push(entry.path()),
            Err(error) => out.push(Err((dir.to_path_buf(), error))),
        }
    }
    paths.sort();
    for path in paths {
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => out.push(Err((
                path,
                io::Error::other("symbolic link inside a directory: not followed (name it directly to import it)"),
            ))),
            Ok(meta) if meta.is_dir() => walk_dir(&path, out),
            Ok(meta) if !meta.is_file() => out.push(Err((
                path,
                io::Error::other("not a regular file (FIFO, socket or device) inside a directory: not read"),
            ))),
            Ok(_) => out.push(Ok(path)),
            Err(error) => out.push(Err((path, error))),
        }
    }
}
