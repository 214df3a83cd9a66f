//! The generated ground truth: a handful of ECS tasks with everything that
//! identifies them, and the records the evidence will hold about them,
//! decoys included. Strategies here decide *what* happened; evidence.rs
//! decides how AWS tools would have written it down.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::Index;

/// The account, region and cluster every generated record belongs to.
pub const ACCOUNT: &str = "111122223333";
/// See [`ACCOUNT`].
pub const REGION: &str = "us-east-1";
/// See [`ACCOUNT`].
pub const CLUSTER: &str = "payments-prod";

/// Private IPs handed out to tasks; few of them, so later tasks reuse them.
const IP_POOL: [&str; 3] = ["10.0.12.47", "10.0.12.48", "10.0.13.9"];
/// Container names, in task-definition order.
const CONTAINER_NAMES: [&str; 3] = ["app", "log-router", "falco"];
/// Deployments of the service; a task started by one has it as `startedBy`.
pub const DEPLOYMENTS: [&str; 2] = ["ecs-svc/4417230311982341122", "ecs-svc/2893012228830119410"];
/// Task definition revisions tasks run.
pub const REVISIONS: [u32; 2] = [40, 41];
/// How long a task that has not stopped is assumed to run, for timing records.
const OPEN_LIFETIME_HOURS: i64 = 6;

/// The earliest task creation time; everything else is relative to it.
pub fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0)
        .single()
        .expect("a valid fixed date")
}

/// The ARN of a task definition revision of the service.
pub fn task_definition_arn(revision: u32) -> String {
    format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/checkout-api:{revision}")
}

/// How a task's full description reaches the evidence, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Description {
    /// `aws ecs describe-tasks` output.
    DescribeTasks,
    /// An "ECS Task State Change" EventBridge event archived in CloudWatch Logs.
    ArchivedStateChange,
    /// An "ECS Task State Change" EventBridge event, as JSON lines.
    StateChangeEvent,
    /// Not described: known only if some record names it.
    Undescribed,
}

/// One container of a task.
#[derive(Debug, Clone)]
pub struct ContainerSpec {
    /// Name from the task definition.
    pub name: &'static str,
    /// Container runtime ID, lower case.
    pub runtime_id: String,
}

/// One task as it really was.
#[derive(Debug, Clone)]
pub struct TaskSpec {
    /// The task ID, lower case: 32 hex digits or a dashed UUID.
    pub id: String,
    /// The task ARN, new (`task/cluster/id`) or old (`task/id`) format.
    pub arn: String,
    /// Its containers.
    pub containers: Vec<ContainerSpec>,
    /// Its elastic network interface.
    pub eni: String,
    /// Its private IP (shared with other tasks over time).
    pub ip: &'static str,
    /// Entered PENDING.
    pub created: DateTime<Utc>,
    /// Became RUNNING.
    pub started: DateTime<Utc>,
    /// Stopping and stopped times, for a task that has stopped.
    pub stopped: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// The task definition revision it runs.
    pub task_definition: String,
    /// The deployment that started it, if a service deployment did.
    pub deployment: Option<&'static str>,
    /// How its full description reaches the evidence.
    pub description: Description,
    /// Whether an earlier RUNNING snapshot is archived too.
    pub early_snapshot: bool,
}

impl TaskSpec {
    /// The end used for timing records: stopped, or a few hours after start.
    pub fn end_for_timing(&self) -> DateTime<Utc> {
        self.stopped
            .map(|(_, stopped)| stopped)
            .unwrap_or(self.created + Duration::hours(OPEN_LIFETIME_HOURS))
    }
}

/// A task reference in a record: a generated task, or a task ID nobody knows.
#[derive(Debug, Clone)]
pub enum Subject {
    /// One of the world's tasks.
    Known(Index),
    /// A well-formed task ID that belongs to no generated task.
    Unknown(u128),
}

/// A record's time relative to the lifetime of one of the tasks.
#[derive(Debug, Clone)]
pub struct At {
    /// The task whose lifetime the time is relative to.
    pub task: Index,
    /// Where in (or around) that lifetime.
    pub when: When,
}

/// A point relative to a lifetime, in whole seconds.
#[derive(Debug, Clone)]
pub enum When {
    /// At `permille`/1000 of the way through.
    Inside(u16),
    /// Exactly at creation (lifetime bounds are inclusive).
    AtStart,
    /// Exactly at the end.
    AtEnd,
    /// This many seconds before creation.
    Before(u32),
    /// This many seconds after the end.
    After(u32),
}

/// Who made a CloudTrail API call.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A task role session named after a task ID.
    TaskRole(Subject),
    /// An IAM user (a person or a legacy job).
    IamUser,
}

/// The `sourceIPAddress` of a CloudTrail call.
#[derive(Debug, Clone)]
pub enum SourceIp {
    /// The private IP of one of the tasks (alive or not at that time).
    TaskIp(Index),
    /// A public address.
    Public,
}

/// What a Falco alert's `container.id` holds.
#[derive(Debug, Clone)]
pub enum FalcoContainer {
    /// A container's full runtime ID.
    Full(Index, Index),
    /// The first `n` characters of a container's runtime ID.
    Truncated(Index, Index, usize),
    /// The host, not a container.
    Host,
    /// A runtime ID of no generated container.
    Unknown(u128),
}

/// Where a CloudWatch Logs line was written.
#[derive(Debug, Clone)]
pub enum Stream {
    /// The awslogs stream `ecs/<container>/<task-id>`.
    Task(Subject),
    /// A stream whose last segment is not a task ID.
    NotATask,
    /// A bare task ID with no `prefix/container/` before it.
    BareId(Index),
}

/// Which copies of a GuardDuty finding the evidence holds.
#[derive(Debug, Clone, Copy)]
pub enum FindingCopies {
    /// `aws guardduty get-findings` output (PascalCase).
    Cli,
    /// A "GuardDuty Finding" EventBridge event.
    EventBridge,
    /// Both: the same finding twice, to be merged.
    Both,
}

/// ECS API calls that name a task.
#[derive(Debug, Clone, Copy)]
pub enum EcsOperation {
    /// StopTask, `task`.
    StopTask,
    /// DescribeTasks, `tasks`.
    DescribeTasks,
    /// ExecuteCommand, `task`.
    ExecuteCommand,
}

/// Where a CloudTrail record is delivered.
#[derive(Debug, Clone, Copy)]
pub struct Delivery {
    /// Which of the two S3 delivery files holds it.
    pub second_file: bool,
    /// Whether `lookup-events` output holds a copy too.
    pub looked_up: bool,
}

/// One record of evidence, before it is written in any format.
#[derive(Debug, Clone)]
pub enum RecordSpec {
    /// An ordinary API call (S3, STS, Secrets Manager...) from some caller and IP.
    ApiCall {
        caller: Caller,
        ip: SourceIp,
        at: At,
        call: usize,
        delivery: Delivery,
    },
    /// An ECS call naming a task by ARN or bare ID.
    EcsTaskCall {
        operation: EcsOperation,
        target: Subject,
        as_arn: bool,
        at: At,
        delivery: Delivery,
    },
    /// DescribeNetworkInterfaces naming a task's ENI (or an unknown one).
    DescribeEni {
        eni: Subject,
        at: At,
        delivery: Delivery,
    },
    /// ECS assuming the task role with the task ID as session name.
    AssumeRole {
        session: Subject,
        at: At,
        delivery: Delivery,
    },
    /// A task definition registration, optionally with its describe output.
    RegisterTaskDefinition {
        revision: usize,
        described: bool,
        delivery: Delivery,
    },
    /// UpdateService starting a deployment.
    UpdateService {
        deployment: usize,
        at: At,
        delivery: Delivery,
    },
    /// An "ECS Deployment State Change" EventBridge event.
    DeploymentStateChange { deployment: usize, at: At },
    /// A `describe-services` service event naming a task.
    TaskStartedEvent { task: Subject, at: At },
    /// A `describe-services` service event naming a deployment.
    DeploymentCompletedEvent { deployment: usize, at: At },
    /// A GuardDuty runtime finding about one container of a task.
    RuntimeFinding {
        task: Index,
        container: Index,
        local_ip: bool,
        copies: FindingCopies,
        permille: u16,
    },
    /// A GuardDuty attack sequence naming tasks by ARN.
    AttackSequence {
        tasks: Vec<Subject>,
        copies: FindingCopies,
        at: At,
    },
    /// A Falco alert, standalone or in a sidecar's log stream.
    FalcoAlert {
        container: FalcoContainer,
        stream: Option<Subject>,
        rule: usize,
        at: At,
    },
    /// A plain container log line.
    LogLine { stream: Stream, at: At },
}

/// A generated incident.
#[derive(Debug, Clone)]
pub struct World {
    /// The tasks, with unique IDs.
    pub tasks: Vec<TaskSpec>,
    /// The records, in generation order.
    pub records: Vec<RecordSpec>,
}

impl World {
    /// The task an index picks.
    pub fn task(&self, index: &Index) -> &TaskSpec {
        &self.tasks[index.index(self.tasks.len())]
    }

    /// The task ID a subject names, generated or not.
    pub fn subject_id(&self, subject: &Subject) -> String {
        match subject {
            Subject::Known(index) => self.task(index).id.clone(),
            Subject::Unknown(bits) => format!("{:032x}", bits | 1 << 127),
        }
    }

    /// The time an [`At`] stands for.
    pub fn time(&self, at: &At) -> DateTime<Utc> {
        self.task(&at.task).point(&at.when)
    }
}

impl TaskSpec {
    /// The time a [`When`] stands for, relative to this task's lifetime.
    pub fn point(&self, when: &When) -> DateTime<Utc> {
        let start = self.created;
        let end = self.end_for_timing();
        match *when {
            When::Inside(permille) => {
                let span = (end - start).num_seconds();
                start + Duration::seconds(span * i64::from(permille) / 1000)
            }
            When::AtStart => start,
            When::AtEnd => end,
            When::Before(seconds) => start - Duration::seconds(i64::from(seconds)),
            When::After(seconds) => end + Duration::seconds(i64::from(seconds)),
        }
    }
}

/// Tasks whose 12-character prefixes collide, so truncated runtime IDs can be ambiguous.
const SHARED_PREFIXES: [&str; 2] = ["5eedc0ffee01", "5eedc0ffee02"];

fn task_id(bits: u128, prefix_group: usize, uuid: bool) -> String {
    let mut hex = format!("{bits:032x}");
    if let Some(prefix) = SHARED_PREFIXES.get(prefix_group) {
        hex.replace_range(..prefix.len(), prefix);
    }
    if uuid {
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    } else {
        hex
    }
}

fn runtime_id(task_id: &str, bits: u128, container: usize, fargate: bool) -> String {
    let mixed = bits.rotate_left(17 * container as u32 + 5) ^ 0x9e37_79b9_7f4a_7c15;
    if fargate {
        format!("{task_id}-{}", 1_000_000_000 + (mixed % 3_000_000_000))
    } else {
        format!("{mixed:032x}{:032x}", !mixed)
    }
}

fn task_spec() -> impl Strategy<Value = TaskSpec> {
    let identity = (any::<u128>(), 0usize..4, any::<bool>(), any::<bool>());
    let shape = (1usize..=3, any::<bool>(), 0usize..IP_POOL.len());
    let timing = (0i64..8 * 3600, prop::option::of(300i64..5 * 3600));
    let context = (
        0usize..REVISIONS.len(),
        prop::option::of(0usize..DEPLOYMENTS.len()),
        prop_oneof![
            3 => Just(Description::DescribeTasks),
            2 => Just(Description::ArchivedStateChange),
            2 => Just(Description::StateChangeEvent),
            1 => Just(Description::Undescribed),
        ],
        any::<bool>(),
    );
    (identity, shape, timing, context).prop_map(
        |(
            (bits, prefix_group, uuid, new_arn),
            (containers, fargate, ip),
            (offset, run),
            (revision, deployment, description, early_snapshot),
        )| {
            let id = task_id(bits, prefix_group, uuid);
            let arn = if new_arn {
                format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task/{CLUSTER}/{id}")
            } else {
                format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task/{id}")
            };
            let created = base_time() + Duration::seconds(offset);
            let started = created + Duration::seconds(41);
            let stopped = run.map(|run| {
                let stopping = started + Duration::seconds(run);
                (stopping, stopping + Duration::seconds(31))
            });
            TaskSpec {
                containers: CONTAINER_NAMES[..containers]
                    .iter()
                    .enumerate()
                    .map(|(n, name)| ContainerSpec {
                        name,
                        runtime_id: runtime_id(&id, bits, n, fargate),
                    })
                    .collect(),
                eni: format!("eni-0{:016x}", (bits >> 40) as u64),
                ip: IP_POOL[ip],
                created,
                started,
                stopped,
                task_definition: task_definition_arn(REVISIONS[revision]),
                deployment: deployment.map(|d| DEPLOYMENTS[d]),
                description,
                early_snapshot,
                id,
                arn,
            }
        },
    )
}

fn subject() -> impl Strategy<Value = Subject> {
    prop_oneof![
        4 => any::<Index>().prop_map(Subject::Known),
        1 => any::<u128>().prop_map(Subject::Unknown),
    ]
}

fn at() -> impl Strategy<Value = At> {
    let when = prop_oneof![
        6 => (0u16..=1000).prop_map(When::Inside),
        1 => Just(When::AtStart),
        1 => Just(When::AtEnd),
        1 => (1u32..4 * 3600).prop_map(When::Before),
        1 => (1u32..4 * 3600).prop_map(When::After),
    ];
    (any::<Index>(), when).prop_map(|(task, when)| At { task, when })
}

fn delivery() -> impl Strategy<Value = Delivery> {
    (any::<bool>(), prop::bool::weighted(0.3)).prop_map(|(second_file, looked_up)| Delivery {
        second_file,
        looked_up,
    })
}

fn copies() -> impl Strategy<Value = FindingCopies> {
    prop_oneof![
        Just(FindingCopies::Cli),
        Just(FindingCopies::EventBridge),
        Just(FindingCopies::Both),
    ]
}

fn falco_container() -> impl Strategy<Value = FalcoContainer> {
    prop_oneof![
        3 => (any::<Index>(), any::<Index>()).prop_map(|(t, c)| FalcoContainer::Full(t, c)),
        3 => (any::<Index>(), any::<Index>(), prop_oneof![Just(12usize), Just(16), Just(8)])
            .prop_map(|(t, c, n)| FalcoContainer::Truncated(t, c, n)),
        1 => Just(FalcoContainer::Host),
        1 => any::<u128>().prop_map(FalcoContainer::Unknown),
    ]
}

fn stream() -> impl Strategy<Value = Stream> {
    prop_oneof![
        4 => subject().prop_map(Stream::Task),
        1 => Just(Stream::NotATask),
        1 => any::<Index>().prop_map(Stream::BareId),
    ]
}

fn caller() -> impl Strategy<Value = Caller> {
    prop_oneof![subject().prop_map(Caller::TaskRole), Just(Caller::IamUser),]
}

fn source_ip() -> impl Strategy<Value = SourceIp> {
    prop_oneof![
        3 => any::<Index>().prop_map(SourceIp::TaskIp),
        1 => Just(SourceIp::Public),
    ]
}

fn ecs_operation() -> impl Strategy<Value = EcsOperation> {
    prop_oneof![
        Just(EcsOperation::StopTask),
        Just(EcsOperation::DescribeTasks),
        Just(EcsOperation::ExecuteCommand),
    ]
}

fn record_spec() -> impl Strategy<Value = RecordSpec> {
    prop_oneof![
        4 => (caller(), source_ip(), at(), 0usize..8, delivery()).prop_map(
            |(caller, ip, at, call, delivery)| RecordSpec::ApiCall { caller, ip, at, call, delivery }
        ),
        2 => (ecs_operation(), subject(), any::<bool>(), at(), delivery()).prop_map(
            |(operation, target, as_arn, at, delivery)| RecordSpec::EcsTaskCall {
                operation, target, as_arn, at, delivery
            }
        ),
        1 => (subject(), at(), delivery())
            .prop_map(|(eni, at, delivery)| RecordSpec::DescribeEni { eni, at, delivery }),
        1 => (subject(), at(), delivery())
            .prop_map(|(session, at, delivery)| RecordSpec::AssumeRole { session, at, delivery }),
        1 => (0usize..REVISIONS.len(), any::<bool>(), delivery()).prop_map(
            |(revision, described, delivery)| RecordSpec::RegisterTaskDefinition {
                revision, described, delivery
            }
        ),
        1 => (0usize..DEPLOYMENTS.len(), at(), delivery()).prop_map(
            |(deployment, at, delivery)| RecordSpec::UpdateService { deployment, at, delivery }
        ),
        1 => (0usize..DEPLOYMENTS.len(), at())
            .prop_map(|(deployment, at)| RecordSpec::DeploymentStateChange { deployment, at }),
        1 => (subject(), at()).prop_map(|(task, at)| RecordSpec::TaskStartedEvent { task, at }),
        1 => (0usize..DEPLOYMENTS.len(), at())
            .prop_map(|(deployment, at)| RecordSpec::DeploymentCompletedEvent { deployment, at }),
        2 => (any::<Index>(), any::<Index>(), any::<bool>(), copies(), 0u16..=1000).prop_map(
            |(task, container, local_ip, copies, permille)| RecordSpec::RuntimeFinding {
                task, container, local_ip, copies, permille
            }
        ),
        1 => (prop::collection::vec(subject(), 1..3), copies(), at())
            .prop_map(|(tasks, copies, at)| RecordSpec::AttackSequence { tasks, copies, at }),
        3 => (falco_container(), prop::option::of(subject()), 0usize..4, at()).prop_map(
            |(container, stream, rule, at)| RecordSpec::FalcoAlert { container, stream, rule, at }
        ),
        3 => (stream(), at()).prop_map(|(stream, at)| RecordSpec::LogLine { stream, at }),
    ]
}

/// Small incidents: one to four tasks (IDs unique) and up to `max_records` records.
pub fn world(max_records: usize) -> impl Strategy<Value = World> {
    (
        prop::collection::vec(task_spec(), 1..=4),
        prop::collection::vec(record_spec(), 0..=max_records),
    )
        .prop_map(|(mut tasks, records)| {
            // Real tasks never share an ID (in either format), an ENI or a container.
            let mut seen = std::collections::BTreeSet::new();
            tasks.retain(|task| {
                let identifiers: Vec<String> = [task.id.replace('-', ""), task.eni.clone()]
                    .into_iter()
                    .chain(task.containers.iter().map(|c| c.runtime_id.clone()))
                    .collect();
                let fresh = identifiers.iter().all(|i| !seen.contains(i));
                seen.extend(identifiers);
                fresh
            });
            World { tasks, records }
        })
}
