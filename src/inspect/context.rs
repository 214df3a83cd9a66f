//! Task context: what surrounds one task. Its security posture (from its task
//! definition), the deployment that started it, the other tasks that share
//! something exploitable with it, and which sources could have seen it at all.
//!
//! Everything that needs the whole incident is gathered once in a
//! [`ContextIndex`]; [`task_context`] then reads only the task's own
//! timeline, so selecting a task stays cheap with a million events.
//! docs/console-context.md explains where each fact comes from.

use crate::correlate::Incident;
use crate::import::json::{owned, path, path_array, path_str, path_time};
use crate::model::keys::arn_tail;
use crate::model::time::format_time;
use crate::model::{Key, RawRef, Source, TaskFacts, Timestamp};
use crate::raw::RawReader;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// CloudTrail records are sparse: a task's lifetime counts as covered when it
/// lies within this distance of the first and last record in the bundle.
pub const CLOUDTRAIL_SLACK: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// Container names GuardDuty gives the runtime agent sidecar it injects into Fargate tasks.
pub const GUARDDUTY_AGENT_PREFIX: &str = "aws-guardduty-agent";

/// Everything the task context pane shows about one task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskContext {
    /// Posture from the task's task definition, when the bundle holds it.
    pub posture: Option<Posture>,
    /// Why there is no posture, for display (`task definition batch-reports:12 is not in the bundle`).
    pub posture_unavailable: Option<String>,
    /// The service deployment that started the task, for service tasks.
    pub deployment: Option<DeploymentInfo>,
    /// Other tasks sharing an image digest, the task role or a security group,
    /// most shared first.
    pub blast_radius: Vec<BlastLink>,
    /// Which sources could have seen the task.
    pub coverage: Coverage,
}

/// Security posture from a task definition. Environment variables and
/// secrets are listed by name only: their values never leave the raw record.
#[derive(Debug, Clone, PartialEq)]
pub struct Posture {
    /// `family:revision`.
    pub task_definition: String,
    /// The task definition ARN.
    pub arn: String,
    /// `awsvpc` on Fargate.
    pub network_mode: Option<String>,
    /// The role the task's code runs as.
    pub task_role_arn: Option<String>,
    /// The role ECS uses to pull images, fetch secrets and write logs.
    pub execution_role_arn: Option<String>,
    /// Per container, in definition order.
    pub containers: Vec<ContainerPosture>,
}

/// One container definition's security-relevant settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerPosture {
    /// Container name.
    pub name: String,
    /// Image reference.
    pub image: Option<String>,
    /// `privileged` (never true on Fargate).
    pub privileged: Option<bool>,
    /// `readonlyRootFilesystem`; absent means writable.
    pub readonly_root_filesystem: Option<bool>,
    /// `user`; absent means the image's default user, often root.
    pub user: Option<String>,
    /// `essential`.
    pub essential: Option<bool>,
    /// `linuxParameters.capabilities.add`.
    pub capabilities_added: Vec<String>,
    /// Names of `environment` variables (values withheld).
    pub environment_names: Vec<String>,
    /// Names of `secrets` (the secret references withheld).
    pub secret_names: Vec<String>,
    /// `logConfiguration`, when set.
    pub log: Option<LogSetup>,
}

/// Where a container's output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSetup {
    /// `awslogs`, `awsfirelens`, `splunk`, ...
    pub driver: String,
    /// `awslogs-group` option.
    pub group: Option<String>,
    /// `awslogs-stream-prefix` option.
    pub stream_prefix: Option<String>,
    /// `mode` option: `blocking` or `non-blocking` (see [`super::log_loss`]).
    pub mode: Option<String>,
}

/// The deployment that started a service task.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentInfo {
    /// `ecs-svc/...`, from the task's `startedBy`.
    pub id: String,
    /// PRIMARY, ACTIVE or INACTIVE, as last described.
    pub status: Option<String>,
    /// IN_PROGRESS, COMPLETED or FAILED, as last described.
    pub rollout_state: Option<String>,
    /// The task definition the deployment rolled out.
    pub task_definition: Option<String>,
    /// When the deployment was created.
    pub created_at: Option<Timestamp>,
    /// The latest deployment state change on the task's timeline
    /// (`SERVICE_DEPLOYMENT_COMPLETED at 2026-11-20T13:06:00.012Z`).
    pub latest_notice: Option<String>,
    /// The deployment it replaced, when a service description lists it.
    pub previous: Option<PreviousDeployment>,
}

/// The deployment a deployment replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousDeployment {
    /// Its ID.
    pub id: String,
    /// The task definition it ran, when known.
    pub task_definition: Option<String>,
}

/// Another task within reach of this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlastLink {
    /// Index of the other task in the incident.
    pub task: usize,
    /// What the two share.
    pub shared: Vec<Shared>,
}

/// Something two tasks share that an attacker in one could use against the other.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Shared {
    /// The same image (`sha256:...`): the same vulnerable code.
    ImageDigest(String),
    /// The same task role ARN: stolen credentials work for both.
    TaskRole(String),
    /// The same security group ID: the same network reach.
    SecurityGroup(String),
}

/// Per source, whether the bundle could have shown activity of the task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// GuardDuty agent, awslogs, Falco, CloudTrail and the ECS task record, in that order.
    pub entries: Vec<CoverageEntry>,
}

impl Coverage {
    /// The entry for a source name (`cloudtrail`, ...).
    pub fn entry(&self, source: &str) -> Option<&CoverageEntry> {
        self.entries.iter().find(|entry| entry.source == source)
    }
}

/// One source's coverage of the task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageEntry {
    /// `guardduty-agent`, `awslogs`, `falco`, `cloudtrail` or `ecs-task`.
    pub source: &'static str,
    /// What the bundle can say.
    pub state: CoverageState,
    /// A sentence saying why, for the context pane.
    pub detail: String,
    /// A few words for the one-line summary (`no sidecar`, `12:30-14:31`).
    pub short: String,
}

/// How much a source can tell about the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoverageState {
    /// The bundle holds records of this source for the task.
    Data,
    /// The source was there and watching, and recorded nothing for the task.
    NoEvidence,
    /// The source could not have recorded the task, or its data is not in the bundle.
    NoData,
    /// The source's data covers only part of the task's lifetime.
    Partial,
}

impl CoverageState {
    /// The word used in the one-line summary.
    pub fn word(self) -> &'static str {
        match self {
            CoverageState::Data => "ok",
            CoverageState::NoEvidence => "quiet",
            CoverageState::NoData => "none",
            CoverageState::Partial => "partial",
        }
    }
}

/// One line for the console's coverage bar, ASCII only:
/// `guardduty-agent ok(2 findings)  falco none(no sidecar)  cloudtrail partial(12:30-14:31)`.
pub fn summarize_coverage(context: &TaskContext) -> String {
    context
        .coverage
        .entries
        .iter()
        .map(|entry| {
            if entry.short.is_empty() {
                format!("{} {}", entry.source, entry.state.word())
            } else {
                format!("{} {}({})", entry.source, entry.state.word(), entry.short)
            }
        })
        .collect::<Vec<_>>()
        .join("  ")
}

/// Facts about the whole incident that task contexts need, gathered once.
pub struct ContextIndex {
    /// Posture (or why there is none) per task definition ARN that a task runs.
    postures: HashMap<String, Result<Posture, String>>,
    /// Task role per task.
    task_roles: Vec<Option<String>>,
    /// Security groups per task.
    security_groups: Vec<BTreeSet<String>>,
    /// Service descriptions, oldest observation first.
    services: Vec<ServiceSnapshot>,
    /// Deployments by ID, merged over the snapshots (later ones win).
    deployments: HashMap<String, DeploymentRecord>,
    /// First and last CloudTrail record in the bundle.
    cloudtrail_window: Option<(Timestamp, Timestamp)>,
    /// The latest event of any source: "now" for tasks still running.
    latest_event: Option<Timestamp>,
    /// Falco alerts in the bundle.
    falco_alerts: usize,
    /// Records from awslogs streams in the bundle.
    log_records: usize,
}

/// A service as one record described it.
struct ServiceSnapshot {
    name: Option<String>,
    cluster: Option<String>,
    security_groups: BTreeSet<String>,
    deployments: Vec<DeploymentRecord>,
    observed: Option<Timestamp>,
}

/// One deployment entry of a service description.
#[derive(Clone, Default)]
struct DeploymentRecord {
    id: String,
    status: Option<String>,
    rollout_state: Option<String>,
    task_definition: Option<String>,
    created_at: Option<Timestamp>,
    security_groups: BTreeSet<String>,
}

impl ContextIndex {
    /// Scans the incident's events once, and reads from the bundle only the
    /// task definitions tasks run and the service descriptions that name
    /// their deployments.
    pub fn new(incident: &Incident, reader: &mut RawReader) -> ContextIndex {
        let scan = EventScan::run(incident);
        let postures = read_postures(incident, &scan.definition_events, reader);
        let mut services: Vec<ServiceSnapshot> = scan
            .service_records
            .into_iter()
            .filter_map(|((artifact, locator), observed)| {
                let record = reader.record(&RawRef { artifact, locator }).ok()?;
                service_snapshot(&record, observed)
            })
            .collect();
        services.sort_by_key(|s| s.observed);
        let mut index = ContextIndex {
            task_roles: Vec::new(),
            security_groups: Vec::new(),
            postures,
            deployments: merge_deployments(&services),
            services,
            cloudtrail_window: scan.cloudtrail_window,
            latest_event: incident.events.last().map(|e| e.time),
            falco_alerts: scan.falco_alerts,
            log_records: scan.log_records,
        };
        index.task_roles = incident
            .tasks
            .iter()
            .map(|task| {
                let posture = index.posture_of(task).ok()?;
                posture.task_role_arn.clone()
            })
            .collect();
        index.security_groups = incident
            .tasks
            .iter()
            .map(|task| index.task_security_groups(task))
            .collect();
        index
    }

    /// The task's posture, or why there is none.
    fn posture_of(&self, task: &TaskFacts) -> Result<&Posture, String> {
        let Some(arn) = task.task_definition_arn.as_deref() else {
            return Err("the task's task definition is not known".into());
        };
        match self.postures.get(arn) {
            Some(Ok(posture)) => Ok(posture),
            Some(Err(reason)) => Err(reason.clone()),
            None => Err(not_in_bundle(arn)),
        }
    }

    /// The deployment's own network configuration, else the service's.
    fn task_security_groups(&self, task: &TaskFacts) -> BTreeSet<String> {
        let from_deployment = task
            .started_by
            .as_deref()
            .and_then(|id| self.deployments.get(id))
            .map(|d| &d.security_groups)
            .filter(|groups| !groups.is_empty());
        if let Some(groups) = from_deployment {
            return groups.clone();
        }
        let Some(service) = task.service() else {
            return BTreeSet::new();
        };
        let cluster = task.cluster.as_deref().map(cluster_name);
        self.services
            .iter()
            .rev()
            .find(|s| {
                s.name.as_deref() == Some(service)
                    && !s.security_groups.is_empty()
                    && match (&s.cluster, cluster) {
                        (Some(theirs), Some(ours)) => theirs == ours,
                        _ => true,
                    }
            })
            .map(|s| s.security_groups.clone())
            .unwrap_or_default()
    }
}

impl DeploymentRecord {
    /// Takes every field a later description of the same deployment knows.
    fn absorb(&mut self, later: &DeploymentRecord) {
        macro_rules! take {
            ($($field:ident),*) => {$(
                if later.$field.is_some() {
                    self.$field = later.$field.clone();
                }
            )*};
        }
        take!(status, rollout_state, task_definition, created_at);
        if !later.security_groups.is_empty() {
            self.security_groups = later.security_groups.clone();
        }
    }
}

/// What one pass over the events finds.
struct EventScan<'a> {
    /// Per task definition ARN a task runs: the event that registered it, if any.
    definition_events: BTreeMap<&'a str, Option<usize>>,
    /// Service descriptions to read: (artifact, locator) and when observed, if known.
    service_records: BTreeMap<(usize, String), Option<Timestamp>>,
    cloudtrail_window: Option<(Timestamp, Timestamp)>,
    falco_alerts: usize,
    log_records: usize,
}

impl<'a> EventScan<'a> {
    fn run(incident: &'a Incident) -> EventScan<'a> {
        let wanted_deployments: BTreeSet<&str> = incident
            .tasks
            .iter()
            .filter_map(|t| t.started_by.as_deref())
            .collect();
        let mut scan = EventScan {
            definition_events: incident
                .tasks
                .iter()
                .filter_map(|t| Some((t.task_definition_arn.as_deref()?, None)))
                .collect(),
            service_records: BTreeMap::new(),
            cloudtrail_window: None,
            falco_alerts: 0,
            log_records: 0,
        };
        for (position, event) in incident.events.iter().enumerate() {
            match event.source {
                Source::Cloudtrail => {
                    scan.cloudtrail_window = Some(match scan.cloudtrail_window {
                        Some((first, last)) => (first.min(event.time), last.max(event.time)),
                        None => (event.time, event.time),
                    });
                }
                Source::Falco => scan.falco_alerts += 1,
                _ => {}
            }
            if event.keys.iter().any(|k| matches!(k, Key::LogStream(_))) {
                scan.log_records += 1;
            }
            if event.kind == "RegisterTaskDefinition" {
                for key in &event.keys {
                    if let Key::TaskDefinition(arn) = key {
                        if let Some(slot @ None) = scan.definition_events.get_mut(arn.as_str()) {
                            *slot = Some(position);
                        }
                    }
                }
            }
            match (event.source, event.kind.as_str()) {
                (Source::Ecs, "DeploymentCreated" | "ServiceEvent") => {
                    for raw in &event.raw {
                        if let Some(service) = service_locator(&raw.locator) {
                            scan.service_records.insert((raw.artifact, service), None);
                        }
                    }
                }
                (Source::Cloudtrail, "UpdateService" | "CreateService")
                    if event.keys.iter().any(|k| {
                        matches!(k, Key::Deployment(id) if wanted_deployments.contains(id.as_str()))
                    }) =>
                {
                    for raw in &event.raw {
                        let service = format!("{}/responseElements/service", raw.locator);
                        scan.service_records
                            .insert((raw.artifact, service), Some(event.time));
                    }
                }
                _ => {}
            }
        }
        scan
    }
}

/// Deployments by ID over all snapshots, oldest first, so later descriptions win.
fn merge_deployments(services: &[ServiceSnapshot]) -> HashMap<String, DeploymentRecord> {
    let mut deployments: HashMap<String, DeploymentRecord> = HashMap::new();
    for record in services.iter().flat_map(|s| &s.deployments) {
        deployments
            .entry(record.id.clone())
            .or_insert_with(|| DeploymentRecord {
                id: record.id.clone(),
                ..DeploymentRecord::default()
            })
            .absorb(record);
    }
    deployments
}

fn not_in_bundle(arn: &str) -> String {
    format!("task definition {} is not in the bundle", arn_tail(arn))
}

/// Resolves the task definitions tasks run into postures.
fn read_postures(
    incident: &Incident,
    definition_events: &BTreeMap<&str, Option<usize>>,
    reader: &mut RawReader,
) -> HashMap<String, Result<Posture, String>> {
    let mut postures = HashMap::new();
    for (&arn, &position) in definition_events {
        let outcome = match position.and_then(|p| incident.events.get(p)) {
            Some(event) => posture_from_records(arn, &event.raw, reader),
            None => Err(not_in_bundle(arn)),
        };
        postures.insert(arn.to_string(), outcome);
    }
    postures
}

/// The posture from the first raw copy of a registration that reads.
fn posture_from_records(
    arn: &str,
    copies: &[RawRef],
    reader: &mut RawReader,
) -> Result<Posture, String> {
    let mut problem = "no copy holds a task definition".to_string();
    for raw in copies {
        match reader.record(raw) {
            Ok(record) => match definition_in(&record).and_then(posture_from) {
                Some(posture) => return Ok(posture),
                None => continue,
            },
            Err(error) => problem = error.to_string(),
        }
    }
    Err(format!(
        "task definition {} could not be read: {problem}",
        arn_tail(arn)
    ))
}

/// The task definition in a describe-task-definition record or in the
/// response of a RegisterTaskDefinition CloudTrail record.
fn definition_in(record: &Value) -> Option<&Value> {
    if record.get("containerDefinitions").is_some() {
        return Some(record);
    }
    path(record, &["responseElements", "taskDefinition"])
}

/// Reads the posture of a task definition object.
pub fn posture_from(definition: &Value) -> Option<Posture> {
    let arn = path_str(definition, &["taskDefinitionArn"])?;
    let name = match (
        path_str(definition, &["family"]),
        path(definition, &["revision"]).and_then(Value::as_i64),
    ) {
        (Some(family), Some(revision)) => format!("{family}:{revision}"),
        _ => arn_tail(arn).to_string(),
    };
    let containers = path_array(definition, &["containerDefinitions"])
        .iter()
        .map(container_posture)
        .collect();
    Some(Posture {
        task_definition: name,
        arn: arn.to_string(),
        network_mode: owned(definition, &["networkMode"]),
        task_role_arn: owned(definition, &["taskRoleArn"]),
        execution_role_arn: owned(definition, &["executionRoleArn"]),
        containers,
    })
}

fn container_posture(container: &Value) -> ContainerPosture {
    let flag = |name: &str| path(container, &[name]).and_then(Value::as_bool);
    let names = |list: &str| -> Vec<String> {
        path_array(container, &[list])
            .iter()
            .filter_map(|item| owned(item, &["name"]))
            .collect()
    };
    let log = path(container, &["logConfiguration"]).and_then(|config| {
        Some(LogSetup {
            driver: owned(config, &["logDriver"])?,
            group: owned(config, &["options", "awslogs-group"]),
            stream_prefix: owned(config, &["options", "awslogs-stream-prefix"]),
            mode: owned(config, &["options", "mode"]),
        })
    });
    ContainerPosture {
        name: owned(container, &["name"]).unwrap_or_default(),
        image: owned(container, &["image"]),
        privileged: flag("privileged"),
        readonly_root_filesystem: flag("readonlyRootFilesystem"),
        user: owned(container, &["user"]),
        essential: flag("essential"),
        capabilities_added: path_array(container, &["linuxParameters", "capabilities", "add"])
            .iter()
            .filter_map(|c| c.as_str().map(str::to_string))
            .collect(),
        environment_names: names("environment"),
        secret_names: names("secrets"),
        log,
    }
}

/// `…/services/<n>` or `…/service` from the locator of one of its
/// deployments or events.
fn service_locator(locator: &str) -> Option<String> {
    ["/deployments/", "/events/"].iter().find_map(|marker| {
        let service = &locator[..locator.rfind(marker)?];
        let numbered = service
            .rsplit_once("/services/")
            .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        (numbered || service.ends_with("/service") || service == "service")
            .then(|| service.to_string())
    })
}

fn cluster_name(cluster: &str) -> &str {
    cluster
        .rsplit_once(":cluster/")
        .map_or(cluster, |(_, name)| name)
}

fn security_groups(value: &Value) -> BTreeSet<String> {
    path_array(
        value,
        &[
            "networkConfiguration",
            "awsvpcConfiguration",
            "securityGroups",
        ],
    )
    .iter()
    .filter_map(|g| g.as_str().map(str::to_string))
    .collect()
}

/// A service description; `observed` is when the record was made, if known
/// (else the latest deployment update it mentions).
fn service_snapshot(service: &Value, observed: Option<Timestamp>) -> Option<ServiceSnapshot> {
    if !service.is_object() {
        return None;
    }
    let deployment_entries = path_array(service, &["deployments"]);
    let deployments: Vec<DeploymentRecord> = deployment_entries
        .iter()
        .filter_map(|d| {
            Some(DeploymentRecord {
                id: owned(d, &["id"])?,
                status: owned(d, &["status"]),
                rollout_state: owned(d, &["rolloutState"]),
                task_definition: owned(d, &["taskDefinition"]),
                created_at: path_time(d, &["createdAt"]),
                security_groups: security_groups(d),
            })
        })
        .collect();
    let observed = observed.or_else(|| {
        deployment_entries
            .iter()
            .filter_map(|d| path_time(d, &["updatedAt"]))
            .max()
    });
    Some(ServiceSnapshot {
        name: owned(service, &["serviceName"]),
        cluster: path_str(service, &["clusterArn"]).map(|c| cluster_name(c).to_string()),
        security_groups: security_groups(service),
        deployments,
        observed,
    })
}

/// The context of task `task` (an index into `incident.tasks`, which it
/// must be): reads the task's timeline once, and the index.
pub fn task_context(incident: &Incident, index: &ContextIndex, task: usize) -> TaskContext {
    let facts = &incident.tasks[task];
    let seen = TimelineSummary::of(incident, task);
    let (posture, posture_unavailable) = match index.posture_of(facts) {
        Ok(posture) => (Some(posture.clone()), None),
        Err(reason) => (None, Some(reason)),
    };
    let deployment = facts
        .started_by
        .as_deref()
        .filter(|id| id.starts_with("ecs-svc/"))
        .map(|id| deployment_info(incident, index, id, &seen));
    let coverage = Coverage {
        entries: vec![
            guardduty_coverage(facts, &seen),
            super::log_loss::flag_dropped_lines(
                awslogs_coverage(posture.as_ref(), index, &seen),
                posture.as_ref(),
                facts,
            ),
            falco_coverage(facts, posture.as_ref(), index, &seen),
            cloudtrail_coverage(facts, index, &seen),
            ecs_task_coverage(facts),
        ],
    };
    TaskContext {
        posture,
        posture_unavailable,
        deployment,
        blast_radius: blast_radius(incident, index, task),
        coverage,
    }
}

/// What the task's timeline holds, counted in one pass.
#[derive(Default)]
struct TimelineSummary {
    runtime_findings: usize,
    falco_alerts: usize,
    log_records: usize,
    cloudtrail_records: usize,
    /// Latest deployment state change per deployment ID: (kind, time).
    deployment_notices: HashMap<String, (String, Timestamp)>,
}

impl TimelineSummary {
    fn of(incident: &Incident, task: usize) -> TimelineSummary {
        let mut seen = TimelineSummary::default();
        let id = &incident.tasks[task].id;
        for &position in &incident.timelines[task] {
            let Some(event) = incident.events.get(position) else {
                continue;
            };
            match event.source {
                Source::Guardduty if event.kind.contains(":Runtime/") => seen.runtime_findings += 1,
                Source::Falco => seen.falco_alerts += 1,
                Source::Cloudtrail => seen.cloudtrail_records += 1,
                _ => {}
            }
            if event.keys.contains(&Key::LogStream(id.clone())) {
                seen.log_records += 1;
            }
            if event.source == Source::Ecs && event.kind.starts_with("SERVICE_DEPLOYMENT_") {
                for key in &event.keys {
                    if let Key::Deployment(deployment) = key {
                        // The timeline is in time order: the last notice wins.
                        seen.deployment_notices
                            .insert(deployment.clone(), (event.kind.clone(), event.time));
                    }
                }
            }
        }
        seen
    }
}

fn deployment_info(
    incident: &Incident,
    index: &ContextIndex,
    id: &str,
    seen: &TimelineSummary,
) -> DeploymentInfo {
    let record = index.deployments.get(id);
    let created_at = record.and_then(|r| r.created_at);
    DeploymentInfo {
        id: id.to_string(),
        status: record.and_then(|r| r.status.clone()),
        rollout_state: record.and_then(|r| r.rollout_state.clone()),
        task_definition: record.and_then(|r| r.task_definition.clone()),
        created_at,
        latest_notice: seen
            .deployment_notices
            .get(id)
            .map(|(kind, time)| format!("{kind} at {}", format_time(time))),
        previous: previous_deployment(incident, index, id, created_at),
    }
}

/// The deployment listed beside `id` in a service description that was
/// created before it (or, without creation times, is not PRIMARY while `id` is).
fn previous_deployment(
    incident: &Incident,
    index: &ContextIndex,
    id: &str,
    created_at: Option<Timestamp>,
) -> Option<PreviousDeployment> {
    let mut best: Option<&DeploymentRecord> = None;
    for snapshot in &index.services {
        let Some(ours) = snapshot.deployments.iter().find(|d| d.id == id) else {
            continue;
        };
        let ours_created = ours.created_at.or(created_at);
        for sibling in snapshot.deployments.iter().filter(|d| d.id != id) {
            let earlier = match (sibling.created_at, ours_created) {
                (Some(theirs), Some(ours)) => theirs < ours,
                _ => {
                    ours.status.as_deref() == Some("PRIMARY")
                        && sibling.status.as_deref() != Some("PRIMARY")
                }
            };
            let newer_than_best = match best {
                None => true,
                Some(current) => sibling.created_at > current.created_at,
            };
            if earlier && newer_than_best {
                best = Some(sibling);
            }
        }
    }
    let previous = best?;
    let task_definition = previous
        .task_definition
        .clone()
        .or_else(|| {
            index
                .deployments
                .get(&previous.id)
                .and_then(|r| r.task_definition.clone())
        })
        .or_else(|| {
            incident
                .tasks
                .iter()
                .find(|t| t.started_by.as_deref() == Some(previous.id.as_str()))
                .and_then(|t| t.task_definition_arn.clone())
        });
    Some(PreviousDeployment {
        id: previous.id.clone(),
        task_definition,
    })
}

fn blast_radius(incident: &Incident, index: &ContextIndex, task: usize) -> Vec<BlastLink> {
    let digests = incident.tasks[task].image_digests();
    let role = index.task_roles.get(task).cloned().flatten();
    let groups = index.security_groups.get(task).cloned().unwrap_or_default();
    let mut links: Vec<BlastLink> = incident
        .tasks
        .iter()
        .enumerate()
        .filter(|&(other, _)| other != task)
        .filter_map(|(other, facts)| {
            let mut shared: Vec<Shared> = facts
                .image_digests()
                .intersection(&digests)
                .map(|d| Shared::ImageDigest(d.to_string()))
                .collect();
            if let (Some(ours), Some(Some(theirs))) = (&role, index.task_roles.get(other)) {
                if ours == theirs {
                    shared.push(Shared::TaskRole(ours.clone()));
                }
            }
            if let Some(theirs) = index.security_groups.get(other) {
                shared.extend(
                    groups
                        .intersection(theirs)
                        .cloned()
                        .map(Shared::SecurityGroup),
                );
            }
            (!shared.is_empty()).then_some(BlastLink {
                task: other,
                shared,
            })
        })
        .collect();
    links.sort_by(|a, b| {
        b.shared
            .len()
            .cmp(&a.shared.len())
            .then(a.task.cmp(&b.task))
    });
    links
}

fn entry(source: &'static str, state: CoverageState, detail: String, short: &str) -> CoverageEntry {
    CoverageEntry {
        source,
        state,
        detail,
        short: short.to_string(),
    }
}

fn plural(count: usize, one: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {one}s")
    }
}

fn guardduty_coverage(facts: &TaskFacts, seen: &TimelineSummary) -> CoverageEntry {
    const SOURCE: &str = "guardduty-agent";
    let agent = facts
        .containers
        .iter()
        .any(|c| c.name.starts_with(GUARDDUTY_AGENT_PREFIX));
    if seen.runtime_findings > 0 {
        let findings = plural(seen.runtime_findings, "runtime finding");
        return entry(
            SOURCE,
            CoverageState::Data,
            format!("{findings} for this task"),
            &findings,
        );
    }
    if agent {
        return entry(
            SOURCE,
            CoverageState::NoEvidence,
            "the GuardDuty runtime agent ran in the task and reported nothing".into(),
            "",
        );
    }
    if facts.containers.is_empty() {
        return entry(
            SOURCE,
            CoverageState::NoData,
            "the task's containers are unknown and no runtime finding names it".into(),
            "containers unknown",
        );
    }
    entry(
        SOURCE,
        CoverageState::NoData,
        "no GuardDuty agent container in the task and no runtime finding names it".into(),
        "no agent",
    )
}

fn awslogs_coverage(
    posture: Option<&Posture>,
    index: &ContextIndex,
    seen: &TimelineSummary,
) -> CoverageEntry {
    const SOURCE: &str = "awslogs";
    let groups: BTreeSet<&str> = posture
        .into_iter()
        .flat_map(|p| &p.containers)
        .filter_map(|c| c.log.as_ref())
        .filter(|log| log.driver == "awslogs")
        .map(|log| log.group.as_deref().unwrap_or("?"))
        .collect();
    let groups_text = groups.iter().copied().collect::<Vec<_>>().join(", ");
    if seen.log_records > 0 {
        let records = plural(seen.log_records, "log record");
        return entry(
            SOURCE,
            CoverageState::Data,
            format!("{records} from the task's awslogs streams"),
            &records,
        );
    }
    match posture {
        Some(_) if groups.is_empty() => entry(
            SOURCE,
            CoverageState::NoData,
            "no container of the task definition logs with the awslogs driver".into(),
            "not configured",
        ),
        Some(_) if index.log_records > 0 => entry(
            SOURCE,
            CoverageState::NoEvidence,
            format!("logs to {groups_text}; the bundle's log exports hold no stream of this task"),
            "",
        ),
        Some(_) => entry(
            SOURCE,
            CoverageState::NoData,
            format!("logs to {groups_text}, but the bundle holds no CloudWatch Logs export"),
            "not exported",
        ),
        None => entry(
            SOURCE,
            CoverageState::NoData,
            "no log records for this task, and its task definition is not in the bundle".into(),
            "no logs",
        ),
    }
}

fn falco_coverage(
    facts: &TaskFacts,
    posture: Option<&Posture>,
    index: &ContextIndex,
    seen: &TimelineSummary,
) -> CoverageEntry {
    const SOURCE: &str = "falco";
    if seen.falco_alerts > 0 {
        let alerts = plural(seen.falco_alerts, "alert");
        return entry(
            SOURCE,
            CoverageState::Data,
            format!("{alerts} for this task"),
            &alerts,
        );
    }
    let mentions_falco = |name: &str, image: Option<&str>| {
        name.to_ascii_lowercase().contains("falco")
            || image.is_some_and(|i| i.to_ascii_lowercase().contains("falco"))
    };
    let sidecar = facts
        .containers
        .iter()
        .any(|c| mentions_falco(&c.name, c.image.as_deref()))
        || posture.is_some_and(|p| {
            p.containers
                .iter()
                .any(|c| mentions_falco(&c.name, c.image.as_deref()))
        });
    if facts.containers.is_empty() && posture.is_none() {
        return entry(
            SOURCE,
            CoverageState::NoData,
            "the task's containers are unknown and no Falco alert names it".into(),
            "containers unknown",
        );
    }
    match (sidecar, index.falco_alerts > 0) {
        (true, true) => entry(
            SOURCE,
            CoverageState::NoEvidence,
            "a Falco sidecar ran in the task and none of the bundle's Falco alerts is from it"
                .into(),
            "",
        ),
        (true, false) => entry(
            SOURCE,
            CoverageState::NoData,
            "a Falco sidecar ran in the task, but the bundle holds no Falco alerts".into(),
            "not exported",
        ),
        (false, _) => entry(
            SOURCE,
            CoverageState::NoData,
            "no Falco sidecar in the task".into(),
            "no sidecar",
        ),
    }
}

/// `HH:MM`, with the date when the two instants fall on different days.
fn short_span(from: Timestamp, to: Timestamp) -> String {
    let format = if from.date_naive() == to.date_naive() {
        "%H:%M"
    } else {
        "%Y-%m-%d %H:%M"
    };
    format!("{}-{}", from.format(format), to.format(format))
}

fn cloudtrail_coverage(
    facts: &TaskFacts,
    index: &ContextIndex,
    seen: &TimelineSummary,
) -> CoverageEntry {
    const SOURCE: &str = "cloudtrail";
    let Some((first, last)) = index.cloudtrail_window else {
        return entry(
            SOURCE,
            CoverageState::NoData,
            "the bundle holds no CloudTrail records".into(),
            "not in bundle",
        );
    };
    let window = format!(
        "CloudTrail spans {} to {}",
        format_time(&first),
        format_time(&last)
    );
    let span = short_span(first, last);
    let start = facts.created_at.or(facts.started_at);
    let stopped = facts.stopped_at.or(facts.stopping_at);
    let end = stopped.or(index.latest_event);
    let (Some(start), Some(end)) = (start, end) else {
        return match seen.cloudtrail_records {
            0 => entry(
                SOURCE,
                CoverageState::NoEvidence,
                format!("{window}; the task's lifetime is unknown, and no record names it"),
                "lifetime unknown",
            ),
            n => entry(
                SOURCE,
                CoverageState::Data,
                format!("{} for this task; {window}", plural(n, "record")),
                &plural(n, "record"),
            ),
        };
    };
    let lifetime = match stopped {
        Some(_) => format!(
            "the task's lifetime {} to {}",
            format_time(&start),
            format_time(&end)
        ),
        None => format!(
            "the task's lifetime from {}, still running at the bundle's last record {}",
            format_time(&start),
            format_time(&end)
        ),
    };
    // Saturating: evidence can date records at the very ends of the calendar.
    let covered_from = first
        .checked_sub_signed(CLOUDTRAIL_SLACK)
        .unwrap_or(Timestamp::MIN_UTC);
    let covered_to = last
        .checked_add_signed(CLOUDTRAIL_SLACK)
        .unwrap_or(Timestamp::MAX_UTC);
    if end < covered_from || start > covered_to {
        entry(
            SOURCE,
            CoverageState::NoData,
            format!("{window}, outside {lifetime}"),
            &span,
        )
    } else if start < covered_from || end > covered_to {
        entry(
            SOURCE,
            CoverageState::Partial,
            format!("{window}: only part of {lifetime}"),
            &span,
        )
    } else if seen.cloudtrail_records > 0 {
        let records = plural(seen.cloudtrail_records, "record");
        entry(
            SOURCE,
            CoverageState::Data,
            format!("{records} for this task; {window}, covering {lifetime}"),
            &records,
        )
    } else {
        entry(
            SOURCE,
            CoverageState::NoEvidence,
            format!("{window}, covering {lifetime}; no record names the task"),
            "",
        )
    }
}

fn ecs_task_coverage(facts: &TaskFacts) -> CoverageEntry {
    const SOURCE: &str = "ecs-task";
    match &facts.last_status {
        Some(status) => {
            let stop = facts
                .stop_code
                .as_deref()
                .map(|code| format!(" ({code})"))
                .unwrap_or_default();
            entry(
                SOURCE,
                CoverageState::Data,
                format!("task record present: last status {status}{stop}"),
                "",
            )
        }
        None => entry(
            SOURCE,
            CoverageState::NoData,
            "no describe-tasks output or task state change: the task is known only from \
             other records"
                .into(),
            "not described",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::build::import_to_bundle;
    use crate::bundle::Bundle;

    const T0: &str = "c41b7a9e2d5f4e80b3a6c9d1e7f20b58";
    const T1: &str = "3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93";
    const T2: &str = "8d2e6f1a0b9c47d3a5e2f8c1b6d4a790";
    const T3: &str = "e25a7c0f9b3d4e61a8c2f0d7b5e9a134";
    const T9: &str = "7b0e1c2d-3f4a-4b5c-8d6e-9f0a1b2c3d4e";

    struct Demo {
        _dir: tempfile::TempDir,
        incident: Incident,
        index: ContextIndex,
    }

    impl Demo {
        fn new() -> Demo {
            let dir = tempfile::tempdir().expect("temp dir");
            let root = dir.path().join("bundle");
            import_to_bundle(crate::demo::inputs(), &root).expect("demo bundle");
            let bundle = Bundle::open(&root).expect("opens");
            let (incident, problems) = bundle.incident();
            assert!(problems.is_empty(), "{problems:?}");
            let mut reader = RawReader::new(bundle);
            let index = ContextIndex::new(&incident, &mut reader);
            Demo {
                _dir: dir,
                incident,
                index,
            }
        }

        fn task(&self, id: &str) -> usize {
            self.incident.find_task(id).expect("demo task")
        }

        fn context(&self, id: &str) -> TaskContext {
            task_context(&self.incident, &self.index, self.task(id))
        }
    }

    #[test]
    fn posture_of_the_compromised_task() {
        let demo = Demo::new();
        let context = demo.context(T1);
        let posture = context.posture.expect("checkout-api:41 is in the bundle");
        assert_eq!(context.posture_unavailable, None);
        assert_eq!(posture.task_definition, "checkout-api:41");
        assert_eq!(posture.network_mode.as_deref(), Some("awsvpc"));
        assert_eq!(
            posture.task_role_arn.as_deref(),
            Some("arn:aws:iam::111122223333:role/checkout-api-task")
        );
        assert_eq!(
            posture.execution_role_arn.as_deref(),
            Some("arn:aws:iam::111122223333:role/checkout-api-execution")
        );
        let names: Vec<&str> = posture.containers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["app", "log-router", "falco"]);
        let app = &posture.containers[0];
        assert_eq!(app.user.as_deref(), Some("0"));
        assert_eq!(app.privileged, Some(false));
        assert_eq!(app.readonly_root_filesystem, Some(false));
        assert_eq!(app.essential, Some(true));
        assert_eq!(
            app.environment_names,
            [
                "APP_ENV",
                "PORT",
                "PAYMENTS_GATEWAY_URL",
                "RECEIPT_TEMPLATES",
                "AWS_REGION"
            ]
        );
        assert_eq!(app.secret_names, ["DB_PASSWORD", "STRIPE_API_KEY"]);
        assert_eq!(
            app.log,
            Some(LogSetup {
                driver: "awslogs".into(),
                group: Some("/ecs/checkout-api".into()),
                stream_prefix: Some("ecs".into()),
                mode: None,
            })
        );
        assert_eq!(posture.containers[2].capabilities_added, ["SYS_PTRACE"]);
        assert_eq!(posture.containers[1].readonly_root_filesystem, None);
    }

    #[test]
    fn posture_never_holds_environment_or_secret_values() {
        let demo = Demo::new();
        let posture = demo.context(T1).posture.expect("posture");
        let shown = format!("{posture:?}");
        let (_, definition) = crate::demo::FILES
            .iter()
            .find(|(name, _)| *name == "ecs_describe_task_definition_41.json")
            .expect("demo file");
        let mut document: Value = serde_json::from_slice(definition).expect("json");
        let mut values = Vec::new();
        let containers = document["taskDefinition"]["containerDefinitions"]
            .as_array_mut()
            .expect("containers");
        for container in containers {
            let Some(fields) = container.as_object_mut() else {
                continue;
            };
            for (list, field) in [("environment", "value"), ("secrets", "valueFrom")] {
                if let Some(Value::Array(items)) = fields.remove(list) {
                    values.extend(
                        items
                            .iter()
                            .filter_map(|item| item[field].as_str().map(str::to_string)),
                    );
                }
            }
        }
        // Values that also appear outside environment and secrets (the region
        // in image URIs, say) may show up legitimately; every other must not.
        let elsewhere = document.to_string();
        let private: Vec<&String> = values
            .iter()
            .filter(|v| !elsewhere.contains(v.as_str()))
            .collect();
        assert!(private.len() >= 5, "{private:?}");
        for value in private {
            assert!(
                !shown.contains(value.as_str()),
                "{value} leaked into {shown}"
            );
        }
    }

    #[test]
    fn missing_task_definitions_say_why() {
        let demo = Demo::new();
        let t9 = demo.context(T9);
        assert_eq!(t9.posture, None);
        assert_eq!(
            t9.posture_unavailable.as_deref(),
            Some("task definition batch-reports:12 is not in the bundle")
        );
        let t3 = demo.context(T3);
        assert_eq!(t3.posture, None);
        assert!(t3
            .posture_unavailable
            .is_some_and(|r| r.contains("not known")));
        let t0 = demo.context(T0);
        assert_eq!(
            t0.posture.expect("revision 40").task_definition,
            "checkout-api:40"
        );
    }

    #[test]
    fn deployment_that_started_the_task() {
        let demo = Demo::new();
        let deployment = demo.context(T1).deployment.expect("service task");
        assert_eq!(deployment.id, "ecs-svc/4417230311982341122");
        assert_eq!(deployment.status.as_deref(), Some("PRIMARY"));
        // describe-services (14:32) is fresher than the UpdateService response (IN_PROGRESS).
        assert_eq!(deployment.rollout_state.as_deref(), Some("COMPLETED"));
        assert!(deployment
            .task_definition
            .is_some_and(|d| d.ends_with("checkout-api:41")));
        assert_eq!(
            deployment.created_at.map(|t| format_time(&t)).as_deref(),
            Some("2026-11-20T12:55:00.433Z")
        );
        assert_eq!(
            deployment.latest_notice.as_deref(),
            Some("SERVICE_DEPLOYMENT_COMPLETED at 2026-11-20T13:06:00.012Z")
        );
        let previous = deployment
            .previous
            .expect("UpdateService lists the old deployment");
        assert_eq!(previous.id, "ecs-svc/2250671834409127745");
        assert!(previous
            .task_definition
            .is_some_and(|d| d.ends_with("checkout-api:40")));
        // T0's deployment is known only from that response; T3 was started by no known deployment.
        let t0 = demo.context(T0).deployment.expect("service task");
        assert_eq!(t0.status.as_deref(), Some("ACTIVE"));
        assert_eq!(demo.context(T3).deployment, None);
    }

    #[test]
    fn blast_radius_follows_digests_roles_and_security_groups() {
        let demo = Demo::new();
        let radius = demo.context(T1).blast_radius;
        let tasks: Vec<&str> = radius
            .iter()
            .map(|link| demo.incident.tasks[link.task].id.as_str())
            .collect();
        assert_eq!(tasks, [T2, T0], "{radius:?}");
        let t2 = &radius[0].shared;
        assert!(t2.contains(&Shared::ImageDigest(
            "sha256:139e2f2fea44898ac4610125ca1680dbedc9e7bc9e8390d70f226bc3bc45b5e4".into()
        )));
        assert!(t2.contains(&Shared::TaskRole(
            "arn:aws:iam::111122223333:role/checkout-api-task".into()
        )));
        assert!(t2.contains(&Shared::SecurityGroup("sg-0e7d6c5b4a3928170".into())));
        assert_eq!(t2.len(), 5, "three digests, the role and the group: {t2:?}");
        // T0 ran the good build: only the log router image, the role and the group.
        let t0 = &radius[1].shared;
        assert_eq!(t0.len(), 3, "{t0:?}");
        assert!(!t0.contains(&Shared::ImageDigest(
            "sha256:139e2f2fea44898ac4610125ca1680dbedc9e7bc9e8390d70f226bc3bc45b5e4".into()
        )));
        // Another service's task shares nothing, in either direction.
        assert!(demo.context(T9).blast_radius.is_empty());
        assert!(demo.context(T3).blast_radius.is_empty());
    }

    fn states(context: &TaskContext) -> Vec<(&'static str, CoverageState)> {
        context
            .coverage
            .entries
            .iter()
            .map(|e| (e.source, e.state))
            .collect()
    }

    #[test]
    fn coverage_tells_no_evidence_from_no_data() {
        use CoverageState::*;
        let demo = Demo::new();
        assert_eq!(
            states(&demo.context(T1)),
            [
                ("guardduty-agent", Data),
                ("awslogs", Data),
                ("falco", Data),
                ("cloudtrail", Data),
                ("ecs-task", Data),
            ]
        );
        // T0 stopped before the sample's CloudTrail begins in earnest, ran no
        // Falco sidecar, and logged to awslogs without a single exported line.
        assert_eq!(
            states(&demo.context(T0)),
            [
                ("guardduty-agent", NoData),
                ("awslogs", NoEvidence),
                ("falco", NoData),
                ("cloudtrail", Partial),
                ("ecs-task", Data),
            ]
        );
        let t3 = demo.context(T3);
        assert_eq!(
            summarize_coverage(&t3),
            "guardduty-agent none(containers unknown)  awslogs none(no logs)  \
             falco none(containers unknown)  cloudtrail quiet(lifetime unknown)  \
             ecs-task none(not described)"
        );
        let t9 = demo.context(T9);
        assert_eq!(t9.coverage.entry("awslogs").map(|e| e.state), Some(NoData));
        let line = summarize_coverage(&demo.context(T0));
        assert_eq!(
            line,
            "guardduty-agent none(no agent)  awslogs quiet(log lines may have been dropped)  \
             falco none(no sidecar)  cloudtrail partial(12:30-14:31)  ecs-task ok"
        );
        assert!(line.is_ascii());
    }

    #[test]
    fn coverage_of_agent_sidecars_and_running_tasks() {
        let demo = Demo::new();
        let mut incident = crate::inspect::test_support::demo();
        let t2 = incident.find_task(T2).expect("T2");
        // A running task with the GuardDuty agent and no finding: quiet, not "no data".
        incident.timelines[t2].retain(|&e| incident.events[e].source != Source::Guardduty);
        incident.tasks[t2].containers.push(crate::model::Container {
            name: "aws-guardduty-agent-AbCdE".into(),
            ..Default::default()
        });
        let context = task_context(&incident, &demo.index, t2);
        let guardduty = context.coverage.entry("guardduty-agent").expect("entry");
        assert_eq!(guardduty.state, CoverageState::NoEvidence);
        // Still running: its lifetime runs to the bundle's last event, within CloudTrail's reach.
        assert!(incident.tasks[t2].stopped_at.is_none());
        let cloudtrail = context.coverage.entry("cloudtrail").expect("entry");
        assert_eq!(
            cloudtrail.state,
            CoverageState::Data,
            "{}",
            cloudtrail.detail
        );
        // Without its Falco alerts, the sidecar still shows as present and quiet.
        incident.timelines[t2].retain(|&e| incident.events[e].source != Source::Falco);
        let context = task_context(&incident, &demo.index, t2);
        let falco = context.coverage.entry("falco").expect("entry");
        assert_eq!(falco.state, CoverageState::NoEvidence);
    }

    #[test]
    fn service_locators_are_found_in_deployment_and_event_locators() {
        assert_eq!(
            service_locator("/services/0/deployments/1").as_deref(),
            Some("/services/0")
        );
        assert_eq!(
            service_locator("/data/services/12/events/3").as_deref(),
            Some("/data/services/12")
        );
        assert_eq!(
            service_locator("/service/events/0").as_deref(),
            Some("/service")
        );
        assert_eq!(service_locator("/events/3"), None);
        assert_eq!(service_locator("/Records/2"), None);
    }
}
