//! One watcher of one cluster: each round lists the tasks (running and
//! stopped) and describes them; a round that saw a task not seen before, or
//! a task in another state, is stored whole in the current bundle, with the
//! task definitions that bundle lacks. The first round of each bundle is
//! stored whatever it saw, so every bundle stands alone. Bundles roll over
//! after `--rotate`.

use super::buffer::{Held, RoundBuffer};
use super::changes::{remembered, Changes, Seen, TaskState};
use super::coverage::{calls_between, Coverage};
use super::state::{CurrentBundle, WatchState};
use super::store::Store;
use crate::bundle::growing::{GrowingBundle, Response};
use crate::bundle::manifest::{CollectRequest, CollectionState};
use crate::collect::aws::describe_error;
use crate::collect::ecs::{describe_tasks, list_task_arns};
use crate::collect::recorder::{CallCounts, Recorder};
use crate::collect::tracker::Tracker;
use aws_config::SdkConfig;
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

/// What a watcher is asked to do.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The cluster, by name or ARN.
    pub cluster: String,
    /// The region.
    pub region: String,
    /// A bundle is finished, and the next round starts a new one, once it
    /// is this old.
    pub rotate: TimeDelta,
    /// The request recorded in every bundle (its window is filled in).
    pub request: CollectRequest,
}

/// What one round did.
#[derive(Debug)]
pub struct RoundReport {
    /// When the round started.
    pub at: DateTime<Utc>,
    /// Tasks described.
    pub tasks: usize,
    /// What was new or changed since the round before.
    pub changes: Changes,
    /// Where the round was stored, when it was.
    pub stored: Option<Stored>,
    /// The bundle finished before the round because it was old enough.
    pub finished: Option<Finished>,
    /// What failed, one line each.
    pub failures: Vec<String>,
}

/// A round stored in a bundle.
#[derive(Debug)]
pub struct Stored {
    /// The bundle.
    pub bundle: PathBuf,
    /// Responses of this round.
    pub responses: usize,
    /// True when this round opened the bundle.
    pub first: bool,
}

/// A bundle finished.
#[derive(Debug)]
pub struct Finished {
    /// The bundle.
    pub bundle: PathBuf,
    /// Responses it holds.
    pub responses: usize,
}

/// The bundle being filled.
struct Open {
    bundle: GrowingBundle,
    coverage: Coverage,
}

/// A watcher: its store, its memory of the last round, its client.
pub struct Watcher {
    store: Store,
    settings: Settings,
    state: WatchState,
    open: Option<Open>,
    client: aws_sdk_ecs::Client,
    buffer: Arc<RoundBuffer>,
    calls: CallCounts,
}

impl Watcher {
    /// Prepares a watcher on a locked store: reads its state and reopens the
    /// bundle it was filling, when that can be continued. Returns the
    /// watcher and one line per thing it could not take up again. Fails
    /// when the store belongs to another cluster or region.
    pub fn start(
        store: Store,
        config: &SdkConfig,
        settings: Settings,
    ) -> anyhow::Result<(Watcher, Vec<String>)> {
        let mut notes = Vec::new();
        let dir = store.dir().display().to_string();
        let mut state = match WatchState::read(store.dir()) {
            Ok(Some(state)) => state,
            Ok(None) => WatchState::new(&settings.cluster, &settings.region),
            Err(line) => {
                notes.push(format!("{line}: starting afresh"));
                WatchState::new(&settings.cluster, &settings.region)
            }
        };
        if state.cluster != settings.cluster || state.region != settings.region {
            anyhow::bail!(
                "{dir} is the store of cluster {} in {}: give another --store",
                state.cluster,
                state.region
            );
        }
        let open = match state.bundle.take() {
            Some(current) if !current.has_plain_name() => {
                notes.push(format!(
                    "{dir}: the state names a bundle outside the store; a new bundle is started"
                ));
                None
            }
            Some(current) => {
                let path = store.bundle_path(&current.name);
                match GrowingBundle::resume(&path) {
                    Ok(bundle) => {
                        let coverage = Coverage::resume(&settings.region, bundle.reports());
                        state.bundle = Some(current);
                        Some(Open { bundle, coverage })
                    }
                    Err(e) => {
                        notes.push(format!(
                            "{} cannot be continued ({e}): it is left as it is, \
                             and a new bundle is started",
                            path.display()
                        ));
                        None
                    }
                }
            }
            None => None,
        };
        let buffer = Arc::new(RoundBuffer::default());
        let recorder = Recorder::new(&settings.region, buffer.clone());
        let calls = recorder.calls();
        let client = aws_sdk_ecs::Client::from_conf(
            aws_sdk_ecs::config::Builder::from(config)
                .interceptor(recorder)
                .build(),
        );
        let watcher = Watcher {
            store,
            settings,
            state,
            open,
            client,
            buffer,
            calls,
        };
        Ok((watcher, notes))
    }

    /// One round. Everything after the last call runs without a pause, so
    /// a round is stored whole or not at all, even when it is dropped.
    pub async fn round(&mut self) -> RoundReport {
        let at = crate::model::time::now();
        let state_before = self.state.clone();
        let mut failures = Vec::new();
        let finished = self.finish_if_old(at, &mut failures);
        // Whatever a dropped round left in the buffer is not this round's.
        self.buffer.take();
        let (cluster, region) = (&self.settings.cluster, &self.settings.region);
        let calls_before = self.calls.snapshot();
        let tracker = Tracker::new("ecs", "", region, self.calls.clone());
        let arns = list_task_arns(&self.client, cluster, None, &tracker, region).await;
        let tasks = describe_tasks(&self.client, cluster, &arns, &tracker, region).await;
        let listed_everything = tracker.report().errors.is_empty();
        let current: Seen = tasks.iter().filter_map(TaskState::of).collect();
        let changes = Changes::between(&self.state.tasks, &current);
        let worth_storing = !self.buffer.is_empty() && (self.open.is_none() || !changes.is_empty());
        let mut described = BTreeSet::new();
        if worth_storing {
            let known = self.state.bundle.as_ref().map(|b| &b.definitions);
            let wanted: BTreeSet<&str> = tasks
                .iter()
                .filter_map(|task| task.task_definition_arn())
                .filter(|arn| !known.is_some_and(|known| known.contains(*arn)))
                .collect();
            for definition in wanted {
                match self
                    .client
                    .describe_task_definition()
                    .task_definition(definition)
                    .send()
                    .await
                {
                    Ok(_) => {
                        tracker.succeeded();
                        described.insert(definition.to_string());
                    }
                    Err(e) => {
                        tracker.failed(describe_error("ecs:DescribeTaskDefinition", region, &e))
                    }
                }
            }
        }
        // No more pauses from here on: dropped or not, the round is stored
        // whole or not at all.
        let round_failures = tracker.report().errors;
        failures.extend(round_failures.iter().cloned());
        let calls = calls_between(&calls_before, &self.calls.snapshot());
        let held = self.buffer.take();
        let mut stored = None;
        if worth_storing {
            match self.store_round(at, held, &calls, &round_failures, described) {
                Ok(round) => {
                    stored = Some(round);
                    self.state.tasks = remembered(&self.state.tasks, current, listed_everything);
                }
                // The tasks are not remembered: the next round stores them.
                Err(line) => failures.push(line),
            }
        } else {
            if !round_failures.is_empty() {
                self.note_failures(&calls, &round_failures, &mut failures);
            }
            self.state.tasks = remembered(&self.state.tasks, current, listed_everything);
        }
        if self.state != state_before {
            self.save_state(&mut failures);
        }
        RoundReport {
            at,
            tasks: tasks.len(),
            changes,
            stored,
            finished,
            failures,
        }
    }

    /// Stores a round's responses in the current bundle, creating one when
    /// none is open.
    fn store_round(
        &mut self,
        at: DateTime<Utc>,
        held: Vec<Held>,
        calls: &BTreeMap<String, u64>,
        failures: &[String],
        described: BTreeSet<String>,
    ) -> Result<Stored, String> {
        let first = self.open.is_none();
        let open = match self.open.take() {
            Some(open) => open,
            None => self.new_bundle(at)?,
        };
        let open = self.open.insert(open);
        let responses = held.len();
        let written = held
            .into_iter()
            .try_for_each(|held| {
                open.bundle
                    .store(Response {
                        origin: held.origin,
                        body: &held.body,
                    })
                    .map(|_| ())
            })
            .and_then(|()| {
                open.coverage.add(calls, failures);
                open.bundle.set_window_end(&at);
                open.bundle.set_reports(vec![open.coverage.report(false)])
            });
        let bundle = open.bundle.root().to_path_buf();
        if let Err(e) = written {
            self.abandon();
            return Err(format!(
                "{}: cannot store the round: {e}; the bundle is left as it is, \
                 and the next round starts a new one",
                bundle.display()
            ));
        }
        if let Some(current) = self.state.bundle.as_mut() {
            current.definitions.extend(described);
        }
        Ok(Stored {
            bundle,
            responses,
            first,
        })
    }

    /// Creates the next bundle, named after `at`, and makes it current.
    fn new_bundle(&mut self, at: DateTime<Utc>) -> Result<Open, String> {
        let mut request = self.settings.request.clone();
        request.from = crate::model::time::format_time(&at);
        request.to = request.from.clone();
        let (bundle, name) = self
            .store
            .create_bundle(&self.settings.cluster, at, request)
            .map_err(|e| {
                format!(
                    "{}: cannot create a bundle: {e}",
                    self.store.dir().display()
                )
            })?;
        self.state.bundle = Some(CurrentBundle {
            name,
            started_at: at,
            definitions: BTreeSet::new(),
        });
        Ok(Open {
            bundle,
            coverage: Coverage::new(&self.settings.region),
        })
    }

    /// Records a round's failures in the open bundle's report, so that its
    /// manifest shows when the watcher could not see.
    fn note_failures(
        &mut self,
        calls: &BTreeMap<String, u64>,
        failures: &[String],
        lines: &mut Vec<String>,
    ) {
        let Some(open) = self.open.as_mut() else {
            return;
        };
        open.coverage.add(calls, failures);
        if let Err(e) = open.bundle.set_reports(vec![open.coverage.report(false)]) {
            let bundle = open.bundle.root().display().to_string();
            self.abandon();
            lines.push(format!(
                "{bundle}: cannot update the manifest: {e}; the bundle is left as it is, \
                 and the next round starts a new one"
            ));
        }
    }

    /// Forgets the open bundle after a write failed: it is left `collecting`
    /// with what it committed, and the next round starts a new one.
    fn abandon(&mut self) {
        self.open = None;
        self.state.bundle = None;
    }

    /// Finishes the bundle when it is `--rotate` old.
    fn finish_if_old(
        &mut self,
        now: DateTime<Utc>,
        failures: &mut Vec<String>,
    ) -> Option<Finished> {
        let started = self.state.bundle.as_ref()?.started_at;
        if now.signed_duration_since(started) < self.settings.rotate {
            return None;
        }
        match self.finish_bundle(now) {
            Ok(finished) => finished,
            Err(line) => {
                failures.push(line);
                None
            }
        }
    }

    /// Finishes the open bundle (state `complete`: it holds whole rounds
    /// only) and forgets it; the next round starts a new one.
    pub fn finish_bundle(&mut self, now: DateTime<Utc>) -> Result<Option<Finished>, String> {
        self.state.bundle = None;
        let Some(Open {
            mut bundle,
            coverage,
        }) = self.open.take()
        else {
            return Ok(None);
        };
        let root = bundle.root().to_path_buf();
        let responses = bundle.responses();
        bundle.set_window_end(&now);
        bundle
            .set_reports(vec![coverage.report(true)])
            .and_then(|()| bundle.finish(CollectionState::Complete))
            .map_err(|e| format!("{}: cannot finish the bundle: {e}", root.display()))?;
        Ok(Some(Finished {
            bundle: root,
            responses,
        }))
    }

    /// Writes the state file; a failure is one more line (the state in
    /// memory carries on, and the file is tried again next time).
    pub fn save_state(&self, failures: &mut Vec<String>) {
        if let Err(e) = self.state.write(self.store.dir()) {
            failures.push(format!(
                "{}: cannot write the watch state: {e}",
                self.store.dir().display()
            ));
        }
    }
}
