//! The isolation steps that act on the task itself, its service and its
//! role: preserve, protect, quarantine, revoke, stop.

use super::service::{ServiceNetwork, ServiceRead};
use super::task::TaskState;
use super::Planning;
use crate::model::keys::arn_tail;
use crate::model::time::format_time;
use crate::respond::cloud::iam::{RolePolicy, APPLY_TIME};
use crate::respond::cloud::Cloud;
use crate::respond::plan::{Call, Step, StepId};
use crate::respond::request::IsolateRequest;
use anyhow::anyhow;
use serde_json::{json, Value};

/// The longest StopTask reason ECS accepts, in characters.
const MAX_REASON_CHARS: usize = 255;

pub(super) fn preserve_step(request: &IsolateRequest, task: &TaskState) -> Step {
    let mut parameters = json!({
        "cluster": request.cluster,
        "task": task.arn,
        "since": format_time(&request.since),
        "out": request.preserve_out.display().to_string(),
        // Read-only: the calls of `taskscope collect` (docs/collect.md).
        "sources": ["ecs", "guardduty", "cloudtrail", "cloudwatch-logs"],
    });
    if let Some(athena) = &request.athena {
        parameters["athena"] = json!(athena);
    }
    Step::new(
        StepId::Preserve,
        format!(
            "collect the task's evidence into {} and seal it",
            request.preserve_out.display()
        ),
        vec![Call::new("taskscope:collect", parameters)],
    )
}

/// The protect step's title, for `minutes` of protection.
pub(super) fn protect_title(minutes: i32) -> String {
    format!("protect the task from scale-in and deployments for {minutes} minutes")
}

pub(super) async fn protect_step(
    cloud: &Cloud,
    request: &IsolateRequest,
    task: &TaskState,
) -> anyhow::Result<Step> {
    let title = protect_title(request.protect_minutes);
    if task.status == "STOPPED" || task.desired == "STOPPED" {
        return Ok(Step::unavailable(
            StepId::Protect,
            title,
            "the task is stopped or stopping",
        ));
    }
    if task.service.is_none() {
        return Ok(Step::unavailable(
            StepId::Protect,
            title,
            "a standalone task: protection applies to service tasks only",
        ));
    }
    // What undo puts back.
    let before = cloud
        .task_protection(&request.cluster, &task.arn)
        .await
        .map_err(anyhow::Error::msg)?;
    Ok(Step::new(
        StepId::Protect,
        title,
        vec![Call::new(
            "ecs:UpdateTaskProtection",
            json!({
                "cluster": request.cluster,
                "tasks": [task.arn],
                "protectionEnabled": true,
                "expiresInMinutes": request.protect_minutes,
            }),
        )
        .with_prior(before.to_prior())],
    )
    .with_blast_radius(
        "this task only; while it is protected the service's deployments wait for it",
    ))
}

/// The quarantine step's title.
pub(super) const QUARANTINE_TITLE: &str =
    "move the service's network configuration to a quarantine security group";

pub(super) async fn quarantine_step(
    request: &IsolateRequest,
    service: Option<&ServiceRead<'_>>,
) -> anyhow::Result<Step> {
    let title = QUARANTINE_TITLE;
    let Some(read) = service else {
        return Ok(Step::unavailable(
            StepId::Quarantine,
            title,
            "a standalone task has no service",
        ));
    };
    let Some(quarantine) = request.quarantine_group.as_deref() else {
        return Ok(Step::unavailable(
            StepId::Quarantine,
            title,
            "pass --quarantine-group sg-... to offer it",
        ));
    };
    let service = read.name;
    let facts = read.facts().await?;
    if facts.controller != "ECS" {
        return Ok(Step::unavailable(
            StepId::Quarantine,
            title,
            format!(
                "service {service} is deployed by {}: UpdateService cannot change its network \
                 configuration (a new deployment through that controller can)",
                facts.controller
            ),
        ));
    }
    let Some(previous) = &facts.network else {
        return Ok(Step::unavailable(
            StepId::Quarantine,
            title,
            format!("service {service} has no awsvpc network configuration"),
        ));
    };
    let quarantined = ServiceNetwork {
        groups: vec![quarantine.to_string()],
        ..previous.clone()
    };
    Ok(Step::new(
        StepId::Quarantine,
        title,
        vec![Call::new(
            "ecs:UpdateService",
            json!({
                "cluster": request.cluster,
                "service": service,
                "networkConfiguration": quarantined.to_json(),
            }),
        )
        .with_prior(json!({"networkConfiguration": previous.to_json()}))],
    )
    .deselected()
    .with_blast_radius(format!(
        "starts a new deployment of {service}: every task it starts next, healthy ones too, \
         gets {quarantine}; this task keeps its groups (a Fargate task's interface cannot be changed)"
    )))
}

/// The inline policy name for an incident (or the task, without one).
fn deny_policy_name(request: &IsolateRequest, task: &TaskState) -> String {
    let label: String = request
        .incident
        .as_deref()
        .unwrap_or(crate::model::keys::short_id(&task.id))
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(*c))
        .take(100)
        .collect();
    format!("taskscope-revoke-sessions-{label}")
}

/// The revoke step's title.
pub(super) const REVOKE_TITLE: &str =
    "deny every session of the task role issued before the policy is applied";

pub(super) async fn revoke_step(
    cloud: &Cloud,
    request: &IsolateRequest,
    task: &TaskState,
    warnings: &mut Vec<String>,
) -> anyhow::Result<Step> {
    let title = REVOKE_TITLE;
    if let Some(why) = &task.definition_unread {
        return Err(anyhow!("{why}"));
    }
    let Some(role_arn) = task.role.as_deref() else {
        return Ok(Step::unavailable(
            StepId::Revoke,
            title,
            "the task definition has no task role",
        ));
    };
    let role = arn_tail(role_arn);
    let policy = deny_policy_name(request, task);
    // The previous document is what undo puts back.
    let (prior, replaces) = match cloud
        .role_policy(role, &policy)
        .await
        .map_err(anyhow::Error::msg)?
    {
        RolePolicy::NoRole => {
            return Ok(Step::unavailable(
                StepId::Revoke,
                title,
                format!("role {role} no longer exists (IAM: NoSuchEntity)"),
            ))
        }
        RolePolicy::Absent => (Value::Null, None),
        RolePolicy::Document(previous) => {
            let cutoff = revoke_cutoff(&previous);
            (json!({ "PolicyDocument": previous }), Some(cutoff))
        }
    };
    let document = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "TaskscopeRevokeOlderSessions",
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"DateLessThan": {"aws:TokenIssueTime": APPLY_TIME}},
        }],
    });
    warnings.push(format!(
        "revoking sessions hits every task and service using {role}, not only this task"
    ));
    let title = match replaces {
        Some(cutoff) => format!(
            "replace {role}'s inline policy {policy} (cutoff {cutoff}): deny every session \
             issued before the new policy is applied, moving the cutoff forward"
        ),
        None => title.to_string(),
    };
    Ok(Step::new(
        StepId::Revoke,
        title,
        vec![Call::new(
            "iam:PutRolePolicy",
            json!({
                "RoleName": role,
                "PolicyName": policy,
                "PolicyDocument": document.to_string(),
            }),
        )
        .with_prior(prior)],
    )
    .with_blast_radius(format!(
        "every task using {role} loses the credentials it holds now; ECS hands out new ones, \
         so this cuts off stolen credentials, not the task"
    )))
}

/// The `aws:TokenIssueTime` cutoff of a deny policy taskscope wrote, or
/// `unknown` for a document it cannot read.
fn revoke_cutoff(document: &str) -> String {
    let parsed: Value = serde_json::from_str(document).unwrap_or_default();
    parsed["Statement"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|statement| statement["Condition"]["DateLessThan"]["aws:TokenIssueTime"].as_str())
        .unwrap_or("unknown")
        .to_string()
}

pub(super) fn stop_step(planning: &Planning, request: &IsolateRequest, task: &TaskState) -> Step {
    let title = "stop the task";
    if task.status == "STOPPED" || task.desired == "STOPPED" {
        return Step::unavailable(
            StepId::Stop,
            title,
            "the task is already stopped or stopping",
        );
    }
    let incident = request.incident.as_deref().unwrap_or("no incident ID");
    let reason: String = format!("taskscope isolate ({incident}) by {}", planning.user)
        .chars()
        .take(MAX_REASON_CHARS)
        .collect();
    let radius = match &task.service {
        Some(service) => format!(
            "service {service} starts a replacement at once; StopTask deletes the task's tags and \
             its filesystem and memory are lost"
        ),
        None => "StopTask deletes the task's tags; its filesystem and memory are lost".into(),
    };
    Step::new(
        StepId::Stop,
        title,
        vec![Call::new(
            "ecs:StopTask",
            json!({"cluster": request.cluster, "task": task.arn, "reason": reason}),
        )],
    )
    .with_blast_radius(radius)
}
