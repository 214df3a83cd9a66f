//! ECS API output (describe-tasks, run/stop-task, describe-services,
//! describe-task-definition) and the task shape shared with EventBridge
//! "ECS Task State Change" events.

use super::json::{owned, path, path_array, path_str, path_time};
use super::Sink;
use crate::model::keys::{arn_tail, is_task_id, parse_task_arn, role_name};
use crate::model::{Container, Event, Key, RawRef, Severity, Source, TaskFacts, Timestamp};
use serde_json::Value;

const TASKS: &str = "ecs-tasks";
const SERVICES: &str = "ecs-services";
const SERVICE_DEPLOYMENTS: &str = "ecs-service-deployments";
const TASK_DEFINITION: &str = "ecs-task-definition";

/// Reads the ECS `Task` shape into task facts; `None` without a task ARN.
pub fn task_facts(task: &Value) -> Option<TaskFacts> {
    let arn = path_str(task, &["taskArn"])?;
    let parsed = parse_task_arn(arn)?;
    let mut facts = TaskFacts::new(parsed.id);
    facts.arn = Some(arn.to_string());
    facts.cluster = owned(task, &["clusterArn"]).or(parsed.cluster);
    facts.group = owned(task, &["group"]);
    facts.task_definition_arn = owned(task, &["taskDefinitionArn"]);
    facts.started_by = owned(task, &["startedBy"]);
    facts.launch_type = owned(task, &["launchType"]);
    facts.last_status = owned(task, &["lastStatus"]);
    facts.desired_status = owned(task, &["desiredStatus"]);
    facts.stop_code = owned(task, &["stopCode"]);
    facts.stopped_reason = owned(task, &["stoppedReason"]);
    facts.created_at = path_time(task, &["createdAt"]);
    facts.started_at = path_time(task, &["startedAt"]);
    facts.stopping_at = path_time(task, &["stoppingAt"]);
    facts.stopped_at = path_time(task, &["stoppedAt"]);
    facts.version = path(task, &["version"]).and_then(Value::as_i64);
    for container in path_array(task, &["containers"]) {
        facts.containers.push(Container {
            name: owned(container, &["name"]).unwrap_or_default(),
            image: owned(container, &["image"]),
            image_digest: owned(container, &["imageDigest"]),
            runtime_id: owned(container, &["runtimeId"]),
            last_status: owned(container, &["lastStatus"]),
            exit_code: path(container, &["exitCode"]).and_then(Value::as_i64),
            reason: owned(container, &["reason"]),
        });
        for interface in path_array(container, &["networkInterfaces"]) {
            if let Some(ip) = path_str(interface, &["privateIpv4Address"]) {
                facts.ips.insert(ip.to_string());
            }
        }
    }
    for attachment in path_array(task, &["attachments"]) {
        for detail in path_array(attachment, &["details"]) {
            let value = path_str(detail, &["value"]);
            match (path_str(detail, &["name"]), value) {
                (Some("networkInterfaceId"), Some(eni)) => {
                    facts.enis.insert(eni.to_string());
                }
                (Some("privateIPv4Address"), Some(ip)) => {
                    facts.ips.insert(ip.to_string());
                }
                _ => {}
            }
        }
    }
    Some(facts)
}

/// Records a task snapshot: its facts, and one lifecycle event per milestone
/// it has a time for. Milestones share a fact ID per task, so the same
/// transition seen in describe-tasks and in a state-change event appears once.
pub fn import_task(task: &Value, raw: RawRef, sink: &mut Sink) -> bool {
    let Some(facts) = task_facts(task) else {
        return false;
    };
    sink.record(TASKS);
    if let Some(arn) = &facts.arn {
        sink.note_arn(arn);
    }
    for (milestone, time) in milestones(&facts) {
        let summary = milestone_summary(milestone, &facts);
        let mut event = Event::new(time, Source::Ecs, milestone, summary, raw.clone());
        event.keys.push(Key::TaskArn {
            id: facts.id.clone(),
            arn: facts.arn.clone().unwrap_or_default(),
        });
        event.fact_id = Some(format!("ecs-task:{}:{milestone}", facts.id));
        event.severity = milestone_severity(milestone, &facts);
        event.original_severity = (milestone == "STOPPED")
            .then(|| facts.stop_code.clone())
            .flatten();
        event.actor = (milestone == "PROVISIONING")
            .then(|| facts.started_by.clone())
            .flatten();
        sink.event(event);
    }
    sink.task(facts);
    true
}

fn milestones(facts: &TaskFacts) -> Vec<(&'static str, Timestamp)> {
    [
        ("PROVISIONING", facts.created_at),
        ("RUNNING", facts.started_at),
        ("STOPPING", facts.stopping_at),
        ("STOPPED", facts.stopped_at),
    ]
    .into_iter()
    .filter_map(|(name, time)| Some((name, time?)))
    .collect()
}

fn milestone_summary(milestone: &str, facts: &TaskFacts) -> String {
    let definition = facts
        .task_definition_arn
        .as_deref()
        .map(arn_tail)
        .unwrap_or("?");
    match milestone {
        "PROVISIONING" => format!(
            "task created ({definition}, started by {})",
            facts.started_by.as_deref().unwrap_or("?")
        ),
        "RUNNING" => format!("task running ({definition})"),
        "STOPPING" => format!(
            "task stopping: {}",
            facts.stopped_reason.as_deref().unwrap_or("no reason given")
        ),
        _ => {
            let exits: Vec<String> = facts
                .containers
                .iter()
                .map(|c| match (c.exit_code, &c.reason) {
                    (Some(code), _) => format!("{}={code}", c.name),
                    (None, Some(reason)) => format!("{}: {reason}", c.name),
                    (None, None) => format!("{}=?", c.name),
                })
                .collect();
            format!(
                "task stopped [{}] {} (exit {})",
                facts.stop_code.as_deref().unwrap_or("no stop code"),
                facts.stopped_reason.as_deref().unwrap_or(""),
                exits.join(", ")
            )
        }
    }
}

fn milestone_severity(milestone: &str, facts: &TaskFacts) -> Severity {
    let failed = matches!(
        facts.stop_code.as_deref(),
        Some("TaskFailedToStart" | "EssentialContainerExited")
    );
    if milestone == "STOPPED" && failed {
        Severity::Low
    } else {
        Severity::Info
    }
}

/// Imports `{"tasks": [...]}`, `{"task": {...}}` or a bare task object.
pub fn import_tasks_document(value: &Value, locator: &str, sink: &mut Sink) {
    let tasks = path_array(value, &["tasks"]);
    let mut found: Vec<(String, &Value)> = tasks
        .iter()
        .enumerate()
        .map(|(index, task)| (format!("{locator}/tasks/{index}"), task))
        .collect();
    if let Some(task) = value.get("task") {
        found.push((format!("{locator}/task"), task));
    } else if value.get("taskArn").is_some() {
        found.push((locator.to_string(), value));
    }
    for (at, task) in found {
        let raw = sink.raw(at.clone());
        if !import_task(task, raw, sink) {
            sink.problem(super::decode::ParseError::new(format!(
                "ECS task at {at} has no valid taskArn"
            )));
        }
    }
    if tasks.is_empty() {
        // describe-tasks for expired tasks answers only failures: still a valid file.
        sink.out.formats.insert(TASKS);
    }
}

/// Imports `{"services": [...]}` or `{"service": {...}}`: deployments and service events.
pub fn import_services_document(value: &Value, locator: &str, sink: &mut Sink) {
    let services = path_array(value, &["services"]);
    for (index, service) in services.iter().enumerate() {
        import_service(service, &format!("{locator}/services/{index}"), sink);
    }
    if let Some(service) = value.get("service") {
        import_service(service, &format!("{locator}/service"), sink);
    }
    sink.out.formats.insert(SERVICES);
}

fn import_service(service: &Value, locator: &str, sink: &mut Sink) {
    sink.record(SERVICES);
    let name = path_str(service, &["serviceName"]).unwrap_or("?");
    if let Some(arn) = path_str(service, &["serviceArn"]) {
        sink.note_arn(arn);
    }
    for (index, deployment) in path_array(service, &["deployments"]).iter().enumerate() {
        let (Some(id), Some(time)) = (
            path_str(deployment, &["id"]),
            path_time(deployment, &["createdAt"]),
        ) else {
            continue;
        };
        let definition = path_str(deployment, &["taskDefinition"])
            .map(arn_tail)
            .unwrap_or("?");
        let summary = format!(
            "service {name}: deployment {id} created ({definition}, now {} {})",
            path_str(deployment, &["status"]).unwrap_or("?"),
            path_str(deployment, &["rolloutState"]).unwrap_or("")
        );
        let raw = sink.raw(format!("{locator}/deployments/{index}"));
        let mut event = Event::new(time, Source::Ecs, "DeploymentCreated", summary, raw);
        event.keys.push(Key::Deployment(id.to_string()));
        event.fact_id = Some(format!("ecs-deployment:{id}:created"));
        sink.event(event);
    }
    for (index, service_event) in path_array(service, &["events"]).iter().enumerate() {
        let (Some(message), Some(time)) = (
            path_str(service_event, &["message"]),
            path_time(service_event, &["createdAt"]),
        ) else {
            continue;
        };
        let raw = sink.raw(format!("{locator}/events/{index}"));
        let mut event = Event::new(time, Source::Ecs, "ServiceEvent", message, raw);
        event.keys = task_ids_in_message(message)
            .into_iter()
            .map(Key::TaskId)
            .chain(deployments_in_message(message).map(Key::Deployment))
            .collect();
        event.fact_id = owned(service_event, &["id"]).map(|id| format!("ecs-service-event:{id}"));
        sink.event(event);
    }
}

/// Imports `{"serviceDeployments": [...]}` (ListServiceDeployments or
/// DescribeServiceDeployments): one event per deployment start and finish.
pub fn import_service_deployments(value: &Value, locator: &str, sink: &mut Sink) {
    sink.out.formats.insert(SERVICE_DEPLOYMENTS);
    for (index, deployment) in path_array(value, &["serviceDeployments"])
        .iter()
        .enumerate()
    {
        sink.record(SERVICE_DEPLOYMENTS);
        let Some(arn) = path_str(deployment, &["serviceDeploymentArn"]) else {
            continue;
        };
        sink.note_arn(arn);
        let id = arn_tail(arn);
        let service = path_str(deployment, &["serviceArn"])
            .map(arn_tail)
            .unwrap_or("?");
        let status = path_str(deployment, &["status"]).unwrap_or("?");
        let target = path_str(deployment, &["targetServiceRevision", "arn"])
            .or_else(|| path_str(deployment, &["targetServiceRevisionArn"]))
            .map(arn_tail)
            .unwrap_or("?");
        let milestones = [
            (
                "ServiceDeploymentStarted",
                "started",
                path_time(deployment, &["startedAt"])
                    .or_else(|| path_time(deployment, &["createdAt"])),
            ),
            (
                "ServiceDeploymentFinished",
                "finished",
                path_time(deployment, &["finishedAt"]),
            ),
        ];
        for (kind, what, time) in milestones {
            let Some(time) = time else {
                continue;
            };
            let summary = format!(
                "{service}: service deployment {id} {what} (now {status}, target {target})"
            );
            let raw = sink.raw(format!("{locator}/serviceDeployments/{index}"));
            let mut event = Event::new(time, Source::Ecs, kind, summary, raw);
            event.fact_id = Some(format!("ecs-service-deployment:{id}:{what}"));
            sink.event(event);
        }
    }
}

/// Task IDs named in ECS service event messages, written `(task <id>)`.
pub fn task_ids_in_message(message: &str) -> Vec<String> {
    message
        .split("(task ")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|id| is_task_id(id))
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Deployment IDs named in ECS service event messages, written `(deployment <id>)`.
pub fn deployments_in_message(message: &str) -> impl Iterator<Item = String> + '_ {
    message
        .split("(deployment ")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|id| id.starts_with("ecs-svc/"))
        .map(str::to_string)
}

/// The roles a task definition gives its tasks (`taskRoleArn`,
/// `executionRoleArn`), by name: the roles ECS issues task sessions for.
pub fn definition_role_keys(definition: &Value) -> impl Iterator<Item = Key> + '_ {
    ["taskRoleArn", "executionRoleArn"]
        .into_iter()
        .filter_map(|field| path_str(definition, &[field]).and_then(role_name))
        .map(|role| Key::DefinitionRole(role.to_string()))
}

/// The fact ID shared by every record of one task definition registration.
pub fn task_definition_fact_id(arn: &str) -> String {
    format!("ecs-task-definition:{arn}")
}

/// Imports `{"taskDefinition": {...}}`: the registration, as context for its tasks.
pub fn import_task_definition_document(value: &Value, locator: &str, sink: &mut Sink) {
    let Some(definition) = value.get("taskDefinition") else {
        return;
    };
    sink.record(TASK_DEFINITION);
    let Some(arn) = path_str(definition, &["taskDefinitionArn"]) else {
        return;
    };
    sink.note_arn(arn);
    let Some(time) = path_time(definition, &["registeredAt"]) else {
        return;
    };
    let images: Vec<&str> = path_array(definition, &["containerDefinitions"])
        .iter()
        .filter_map(|c| path_str(c, &["image"]))
        .collect();
    let summary = format!(
        "task definition {} registered (images {})",
        arn_tail(arn),
        images.join(", ")
    );
    let raw = sink.raw(format!("{locator}/taskDefinition"));
    let mut event = Event::new(time, Source::Ecs, "RegisterTaskDefinition", summary, raw);
    event.actor = owned(definition, &["registeredBy"]);
    event.keys.push(Key::TaskDefinition(arn.to_string()));
    event.keys.extend(definition_role_keys(definition));
    event.fact_id = Some(task_definition_fact_id(arn));
    sink.event(event);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_task_ids_in_service_messages() {
        let message = "(service api) has started 2 tasks: (task 3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93) \
                       (task 7b0e1c2d-3f4a-4b5c-8d6e-9f0a1b2c3d4e).";
        assert_eq!(
            task_ids_in_message(message),
            vec![
                "3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93".to_string(),
                "7b0e1c2d-3f4a-4b5c-8d6e-9f0a1b2c3d4e".to_string()
            ]
        );
        assert!(task_ids_in_message("(service api) has reached a steady state.").is_empty());
        let done = "(service api) (deployment ecs-svc/4417230311982341122) deployment completed.";
        assert_eq!(
            deployments_in_message(done).collect::<Vec<_>>(),
            vec!["ecs-svc/4417230311982341122".to_string()]
        );
    }
}
