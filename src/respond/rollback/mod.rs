//! Planning the rollback of a service to an earlier task definition that
//! never returns to the revision under suspicion: the suspects
//! ([`suspects`]), the target ([`target`]), the comparison of the two task
//! definitions, the refusals, and following the deployment ([`follow`]).
//! What the plan reads from ECS is in `service.rs`.

pub mod follow;
mod service;
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
use serde_json::{json, Value};
use service::{deployments_json, describe_definition, read_service, running_digests, ServiceState};
use suspects::{Objection, Suspects};

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
