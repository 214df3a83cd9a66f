//! The collection run: every source in every account and region to its
//! end, a few account/regions at a time, then CloudTrail through Athena
//! from the caller's account when a table is given.

use super::accounts::Reach;
use super::limits::ACCOUNT_REGIONS_AT_ONCE;
use super::recorder::{CallCounts, ResponseSink};
use super::region_clients::RegionClients;
use super::scope::Scope;
use super::task_ref::TaskRef;
use super::tracker::{Tracker, ASSUME_ROLE_SOURCE};
use super::{athena, cloudtrail, ecs, guardduty, images, logs};
use crate::bundle::manifest::SourceReport;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A collection over one or more accounts and regions.
pub struct Collection {
    scope: Scope,
    /// The caller's own account.
    caller: String,
    regions: Vec<RegionClients>,
    /// One finished, failed tracker per account that could not be reached.
    unreachable: Vec<Arc<Tracker>>,
}

impl Collection {
    /// Prepares clients for every account and region `reach` names;
    /// nothing is called yet.
    pub fn new(scope: Scope, reach: &Reach, sink: Arc<dyn ResponseSink>) -> Collection {
        let regions = reach
            .targets
            .iter()
            .map(|target| RegionClients::new(target, &sink, &scope, &reach.caller))
            .collect();
        let unreachable = reach
            .unreachable
            .iter()
            .map(|account| {
                let tracker = Tracker::new(
                    ASSUME_ROLE_SOURCE,
                    &account.account,
                    &account.region,
                    CallCounts::default(),
                );
                tracker.failed(account.line.clone());
                tracker.finish();
                Arc::new(tracker)
            })
            .collect();
        Collection {
            scope,
            caller: reach.caller.clone(),
            regions,
            unreachable,
        }
    }

    /// Every source's tracker, in a stable order (the unreachable accounts last).
    pub fn trackers(&self) -> Vec<Arc<Tracker>> {
        self.regions
            .iter()
            .flat_map(|r| r.trackers.iter().cloned())
            .chain(self.unreachable.iter().cloned())
            .collect()
    }

    /// Every source's report so far.
    pub fn reports(&self) -> Vec<SourceReport> {
        self.trackers().iter().map(|t| t.report()).collect()
    }

    /// Runs every source in every account and region to its end,
    /// [`ACCOUNT_REGIONS_AT_ONCE`] account/regions at a time; with Athena,
    /// CloudTrail is queried last, once per region from the caller's
    /// account ([`Collection::query_athena`]). Dropping the future stops
    /// collection; what was stored stays stored.
    pub async fn run(&self, on_source_done: impl Fn() + Sync) {
        use futures_util::stream::StreamExt;
        let administered = self.administered().await;
        let none = BTreeSet::new();
        let seen = futures_util::stream::iter(&self.regions)
            .map(|clients| {
                let members = administered.get(&clients.region).unwrap_or(&none);
                let findings = if clients.account == self.caller && !members.is_empty() {
                    Findings::Administrator(members)
                } else if members.contains(&clients.account) {
                    Findings::HeldBy(&self.caller)
                } else {
                    Findings::Own
                };
                collect_region(&self.scope, clients, findings, &on_source_done)
            })
            .buffer_unordered(ACCOUNT_REGIONS_AT_ONCE)
            .collect::<Vec<RegionSeen>>()
            .await;
        if let Some(source) = &self.scope.athena {
            self.query_athena(source, seen, &on_source_done).await;
        }
    }

    /// CloudTrail through Athena: the organization trail is read from the
    /// caller's account (the log-archive or delegated administrator account
    /// running taskscope; member roles cannot read it), once per region,
    /// for the tasks, services and task definitions every account in that
    /// region showed, with every one of those accounts in the partition
    /// predicate. The members' CloudTrail sources say where theirs went.
    async fn query_athena(
        &self,
        source: &crate::trail_tables::AthenaSource,
        seen: Vec<RegionSeen<'_>>,
        on_done: &(impl Fn() + Sync),
    ) {
        let mut by_region: BTreeMap<&str, Vec<RegionSeen>> = BTreeMap::new();
        for region in seen {
            by_region
                .entry(region.clients.region.as_str())
                .or_default()
                .push(region);
        }
        let queried = by_region.into_values().map(|group| async move {
            let accounts: BTreeSet<String> =
                group.iter().map(|r| r.clients.account.clone()).collect();
            let caller = group
                .iter()
                .find_map(|r| Some((r.clients, r.clients.athena.as_ref()?)));
            let mut tasks = BTreeSet::new();
            let mut merged = ecs::EcsSeen::default();
            for region in &group {
                tasks.extend(region.tasks.iter().cloned());
                merged.services.extend(region.ecs.services.iter().cloned());
                merged
                    .definitions
                    .extend(region.ecs.definitions.iter().cloned());
            }
            if let Some((clients, athena)) = caller {
                let tracker = clients.cloudtrail_tracker();
                athena::collect(
                    athena,
                    source,
                    &self.scope,
                    &accounts,
                    &tasks,
                    &merged,
                    tracker,
                )
                .await;
                tracker.finish();
                on_done();
            }
            for member in group.iter().filter(|r| r.clients.athena.is_none()) {
                let tracker = member.clients.cloudtrail_tracker();
                if caller.is_some() {
                    tracker.noted(format!(
                        "athena: queried from the caller's account {} with the other accounts \
                         of this region",
                        self.caller
                    ));
                } else {
                    tracker.failed(format!(
                        "athena: not queried: the caller's account {} is not collected in \
                         this region, and only it reads the organization trail",
                        self.caller
                    ));
                }
                tracker.finish();
                on_done();
            }
        });
        futures_util::future::join_all(queried).await;
    }

    /// Per region, the member accounts in scope whose GuardDuty findings
    /// the caller's detector holds as the organization's administrator.
    /// Asked only when collection spans several accounts.
    async fn administered(&self) -> BTreeMap<String, BTreeSet<String>> {
        let in_scope: BTreeSet<String> = self.regions.iter().map(|r| r.account.clone()).collect();
        if in_scope.len() < 2 {
            return BTreeMap::new();
        }
        let asked = self
            .regions
            .iter()
            .filter(|clients| clients.account == self.caller)
            .map(|clients| async {
                let members = guardduty::administered(
                    &clients.guardduty,
                    &in_scope,
                    clients.guardduty_tracker(),
                )
                .await;
                (clients.region.clone(), members)
            });
        futures_util::future::join_all(asked)
            .await
            .into_iter()
            .collect()
    }

    /// Stops what a stopped collection left running on the AWS side (the
    /// Athena queries), noting it on each source's tracker.
    pub async fn stop_remote_work(&self) {
        let stops = self.regions.iter().filter_map(|region| {
            let athena = region.athena.as_ref()?;
            Some(athena.stop_running(region.cloudtrail_tracker()))
        });
        futures_util::future::join_all(stops).await;
    }
}

/// What one account/region's collection found for CloudTrail through
/// Athena, which runs after every account/region's ECS collection.
struct RegionSeen<'a> {
    clients: &'a RegionClients,
    /// The tasks to look for.
    tasks: BTreeSet<TaskRef>,
    /// What ECS collection saw (its services and task definitions).
    ecs: ecs::EcsSeen,
}

/// Where an account/region's GuardDuty findings come from.
enum Findings<'a> {
    /// Its own detector.
    Own,
    /// Its own detector, which as the organization's GuardDuty
    /// administrator holds these members' findings too.
    Administrator(&'a BTreeSet<String>),
    /// The detector of this administrator account, collected there.
    HeldBy(&'a str),
}

/// Collects one account/region; with Athena, its CloudTrail is left to
/// [`Collection::query_athena`], which gets what this found.
async fn collect_region<'a>(
    scope: &Scope,
    clients: &'a RegionClients,
    findings: Findings<'_>,
    on_done: &(impl Fn() + Sync),
) -> RegionSeen<'a> {
    let [guardduty_tracker, ecs_tracker, cloudtrail_tracker, logs_tracker, images_tracker] =
        &clients.trackers;
    let done = |tracker: &Tracker| {
        tracker.finish();
        on_done();
    };
    let guardduty = async {
        let seen = match findings {
            Findings::Own => {
                guardduty::collect(
                    &clients.guardduty,
                    scope,
                    &BTreeSet::new(),
                    guardduty_tracker,
                )
                .await
            }
            Findings::Administrator(members) => {
                let mut accounts = members.clone();
                accounts.insert(clients.account.clone());
                guardduty::collect(&clients.guardduty, scope, &accounts, guardduty_tracker).await
            }
            Findings::HeldBy(administrator) => {
                guardduty_tracker.noted(format!(
                    "not run in this account: its findings come from the detector of \
                     {administrator}, the organization's GuardDuty administrator"
                ));
                Vec::new()
            }
        };
        done(guardduty_tracker);
        seen
    };
    let ecs = async {
        let seen = ecs::collect(&clients.ecs, scope, ecs_tracker).await;
        done(ecs_tracker);
        seen
    };
    let groups = logs::collect_groups(&clients.logs, scope, logs_tracker);
    let ((found, ecs_seen), ()) =
        futures_util::future::join(futures_util::future::join(guardduty, ecs), groups).await;
    let mut tasks: BTreeSet<TaskRef> = ecs_seen.tasks.iter().cloned().collect();
    // A member's task named by an administrator's finding is not looked up
    // in this account's CloudTrail.
    tasks.extend(
        found
            .into_iter()
            .filter(|task| task.account().is_none_or(|a| a == clients.account)),
    );
    if let Some(task) = &scope.task {
        tasks.insert(TaskRef::from_reference(task));
    }
    let trail = async {
        if scope.athena.is_none() {
            cloudtrail::collect(&clients.cloudtrail, scope, &tasks, cloudtrail_tracker).await;
            done(cloudtrail_tracker);
        }
    };
    let streams = async {
        logs::collect_task_streams(&clients.logs, scope, &ecs_seen, logs_tracker).await;
        done(logs_tracker);
    };
    let images = async {
        images::collect(
            &clients.images,
            &clients.account,
            &ecs_seen.images,
            images_tracker,
        )
        .await;
        done(images_tracker);
    };
    futures_util::future::join3(trail, streams, images).await;
    RegionSeen {
        clients,
        tasks,
        ecs: ecs_seen,
    }
}
