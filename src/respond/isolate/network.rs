//! The isolation steps on the task's network: deregistering it from its
//! target groups, denying its IP at the boundaries of its VPC's other
//! subnets ([`acl`]), and emptying the security groups only it uses
//! ([`group`]).

use super::service::ServiceRead;
use super::task::TaskState;
use super::{acl, group};
use crate::collect::aws::describe_error;
use crate::respond::cloud::Cloud;
use crate::respond::plan::{Call, Step, StepId};
use crate::respond::request::IsolateRequest;
use anyhow::anyhow;
use serde_json::{json, Value};

/// The detach step's title.
pub(super) const DETACH_TITLE: &str = "deregister the task from its load balancer target groups";

pub(super) async fn detach_step(
    cloud: &Cloud,
    task: &TaskState,
    before: &mut Value,
) -> anyhow::Result<Step> {
    let title = DETACH_TITLE;
    let Some(ip) = task.ip.as_deref().filter(|_| task.status != "STOPPED") else {
        return Ok(Step::unavailable(
            StepId::Detach,
            title,
            "the task has no running network interface",
        ));
    };
    let mut calls = Vec::new();
    let mut groups = Vec::new();
    let mut marker = None;
    loop {
        let page = cloud
            .elbv2
            .describe_target_groups()
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| {
                anyhow!(describe_error(
                    "elasticloadbalancing:DescribeTargetGroups",
                    &cloud.region,
                    &e
                ))
            })?;
        for group in page.target_groups() {
            // Fargate registers tasks by IP; the same private IP in another
            // VPC is another machine.
            let is_ip = group.target_type().is_some_and(|t| t.as_str() == "ip");
            let same_vpc = task.vpc.is_none() || group.vpc_id() == task.vpc.as_deref();
            let Some(arn) = group.target_group_arn().filter(|_| is_ip && same_vpc) else {
                continue;
            };
            let health = cloud
                .elbv2
                .describe_target_health()
                .target_group_arn(arn)
                .send()
                .await
                .map_err(|e| {
                    anyhow!(describe_error(
                        "elasticloadbalancing:DescribeTargetHealth",
                        &cloud.region,
                        &e
                    ))
                })?;
            let targets: Vec<Value> = health
                .target_health_descriptions()
                .iter()
                .filter_map(|d| d.target())
                .filter(|t| t.id() == Some(ip))
                .map(|t| json!({"Id": ip, "Port": t.port()}))
                .collect();
            if !targets.is_empty() {
                groups.push(arn.to_string());
                calls.push(Call::new(
                    "elasticloadbalancing:DeregisterTargets",
                    json!({"TargetGroupArn": arn, "Targets": targets}),
                ));
            }
        }
        marker = page.next_marker().map(str::to_string);
        if marker.is_none() {
            break;
        }
    }
    before["targetGroups"] = json!(groups);
    if calls.is_empty() {
        return Ok(Step::unavailable(
            StepId::Detach,
            title,
            format!("no target group holds {ip}"),
        ));
    }
    Ok(Step::new(StepId::Detach, title, calls).with_blast_radius(
        "this task only; in-flight requests drain for the target group's deregistration delay",
    ))
}

/// The network ACL step and the security group step, each planned on its
/// own: a read that fails for one leaves the other planned.
pub(super) async fn contain_steps(
    cloud: &Cloud,
    request: &IsolateRequest,
    service: Option<&ServiceRead<'_>>,
    task: &TaskState,
    before: &mut Value,
    warnings: &mut Vec<String>,
) -> (anyhow::Result<Step>, anyhow::Result<Step>) {
    let (Some(ip), Some(subnet), Some(_)) = (
        task.ip.as_deref(),
        task.subnet.as_deref(),
        task.eni.as_deref(),
    ) else {
        let why = "the task has no network interface to contain";
        return (
            Ok(Step::unavailable(StepId::ContainNacl, acl::TITLE, why)),
            Ok(Step::unavailable(StepId::ContainGroup, group::TITLE, why)),
        );
    };
    if task.status == "STOPPED" {
        let why = "the task is stopped";
        return (
            Ok(Step::unavailable(StepId::ContainNacl, acl::TITLE, why)),
            Ok(Step::unavailable(StepId::ContainGroup, group::TITLE, why)),
        );
    }
    let quota = request.nacl_rule_quota;
    let nacl = acl::nacl_step(cloud, task, (ip, subnet), quota, before, warnings).await;
    let group = group::group_step(cloud, service, task, warnings).await;
    (nacl, group)
}
