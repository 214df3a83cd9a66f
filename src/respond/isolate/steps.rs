//! The isolation steps that act on the task itself, its service and its
//! role: preserve, protect, quarantine, revoke, stop.

use super::service::{read_service, ServiceNetwork};
use super::task::TaskState;
use super::{IsolateRequest, Planning};
use crate::collect::aws::describe_error;
use crate::model::time::format_time;
use crate::respond::cloud::Cloud;
use crate::respond::plan::{Call, Step, StepId};
use anyhow::anyhow;
use serde_json::json;

/// The longest StopTask reason ECS accepts, in characters.
const MAX_REASON_CHARS: usize = 255;

pub(super) fn preserve_step(request: &IsolateRequest, task: &TaskState) -> Step {
    Step::new(
        StepId::Preserve,
        format!(
            "collect the task's evidence into {} and seal it",
            request.preserve_out.display()
        ),
        vec![Call::new(
            "taskscope:collect",
            json!({
                "cluster": request.cluster,
                "task": task.arn,
                "since": format_time(&request.since),
                "out": request.preserve_out.display().to_string(),
                // Read-only: the calls of `taskscope collect` (docs/collect.md).
                "sources": ["ecs", "guardduty", "cloudtrail", "cloudwatch-logs"],
            }),
        )],
    )
}

pub(super) fn protect_step(request: &IsolateRequest, task: &TaskState) -> Step {
    let title = format!(
        "protect the task from scale-in and deployments for {} minutes",
        request.protect_minutes
    );
    if task.status == "STOPPED" || task.desired == "STOPPED" {
        return Step::unavailable(StepId::Protect, title, "the task is stopped or stopping");
    }
    if task.service.is_none() {
        return Step::unavailable(
            StepId::Protect,
            title,
            "a standalone task: protection applies to service tasks only",
        );
    }
    Step::new(
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
        )],
    )
    .with_blast_radius(
        "this task only; while it is protected the service's deployments wait for it",
    )
}

pub(super) async fn quarantine_step(
    cloud: &Cloud,
    request: &IsolateRequest,
    task: &TaskState,
) -> anyhow::Result<Step> {
    let title = "move the service's network configuration to a quarantine security group";
    let Some(service) = task.service.as_deref() else {
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
    let facts = read_service(cloud, &request.cluster, service).await?;
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
    let Some(previous) = facts.network else {
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

pub(super) async fn revoke_step(
    cloud: &Cloud,
    planning: &Planning,
    request: &IsolateRequest,
    task: &TaskState,
    warnings: &mut Vec<String>,
) -> anyhow::Result<Step> {
    let title = "deny every session of the task role issued before now";
    let Some(role_arn) = task.role.as_deref() else {
        return Ok(Step::unavailable(
            StepId::Revoke,
            title,
            "the task definition has no task role",
        ));
    };
    let role = role_arn.rsplit('/').next().unwrap_or(role_arn);
    let policy = deny_policy_name(request, task);
    let mut names = cloud
        .iam
        .list_role_policies()
        .role_name(role)
        .into_paginator()
        .items()
        .send();
    let mut existing = Vec::new();
    while let Some(name) = names.next().await {
        existing
            .push(name.map_err(|e| anyhow!(describe_error("iam:ListRolePolicies", "global", &e)))?);
    }
    if existing.contains(&policy) {
        return Ok(Step::unavailable(
            StepId::Revoke,
            title,
            format!("{role} already has the inline policy {policy}"),
        ));
    }
    let document = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "TaskscopeRevokeOlderSessions",
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"DateLessThan": {
                "aws:TokenIssueTime": planning.now.format("%Y-%m-%dT%H:%M:%SZ").to_string()
            }},
        }],
    });
    warnings.push(format!(
        "revoking sessions hits every task and service using {role}, not only this task"
    ));
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
        )],
    )
    .with_blast_radius(format!(
        "every task using {role} loses the credentials it holds now; ECS hands out new ones, \
         so this cuts off stolen credentials, not the task"
    )))
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
