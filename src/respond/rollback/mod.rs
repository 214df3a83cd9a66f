//! Planning the rollback of a service to an earlier task definition that
//! never returns to the revision under suspicion: the suspects
//! ([`suspects`]), the target ([`target`]), the comparison of the two task
//! definitions, the refusals, and following the deployment ([`follow`]).

pub mod follow;
pub mod target;

pub use follow::{follow, Settled};

use super::cloud::Cloud;
use super::diff::{compare, Definition};
use super::isolate::Planning;
use super::plan::{plan_id, ActionKind, Call, Plan, Step, StepId, Target};
use crate::collect::aws::describe_error;
use crate::model::keys::{family_revision, same_revision};
use crate::model::time::format_time;
use crate::respond::request::RollbackRequest;
use crate::respond::suspects;
use anyhow::anyhow;
use aws_sdk_ecs::types::{DesiredStatus, ServiceDeploymentStatus};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use suspects::{Objection, Suspects};

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

/// The service as the plan sees it.
struct ServiceState {
    name: String,
    definition: String,
    desired_count: i32,
    /// A primary deployment is rolling out.
    rolling: bool,
    /// The ID of the primary deployment.
    primary_id: Option<String>,
    /// The service deployment in progress, when ECS names one.
    in_progress: Option<String>,
    /// The task definitions of the deployments a rollout in progress
    /// replaces (the ACTIVE ones).
    replaced: Vec<String>,
    /// The task definition of the last completed deployment: where ECS's
    /// own rollback on failure returns the service.
    completed: Option<String>,
    /// What makes ECS roll a failed deployment back, when something does.
    rolls_back_on_failure: Option<&'static str>,
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

/// Image digests the service's tasks on the suspect revisions run (RUNNING
/// and recently STOPPED).
async fn running_digests(
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

/// Where the plan starts from: the target when the service is already on
/// it (an earlier rollback's target, the one asked for, or a rollout in
/// progress to an older revision), and why.
fn already_on_target(
    service: &ServiceState,
    current: &Definition,
    requested: Option<&str>,
    history: &[&suspects::EarlierRollback],
    suspects: &Suspects,
) -> Option<String> {
    if let Some(requested) = requested {
        return same_revision(requested, &current.arn).then(|| "the target asked for".to_string());
    }
    if suspects.why(&current.arn).is_some() {
        return None;
    }
    if let Some(earlier) = history.iter().rev().find(|e| {
        e.target
            .as_deref()
            .is_some_and(|t| same_revision(t, &current.arn))
    }) {
        return Some(format!("the target of {}", earlier.plan_id));
    }
    // A rollout to an older revision of the family than every one it
    // replaces looks like a rollback in progress (another responder's):
    // stopping it with ROLLBACK would return to the newer revision.
    let older = service.rolling
        && !service.replaced.is_empty()
        && service.replaced.iter().all(|r| {
            let (family, revision) = family_revision(r);
            family == current.family && revision > current.revision
        });
    older.then(|| "a rollout in progress to an older revision, taken for a rollback".to_string())
}

/// Makes the rollback plan for the service `request` names.
pub async fn plan(
    cloud: &Cloud,
    planning: &Planning,
    request: &RollbackRequest,
) -> anyhow::Result<Plan> {
    let service = read_service(cloud, request).await?;
    let current = describe_definition(cloud, &service.definition).await?;
    let mut warnings: Vec<String> = request
        .history
        .problems
        .iter()
        .map(|p| format!("the bundle's audit log has an unreadable line, which may hide an earlier rollback: {p}"))
        .collect();
    let earlier = request.history.of_service(
        &cloud.region,
        &planning.account,
        &request.cluster,
        &service.name,
    );
    let mut suspects = Suspects::from_earlier(earlier.iter().copied());
    let requested = request.to.as_ref().map(|to| {
        if to.chars().all(|c| c.is_ascii_digit()) {
            format!("{}:{to}", current.family)
        } else {
            to.clone()
        }
    });
    let on_target = already_on_target(
        &service,
        &current,
        requested.as_deref(),
        &earlier,
        &suspects,
    );
    if on_target.is_none() {
        suspects.add_revision(&current.arn, "the revision the service runs now");
        suspects.digests.extend(current.pinned_digests());
    } else {
        for replaced in &service.replaced {
            let why = format!("replaced by the rollout in progress to {}", current.short());
            suspects.add_revision(replaced, why);
        }
    }
    let history = target::completed(cloud, request).await;
    let ran = history.as_deref().unwrap_or_default();
    // What the suspect revisions ran, by the service's own records.
    for record in ran {
        if suspects.why(&record.task_definition).is_some() {
            suspects.digests.extend(record.digests.iter().cloned());
        }
    }
    let running = running_digests(cloud, request, &suspects).await?;
    suspects.digests.extend(running);

    // StopServiceDeployment(ROLLBACK) returns to where the deployment started:
    // only when that revision clears the suspects.
    let mut stop = None;
    if let (None, None, Some(deployment), [from]) = (
        &requested,
        &on_target,
        &service.in_progress,
        service.replaced.as_slice(),
    ) {
        let ran_from = target::recorded_digests(ran, from).unwrap_or_default();
        match suspects.objection(from, &ran_from) {
            None => stop = Some((deployment.clone(), from.clone())),
            Some(objection) => warnings.push(format!(
                "the deployment in progress is not stopped with ROLLBACK: that returns the service to {from}, {}",
                describe_objection(&objection)
            )),
        }
    }
    let mut skipped = Vec::new();
    let target_reference = match (&requested, &on_target, &stop) {
        (Some(to), _, _) => to.clone(),
        (None, Some(_), _) => current.arn.clone(),
        (None, None, Some((_, from))) => from.clone(),
        (None, None, None) => match target::choose(ran, &current.arn, &suspects, &mut skipped) {
            Some(found) => found,
            None => {
                if let Err(why) = &history {
                    warnings.push(format!(
                        "the service deployment history could not be read ({why}); the target is the previous ACTIVE revision of {}",
                        current.family
                    ));
                }
                target::previous_revision(cloud, &current, &suspects)
                    .await?
                    .ok_or_else(|| {
                        anyhow!(
                            "{} has no earlier ACTIVE revision to roll back to that is not under suspicion; pass --to",
                            current.arn
                        )
                    })?
            }
        },
    };
    warnings.extend(skipped);
    let target = if same_revision(&target_reference, &current.arn) {
        current.clone()
    } else {
        describe_definition(cloud, &target_reference).await?
    };
    let diff = compare(&current, &target);
    let recorded = target::recorded_digests(ran, &target.arn);
    let mut target_digests = target.pinned_digests();
    target_digests.extend(recorded.iter().flatten().cloned());
    let objection = match suspects.objection(&target.arn, &target_digests) {
        Some(Objection::Digests(_)) if on_target.is_some() => None,
        other => other,
    };
    let mut refused = None;
    match &objection {
        Some(Objection::Revision(why)) => {
            refused = Some(format!(
                "{} is a suspect revision ({why}): a rollback never returns to it; pass --to a revision that is not under suspicion",
                target.arn
            ));
        }
        Some(Objection::Digests(shared)) => {
            let message = format!(
                "{} ran {}, under suspicion: rolling back to it may redeploy the compromised code",
                target.arn,
                shared.join(", ")
            );
            if request.allow_same_digest {
                warnings.push(format!("{message} (allowed by --allow-same-digest)"));
            } else {
                refused = Some(format!(
                    "{message}; pass --allow-same-digest to roll back anyway"
                ));
            }
        }
        None => {}
    }
    let by_tag = target.containers.values().any(|c| !c.image.contains('@'));
    if on_target.is_none() && by_tag {
        warnings.push(match recorded {
            None => format!(
                "{} names images by tag and no service revision records the digests it ran: the tag may have moved since; compare the images below before confirming",
                target.arn
            ),
            Some(_) => format!(
                "{} names images by tag: the digests compared are those its earlier deployments ran, and ECS resolves the tag again when it deploys (the tag may have moved since)",
                target.arn
            ),
        });
    }
    let returns_to = service
        .completed
        .as_deref()
        .filter(|c| !same_revision(c, &target.arn) && suspects.why(c).is_some());
    let rolls_out = on_target.is_none() || service.rolling;
    if let (Some(option), Some(back), true) = (service.rolls_back_on_failure, returns_to, rolls_out)
    {
        warnings.push(format!(
            "the service's {option} rolls a failed deployment back to the last completed one, {back}, a suspect revision: if the rollout to {} fails, ECS returns the service there (follow then fails); turn that rollback option off first to prevent it",
            target.short()
        ));
    }
    let prior = json!({"taskDefinition": current.arn, "desiredCount": service.desired_count});
    let title = format!("roll {} back to {}", service.name, target.short());
    let rollback = match (&on_target, &stop) {
        (Some(why), _) if service.rolling => Step::unavailable(
            StepId::Rollback,
            title,
            format!(
                "{} is already rolling out {} ({why}): nothing to change; follow watches the rollout",
                service.name,
                target.short()
            ),
        ),
        (Some(why), _) => Step::unavailable(
            StepId::Rollback,
            title,
            format!("{} already runs {} ({why})", service.name, target.short()),
        ),
        (None, Some((deployment, _))) => Step::new(
            StepId::Rollback,
            format!(
                "stop the deployment in progress and roll {} back",
                service.name
            ),
            vec![Call::new(
                "ecs:StopServiceDeployment",
                json!({"serviceDeploymentArn": deployment, "stopType": "ROLLBACK"}),
            )
            .with_prior(prior)],
        )
        .with_blast_radius(
            "ECS returns every task of the service to the revision the deployment started from",
        ),
        (None, None) => Step::new(
            StepId::Rollback,
            title,
            vec![Call::new(
                "ecs:UpdateService",
                json!({"cluster": request.cluster, "service": service.name, "taskDefinition": target.arn}),
            )
            .with_prior(prior)],
        )
        .with_blast_radius(format!(
            "a new deployment replaces every task of {} with {}",
            service.name,
            target.short()
        )),
    };
    let suspect_revisions = suspects.revision_arns();
    let follow_title = "follow the deployment until it is steady or has failed";
    let follow = if on_target.is_some() && !service.rolling {
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
                    "suspectRevisions": suspect_revisions,
                    "stoppingDeployment": stop.as_ref().and(service.primary_id.as_deref()),
                    "knownDeployments": service.before["deployments"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|d| d["id"].clone())
                        .collect::<Vec<_>>(),
                    "timeoutSeconds": request.follow_timeout.as_secs(),
                    "knownEventIds": service.before["eventIds"],
                    "reads": ["ecs:DescribeServices"],
                }),
            )],
        )
    };
    let mut before = service.before;
    before["targetTaskDefinition"] = json!(target.arn);
    before["suspectRevisions"] = json!(suspect_revisions);
    before["suspectDigests"] = json!(suspects.digests);
    Ok(Plan {
        action: ActionKind::Rollback,
        id: plan_id(ActionKind::Rollback, &service.name, &planning.now),
        created: format_time(&planning.now),
        target: Target {
            region: cloud.region.clone(),
            account: planning.account.clone(),
            cluster: request.cluster.clone(),
            task_arn: None,
            service: Some(service.name.clone()),
            caller: planning.caller.clone(),
        },
        confirm_with: service.name,
        steps: vec![rollback, follow],
        warnings,
        refused,
        diff,
        before,
    })
}

/// Why a revision is objected to, for a warning.
fn describe_objection(objection: &Objection) -> String {
    match objection {
        Objection::Revision(why) => format!("a suspect revision ({why})"),
        Objection::Digests(shared) => format!("which ran {}, under suspicion", shared.join(", ")),
    }
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
