//! `watch-state.json`: what a watcher carries from one run to the next (for
//! `--once` under cron, and restarts): the state of every task it last saw,
//! and the bundle it is filling. Written atomically after every round that
//! changes it. It is a cache, not evidence: a state file that cannot be read
//! costs a fresh start (a new bundle, every task stored again), never a task.

use super::changes::Seen;
use crate::bundle::paths::{read_regular_file, safe_file_name, Refusal};
use crate::bundle::write::write_file_atomically;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::io;
use std::path::Path;

/// The state file's name in the store directory.
pub const STATE_FILE: &str = "watch-state.json";
/// The `format` value that marks a watch state file.
pub const STATE_FORMAT: &str = "taskscope-watch-state";

/// The state of one store's watcher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchState {
    /// Always [`STATE_FORMAT`].
    pub format: String,
    /// The cluster watched, as given to `--cluster`.
    pub cluster: String,
    /// The region watched.
    pub region: String,
    /// The bundle being filled, if any.
    #[serde(default)]
    pub bundle: Option<CurrentBundle>,
    /// Every task of the last round, by ARN.
    #[serde(default)]
    pub tasks: Seen,
}

/// The bundle a watcher is filling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentBundle {
    /// Its directory name inside the store.
    pub name: String,
    /// When it was created; it is finished once `--rotate` has passed.
    pub started_at: DateTime<Utc>,
    /// Task definitions already described into it.
    #[serde(default)]
    pub definitions: BTreeSet<String>,
}

impl CurrentBundle {
    /// True when the name is a plain directory name, safe to join to the
    /// store: the state file may have been edited.
    pub fn has_plain_name(&self) -> bool {
        !self.name.starts_with('.') && safe_file_name(&self.name) == self.name
    }
}

impl WatchState {
    /// A watcher's state before its first round.
    pub fn new(cluster: &str, region: &str) -> WatchState {
        WatchState {
            format: STATE_FORMAT.to_string(),
            cluster: cluster.to_string(),
            region: region.to_string(),
            bundle: None,
            tasks: Seen::new(),
        }
    }

    /// Reads the state in store `dir`: `None` when there is none yet, an
    /// error line when it cannot be read or is not a watch state.
    pub fn read(dir: &Path) -> Result<Option<WatchState>, String> {
        let path = dir.join(STATE_FILE);
        let shown = path.display().to_string();
        let bytes = match read_regular_file(&path, &shown) {
            Ok(bytes) => bytes,
            Err(Refusal::Io(error)) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(refusal) => return Err(refusal.to_string()),
        };
        let state: WatchState =
            serde_json::from_slice(&bytes).map_err(|e| format!("{shown}: {e}"))?;
        if state.format != STATE_FORMAT {
            return Err(format!("{shown}: not a {STATE_FORMAT} file"));
        }
        Ok(Some(state))
    }

    /// Replaces the state in store `dir` atomically.
    pub fn write(&self, dir: &Path) -> io::Result<()> {
        let bytes = serde_json::to_vec_pretty(self).map_err(io::Error::other)?;
        write_file_atomically(&dir.join(STATE_FILE), &bytes, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::watch::changes::TaskState;

    #[test]
    fn the_state_survives_a_write_and_a_read() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(WatchState::read(dir.path()), Ok(None));
        let mut state = WatchState::new("prod", "us-east-1");
        state.bundle = Some(CurrentBundle {
            name: "prod-20261123T100000Z".into(),
            started_at: DateTime::from_timestamp(1_795_000_000, 0).unwrap(),
            definitions: ["arn:aws:ecs:us-east-1:1:task-definition/web:1".into()].into(),
        });
        state.tasks.insert(
            "arn:aws:ecs:us-east-1:1:task/prod/abc".into(),
            TaskState {
                last_status: Some("STOPPED".into()),
                desired_status: Some("STOPPED".into()),
                stopped_at: None,
                version: 4,
            },
        );
        state.write(dir.path()).unwrap();
        assert_eq!(WatchState::read(dir.path()), Ok(Some(state)));
    }

    #[test]
    fn a_damaged_or_foreign_state_file_is_an_error_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(STATE_FILE), b"{\"format\":").unwrap();
        assert!(WatchState::read(dir.path()).is_err());
        std::fs::write(
            dir.path().join(STATE_FILE),
            br#"{"format":"other","cluster":"c","region":"r"}"#,
        )
        .unwrap();
        let error = WatchState::read(dir.path()).unwrap_err();
        assert!(
            error.contains("not a taskscope-watch-state file"),
            "{error}"
        );
    }

    #[test]
    fn bundle_names_that_leave_the_store_are_not_plain() {
        let bundle = |name: &str| CurrentBundle {
            name: name.into(),
            started_at: crate::model::time::now(),
            definitions: BTreeSet::new(),
        };
        assert!(bundle("prod-20261123T100000Z").has_plain_name());
        for bad in ["../elsewhere", "/tmp/x", "a/b", ".hidden", ""] {
            assert!(!bundle(bad).has_plain_name(), "{bad}");
        }
    }
}
