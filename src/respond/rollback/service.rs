//! What a rollback plan reads from ECS: the service as it is (its
//! deployments, what rolls it back on failure), a task definition, and the
//! image digests the suspect revisions' tasks run.

use crate::collect::aws::describe_error;
use crate::respond::cloud::Cloud;
use crate::respond::diff::Definition;
use crate::respond::request::RollbackRequest;
use crate::respond::suspects::Suspects;
use anyhow::anyhow;
use aws_sdk_ecs::types::{DesiredStatus, ServiceDeploymentStatus};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// A service's deployments as plans and results record them.
pub(super) fn deployments_json(service: &aws_sdk_ecs::types::Service) -> Vec<Value> {
    service
        .deployments()
        .iter()
        .map(|d| {
            json!({
                "id": d.id(),
                "status": d.status(),
                "rolloutState": d.rollout_state().map(|r| r.as_str()),
                "taskDefinition": d.task_definition(),
            })
        })
        .collect()
}

/// The service as the plan sees it.
pub(super) struct ServiceState {
    pub(super) name: String,
    pub(super) definition: String,
    pub(super) desired_count: i32,
    /// A primary deployment is rolling out.
    pub(super) rolling: bool,
    /// The ID of the primary deployment.
    pub(super) primary_id: Option<String>,
    /// The service deployment in progress, when ECS names one.
    pub(super) in_progress: Option<String>,
    /// The task definitions of the deployments a rollout in progress
    /// replaces (the ACTIVE ones).
    pub(super) replaced: Vec<String>,
    /// The task definition of the last completed deployment: where ECS's
    /// own rollback on failure returns the service.
    pub(super) completed: Option<String>,
    /// What makes ECS roll a failed deployment back, when something does.
    pub(super) rolls_back_on_failure: Option<&'static str>,
    pub(super) before: Value,
}

pub(super) async fn read_service(
    cloud: &Cloud,
    request: &RollbackRequest,
) -> anyhow::Result<ServiceState> {
    let region = &cloud.region;
    let described = cloud
        .ecs
        .describe_services()
        .cluster(&request.cluster)
        .services(&request.service)
        .send()
        .await
        .map_err(|e| anyhow!(describe_error("ecs:DescribeServices", region, &e)))?;
    let service = described
        .services()
        .first()
        .filter(|s| s.status() != Some("INACTIVE"))
        .ok_or_else(|| {
            anyhow!(
                "service {} is not in cluster {} ({region})",
                request.service,
                request.cluster
            )
        })?;
    if let Some(controller) = service
        .deployment_controller()
        .map(|c| c.r#type().as_str())
        .filter(|c| *c != "ECS")
    {
        anyhow::bail!(
            "service {} uses the {controller} deployment controller: roll it back with that controller, not UpdateService",
            request.service
        );
    }
    let primary = service
        .deployments()
        .iter()
        .find(|d| d.status() == Some("PRIMARY"));
    let rolling = primary
        .and_then(|d| d.rollout_state())
        .is_some_and(|r| r.as_str() == "IN_PROGRESS");
    let replaced = service
        .deployments()
        .iter()
        .filter(|d| rolling && d.status() == Some("ACTIVE"))
        .filter_map(|d| d.task_definition().map(str::to_string))
        .collect();
    let completed = service
        .deployments()
        .iter()
        .find(|d| d.rollout_state().is_some_and(|r| r.as_str() == "COMPLETED"))
        .and_then(|d| d.task_definition())
        .map(str::to_string);
    let configuration = service.deployment_configuration();
    let rolls_back_on_failure = if configuration
        .and_then(|c| c.deployment_circuit_breaker())
        .is_some_and(|b| b.enable() && b.rollback())
    {
        Some("deployment circuit breaker")
    } else if configuration
        .and_then(|c| c.alarms())
        .is_some_and(|a| a.enable() && a.rollback())
    {
        Some("deployment alarms")
    } else {
        None
    };
    // Events already listed are history: following records only newer ones.
    let event_ids: Vec<&str> = service.events().iter().filter_map(|e| e.id()).collect();
    let mut state = ServiceState {
        name: service
            .service_name()
            .unwrap_or(&request.service)
            .to_string(),
        definition: service.task_definition().unwrap_or_default().to_string(),
        desired_count: service.desired_count(),
        rolling,
        primary_id: primary.and_then(|d| d.id()).map(str::to_string),
        in_progress: None,
        replaced,
        completed,
        rolls_back_on_failure,
        before: json!({
            "eventIds": event_ids,
            "serviceArn": service.service_arn(),
            "taskDefinition": service.task_definition(),
            "desiredCount": service.desired_count(),
            "runningCount": service.running_count(),
            "deployments": deployments_json(service),
        }),
    };
    if rolling {
        state.in_progress = cloud
            .ecs
            .list_service_deployments()
            .cluster(&request.cluster)
            .service(&request.service)
            .status(ServiceDeploymentStatus::InProgress)
            .send()
            .await
            .ok()
            .and_then(|out| {
                out.service_deployments()
                    .first()
                    .and_then(|d| d.service_deployment_arn())
                    .map(str::to_string)
            });
    }
    Ok(state)
}

pub(super) async fn describe_definition(
    cloud: &Cloud,
    reference: &str,
) -> anyhow::Result<Definition> {
    let out = cloud
        .ecs
        .describe_task_definition()
        .task_definition(reference)
        .send()
        .await
        .map_err(|e| {
            anyhow!(describe_error(
                "ecs:DescribeTaskDefinition",
                &cloud.region,
                &e
            ))
        })?;
    out.task_definition()
        .map(Definition::from_sdk)
        .ok_or_else(|| anyhow!("task definition {reference} not found"))
}

/// Image digests the service's tasks on the suspect revisions run (RUNNING
/// and recently STOPPED).
pub(super) async fn running_digests(
    cloud: &Cloud,
    request: &RollbackRequest,
    suspects: &Suspects,
) -> anyhow::Result<BTreeSet<String>> {
    let region = &cloud.region;
    let mut digests = BTreeSet::new();
    if suspects.revisions.is_empty() {
        return Ok(digests);
    }
    for status in [DesiredStatus::Running, DesiredStatus::Stopped] {
        let mut pages = cloud
            .ecs
            .list_tasks()
            .cluster(&request.cluster)
            .service_name(&request.service)
            .desired_status(status)
            .into_paginator()
            .items()
            .send();
        let mut arns = Vec::new();
        while let Some(arn) = pages.next().await {
            arns.push(arn.map_err(|e| anyhow!(describe_error("ecs:ListTasks", region, &e)))?);
        }
        for chunk in arns.chunks(100) {
            let described = cloud
                .ecs
                .describe_tasks()
                .cluster(&request.cluster)
                .set_tasks(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(|e| anyhow!(describe_error("ecs:DescribeTasks", region, &e)))?;
            digests.extend(
                described
                    .tasks()
                    .iter()
                    .filter(|t| {
                        t.task_definition_arn()
                            .is_some_and(|d| suspects.why(d).is_some())
                    })
                    .flat_map(|t| t.containers())
                    .filter_map(|c| c.image_digest())
                    .map(str::to_string),
            );
        }
    }
    Ok(digests)
}
