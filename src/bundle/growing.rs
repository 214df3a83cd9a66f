//! A bundle that grows while live collection runs: each API response is
//! stored as it arrives and committed by an atomic rewrite of the manifest,
//! so the directory is a valid bundle at every moment. A crash leaves it
//! marked `collecting` (and partial); a finished or interrupted collection
//! says so. Annotations can be added meanwhile: both writers take the
//! bundle directory's lock and keep each other's artifact entries.
//!
//! Each commit also writes and lists the index segment of the response it
//! stores ([`super::index::segment`]), encoded from the one parse that
//! describes the response in the manifest, so opening the bundle meanwhile
//! parses nothing again. A complete collection merges its segments into the
//! derived index and the correlated index ([`super::index::merge`]).

use super::build::{Entry, FileSummary, Summary};
use super::index::segment::{self, is_segment};
use super::index::{merge, section};
use super::journal::remove_stale_manifest_temps;
use super::manifest::{
    CollectRequest, CollectionState, Manifest, Origin, SourceReport, SourceStatus, MANIFEST_FILE,
};
use super::paths::{safe_file_name, MAX_FILE_BYTES};
use super::write::{sha256_hex, sync_dir, write_file_atomically, BundleWriter};
use super::Bundle;
use crate::import::{import_bytes_from, FileStatus};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The directory inside a bundle that holds API responses.
pub const RESPONSES_DIR: &str = "responses";

/// One API response to store.
pub struct Response<'a> {
    /// The call it answers.
    pub origin: Origin,
    /// The body as received.
    pub body: &'a [u8],
}

/// A bundle being filled by live collection.
pub struct GrowingBundle {
    root: PathBuf,
    method: String,
    summary: Summary,
    request: CollectRequest,
    reports: Vec<SourceReport>,
    stored: usize,
}

impl GrowingBundle {
    /// Creates the bundle directory at `root` (which must not exist) with a
    /// manifest that lists nothing yet and says `collecting`.
    pub fn create(root: &Path, request: CollectRequest) -> io::Result<GrowingBundle> {
        GrowingBundle::create_for(root, "collect", request)
    }

    /// As [`GrowingBundle::create`], with the manifest's `collection.method`
    /// (`collect`, `watch`).
    pub fn create_for(
        root: &Path,
        method: &str,
        request: CollectRequest,
    ) -> io::Result<GrowingBundle> {
        if root.symlink_metadata().is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} already exists: bundles are never overwritten",
                    root.display()
                ),
            ));
        }
        let bundle = GrowingBundle {
            root: root.to_path_buf(),
            method: method.to_string(),
            summary: Summary::default(),
            request,
            reports: Vec::new(),
            stored: 0,
        };
        // Built aside and renamed into place, so the bundle never exists
        // without its manifest.
        let staging = BundleWriter::create(root)?;
        staging.publish_with(|dir| {
            fs::create_dir(dir.join(RESPONSES_DIR))?;
            let manifest = bundle.manifest(Vec::new(), CollectionState::Collecting);
            write_manifest(dir, &manifest)
        })?;
        Ok(bundle)
    }

    /// Reopens a bundle that still says `collecting` (left so by a watcher
    /// that exited or was killed) to store more responses in it. Refused
    /// when it has finished, or holds a response written but never committed:
    /// such a bundle is left as it is, and `verify` says what it holds.
    /// Manifest temporary files a crash left behind are removed.
    pub fn resume(root: &Path) -> io::Result<GrowingBundle> {
        let _lock = lock(root)?;
        let manifest = read_manifest(root)?;
        let collection = &manifest.collection;
        if collection.state != Some(CollectionState::Collecting) {
            return Err(io::Error::other("its collection has finished"));
        }
        let request = collection
            .request
            .clone()
            .ok_or_else(|| io::Error::other("its manifest has no collection request"))?;
        for entry in fs::read_dir(root.join(RESPONSES_DIR))? {
            let name = format!("{RESPONSES_DIR}/{}", entry?.file_name().to_string_lossy());
            if manifest.artifact(&name).is_none() {
                return Err(io::Error::other(format!(
                    "it holds {name}, written but never committed"
                )));
            }
        }
        remove_stale_manifest_temps(root);
        let stored = manifest
            .artifacts
            .iter()
            .filter(|a| a.path.starts_with(&format!("{RESPONSES_DIR}/")))
            .count();
        Ok(GrowingBundle {
            root: root.to_path_buf(),
            method: collection.method.clone(),
            summary: Summary::resume(&manifest),
            request,
            reports: collection.source_reports.clone(),
            stored,
        })
    }

    /// Sets the end of the window the bundle covers (`collection.request.to`),
    /// committed with the next response or state.
    pub fn set_window_end(&mut self, to: &chrono::DateTime<chrono::Utc>) {
        self.request.to = crate::model::time::format_time(to);
    }

    /// The bundle directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The sources' reports, as last set.
    pub fn reports(&self) -> &[SourceReport] {
        &self.reports
    }

    /// Number of responses stored so far.
    pub fn responses(&self) -> usize {
        self.stored
    }

    /// Stores one response under `responses/`, imports it to describe it in
    /// the manifest, writes its index segment (unless it was rejected: then
    /// opening does not import it), and commits both. Returns the records
    /// it held.
    pub fn store(&mut self, response: Response<'_>) -> io::Result<usize> {
        if response.body.len() as u64 > MAX_FILE_BYTES {
            return Err(io::Error::other(format!(
                "a {} response of {} bytes is larger than a bundle file may be",
                response.origin.operation,
                response.body.len()
            )));
        }
        let _lock = lock(&self.root)?;
        let mut artifacts = read_manifest(&self.root)?.artifacts;
        self.stored += 1;
        let name = format!(
            "{RESPONSES_DIR}/{:05}-{}-{}.json",
            self.stored,
            safe_file_name(&response.origin.service.replace(' ', "")).to_lowercase(),
            safe_file_name(&response.origin.operation)
        );
        let path = self.root.join(&name);
        let mut file = File::create_new(&path)?;
        file.write_all(response.body)?;
        file.sync_all()?;
        sync_dir(&self.root.join(RESPONSES_DIR))?;
        let index = artifacts.len();
        artifacts.push(super::manifest::Artifact {
            path: name.clone(),
            sha256: sha256_hex(response.body),
            size: response.body.len() as u64,
        });
        let imported = import_bytes_from(response.body, index, response.origin.log_group());
        let records = imported.records;
        let source_path = format!(
            "aws:{}:{}:{}",
            response.origin.region, response.origin.service, response.origin.operation
        );
        let mut input = Entry::of(&imported).input(source_path, name);
        input.origin = Some(response.origin);
        if imported.status() != FileStatus::Rejected {
            let section = section::encode(&imported.events, &imported.tasks);
            let listed =
                segment::store(&self.root, self.stored, index, &section, &input, &artifacts)?;
            artifacts.push(listed);
        }
        self.summary.add(input, Some(&FileSummary::of(&imported)));
        let manifest = self.manifest(artifacts, CollectionState::Collecting);
        write_manifest(&self.root, &manifest)?;
        Ok(records)
    }

    /// Records how the sources stand (shown in the manifest from the next commit).
    pub fn set_reports(&mut self, reports: Vec<SourceReport>) -> io::Result<()> {
        self.reports = reports;
        self.commit(CollectionState::Collecting)
    }

    /// Commits the final state. The bundle is partial when interrupted, when
    /// any source did not complete, or when any response could not be read.
    /// A complete collection's segments are merged into the derived index
    /// and the correlated index in the same commit, then removed; an
    /// interrupted one keeps them. A merge that cannot be done (a damaged
    /// segment, evidence gone, a failed write) leaves the segments listed:
    /// the bundle opens as it did while collecting.
    pub fn finish(mut self, state: CollectionState) -> io::Result<Manifest> {
        for report in &mut self.reports {
            if report.status == SourceStatus::Running {
                report.status = SourceStatus::Partial;
                report.errors.push("stopped before it finished".into());
            }
        }
        let _lock = lock(&self.root)?;
        let current = read_manifest(&self.root)?;
        let segmented = current.artifacts.iter().any(|a| is_segment(&a.path));
        if state == CollectionState::Complete && segmented {
            let kept = current.artifacts.iter().filter(|a| !is_segment(&a.path));
            let mut merged = self.manifest(kept.cloned().collect(), state);
            if merge::merge(&self.root, &current, &mut merged).unwrap_or(false) {
                write_manifest(&self.root, &merged)?;
                merge::remove_segments(&self.root, &current)?;
                return read_manifest(&self.root);
            }
        }
        write_manifest(&self.root, &self.manifest(current.artifacts, state))?;
        read_manifest(&self.root)
    }

    fn commit(&self, state: CollectionState) -> io::Result<()> {
        let _lock = lock(&self.root)?;
        let artifacts = read_manifest(&self.root)?.artifacts;
        write_manifest(&self.root, &self.manifest(artifacts, state))
    }

    fn manifest(
        &self,
        artifacts: Vec<super::manifest::Artifact>,
        state: CollectionState,
    ) -> Manifest {
        let mut manifest = self.summary.clone().manifest(&self.method);
        manifest.artifacts = artifacts;
        let collection = &mut manifest.collection;
        collection.partial |= state != CollectionState::Complete
            || self
                .reports
                .iter()
                .any(|r| r.status != SourceStatus::Complete);
        collection.state = Some(state);
        collection.request = Some(self.request.clone());
        collection.source_reports = self.reports.clone();
        manifest
    }
}

/// Locks the bundle directory against other writers (annotations, another
/// collector) until the returned handle is dropped.
fn lock(root: &Path) -> io::Result<File> {
    let directory = File::open(root)?;
    directory.lock()?;
    Ok(directory)
}

fn read_manifest(root: &Path) -> io::Result<Manifest> {
    Bundle::open(root)
        .map(|bundle| bundle.manifest)
        .map_err(io::Error::other)
}

fn write_manifest(root: &Path, manifest: &Manifest) -> io::Result<()> {
    let text = serde_json::to_vec_pretty(manifest).map_err(io::Error::other)?;
    write_file_atomically(&root.join(MANIFEST_FILE), &text, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::verify::verify;

    fn origin(operation: &str) -> Origin {
        Origin {
            service: "ECS".into(),
            operation: operation.into(),
            account: String::new(),
            region: "us-east-1".into(),
            request_id: Some("req-1".into()),
            received_at: "2026-11-23T10:00:00Z".into(),
            eventbridge_archive: false,
        }
    }

    const TASKS: &str = r#"{"tasks":[{"taskArn":"arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef","clusterArn":"arn:aws:ecs:us-east-1:123456789012:cluster/prod","lastStatus":"RUNNING","createdAt":1795000000.5,"containers":[]}],"failures":[]}"#;

    #[test]
    fn every_commit_leaves_a_bundle_that_verifies_and_opens() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("b");
        let mut bundle = GrowingBundle::create(&root, CollectRequest::default()).unwrap();
        let opened = Bundle::open(&root).unwrap();
        assert!(verify(&opened).is_empty());
        assert_eq!(
            opened.manifest.collection.state,
            Some(CollectionState::Collecting)
        );
        assert!(opened.manifest.collection.partial);

        let records = bundle
            .store(Response {
                origin: origin("DescribeTasks"),
                body: TASKS.as_bytes(),
            })
            .unwrap();
        assert_eq!(records, 1);
        let opened = Bundle::open(&root).unwrap();
        assert!(verify(&opened).is_empty(), "{:?}", verify(&opened));
        let (incident, problems) = opened.incident();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(incident.tasks.len(), 1);
        let input = &opened.manifest.inputs[0];
        assert_eq!(input.origin.as_ref().unwrap().operation, "DescribeTasks");
        assert!(input
            .artifact
            .starts_with("responses/00001-ecs-DescribeTasks"));

        let manifest = bundle.finish(CollectionState::Complete).unwrap();
        assert_eq!(manifest.collection.state, Some(CollectionState::Complete));
        assert!(!manifest.collection.partial);
        assert!(verify(&Bundle::open(&root).unwrap()).is_empty());
    }

    #[test]
    fn a_resumed_bundle_carries_on_where_it_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("b");
        let mut bundle =
            GrowingBundle::create_for(&root, "watch", CollectRequest::default()).unwrap();
        bundle
            .store(Response {
                origin: origin("DescribeTasks"),
                body: TASKS.as_bytes(),
            })
            .unwrap();
        drop(bundle); // as a watcher run with --once leaves it
                      // A crash while committing leaves a manifest temporary file behind.
        std::fs::write(root.join(".manifest.json.tmp-1-0-0"), b"{").unwrap();

        let mut resumed = GrowingBundle::resume(&root).unwrap();
        assert_eq!(resumed.responses(), 1);
        resumed
            .store(Response {
                origin: origin("ListTasks"),
                body: br#"{"taskArns":[]}"#,
            })
            .unwrap();
        let manifest = resumed.finish(CollectionState::Complete).unwrap();
        assert_eq!(manifest.collection.method, "watch");
        assert_eq!(manifest.inputs.len(), 2);
        assert!(manifest.inputs[1]
            .artifact
            .starts_with("responses/00002-ecs-ListTasks"));
        assert!(manifest.collection.sources.contains("ecs"));
        let opened = Bundle::open(&root).unwrap();
        assert!(verify(&opened).is_empty(), "{:?}", verify(&opened));

        let finished = GrowingBundle::resume(&root).err().unwrap();
        assert!(finished.to_string().contains("finished"), "{finished}");
    }

    #[test]
    fn a_bundle_with_an_uncommitted_response_is_not_resumed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("b");
        GrowingBundle::create(&root, CollectRequest::default()).unwrap();
        std::fs::write(root.join("responses/00001-ecs-DescribeTasks.json"), TASKS).unwrap();
        let refused = GrowingBundle::resume(&root).err().unwrap();
        assert!(refused.to_string().contains("never committed"), "{refused}");
    }

    #[test]
    fn annotations_added_meanwhile_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("b");
        let mut bundle = GrowingBundle::create(&root, CollectRequest::default()).unwrap();
        let note = crate::bundle::annotations::Annotation {
            time: crate::model::time::now(),
            author: "tester".into(),
            target: crate::bundle::annotations::Target::Task {
                id: "0123456789abcdef0123456789abcdef".into(),
            },
            action: crate::bundle::annotations::AnnotationAction::Note {
                text: "seen".into(),
            },
        };
        crate::bundle::annotations::append(&root, &note).unwrap();
        bundle
            .store(Response {
                origin: origin("DescribeTasks"),
                body: TASKS.as_bytes(),
            })
            .unwrap();
        let opened = Bundle::open(&root).unwrap();
        assert!(verify(&opened).is_empty(), "{:?}", verify(&opened));
        assert!(opened.manifest.artifact("annotations.jsonl").is_some());
        // Events keep pointing at the right artifact although annotations came first.
        let (incident, _) = opened.incident();
        let raw = &incident.events[0].raw[0];
        assert!(opened.manifest.locate(raw).starts_with("responses/"));
    }

    #[test]
    fn an_interrupted_collection_is_partial_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("b");
        let mut bundle = GrowingBundle::create(&root, CollectRequest::default()).unwrap();
        bundle
            .set_reports(vec![SourceReport {
                source: "ecs".into(),
                account: String::new(),
                region: "us-east-1".into(),
                status: SourceStatus::Running,
                calls: Default::default(),
                errors: Vec::new(),
                notes: Vec::new(),
            }])
            .unwrap();
        let manifest = bundle.finish(CollectionState::Interrupted).unwrap();
        assert!(manifest.collection.partial);
        assert_eq!(
            manifest.collection.source_reports[0].status,
            SourceStatus::Partial
        );
    }
}
