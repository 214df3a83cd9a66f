//! Following a rollback's deployment until the service is steady on the
//! target, the deployment failed, or the service landed on another revision
//! (ECS's own rollback on failure returns it to the last completed
//! deployment, which may be the revision under suspicion).

use crate::collect::aws::describe_error;
use crate::model::keys::arn_tail;
use crate::model::keys::same_revision;
use crate::model::time::format_time;
use crate::respond::cloud::Cloud;
use crate::respond::plan::Call;
use std::collections::BTreeSet;
use std::time::Duration;

/// What following a deployment saw last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// The service runs the target and its primary deployment completed.
    Steady,
    /// ECS reports the deployment failed, or the service's primary
    /// deployment runs another revision than the target; the text says which.
    Failed(String),
}

/// Polls the service every `interval` until it is steady on the call's task
/// definition, has failed or landed elsewhere, or the call's timeout passes.
/// Each service event not seen before goes to `on_event` (time, message),
/// oldest first.
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
    let texts = |name: &str| -> BTreeSet<String> {
        p[name]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    };
    let suspects = texts("suspectRevisions");
    // Deployments listed when the plan was made: one of them still primary
    // is the one being replaced, not a rollback ECS started.
    let known = texts("knownDeployments");
    // The deployment a StopServiceDeployment(ROLLBACK) stops stays primary
    // until ECS starts the rollback: not a landing elsewhere.
    let stopping = p["stoppingDeployment"].as_str();
    let timeout = Duration::from_secs(p["timeoutSeconds"].as_u64().unwrap_or(600));
    let deadline = tokio::time::Instant::now() + timeout;
    let mut seen = texts("knownEventIds");
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
        let primary_id = primary.and_then(|d| d.id());
        let being_stopped = stopping.is_some() && primary_id == stopping;
        let primary_known = primary_id.is_some_and(|id| known.contains(id));
        let elsewhere = |d: &&str| !same_revision(d, target);
        let landed = if being_stopped {
            None
        } else {
            current.task_definition().filter(elsewhere).or_else(|| {
                primary
                    .and_then(|d| d.task_definition())
                    .filter(|d| elsewhere(d) && !primary_known)
            })
        };
        if let Some(landed) = landed {
            let suspect = if suspects.iter().any(|s| same_revision(s, landed)) {
                ", a revision under suspicion"
            } else {
                ""
            };
            return Ok(Settled::Failed(format!(
                "the service runs {}{suspect}, not the target {}: ECS rolled the deployment back (circuit breaker or alarms), or another deployment replaced it (rollout {})",
                arn_tail(landed),
                arn_tail(target),
                rollout.as_deref().unwrap_or("unknown")
            )));
        }
        if rollout.as_deref() == Some("FAILED") {
            let reason = primary
                .and_then(|d| d.rollout_state_reason())
                .unwrap_or("no reason given");
            return Ok(Settled::Failed(reason.to_string()));
        }
        let on_target = current
            .task_definition()
            .is_some_and(|d| same_revision(d, target));
        let settled = current.deployments().len() == 1
            && rollout.as_deref().is_none_or(|r| r == "COMPLETED")
            && current.running_count() == current.desired_count();
        if on_target && settled {
            return Ok(Settled::Steady);
        }
        if tokio::time::Instant::now() + interval > deadline {
            return Err(format!(
                "{service} was not steady on {} after {} s (rollout {}). The deployment goes on in AWS: check the service's deployments and events (aws ecs describe-services). Running the same rollback again with the same bundle is safe: it finds the service on its way to the target and only follows it",
                arn_tail(target),
                timeout.as_secs(),
                rollout.as_deref().unwrap_or("unknown")
            ));
        }
        tokio::time::sleep(interval).await;
    }
}
