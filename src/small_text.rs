//! Small user-written text files (the config file, theme files): read with
//! a size cap, and byte offsets turned into line and column for messages.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

/// The largest config or theme file read; anything bigger is refused.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Reads a UTF-8 text file of at most 1 MiB that must be a regular file
/// (symbolic links are followed), so that a device or FIFO never blocks.
pub fn read_small_text_file(path: &Path) -> io::Result<String> {
    let meta = fs::metadata(path)?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let mut bytes = Vec::new();
    fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {MAX_FILE_BYTES} bytes"),
        ));
    }
    String::from_utf8(bytes)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not valid UTF-8 text"))
}

/// The 1-based line and character column of byte `offset` in `text`.
pub fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |newline| newline + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = text
        .get(line_start..offset)
        .map_or(offset - line_start, |segment| segment.chars().count())
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use tempfile::TempDir;

    fn write(dir: &TempDir, name: &str, text: &str) -> PathBuf {
        let path = dir.path().join(name);
        fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn only_small_regular_utf8_files_are_read() {
        let dir = TempDir::new().unwrap();
        assert!(read_small_text_file(dir.path()).is_err());
        let big = write(&dir, "big.toml", &"#".repeat(MAX_FILE_BYTES as usize + 1));
        let error = read_small_text_file(&big).unwrap_err();
        assert!(error.to_string().contains("larger than"), "{error}");
        let binary = dir.path().join("bin.toml");
        fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
        assert!(read_small_text_file(&binary).is_err());
        let exact = write(&dir, "exact.toml", &"#".repeat(MAX_FILE_BYTES as usize));
        assert_eq!(
            read_small_text_file(&exact).unwrap().len(),
            MAX_FILE_BYTES as usize
        );
    }

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "a = 1\nnäme = ?\n";
        assert_eq!(line_and_column(text, 0), (1, 1));
        assert_eq!(line_and_column(text, 6), (2, 1));
        let question = text.find('?').unwrap();
        assert_eq!(line_and_column(text, question), (2, 8));
        assert_eq!(line_and_column(text, 10_000), (3, 1));
    }
}
