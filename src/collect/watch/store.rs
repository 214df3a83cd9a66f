//! The watch store: a directory holding one watcher's rolling bundles
//! (`CLUSTER-YYYYMMDDTHHMMSSZ`) and its `watch-state.json`. One watcher at a
//! time: `watch.lock` in the store is locked for as long as the watcher
//! runs. A lock file, not the directory itself: on NFS (EFS, the usual
//! store of a watcher running on Fargate) Linux locks a directory on the
//! local machine only, while a file opened for writing is locked on the
//! server, so two watcher tasks sharing a file system exclude each other.

use crate::bundle::growing::GrowingBundle;
use crate::bundle::manifest::CollectRequest;
use crate::bundle::paths::safe_file_name;
use crate::model::keys::arn_tail;
use chrono::{DateTime, Utc};
use std::fs::{self, File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

/// The lock file's name in the store directory.
pub const LOCK_FILE: &str = "watch.lock";
/// The `collection.method` of the bundles a watcher writes.
pub const WATCH_METHOD: &str = "watch";
/// Bundles created in the same second get `-2`, `-3`, … up to this.
const MAX_SAME_SECOND: u32 = 99;

/// A store directory, locked against other watchers while this value lives.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    _lock: File,
}

impl Store {
    /// Creates `dir` if needed and locks it. Fails at once when another
    /// watcher holds the lock.
    pub fn open(dir: &Path) -> anyhow::Result<Store> {
        let shown = dir.display();
        fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("{shown}: cannot create the store: {e}"))?;
        let lock = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(dir.join(LOCK_FILE))
            .map_err(|e| anyhow::anyhow!("{shown}/{LOCK_FILE}: cannot open the lock: {e}"))?;
        match lock.try_lock() {
            Ok(()) => Ok(Store {
                dir: dir.to_path_buf(),
                _lock: lock,
            }),
            Err(TryLockError::WouldBlock) => anyhow::bail!(
                "{shown}: another taskscope watch is recording into this store \
                 (it holds the store's lock); stop it, or give another --store"
            ),
            Err(TryLockError::Error(e)) => {
                anyhow::bail!("{shown}: cannot lock the store: {e}")
            }
        }
    }

    /// The store directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of the bundle named `name` in the store.
    pub fn bundle_path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Creates a new bundle for `cluster`, named after it and `now`; returns
    /// it with its name.
    pub fn create_bundle(
        &self,
        cluster: &str,
        now: DateTime<Utc>,
        request: CollectRequest,
    ) -> io::Result<(GrowingBundle, String)> {
        let base = bundle_name(cluster, now);
        let mut name = base.clone();
        for attempt in 2..=MAX_SAME_SECOND + 1 {
            match GrowingBundle::create_for(&self.dir.join(&name), WATCH_METHOD, request.clone()) {
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    name = format!("{base}-{attempt}")
                }
                created => return created.map(|bundle| (bundle, name)),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{base}: {MAX_SAME_SECOND} bundles of that name exist already"),
        ))
    }
}

/// `CLUSTER-YYYYMMDDTHHMMSSZ`: the cluster's name (the last part of an ARN),
/// made safe for a file name, and the time.
pub fn bundle_name(cluster: &str, at: DateTime<Utc>) -> String {
    let short = arn_tail(cluster);
    format!("{}-{}", safe_file_name(short), at.format("%Y%m%dT%H%M%SZ"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    #[test]
    fn bundles_are_named_after_the_cluster_and_the_time() {
        assert_eq!(
            bundle_name("prod", at(1_795_000_000)),
            "prod-20261118T110640Z"
        );
        assert_eq!(
            bundle_name(
                "arn:aws:ecs:us-east-1:123456789012:cluster/pay ments",
                at(1_795_000_000)
            ),
            "pay_ments-20261118T110640Z"
        );
        assert_eq!(bundle_name("../..", at(0)), "input-19700101T000000Z");
    }

    #[test]
    fn a_second_bundle_in_the_same_second_gets_a_suffix() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("store")).unwrap();
        let request = CollectRequest::default();
        let (_, first) = store.create_bundle("prod", at(0), request.clone()).unwrap();
        let (_, second) = store.create_bundle("prod", at(0), request).unwrap();
        assert_eq!(first, "prod-19700101T000000Z");
        assert_eq!(second, "prod-19700101T000000Z-2");
        let manifest = crate::bundle::Bundle::open(&store.bundle_path(&second))
            .unwrap()
            .manifest;
        assert_eq!(manifest.collection.method, WATCH_METHOD);
    }

    #[test]
    fn a_locked_store_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let _first = Store::open(dir.path()).unwrap();
        let second = Store::open(dir.path()).unwrap_err().to_string();
        assert!(second.contains("another taskscope watch"), "{second}");
    }
}
