//! Planning the isolation of one task, from what AWS says about it now:
//! preserve, protect, detach, contain (network ACL, a security group only
//! it uses, or the service's next tasks), revoke the role's sessions, stop.
//! A step that is already done, or cannot apply, says so and does not run,
//! which makes re-running an isolation safe; so does a step whose reads
//! failed, with the error, while the others are still planned. Only a
//! failure to read the task itself stops planning. [`task`] reads the task,
//! [`network`] plans the steps on its network ([`acl`], [`group`]),
//! [`steps`] the others; [`service`] reads the task's service.

mod acl;
pub(crate) mod group;
mod network;
mod service;
mod steps;
mod task;

use super::cloud::Cloud;
use super::plan::{plan_id, ActionKind, Plan, Step, StepId, Target};
use crate::collect::aws::describe_error;
use crate::model::keys::arn_tail;
use crate::model::time::format_time;
use crate::respond::request::IsolateRequest;
use chrono::{DateTime, Utc};
use network::{contain_steps, detach_step, DETACH_TITLE};
use serde_json::{json, Value};
use service::ServiceRead;
use steps::{
    preserve_step, protect_step, protect_title, quarantine_step, revoke_step, stop_step,
    QUARANTINE_TITLE, REVOKE_TITLE,
};
use task::read_task;

/// The facts of a plan: who plans, and when.
#[derive(Debug, Clone)]
pub struct Planning {
    /// The account the credentials belong to.
    pub account: String,
    /// Who will make the calls: the caller's ARN (STS GetCallerIdentity).
    pub caller: String,
    /// The local user (recorded in stop reasons).
    pub user: String,
    /// The time of planning.
    pub now: DateTime<Utc>,
}

/// Makes the isolation plan for the task `request` names.
pub async fn plan(
    cloud: &Cloud,
    planning: &Planning,
    request: &IsolateRequest,
) -> anyhow::Result<Plan> {
    let task = read_task(cloud, request).await?;
    let short = crate::model::keys::short_id(&task.id).to_string();
    let stopped = task.status == "STOPPED";
    let mut warnings = Vec::new();
    let mut before = json!({
        "taskArn": task.arn,
        "lastStatus": task.status,
        "service": task.service,
        "taskDefinitionArn": task.definition,
        "networkInterfaceId": task.eni,
        "subnetId": task.subnet,
        "privateIPv4Address": task.ip,
        "ipv6Addresses": task.ipv6,
        "vpcId": task.vpc,
        "securityGroups": task.groups,
        "taskRoleArn": task.role,
    });
    let mut steps = vec![preserve_step(request, &task)];
    steps.push(or_unavailable(
        StepId::Protect,
        &protect_title(request.protect_minutes),
        protect_step(cloud, request, &task).await,
    ));
    // The interface gives the VPC (detach) and the security groups
    // (contain-group); the network ACL step needs only the subnet.
    let interface_unread = || {
        task.interface_unread
            .as_ref()
            .map(|why| anyhow::anyhow!("{why}"))
    };
    let detach = match interface_unread() {
        Some(unread) => Err(unread),
        None => detach_step(cloud, &task, &mut before).await,
    };
    steps.push(or_unavailable(StepId::Detach, DETACH_TITLE, detach));
    let service = task
        .service
        .as_deref()
        .map(|name| ServiceRead::new(cloud, &request.cluster, name));
    let (nacl, group) = contain_steps(
        cloud,
        request,
        service.as_ref(),
        &task,
        &mut before,
        &mut warnings,
    )
    .await;
    steps.push(or_unavailable(StepId::ContainNacl, acl::TITLE, nacl));
    let group = interface_unread().map_or(group, Err);
    steps.push(or_unavailable(StepId::ContainGroup, group::TITLE, group));
    steps.push(or_unavailable(
        StepId::Quarantine,
        QUARANTINE_TITLE,
        quarantine_step(request, service.as_ref()).await,
    ));
    steps.push(or_unavailable(
        StepId::Revoke,
        REVOKE_TITLE,
        revoke_step(cloud, request, &task, &mut warnings).await,
    ));
    steps.push(stop_step(planning, request, &task));
    if stopped {
        warnings.push(
            "the task is already STOPPED: only preserving its evidence and revoking its role's sessions still apply"
                .to_string(),
        );
    }
    Ok(Plan {
        action: ActionKind::Isolate,
        id: plan_id(ActionKind::Isolate, &short, &planning.now),
        created: format_time(&planning.now),
        target: Target {
            region: cloud.region.clone(),
            account: planning.account.clone(),
            caller: planning.caller.clone(),
            cluster: request.cluster.clone(),
            task_arn: Some(task.arn.clone()),
            service: task.service.clone(),
        },
        confirm_with: short,
        steps,
        warnings,
        refused: None,
        diff: Vec::new(),
        before,
    })
}

/// The step `planned`, or when a read it needs failed, the step unavailable
/// with that read's error as the reason: a failed read takes out only the
/// steps that need it, and the rest of the plan is still made.
fn or_unavailable(id: StepId, title: &str, planned: anyhow::Result<Step>) -> Step {
    planned.unwrap_or_else(|error| {
        Step::unavailable(id, title, format!("cannot be planned: {error:#}"))
    })
}

/// Reads what the isolation changed, for the result record: the task's
/// status, the entries for its IP in the network ACLs the plan named, and
/// the task role's inline policies. A read that fails says why instead.
pub async fn state_after(cloud: &Cloud, plan: &Plan) -> Value {
    let mut state = json!({});
    let Some(arn) = plan.target.task_arn.as_deref() else {
        return state;
    };
    match cloud
        .ecs
        .describe_tasks()
        .cluster(&plan.target.cluster)
        .tasks(arn)
        .send()
        .await
    {
        Ok(out) => {
            if let Some(task) = out.tasks().first() {
                state["lastStatus"] = json!(task.last_status());
                state["desiredStatus"] = json!(task.desired_status());
                state["stoppedReason"] = json!(task.stopped_reason());
            }
        }
        Err(e) => {
            state["lastStatus"] = json!(describe_error("ecs:DescribeTasks", &cloud.region, &e))
        }
    }
    if let Some(denies) = acl::denies_after(cloud, plan).await {
        state["networkAclDenies"] = denies;
    }
    if let Some(role) = plan.before["taskRoleArn"].as_str() {
        let role = arn_tail(role);
        state["rolePolicies"] = match cloud.iam.list_role_policies().role_name(role).send().await {
            Ok(out) => json!(out.policy_names()),
            Err(e) => json!(describe_error("iam:ListRolePolicies", "global", &e)),
        };
    }
    state
}
