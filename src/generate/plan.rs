//! What `taskscope gen` writes before anything is written: the tasks with
//! their lifetimes and network identities, and how many events each source
//! gets. Every source module draws from this plan, so all of them tell the
//! same story about the same tasks.

use super::Rng;
use crate::model::Timestamp;
use anyhow::bail;

/// The account every record belongs to.
pub(super) const ACCOUNT: &str = "111122223333";
/// The region every record comes from.
pub(super) const REGION: &str = "us-east-1";
/// The ECS cluster the tasks run in.
pub(super) const CLUSTER: &str = "shop-prod";
/// Start of the incident window: 2026-06-21T00:00:00Z, in milliseconds.
pub(super) const WINDOW_START_MS: i64 = 1_782_000_000_000;
/// Length of the incident window: six hours.
pub(super) const WINDOW_MS: i64 = 6 * 3_600_000;

/// Fewest events `taskscope gen` accepts.
const MIN_EVENTS: u64 = 100;
/// Most tasks `taskscope gen` accepts.
const MAX_TASKS: u64 = 1_000_000;
/// Most GuardDuty findings (GuardDuty aggregates repeats into one finding).
const MAX_FINDINGS: u64 = 500;

/// The services tasks belong to: name and task definition revision.
pub(super) const SERVICES: [(&str, u32); 4] = [
    ("checkout-api", 41),
    ("orders-worker", 17),
    ("catalog-api", 9),
    ("payments-gateway", 23),
];

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenOptions {
    /// Events in total, over every source (at least 100).
    pub events: u64,
    /// Tasks; by default one per 500 events, between 1 and 2,000.
    pub tasks: Option<u64>,
    /// Seed: the same seed and sizes give the same bytes.
    pub seed: u64,
}

impl GenOptions {
    /// The number of tasks: as given, else one per 500 events (1 to 2,000).
    pub fn task_count(&self) -> u64 {
        self.tasks.unwrap_or((self.events / 500).clamp(1, 2_000))
    }
}

/// How a stopped task ended.
pub(super) struct Stop {
    pub stopping_ms: i64,
    pub stopped_ms: i64,
    pub code: &'static str,
    pub reason: &'static str,
    pub exit_code: i64,
}

/// One task of the incident.
pub(super) struct TaskPlan {
    /// 32 hexadecimal digits.
    pub id: String,
    /// Index into [`SERVICES`].
    pub service: usize,
    pub created_ms: i64,
    pub started_ms: i64,
    /// `None` while the task still runs at the end of the window.
    pub stop: Option<Stop>,
    pub ip: String,
    pub eni: String,
    /// Runtime ID suffixes of the app and log-router containers.
    pub runtime_suffixes: [u32; 2],
    /// Access key ID of the task role's credentials.
    pub key_id: String,
    /// Deployment (`ecs-svc/...`) that started it.
    pub deployment: String,
}

impl TaskPlan {
    pub fn service_name(&self) -> &'static str {
        SERVICES[self.service].0
    }

    pub fn task_definition_arn(&self) -> String {
        let (name, revision) = SERVICES[self.service];
        format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{name}:{revision}")
    }

    pub fn arn(&self) -> String {
        format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task/{CLUSTER}/{}", self.id)
    }

    pub fn runtime_id(&self, container: usize) -> String {
        format!("{}-{}", self.id, self.runtime_suffixes[container])
    }

    pub fn role_name(&self) -> String {
        format!("{}-task-role", self.service_name())
    }

    /// ECS lifecycle events its describe-tasks record yields.
    pub fn milestones(&self) -> u64 {
        if self.stop.is_some() {
            4
        } else {
            2
        }
    }

    pub fn alive_at(&self, ms: i64) -> bool {
        ms >= self.created_ms && self.stop.as_ref().is_none_or(|stop| ms <= stop.stopped_ms)
    }
}

/// Events per source; they add up to the events asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Counts {
    pub cloudtrail: u64,
    pub ecs: u64,
    pub guardduty: u64,
    pub falco: u64,
    pub logs: u64,
}

/// Everything the sources need.
pub(super) struct Plan {
    pub seed: u64,
    pub tasks: Vec<TaskPlan>,
    /// Tasks running at the end of the window (never empty).
    pub running: Vec<usize>,
    /// The few running tasks GuardDuty finds compromised.
    pub compromised: Vec<usize>,
    pub counts: Counts,
}

const STOPS: [(&str, &str, i64); 3] = [
    (
        "ServiceSchedulerInitiated",
        "Scaling activity initiated by (deployment ecs-svc/7311) ",
        0,
    ),
    (
        "EssentialContainerExited",
        "Essential container in task exited",
        137,
    ),
    ("UserInitiated", "Task stopped by on-call (IR)", 143),
];

fn plan_task(seed: u64, n: u64) -> TaskPlan {
    let mut rng = Rng::stream(seed, 0x7a5c_0000 + n);
    let id = format!("{:016x}{:016x}", rng.next(), super::mix(seed ^ n));
    let service = rng.below(SERVICES.len() as u64) as usize;
    // Task 0 always runs, so there is always a live task to pick.
    let stopped = n != 0 && rng.below(10) < 3;
    let (created_ms, stop) = if stopped {
        let created = WINDOW_START_MS + rng.below(WINDOW_MS as u64 * 7 / 10) as i64;
        let stopping = created + 600_000 + rng.below(WINDOW_MS as u64 / 4) as i64;
        let (code, reason, exit_code) = *rng.pick(&STOPS);
        let stop = Stop {
            stopping_ms: stopping,
            stopped_ms: stopping + 20_000 + rng.below(40_000) as i64,
            code,
            reason,
            exit_code,
        };
        (created, Some(stop))
    } else {
        let created = WINDOW_START_MS - 600_000 - rng.below(86_400_000) as i64;
        (created, None)
    };
    let started_ms = created_ms + 25_000 + rng.below(35_000) as i64;
    TaskPlan {
        id,
        service,
        created_ms,
        started_ms,
        stop,
        ip: format!("10.{}.{}.{}", 16 + n / 62_500, n / 250 % 250, n % 250 + 2),
        eni: format!("eni-{:017x}", super::mix(seed.wrapping_add(n))),
        runtime_suffixes: [
            1_000_000_000 + rng.below(3_000_000_000) as u32,
            1_000_000_000 + rng.below(3_000_000_000) as u32,
        ],
        key_id: format!("ASIA{:016X}", rng.next() >> 4)
            .chars()
            .take(20)
            .collect(),
        deployment: format!(
            "ecs-svc/{}",
            1_000_000_000_000 + rng.below(9_000_000_000_000)
        ),
    }
}

impl Plan {
    /// Lays out the tasks and splits the events: 90% CloudTrail, then the
    /// tasks' ECS lifecycle events, GuardDuty findings (5% of the rest, at
    /// most 500), Falco alerts (40% of what remains) and log lines.
    pub fn new(options: &GenOptions) -> anyhow::Result<Plan> {
        let events = options.events;
        if events < MIN_EVENTS {
            bail!("--events must be at least {MIN_EVENTS}");
        }
        let task_count = options.task_count();
        if !(1..=MAX_TASKS).contains(&task_count) {
            bail!("--tasks must be between 1 and {MAX_TASKS}");
        }
        let tasks: Vec<TaskPlan> = (0..task_count)
            .map(|n| plan_task(options.seed, n))
            .collect();
        let cloudtrail = events / 10 * 9 + events % 10 * 9 / 10;
        let ecs: u64 = tasks.iter().map(TaskPlan::milestones).sum();
        let Some(rest) = (events - cloudtrail).checked_sub(ecs) else {
            bail!(
                "{task_count} tasks yield {ecs} ECS lifecycle events, more than the {} \
                 events left beside CloudTrail: give fewer --tasks or more --events",
                events - cloudtrail
            );
        };
        let guardduty = (rest / 20).min(MAX_FINDINGS);
        let falco = (rest - guardduty) * 2 / 5;
        let logs = rest - guardduty - falco;
        let running: Vec<usize> = (0..tasks.len())
            .filter(|&i| tasks[i].stop.is_none())
            .collect();
        let compromised_count = (tasks.len() / 50).clamp(1, 5);
        let compromised = running.iter().copied().take(compromised_count).collect();
        Ok(Plan {
            seed: options.seed,
            tasks,
            running,
            compromised,
            counts: Counts {
                cloudtrail,
                ecs,
                guardduty,
                falco,
                logs,
            },
        })
    }

    /// A task alive at `ms`: a random one if it is, else a running one.
    pub fn task_alive_at(&self, rng: &mut Rng, ms: i64) -> &TaskPlan {
        for _ in 0..4 {
            let task = rng.pick(&self.tasks);
            if task.alive_at(ms) {
                return task;
            }
        }
        &self.tasks[*rng.pick(&self.running)]
    }

    /// The time of item `index` of `count` spread evenly over the window,
    /// in milliseconds, plus up to `jitter` so that items never share one.
    pub fn spread(index: u64, count: u64, jitter: u64, rng: &mut Rng) -> i64 {
        let offset = (i128::from(index) * i128::from(WINDOW_MS) / i128::from(count.max(1))) as i64;
        WINDOW_START_MS + offset + rng.below(jitter.max(1)) as i64
    }
}

/// A time in milliseconds as a timestamp.
pub(super) fn time(ms: i64) -> Timestamp {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(events: u64, tasks: Option<u64>) -> GenOptions {
        GenOptions {
            events,
            tasks,
            seed: 7,
        }
    }

    #[test]
    fn counts_add_up_to_the_events_with_nine_tenths_cloudtrail() {
        for events in [100, 10_000, 123_457, 5_000_000] {
            let plan = Plan::new(&options(events, None)).unwrap();
            let c = plan.counts;
            assert_eq!(
                c.cloudtrail + c.ecs + c.guardduty + c.falco + c.logs,
                events
            );
            assert_eq!(c.cloudtrail, events * 9 / 10);
            assert_eq!(
                c.ecs,
                plan.tasks.iter().map(TaskPlan::milestones).sum::<u64>()
            );
            assert!(c.guardduty <= MAX_FINDINGS && c.falco > 0 && c.logs > 0);
        }
    }

    #[test]
    fn tasks_are_distinct_and_some_stop() {
        let plan = Plan::new(&options(100_000, None)).unwrap();
        assert_eq!(plan.tasks.len(), 200);
        let ids: std::collections::BTreeSet<&str> =
            plan.tasks.iter().map(|t| t.id.as_str()).collect();
        let ips: std::collections::BTreeSet<&str> =
            plan.tasks.iter().map(|t| t.ip.as_str()).collect();
        assert_eq!((ids.len(), ips.len()), (200, 200));
        assert!(plan
            .tasks
            .iter()
            .all(|t| crate::model::keys::is_task_id(&t.id)));
        assert!(plan.running.len() > 100 && plan.running.len() < 200);
        assert_eq!(plan.compromised.len(), 4);
        for task in &plan.tasks {
            assert!(task.started_ms > task.created_ms);
            if let Some(stop) = &task.stop {
                assert!(stop.stopped_ms > stop.stopping_ms && stop.stopping_ms > task.started_ms);
            }
        }
    }

    #[test]
    fn too_many_tasks_for_the_events_is_refused() {
        assert!(Plan::new(&options(1_000, Some(1_000))).is_err());
        assert!(Plan::new(&options(99, None)).is_err());
        assert!(Plan::new(&options(1_000, Some(0))).is_err());
    }
}
