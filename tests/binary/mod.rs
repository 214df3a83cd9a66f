//! The taskscope binary as the tests run it: never writing into the user's
//! home. A correlated index rebuilt from a bundle's raw evidence goes into
//! a cache directory of this test process's own, under Cargo's temporary
//! directory for tests, created only when something is rebuilt.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The environment variable naming taskscope's cache directory.
pub const CACHE_DIR_VARIABLE: &str = "TASKSCOPE_CACHE_DIR";

/// A command running the taskscope binary, its cache in this process's own
/// directory. Tests that clear the environment set it again with
/// [`cache_dir`].
pub fn command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_taskscope"));
    command.env(CACHE_DIR_VARIABLE, cache_dir());
    command
}

/// This test process's cache directory (it may not exist yet).
pub fn cache_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|since| since.as_nanos())
            .unwrap_or_default();
        PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("taskscope-cache")
            .join(format!("{}-{started}", std::process::id()))
    })
}
