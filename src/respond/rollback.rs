//! Planning the rollback of a service to an earlier task definition: the
//! target (the last completed deployment before the current one, or the one
//! asked for), the comparison of the two task definitions, and a refusal when
//! the target runs an image digest under suspicion.

use super::cloud::Cloud;
use super::diff::{compare, Definition};
use super::isolate::Planning;
use super::plan::{ActionKind, Call, Plan, Step, StepId, Target};
use crate::collect::aws::describe_error;
use crate::model::time::format_time;
use anyhow::anyhow;
use aws_sdk_ecs::types::{DesiredStatus, ServiceDeploymentStatus, SortOrder};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Duration;

/// A service's deployments as plans and results record them.
fn deployments_json(service: &aws_sdk_ecs::types::Service) -> Vec<Value> {
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

/// Completed deployments read at most while looking for the target.
const MAX_DEPLOYMENTS: usize = 1000;

/// How long a deployment is followed unless the responder asks otherwise.
pub const DEFAULT_FOLLOW_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// What to roll back, and the responder's choices.
#[derive(Debug, Clone)]
pub struct RollbackRequest {
    /// The cluster (name or ARN).
    pub cluster: String,
    /// The service (name or ARN).
    pub service: String,
    /// The target: a revision number, `family:revision` or an ARN; the last
    /// completed deployment before the current one when absent.
    pub to: Option<String>,
    /// Run even when the target uses an image digest under suspicion.
    pub allow_same_digest: bool,
    /// How long to follow the deployment.
    pub follow_timeout: Duration,
}

/// The service as the plan sees it.
struct ServiceState {
    name: String,
    definition: String,
    /// The service deployment in progress, when ECS names one.
    in_progress: Option<String>,
    /// The task definition a deployment in progress started from.
    rolling_from: Option<String>,
    before: Value,
}

async fn read_service(cloud: &Cloud, request: &RollbackRequest) -> anyhow::Result<ServiceState> {
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
    let deployments = deployments_json(service);
    let rolling = service.deployments().iter().any(|d| {
        d.status() == Some("PRIMARY")
            && d.rollout_state()
                .is_some_and(|r| r.as_str() == "IN_PROGRESS")
    });
    let rolling_from = service
        .deployments()
        .iter()
        .find(|d| rolling && d.status() == Some("ACTIVE"))
        .and_then(|d| d.task_definition())
        .map(str::to_string);
    // Events already listed are history: following records only newer ones.
    let event_ids: Vec<&str> = service.events().iter().filter_map(|e| e.id()).collect();
    let mut state = ServiceState {
        name: service
            .service_name()
            .unwrap_or(&request.service)
            .to_string(),
        definition: service.task_definition().unwrap_or_default().to_string(),
        in_progress: None,
        rolling_from,
        before: json!({
            "eventIds": event_ids,
            "serviceArn": service.service_arn(),
            "taskDefinition": service.task_definition(),
            "desiredCount": service.desired_count(),
            "runningCount": service.running_count(),
            "deployments": deployments,
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

/// The task definition of the last completed deployment that is not the
/// current one, from the service deployment history; `Err` says why the
/// history could not be used.
async fn last_completed(
    cloud: &Cloud,
    request: &RollbackRequest,
    current: &str,
) -> Result<Option<String>, String> {
    let region = &cloud.region;
    // No paginator in the SDK for this one: follow nextToken by hand.
    let mut briefs = Vec::new();
    let mut token = None;
    loop {
        let page = cloud
            .ecs
            .list_service_deployments()
            .cluster(&request.cluster)
            .service(&request.service)
            .status(ServiceDeploymentStatus::Successful)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| describe_error("ecs:ListServiceDeployments", region, &e))?;
        briefs.extend(page.service_deployments().iter().cloned());
        token = page.next_token().map(str::to_string);
        if token.is_none() || briefs.len() >= MAX_DEPLOYMENTS {
            break;
        }
    }
    briefs.sort_by_key(|b| std::cmp::Reverse(b.finished_at().map(|t| t.secs())));
    for brief in briefs {
        let Some(revision) = brief.target_service_revision_arn() else {
            continue;
        };
        let revisions = cloud
            .ecs
            .describe_service_revisions()
            .service_revision_arns(revision)
            .send()
            .await
            .map_err(|e| describe_error("ecs:DescribeServiceRevisions", region, &e))?;
        let definition = revisions
            .service_revisions()
            .first()
            .and_then(|r| r.task_definition());
        if let Some(definition) = definition.filter(|d| *d != current) {
            return Ok(Some(definition.to_string()));
        }
    }
    Ok(None)
}

/// The newest ACTIVE revision of the current family below the current one.
async fn previous_revision(cloud: &Cloud, current: &Definition) -> anyhow::Result<Option<String>> {
    let mut pages = cloud
        .ecs
        .list_task_definitions()
        .family_prefix(&current.family)
        .sort(SortOrder::Desc)
        .into_paginator()
        .items()
        .send();
    let mut listed = Vec::new();
    while let Some(arn) = pages.next().await {
        listed.push(
            arn.map_err(|e| anyhow!(describe_error("ecs:ListTaskDefinitions", &cloud.region, &e)))?,
        );
    }
    // The newest earlier revision, whatever order the listing came in.
    Ok(listed
        .iter()
        .filter(|arn| {
            let (family, revision) = family_revision(arn);
            family == current.family && revision < current.revision
        })
        .max_by_key(|arn| family_revision(arn).1)
        .cloned())
}

/// `family` and revision number of a task definition ARN or `family:N`.
fn family_revision(reference: &str) -> (&str, i64) {
    let tail = reference.rsplit('/').next().unwrap_or(reference);
    match tail.rsplit_once(':') {
        Some((family, revision)) => (family, revision.parse().unwrap_or(0)),
        None => (tail, 0),
    }
}

async fn describe_definition(cloud: &Cloud, reference: &str) -> anyhow::Result<Definition> {
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

/// Image digests the service's tasks on `definition` run (RUNNING and
/// recently STOPPED).
async fn running_digests(
    cloud: &Cloud,
    request: &RollbackRequest,
    definition: &str,
) -> anyhow::Result<BTreeSet<String>> {
    let region = &cloud.region;
    let mut digests = BTreeSet::new();
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
                    .filter(|t| t.task_definition_arn() == Some(definition))
                    .flat_map(|t| t.containers())
                    .filter_map(|c| c.image_digest())
                    .map(str::to_string),
            );
        }
    }
    Ok(digests)
}

/// Makes the rollback plan for the service `request` names.
pub async fn plan(
    cloud: &Cloud,
    planning: &Planning,
    request: &RollbackRequest,
) -> anyhow::Result<Plan> {
    let service = read_service(cloud, request).await?;
    let current = describe_definition(cloud, &service.definition).await?;
    let mut warnings = Vec::new();
    let stops_deployment = request.to.is_none() && service.in_progress.is_some();
    let target_reference = match (&request.to, &service.rolling_from) {
        (Some(to), _) if to.chars().all(|c| c.is_ascii_digit()) => {
            format!("{}:{to}", current.family)
        }
        (Some(to), _) => to.clone(),
        // StopServiceDeployment(ROLLBACK) returns to where the deployment started.
        (None, Some(from)) if stops_deployment => from.clone(),
        (None, _) => match last_completed(cloud, request, &current.arn).await {
            Ok(Some(found)) => found,
            found => {
                if let Err(why) = found {
                    warnings.push(format!(
                        "the service deployment history could not be read ({why}); the target is the previous ACTIVE revision of {}",
                        current.family
                    ));
                }
                previous_revision(cloud, &current).await?.ok_or_else(|| {
                    anyhow!(
                        "{} has no earlier ACTIVE revision to roll back to; pass --to",
                        current.arn
                    )
                })?
            }
        },
    };
    let target = describe_definition(cloud, &target_reference).await?;
    let diff = compare(&current, &target);
    let nothing_to_do = service.definition == target.arn && service.in_progress.is_none();
    let mut suspect = if nothing_to_do {
        BTreeSet::new()
    } else {
        running_digests(cloud, request, &current.arn).await?
    };
    suspect.extend(current.pinned_digests());
    let target_digests = target.pinned_digests();
    let same: Vec<&String> = if nothing_to_do {
        Vec::new()
    } else {
        suspect.intersection(&target_digests).collect()
    };
    let mut refused = None;
    if !same.is_empty() {
        let message = format!(
            "{} runs {}, the image digest the current revision runs: rolling back to it fixes nothing",
            target.arn,
            same.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", ")
        );
        if request.allow_same_digest {
            warnings.push(format!("{message} (allowed by --allow-same-digest)"));
        } else {
            refused = Some(format!(
                "{message}; pass --allow-same-digest to roll back anyway"
            ));
        }
    } else if target_digests.is_empty() && !nothing_to_do {
        warnings.push(format!(
            "{} names its images by tag, not digest: compare the images below before confirming",
            target.arn
        ));
    }
    let title = format!("roll {} back to {}", service.name, target.short());
    let rollback = if nothing_to_do {
        Step::unavailable(
            StepId::Rollback,
            title,
            format!("{} already runs {}", service.name, target.short()),
        )
    } else if let (Some(deployment), true) = (&service.in_progress, stops_deployment) {
        Step::new(
            StepId::Rollback,
            format!(
                "stop the deployment in progress and roll {} back",
                service.name
            ),
            vec![Call::new(
                "ecs:StopServiceDeployment",
                json!({"serviceDeploymentArn": deployment, "stopType": "ROLLBACK"}),
            )],
        )
        .with_blast_radius(
            "ECS returns every task of the service to the revision the deployment started from",
        )
    } else {
        Step::new(
            StepId::Rollback,
            title,
            vec![Call::new(
                "ecs:UpdateService",
                json!({"cluster": request.cluster, "service": service.name, "taskDefinition": target.arn}),
            )],
        )
        .with_blast_radius(format!(
            "a new deployment replaces every task of {} with {}",
            service.name,
            target.short()
        ))
    };
    let follow_title = "follow the deployment until it is steady or has failed";
    let follow = if nothing_to_do {
        Step::unavailable(StepId::Follow, follow_title, "no deployment to follow")
    } else {
        Step::new(
            StepId::Follow,
            follow_title,
            vec![Call::new(
                "taskscope:follow",
                json!({
                    "cluster": request.cluster,
                    "service": service.name,
                    "taskDefinition": target.arn,
                    "timeoutSeconds": request.follow_timeout.as_secs(),
                    "knownEventIds": service.before["eventIds"],
                    "reads": ["ecs:DescribeServices"],
                }),
            )],
        )
    };
    let mut before = service.before;
    before["targetTaskDefinition"] = json!(target.arn);
    before["suspectDigests"] = json!(suspect);
    Ok(Plan {
        action: ActionKind::Rollback,
        id: format!(
            "rollback-{}-{}",
            service.name,
            planning.now.format("%Y%m%dT%H%M%SZ")
        ),
        created: format_time(&planning.now),
        target: Target {
            region: cloud.region.clone(),
            account: planning.account.clone(),
            caller: planning.caller.clone(),
            cluster: request.cluster.clone(),
            task_arn: None,
            service: Some(service.name.clone()),
        },
        confirm_with: service.name,
        steps: vec![rollback, follow],
        warnings,
        refused,
        diff,
        before,
    })
}

/// The service's task definition and deployments after a rollback.
pub async fn state_after(cloud: &Cloud, plan: &Plan) -> Value {
    let service = plan.target.service.as_deref().unwrap_or_default();
    match cloud
        .ecs
        .describe_services()
        .cluster(&plan.target.cluster)
        .services(service)
        .send()
        .await
    {
        Ok(out) => out.services().first().map_or(Value::Null, |s| {
            json!({
                "taskDefinition": s.task_definition(),
                "desiredCount": s.desired_count(),
                "runningCount": s.running_count(),
                "deployments": deployments_json(s),
            })
        }),
        Err(e) => json!({"error": describe_error("ecs:DescribeServices", &cloud.region, &e)}),
    }
}

/// What following a deployment saw last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// The service runs the target and its primary deployment completed.
    Steady,
    /// ECS reports the deployment failed.
    Failed(String),
}

/// Polls the service every `interval` until it is steady on the call's task
/// definition, has failed, or the call's timeout passes. Each service event
/// not seen before goes to `on_event` (time, message), oldest first.
pub async fn follow(
    cloud: &Cloud,
    call: &Call,
    interval: Duration,
    on_event: &mut (dyn FnMut(String, String) + Send),
) -> Result<Settled, String> {
    let p = &call.parameters;
    let (Some(cluster), Some(service), Some(target)) = (
        p["cluster"].as_str(),
        p["service"].as_str(),
        p["taskDefinition"].as_str(),
    ) else {
        return Err("the plan's follow step lacks its service".into());
    };
    let timeout = Duration::from_secs(p["timeoutSeconds"].as_u64().unwrap_or(600));
    let deadline = tokio::time::Instant::now() + timeout;
    let mut seen: BTreeSet<String> = p["knownEventIds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|id| id.as_str().map(str::to_string))
        .collect();
    loop {
        let out = cloud
            .ecs
            .describe_services()
            .cluster(cluster)
            .services(service)
            .send()
            .await
            .map_err(|e| describe_error("ecs:DescribeServices", &cloud.region, &e))?;
        let Some(current) = out.services().first() else {
            return Err(format!("service {service} disappeared"));
        };
        let mut fresh: Vec<_> = current
            .events()
            .iter()
            .filter(|e| e.id().is_some_and(|id| seen.insert(id.to_string())))
            .collect();
        fresh.sort_by_key(|e| e.created_at().map(|t| (t.secs(), t.subsec_nanos())));
        for event in fresh {
            let at = event
                .created_at()
                .and_then(|t| chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
                .map_or_else(String::new, |t| format_time(&t));
            on_event(at, event.message().unwrap_or_default().to_string());
        }
        let primary = current
            .deployments()
            .iter()
            .find(|d| d.status() == Some("PRIMARY"));
        let rollout = primary
            .and_then(|d| d.rollout_state())
            .map(|r| r.as_str().to_string());
        if rollout.as_deref() == Some("FAILED") {
            let reason = primary
                .and_then(|d| d.rollout_state_reason())
                .unwrap_or("no reason given");
            return Ok(Settled::Failed(reason.to_string()));
        }
        let on_target = current.task_definition() == Some(target);
        let settled = current.deployments().len() == 1
            && rollout.as_deref().is_none_or(|r| r == "COMPLETED")
            && current.running_count() == current.desired_count();
        if on_target && settled {
            return Ok(Settled::Steady);
        }
        if tokio::time::Instant::now() + interval > deadline {
            return Err(format!(
                "{service} was not steady on the target after {} s (rollout {})",
                timeout.as_secs(),
                rollout.as_deref().unwrap_or("unknown")
            ));
        }
        tokio::time::sleep(interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::family_revision;

    #[test]
    fn revisions_come_from_arns_and_short_names() {
        assert_eq!(
            family_revision("arn:aws:ecs:us-east-1:123456789012:task-definition/web:7"),
            ("web", 7)
        );
        assert_eq!(family_revision("web:12"), ("web", 12));
        assert_eq!(family_revision("web"), ("web", 0));
    }
}
