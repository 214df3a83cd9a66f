//! Live collection from AWS (docs/collect.md): GuardDuty findings, ECS
//! clusters, services, tasks, task definitions and deployments, CloudTrail
//! events of each task's role session and of ECS itself, and CloudWatch Logs
//! (the tasks' awslogs streams, sidecar groups, an archive of task-state
//! events), and the tasks' ECR images ([`images`]: Inspector or ECR basic
//! scan findings, tags, signatures). Every response is stored raw, as it
//! arrives, by the [`recorder::Recorder`] on each client; sources run
//! concurrently, and one that fails is reported while the others carry on. [`watch`] records one
//! cluster's tasks round after round into rolling bundles.

pub mod accounts;
pub mod athena;
pub mod aws;
pub mod cloudtrail;
pub mod ecs;
pub mod guardduty;
pub mod headless;
pub mod images;
pub mod logs;
pub mod members;
pub mod rate;
pub mod recorder;
pub mod run;
pub mod sink;
pub mod watch;

use crate::bundle::manifest::{SourceReport, SourceStatus};
use crate::model::keys::parse_task_arn;
use accounts::{Reach, Target};
use aws::region_of;
use chrono::{DateTime, Utc};
use recorder::{CallCounts, Recorder, ResponseSink};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Most pages read from one listing: a guard against a token that never ends.
pub const MAX_PAGES: usize = 2_000;
/// Calls in flight at once within one source.
pub const CONCURRENCY: usize = 4;
/// Account/region pairs collected at once: a few, so that an organization's
/// hundred accounts neither open hundreds of connections nor run into the
/// per-account request rates, while one slow account does not hold the rest.
pub const ACCOUNT_REGIONS_AT_ONCE: usize = 4;
/// The source name under which an account that could not be reached
/// (STS AssumeRole refused or failed) is reported.
pub const ASSUME_ROLE_SOURCE: &str = "assume-role";

/// What to collect.
#[derive(Debug, Clone)]
pub struct Scope {
    /// One cluster (name or ARN); all clusters when absent.
    pub cluster: Option<String>,
    /// One service in that cluster.
    pub service: Option<String>,
    /// One task (ID or ARN).
    pub task: Option<String>,
    /// Start of the time window.
    pub from: DateTime<Utc>,
    /// End of the time window.
    pub to: DateTime<Utc>,
    /// Extra log groups to read whole over the window (sidecars such as Falco).
    pub log_groups: Vec<String>,
    /// A log group holding archived "ECS Task State Change" events.
    pub archive_log_group: Option<String>,
    /// Read CloudTrail through Athena from this table instead of LookupEvents.
    pub athena: Option<crate::trail_tables::AthenaSource>,
}

/// The progress and errors of one source in one account and region.
#[derive(Debug)]
pub struct Tracker {
    /// `guardduty`, `ecs`, `cloudtrail`, `cloudwatch-logs`, `images`, or
    /// [`ASSUME_ROLE_SOURCE`] for an account that could not be reached.
    pub source: &'static str,
    /// The account.
    pub account: String,
    /// The region.
    pub region: String,
    calls: CallCounts,
    succeeded: AtomicU64,
    /// Each distinct failure line, with how many times it happened.
    errors: Mutex<Vec<(String, u64)>>,
    /// What could not be asked at all, without making the source partial.
    notes: Mutex<Vec<String>>,
    /// What the source is doing now, for the progress line.
    activity: Mutex<String>,
    finished: std::sync::atomic::AtomicBool,
}

impl Tracker {
    fn new(source: &'static str, account: &str, region: &str, calls: CallCounts) -> Tracker {
        Tracker {
            source,
            account: account.to_string(),
            region: region.to_string(),
            calls,
            succeeded: AtomicU64::new(0),
            errors: Mutex::new(Vec::new()),
            notes: Mutex::new(Vec::new()),
            activity: Mutex::new(String::new()),
            finished: Default::default(),
        }
    }

    /// Notes a call that succeeded.
    pub fn succeeded(&self) {
        self.succeeded.fetch_add(1, Ordering::Relaxed);
    }

    /// Notes a failure, one line; a line that repeats is counted, not repeated.
    pub fn failed(&self, line: String) {
        if let Ok(mut errors) = self.errors.lock() {
            match errors.iter_mut().find(|(known, _)| *known == line) {
                Some((_, count)) => *count += 1,
                None => errors.push((line, 1)),
            }
        }
    }

    /// Notes something the endpoint does not offer, once per line; the
    /// source is not made partial by it.
    pub fn noted(&self, line: String) {
        if let Ok(mut notes) = self.notes.lock() {
            if !notes.contains(&line) {
                notes.push(line);
            }
        }
    }

    /// Records a failed call: a note when optional, else a failure.
    pub fn record(&self, failure: Failure) {
        if failure.optional {
            self.noted(failure.line);
        } else {
            self.failed(failure.line);
        }
    }

    /// Says what the source is doing now (empty: nothing to add to its
    /// state), for the progress line.
    pub fn show(&self, activity: String) {
        if let Ok(mut current) = self.activity.lock() {
            *current = activity;
        }
    }

    /// What the source is doing now, as last shown.
    pub fn activity(&self) -> String {
        self.activity.lock().map(|a| a.clone()).unwrap_or_default()
    }

    /// Marks the source as done.
    pub fn finish(&self) {
        self.finished.store(true, Ordering::Relaxed);
    }

    /// The API calls made so far.
    pub fn calls(&self) -> u64 {
        self.calls.total()
    }

    /// The source's state for the manifest.
    pub fn report(&self) -> SourceReport {
        let errors: Vec<String> = self
            .errors
            .lock()
            .map(|errors| {
                errors
                    .iter()
                    .map(|(line, count)| match count {
                        1 => line.clone(),
                        n => format!("{line} ({n} times)"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let status = if !self.finished.load(Ordering::Relaxed) {
            SourceStatus::Running
        } else if errors.is_empty() {
            SourceStatus::Complete
        } else if self.succeeded.load(Ordering::Relaxed) > 0 {
            SourceStatus::Partial
        } else {
            SourceStatus::Failed
        };
        SourceReport {
            source: self.source.to_string(),
            account: self.account.clone(),
            region: self.region.clone(),
            status,
            calls: self.calls.snapshot(),
            errors,
            notes: self.notes.lock().map(|n| n.clone()).unwrap_or_default(),
        }
    }
}

/// The SDK clients of one account in one region, each with its own recorder.
struct RegionClients {
    account: String,
    region: String,
    ecs: aws_sdk_ecs::Client,
    guardduty: aws_sdk_guardduty::Client,
    cloudtrail: aws_sdk_cloudtrail::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    /// CloudTrail through Athena, when a table is given.
    athena: Option<athena::AthenaClients>,
    /// Inspector and ECR, for the images the tasks ran.
    images: images::ImageClients,
    trackers: [Arc<Tracker>; 5],
}

impl RegionClients {
    /// The GuardDuty source's tracker.
    fn guardduty_tracker(&self) -> &Tracker {
        &self.trackers[0]
    }

    /// The CloudTrail source's tracker (Athena's calls, when a table is given).
    fn cloudtrail_tracker(&self) -> &Tracker {
        &self.trackers[2]
    }

    /// Athena clients only for the `caller`'s own targets: the organization
    /// trail is queried from there for every account.
    fn new(
        target: &Target,
        sink: &Arc<dyn ResponseSink>,
        scope: &Scope,
        caller: &str,
    ) -> RegionClients {
        let (config, account) = (&target.config, target.account.as_str());
        let region = region_of(config);
        let recorder = || Recorder::new(&region, Arc::clone(sink)).with_account(account);
        let (ecs_rec, gd_rec, ct_rec, img_rec) = (recorder(), recorder(), recorder(), recorder());
        let logs_rec = recorder().with_archive_log_group(scope.archive_log_group.clone());
        // With Athena, the CloudTrail source's calls are Athena's.
        let trail_rec = match scope.athena {
            Some(_) => recorder(),
            None => ct_rec.clone(),
        };
        let tracker =
            |source, rec: &Recorder| Arc::new(Tracker::new(source, account, &region, rec.calls()));
        let trackers = [
            tracker("guardduty", &gd_rec),
            tracker("ecs", &ecs_rec),
            tracker("cloudtrail", &trail_rec),
            tracker("cloudwatch-logs", &logs_rec),
            tracker(images::SOURCE, &img_rec),
        ];
        let athena = scope
            .athena
            .as_ref()
            .filter(|_| account == caller)
            .map(|_| athena::AthenaClients::new(config, trail_rec));
        RegionClients {
            ecs: aws_sdk_ecs::Client::from_conf(
                aws_sdk_ecs::config::Builder::from(config)
                    .interceptor(ecs_rec)
                    .build(),
            ),
            guardduty: aws_sdk_guardduty::Client::from_conf(
                aws_sdk_guardduty::config::Builder::from(config)
                    .interceptor(gd_rec)
                    .build(),
            ),
            cloudtrail: aws_sdk_cloudtrail::Client::from_conf(
                aws_sdk_cloudtrail::config::Builder::from(config)
                    .interceptor(ct_rec)
                    .build(),
            ),
            logs: aws_sdk_cloudwatchlogs::Client::from_conf(
                aws_sdk_cloudwatchlogs::config::Builder::from(config)
                    .interceptor(logs_rec)
                    .build(),
            ),
            athena,
            images: images::ImageClients {
                inspector: aws_sdk_inspector2::Client::from_conf(
                    aws_sdk_inspector2::config::Builder::from(config)
                        .interceptor(img_rec.clone())
                        .build(),
                ),
                ecr: aws_sdk_ecr::Client::from_conf(
                    aws_sdk_ecr::config::Builder::from(config)
                        .interceptor(img_rec)
                        .build(),
                ),
            },
            trackers,
            account: account.to_string(),
            region,
        }
    }
}

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

/// A task known to collection: its ARN when known, and its ID.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TaskRef {
    /// The task ID (the last ARN segment).
    pub id: String,
    /// The full ARN, when known.
    pub arn: Option<String>,
}

impl TaskRef {
    /// The account the task runs in, from its ARN.
    pub fn account(&self) -> Option<String> {
        parse_task_arn(self.arn.as_deref()?).map(|arn| arn.account)
    }

    /// From a task ID or ARN.
    pub fn from_reference(reference: &str) -> TaskRef {
        let id = crate::model::keys::arn_tail(reference).to_string();
        let arn = reference.starts_with("arn:").then(|| reference.to_string());
        TaskRef { id, arn }
    }
}

/// A failed call, as one line.
#[derive(Debug, Clone)]
pub struct Failure {
    /// What failed and why.
    pub line: String,
    /// An optional enrichment the endpoint does not offer: noted, not a failure.
    pub optional: bool,
}

impl From<String> for Failure {
    fn from(line: String) -> Failure {
        Failure {
            line,
            optional: false,
        }
    }
}

/// Reads every page of a listing: `page` gets the token to send and returns
/// the items and the next token. Stops at the last page, at a token that
/// repeats, after [`MAX_PAGES`], or at the first failure (recorded on the
/// tracker; the items read so far are kept).
pub async fn all_pages<T, E, F, Fut>(tracker: &Tracker, mut page: F) -> Vec<T>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), E>>,
    E: Into<Failure>,
{
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        match page(token.clone()).await {
            Ok((mut found, next)) => {
                tracker.succeeded();
                items.append(&mut found);
                match next {
                    Some(next) if !next.is_empty() && Some(&next) != token.as_ref() => {
                        token = Some(next)
                    }
                    _ => return items,
                }
            }
            Err(failure) => {
                tracker.record(failure.into());
                return items;
            }
        }
    }
    tracker.failed(format!(
        "stopped after {MAX_PAGES} pages of one listing: narrow the scope or the window"
    ));
    items
}

/// Parses a duration such as `90s`, `30m`, `6h` or `2d`.
pub fn parse_duration(text: &str) -> anyhow::Result<chrono::TimeDelta> {
    let bad = || {
        anyhow::anyhow!(
            "{}: not a duration (use a number and s, m, h or d, e.g. 6h)",
            crate::render::sanitize::escape(text)
        )
    };
    let split = text.len().checked_sub(1).ok_or_else(bad)?;
    if !text.is_char_boundary(split) {
        return Err(bad());
    }
    let (number, unit) = text.split_at(split);
    let number: i64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    number
        .checked_mul(seconds)
        .filter(|s| *s > 0 && *s <= 400 * 86_400)
        .map(chrono::TimeDelta::seconds)
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_their_unit() {
        assert_eq!(
            parse_duration("90s").unwrap(),
            chrono::TimeDelta::seconds(90)
        );
        assert_eq!(parse_duration("6h").unwrap(), chrono::TimeDelta::hours(6));
        assert_eq!(parse_duration("2d").unwrap(), chrono::TimeDelta::days(2));
        for bad in ["", "h", "6", "6w", "-1h", "0m", "99999999999999d", "é"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn task_references_keep_the_id() {
        let arn = "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef";
        let task = TaskRef::from_reference(arn);
        assert_eq!(task.id, "0123456789abcdef0123456789abcdef");
        assert_eq!(task.arn.as_deref(), Some(arn));
        assert_eq!(TaskRef::from_reference("abc").arn, None);
    }
}
