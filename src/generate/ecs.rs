//! `aws ecs describe-tasks` output, 100 tasks per file (the API's limit per
//! call): running and stopped tasks with their ENI, private IP, containers
//! and runtime IDs, times as the CLI prints them.

use super::output::Output;
use super::plan::{time, Plan, TaskPlan, ACCOUNT, CLUSTER, REGION};
use crate::model::Source;
use serde_json::{json, Value};

/// Tasks per describe-tasks call.
const TASKS_PER_FILE: usize = 100;

/// A time as the AWS CLI prints it: `2026-06-21T00:59:30.123000+00:00`.
fn cli_time(ms: i64) -> String {
    time(ms).format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

/// The digest of a service's image: 64 hexadecimal digits.
fn image_digest(service: u64) -> String {
    let parts: Vec<String> = (0..4)
        .map(|part| format!("{:016x}", super::mix(service * 4 + part)))
        .collect();
    format!("sha256:{}", parts.concat())
}

fn container(task: &TaskPlan, index: usize) -> Value {
    let (name, image, digest) = if index == 0 {
        (
            "app",
            format!(
                "{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{}:{}",
                task.service_name(),
                super::plan::SERVICES[task.service].1
            ),
            image_digest(task.service as u64),
        )
    } else {
        (
            "log-router",
            "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4".to_string(),
            "sha256:5a7d2d9c4e1f03b2a68e9c7d1f4b2a0c9e8d7f6a5b4c3d2e1f0a9b8c7d6e5f40".to_string(),
        )
    };
    let mut container = json!({
        "containerArn": format!("arn:aws:ecs:{REGION}:{ACCOUNT}:container/{CLUSTER}/{}/{name}", task.id),
        "taskArn": task.arn(),
        "name": name,
        "image": image,
        "imageDigest": digest,
        "runtimeId": task.runtime_id(index),
        "lastStatus": if task.stop.is_some() { "STOPPED" } else { "RUNNING" },
        "networkBindings": [],
        "networkInterfaces": [{
            "attachmentId": format!("{:08x}-0000-4000-8000-{:012x}", index, u64::from(task.runtime_suffixes[0])),
            "privateIpv4Address": task.ip
        }],
        "healthStatus": "UNKNOWN",
        "cpu": "0"
    });
    if let (Some(stop), Some(fields)) = (&task.stop, container.as_object_mut()) {
        fields.insert("exitCode".into(), json!(stop.exit_code));
    }
    container
}

fn task_json(task: &TaskPlan) -> Value {
    let status = if task.stop.is_some() {
        "STOPPED"
    } else {
        "RUNNING"
    };
    let mut value = json!({
        "attachments": [{
            "id": format!("{:08x}-1111-4111-8111-{:012x}", task.runtime_suffixes[1], task.runtime_suffixes[0]),
            "type": "ElasticNetworkInterface",
            "status": if task.stop.is_some() { "DELETED" } else { "ATTACHED" },
            "details": [
                {"name": "subnetId", "value": format!("subnet-0{:016x}", task.service + 1)},
                {"name": "networkInterfaceId", "value": task.eni},
                {"name": "macAddress", "value": format!("0e:{:02x}:{:02x}:11:22:33", task.service, task.runtime_suffixes[0] % 256)},
                {"name": "privateDnsName", "value": format!("ip-{}.ec2.internal", task.ip.replace('.', "-"))},
                {"name": "privateIPv4Address", "value": task.ip}
            ]
        }],
        "availabilityZone": format!("{REGION}{}", ["a", "b", "c"][task.service % 3]),
        "clusterArn": format!("arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{CLUSTER}"),
        "connectivity": "CONNECTED",
        "connectivityAt": cli_time(task.created_ms + 8_000),
        "containers": [container(task, 0), container(task, 1)],
        "cpu": "512",
        "createdAt": cli_time(task.created_ms),
        "desiredStatus": status,
        "enableExecuteCommand": false,
        "group": format!("service:{}", task.service_name()),
        "healthStatus": "UNKNOWN",
        "lastStatus": status,
        "launchType": "FARGATE",
        "memory": "1024",
        "platformVersion": "1.4.0",
        "platformFamily": "Linux",
        "pullStartedAt": cli_time(task.created_ms + 10_000),
        "pullStoppedAt": cli_time(task.started_ms - 5_000),
        "startedAt": cli_time(task.started_ms),
        "startedBy": task.deployment,
        "tags": [{"key": "service", "value": task.service_name()}],
        "taskArn": task.arn(),
        "taskDefinitionArn": task.task_definition_arn(),
        "version": if task.stop.is_some() { 5 } else { 3 }
    });
    if let (Some(stop), Some(fields)) = (&task.stop, value.as_object_mut()) {
        fields.insert("stopCode".into(), json!(stop.code));
        fields.insert("stoppedReason".into(), json!(stop.reason));
        fields.insert("stoppingAt".into(), json!(cli_time(stop.stopping_ms)));
        fields.insert(
            "executionStoppedAt".into(),
            json!(cli_time(stop.stopping_ms + 5_000)),
        );
        fields.insert("stoppedAt".into(), json!(cli_time(stop.stopped_ms)));
    }
    value
}

/// Writes `ecs/describe-tasks-NNNN.json` for every task of the plan.
pub(super) fn write(plan: &Plan, out: &mut Output) -> anyhow::Result<()> {
    for (page, tasks) in plan.tasks.chunks(TASKS_PER_FILE).enumerate() {
        let events = tasks.iter().map(TaskPlan::milestones).sum();
        let document = json!({
            "tasks": tasks.iter().map(task_json).collect::<Vec<_>>(),
            "failures": []
        });
        let text = serde_json::to_string_pretty(&document)?;
        out.write(
            &format!("ecs/describe-tasks-{page:04}.json"),
            text.as_bytes(),
            Source::Ecs,
            events,
        )?;
    }
    Ok(())
}
