//! Safe artifact paths: relative, `/`-separated, no `..`, no absolute parts.

use std::path::{Component, Path, PathBuf};

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
    fn cleans_file_names() {
        assert_eq!(
            safe_file_name("../../evil name.json.gz"),
            "_.._evil_name.json.gz"
        );
        assert_eq!(safe_file_name("..."), "input");
        assert_eq!(safe_file_name("ok-File_1.json"), "ok-File_1.json");
    }
}
