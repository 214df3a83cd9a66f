//! GuardDuty Runtime Monitoring findings about the compromised tasks, as
//! the EventBridge events (`detail-type: GuardDuty Finding`, camelCase
//! detail) a rule delivers to a queue or bucket: one JSON line each.

use super::output::Output;
use super::plan::{time, Plan, TaskPlan, ACCOUNT, CLUSTER, REGION};
use super::Rng;
use crate::model::Source;
use serde_json::{json, Value};

const DETECTOR: &str = "7c2e5b1a9d4f4e3c8b6a0d9f1e2c3b4a";

/// Finding type, severity, title, and the process it names: name, path,
/// command line.
const FINDINGS: [(&str, f64, &str, &str, &str, &str); 5] = [
    (
        "Execution:Runtime/ReverseShell",
        8.0,
        "Reverse shell detected in container app of ECS task.",
        "bash",
        "/usr/bin/bash",
        "bash -i",
    ),
    (
        "Execution:Runtime/NewBinaryExecuted",
        5.0,
        "A newly created or recently modified binary file was executed in container app of ECS task.",
        "kworkerd",
        "/tmp/.cache/kworkerd",
        "/tmp/.cache/kworkerd --quiet",
    ),
    (
        "Impact:Runtime/CryptoMinerExecuted",
        8.0,
        "Cryptocurrency mining executable executed in container app of ECS task.",
        "xmrig",
        "/tmp/.x/xmrig",
        "/tmp/.x/xmrig -o pool.example:3333",
    ),
    (
        "Discovery:Runtime/SuspiciousCommand",
        5.0,
        "Suspicious command executed in container app of ECS task.",
        "curl",
        "/usr/bin/curl",
        "curl -s http://169.254.170.2/v2/credentials",
    ),
    (
        "DefenseEvasion:Runtime/FilelessExecution",
        5.0,
        "A process executed from memory in container app of ECS task.",
        "memfd:x",
        "/memfd:x (deleted)",
        "[kworker/0:1]",
    ),
];

fn finding(task: &TaskPlan, rng: &mut Rng, index: u64, ms: i64) -> Value {
    let (kind, severity, title, process, path, command) = *rng.pick(&FINDINGS);
    let id = format!("{:016x}{:016x}", super::mix(index), rng.next());
    let seen = time(ms).format("%Y-%m-%dT%H:%M:%S.%3fZ").to_string();
    let pid = 1_000 + rng.below(30_000);
    let app = json!({
        "containerRuntime": "containerd",
        "id": task.runtime_id(0),
        "name": "app",
        "image": format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{}:{}", task.service_name(), super::plan::SERVICES[task.service].1),
        "imagePrefix": format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{}", task.service_name())
    });
    let detail = json!({
        "accountId": ACCOUNT,
        "arn": format!("arn:aws:guardduty:{REGION}:{ACCOUNT}:detector/{DETECTOR}/finding/{id}"),
        "createdAt": seen,
        "description": format!("{title} Process {process} (pid {pid}) ran as root."),
        "id": id,
        "partition": "aws",
        "region": REGION,
        "resource": {
            "resourceType": "ECSCluster",
            "ecsClusterDetails": {
                "name": CLUSTER,
                "arn": format!("arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{CLUSTER}"),
                "status": "ACTIVE",
                "taskDetails": {
                    "arn": task.arn(),
                    "definitionArn": task.task_definition_arn(),
                    "version": "3",
                    "createdAt": time(task.created_ms).format("%Y-%m-%dT%H:%M:%S.%3fZ").to_string(),
                    "startedAt": time(task.started_ms).format("%Y-%m-%dT%H:%M:%S.%3fZ").to_string(),
                    "startedBy": task.deployment,
                    "containers": [app],
                    "group": format!("service:{}", task.service_name()),
                    "launchType": "FARGATE"
                }
            },
            "containerDetails": app
        },
        "schemaVersion": "2.0",
        "service": {
            "archived": false,
            "count": 1 + rng.below(4),
            "detectorId": DETECTOR,
            "eventFirstSeen": seen,
            "eventLastSeen": seen,
            "resourceRole": "TARGET",
            "serviceName": "guardduty",
            "additionalInfo": {"value": "{}", "type": "default"},
            "featureName": "RuntimeMonitoring",
            "runtimeDetails": {
                "process": {
                    "name": process,
                    "executablePath": path,
                    "executableSha256": format!("{:016x}{:016x}{:016x}{:016x}", rng.next(), rng.next(), rng.next(), rng.next()),
                    "pid": pid,
                    "namespacePid": pid % 500 + 2,
                    "pwd": "/app",
                    "user": "root",
                    "userId": 0,
                    "euid": 0,
                    "lineage": [{"name": "sh", "executablePath": "/usr/bin/dash", "pid": pid - 3, "userId": 0, "euid": 0}]
                },
                "context": {"commandLineExample": command}
            }
        },
        "severity": severity,
        "title": title,
        "type": kind,
        "updatedAt": seen
    });
    json!({
        "version": "0",
        "id": format!("{:08x}-{:04x}-4{:03x}-9{:03x}-{:012x}", rng.next() >> 32, rng.below(1 << 16), rng.below(1 << 12), rng.below(1 << 12), index),
        "detail-type": "GuardDuty Finding",
        "source": "aws.guardduty",
        "account": ACCOUNT,
        "time": time(ms + 1_000).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "region": REGION,
        "resources": [],
        "detail": detail
    })
}

/// Writes `guardduty/findings.jsonl`: the plan's findings, about its
/// compromised tasks, in time order.
pub(super) fn write(plan: &Plan, out: &mut Output) -> anyhow::Result<()> {
    let total = plan.counts.guardduty;
    if total == 0 {
        return Ok(());
    }
    let mut rng = Rng::stream(plan.seed, 2);
    let mut lines = Vec::new();
    for index in 0..total {
        let ms = Plan::spread(index, total, 1_000, &mut rng);
        let task = &plan.tasks[*rng.pick(&plan.compromised)];
        serde_json::to_writer(&mut lines, &finding(task, &mut rng, index, ms))?;
        lines.push(b'\n');
    }
    out.write("guardduty/findings.jsonl", &lines, Source::Guardduty, total)
}
