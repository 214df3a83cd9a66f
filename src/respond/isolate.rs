//! Planning the isolation of one task, from what AWS says about it now:
//! preserve, protect, detach, contain (network ACL, a security group only
//! it uses, or the service's next tasks), revoke the role's sessions, stop.
//! A step that is already done, or cannot apply, says so and does not run,
//! which makes re-running an isolation safe.

use super::cloud::Cloud;
use super::plan::{ActionKind, Call, Plan, Step, StepId, Target};
use crate::collect::aws::describe_error;
use crate::model::keys::parse_task_arn;
use crate::model::time::format_time;
use anyhow::{anyhow, Context};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::path::PathBuf;

/// The longest protection ECS accepts, in minutes (48 hours).
pub const MAX_PROTECT_MINUTES: i32 = 2880;

/// The longest StopTask reason ECS accepts, in characters.
const MAX_REASON_CHARS: usize = 255;

/// What to isolate, and the responder's choices.
#[derive(Debug, Clone)]
pub struct IsolateRequest {
    /// The cluster (name or ARN).
    pub cluster: String,
    /// The task (ID or ARN).
    pub task: String,
    /// The incident ID carried by the stop reason and the deny policy's name.
    pub incident: Option<String>,
    /// How long protection lasts, 1 to [`MAX_PROTECT_MINUTES`].
    pub protect_minutes: i32,
    /// A security group to move the service's next tasks to.
    pub quarantine_group: Option<String>,
    /// Where the preserve step writes the task's evidence bundle.
    pub preserve_out: PathBuf,
    /// Start of the window the preserve step collects.
    pub since: DateTime<Utc>,
}

/// The facts of a plan: who plans, and when.
#[derive(Debug, Clone)]
pub struct Planning {
    /// The account the credentials belong to.
    pub account: String,
    /// The local user (recorded in stop reasons).
    pub user: String,
    /// The time of planning.
    pub now: DateTime<Utc>,
}

/// The task as the plan sees it.
#[derive(Debug, Default)]
struct TaskState {
    arn: String,
    id: String,
    status: String,
    desired: String,
    service: Option<String>,
    definition: String,
    eni: Option<String>,
    subnet: Option<String>,
    ip: Option<String>,
    vpc: Option<String>,
    groups: Vec<String>,
    role: Option<String>,
}

/// Reads the task and its task definition.
async fn read_task(cloud: &Cloud, request: &IsolateRequest) -> anyhow::Result<TaskState> {
    let region = &cloud.region;
    let described = cloud
        .ecs
        .describe_tasks()
        .cluster(&request.cluster)
        .tasks(&request.task)
        .send()
        .await
        .map_err(|e| anyhow!(describe_error("ecs:DescribeTasks", region, &e)))?;
    let task = described.tasks().first().ok_or_else(|| {
        anyhow!(
            "task {} is not in cluster {} ({region}); ECS forgets stopped tasks after about an hour",
            request.task,
            request.cluster
        )
    })?;
    let arn = task.task_arn().unwrap_or_default().to_string();
    let mut state = TaskState {
        id: parse_task_arn(&arn).map_or_else(|| request.task.to_ascii_lowercase(), |a| a.id),
        arn,
        status: task.last_status().unwrap_or("UNKNOWN").to_string(),
        desired: task.desired_status().unwrap_or("UNKNOWN").to_string(),
        service: task
            .group()
            .and_then(|g| g.strip_prefix("service:"))
            .map(str::to_string),
        definition: task.task_definition_arn().unwrap_or_default().to_string(),
        ..TaskState::default()
    };
    for attachment in task.attachments() {
        for detail in attachment.details() {
            let value = detail.value().map(str::to_string);
            match detail.name() {
                Some("networkInterfaceId") => state.eni = value,
                Some("subnetId") => state.subnet = value,
                Some("privateIPv4Address") => state.ip = value,
                _ => {}
            }
        }
    }
    if state.ip.is_none() {
        state.ip = task
            .containers()
            .iter()
            .flat_map(|c| c.network_interfaces())
            .find_map(|n| n.private_ipv4_address())
            .map(str::to_string);
    }
    let definition = cloud
        .ecs
        .describe_task_definition()
        .task_definition(&state.definition)
        .send()
        .await
        .map_err(|e| anyhow!(describe_error("ecs:DescribeTaskDefinition", region, &e)))?;
    state.role = definition
        .task_definition()
        .and_then(|d| d.task_role_arn())
        .map(str::to_string);
    if let (Some(eni), false) = (&state.eni, state.status == "STOPPED") {
        let interfaces = cloud
            .ec2
            .describe_network_interfaces()
            .network_interface_ids(eni)
            .send()
            .await
            .map_err(|e| anyhow!(describe_error("ec2:DescribeNetworkInterfaces", region, &e)))?;
        if let Some(interface) = interfaces.network_interfaces().first() {
            state.vpc = interface.vpc_id().map(str::to_string);
            state.groups = interface
                .groups()
                .iter()
                .filter_map(|g| g.group_id())
                .map(str::to_string)
                .collect();
        }
    }
    Ok(state)
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
        "vpcId": task.vpc,
        "securityGroups": task.groups,
        "taskRoleArn": task.role,
    });
    let mut steps = vec![preserve_step(request, &task)];
    steps.push(protect_step(request, &task));
    steps.push(detach_step(cloud, &task, &mut before).await?);
    let (nacl, group) = contain_steps(cloud, &task, &mut before, &mut warnings).await?;
    steps.push(nacl);
    steps.push(group);
    steps.push(quarantine_step(cloud, request, &task).await?);
    steps.push(revoke_step(cloud, planning, request, &task, &mut warnings).await?);
    steps.push(stop_step(planning, request, &task));
    if stopped {
        warnings.push(
            "the task is already STOPPED: only preserving its evidence and revoking its role's sessions still apply"
                .to_string(),
        );
    }
    Ok(Plan {
        action: ActionKind::Isolate,
        id: format!("isolate-{short}-{}", planning.now.format("%Y%m%dT%H%M%SZ")),
        created: format_time(&planning.now),
        target: Target {
            region: cloud.region.clone(),
            account: planning.account.clone(),
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

fn preserve_step(request: &IsolateRequest, task: &TaskState) -> Step {
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

fn protect_step(request: &IsolateRequest, task: &TaskState) -> Step {
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

async fn detach_step(cloud: &Cloud, task: &TaskState, before: &mut Value) -> anyhow::Result<Step> {
    let title = "deregister the task from its load balancer target groups";
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

/// The network ACL step and the security group step.
async fn contain_steps(
    cloud: &Cloud,
    task: &TaskState,
    before: &mut Value,
    warnings: &mut Vec<String>,
) -> anyhow::Result<(Step, Step)> {
    let nacl_title = "deny the task's IP, inbound and outbound, in its subnet's network ACL";
    let group_title = "remove every rule of the security groups only this task uses";
    let (Some(ip), Some(subnet), Some(_)) = (
        task.ip.as_deref(),
        task.subnet.as_deref(),
        task.eni.as_deref(),
    ) else {
        let why = "the task has no network interface to contain";
        return Ok((
            Step::unavailable(StepId::ContainNacl, nacl_title, why),
            Step::unavailable(StepId::ContainGroup, group_title, why),
        ));
    };
    if task.status == "STOPPED" {
        let why = "the task is stopped";
        return Ok((
            Step::unavailable(StepId::ContainNacl, nacl_title, why),
            Step::unavailable(StepId::ContainGroup, group_title, why),
        ));
    }
    let nacl = nacl_step(cloud, ip, subnet, before, warnings).await?;
    let group = group_step(cloud, &task.groups, warnings).await?;
    Ok((nacl, group))
}

async fn nacl_step(
    cloud: &Cloud,
    ip: &str,
    subnet: &str,
    before: &mut Value,
    warnings: &mut Vec<String>,
) -> anyhow::Result<Step> {
    use aws_sdk_ec2::types::{Filter, RuleAction};
    let title = "deny the task's IP, inbound and outbound, in its subnet's network ACL";
    let acls = cloud
        .ec2
        .describe_network_acls()
        .filters(
            Filter::builder()
                .name("association.subnet-id")
                .values(subnet)
                .build(),
        )
        .send()
        .await
        .map_err(|e| anyhow!(describe_error("ec2:DescribeNetworkAcls", &cloud.region, &e)))?;
    let Some(acl) = acls.network_acls().first() else {
        return Ok(Step::unavailable(
            StepId::ContainNacl,
            title,
            format!("no network ACL is associated with {subnet}"),
        ));
    };
    let acl_id = acl.network_acl_id().unwrap_or_default();
    before["networkAclId"] = json!(acl_id);
    let cidr = format!("{ip}/32");
    let mut calls = Vec::new();
    for egress in [false, true] {
        let entries: Vec<_> = acl
            .entries()
            .iter()
            .filter(|e| e.egress() == Some(egress))
            .collect();
        let denied = entries.iter().any(|e| {
            e.cidr_block() == Some(cidr.as_str()) && e.rule_action() == Some(&RuleAction::Deny)
        });
        if denied {
            continue;
        }
        let used: Vec<i32> = entries.iter().filter_map(|e| e.rule_number()).collect();
        let number = (1..32766).find(|n| !used.contains(n)).unwrap_or(32766);
        let direction = if egress { "outbound" } else { "inbound" };
        if let Some(allow) = entries
            .iter()
            .filter(|e| e.rule_action() == Some(&RuleAction::Allow))
            .filter(|e| e.cidr_block().is_some_and(|block| cidr_contains(block, ip)))
            .filter_map(|e| e.rule_number())
            .filter(|&n| n < number)
            .min()
        {
            warnings.push(format!(
                "{acl_id}: {direction} allow rule {allow} is evaluated before the deny (rule {number}); renumber it to let the deny win"
            ));
        }
        calls.push(Call::new(
            "ec2:CreateNetworkAclEntry",
            json!({
                "NetworkAclId": acl_id,
                "RuleNumber": number,
                "Protocol": "-1",
                "RuleAction": "deny",
                "Egress": egress,
                "CidrBlock": cidr,
            }),
        ));
    }
    if calls.is_empty() {
        return Ok(Step::unavailable(
            StepId::ContainNacl,
            title,
            format!("{acl_id} already denies {cidr} both ways"),
        ));
    }
    Ok(
        Step::new(StepId::ContainNacl, title, calls).with_blast_radius(format!(
            "{acl_id} serves the whole subnet {subnet}, but the rules match only {cidr}; \
         stateless, so open connections drop too; a later task given the same IP is blocked \
         until the rules are removed"
        )),
    )
}

async fn group_step(
    cloud: &Cloud,
    groups: &[String],
    warnings: &mut Vec<String>,
) -> anyhow::Result<Step> {
    use aws_sdk_ec2::types::Filter;
    let title = "remove every rule of the security groups only this task uses";
    let region = &cloud.region;
    let mut exclusive = Vec::new();
    for group in groups {
        let users = cloud
            .ec2
            .describe_network_interfaces()
            .filters(Filter::builder().name("group-id").values(group).build())
            .send()
            .await
            .map_err(|e| anyhow!(describe_error("ec2:DescribeNetworkInterfaces", region, &e)))?;
        let count = users.network_interfaces().len();
        if count <= 1 {
            exclusive.push(group.clone());
        } else {
            warnings.push(format!(
                "{group} is shared by {count} network interfaces: tightening it would cut them all off, so taskscope does not offer it"
            ));
        }
    }
    if exclusive.is_empty() {
        return Ok(Step::unavailable(
            StepId::ContainGroup,
            title,
            "the task has no security group of its own",
        ));
    }
    let mut calls = Vec::new();
    for group in &exclusive {
        let mut rules = cloud
            .ec2
            .describe_security_group_rules()
            .filters(Filter::builder().name("group-id").values(group).build())
            .into_paginator()
            .items()
            .send();
        let (mut ingress, mut egress) = (Vec::new(), Vec::new());
        while let Some(rule) = rules.next().await {
            let rule = rule.map_err(|e| {
                anyhow!(describe_error("ec2:DescribeSecurityGroupRules", region, &e))
            })?;
            if let Some(id) = rule.security_group_rule_id() {
                if rule.is_egress() == Some(true) {
                    egress.push(id.to_string());
                } else {
                    ingress.push(id.to_string());
                }
            }
        }
        if !ingress.is_empty() {
            calls.push(Call::new(
                "ec2:RevokeSecurityGroupIngress",
                json!({"GroupId": group, "SecurityGroupRuleIds": ingress}),
            ));
        }
        if !egress.is_empty() {
            calls.push(Call::new(
                "ec2:RevokeSecurityGroupEgress",
                json!({"GroupId": group, "SecurityGroupRuleIds": egress}),
            ));
        }
    }
    let names = exclusive.join(", ");
    if calls.is_empty() {
        return Ok(Step::unavailable(
            StepId::ContainGroup,
            title,
            format!("{names} already have no rules"),
        ));
    }
    Ok(Step::new(StepId::ContainGroup, title, calls)
        .deselected()
        .with_blast_radius(format!(
            "{names}: used by this task's interface only (checked now); connections already \
             open may survive, because security groups track them"
        )))
}

async fn quarantine_step(
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
    let described = cloud
        .ecs
        .describe_services()
        .cluster(&request.cluster)
        .services(service)
        .send()
        .await
        .map_err(|e| anyhow!(describe_error("ecs:DescribeServices", &cloud.region, &e)))?;
    let vpc = described
        .services()
        .first()
        .and_then(|s| s.network_configuration())
        .and_then(|n| n.awsvpc_configuration());
    let Some(vpc) = vpc else {
        return Ok(Step::unavailable(
            StepId::Quarantine,
            title,
            format!("service {service} has no awsvpc network configuration"),
        ));
    };
    let mut configuration = json!({
        "subnets": vpc.subnets(),
        "securityGroups": [quarantine],
    });
    if let Some(public) = vpc.assign_public_ip() {
        configuration["assignPublicIp"] = json!(public.as_str());
    }
    Ok(Step::new(
        StepId::Quarantine,
        title,
        vec![Call::new(
            "ecs:UpdateService",
            json!({
                "cluster": request.cluster,
                "service": service,
                "networkConfiguration": {"awsvpcConfiguration": configuration},
            }),
        )],
    )
    .deselected()
    .with_blast_radius(format!(
        "starts a new deployment of {service}: every task it starts next, healthy ones too, \
         gets {quarantine}; this task keeps its groups (a Fargate task's interface cannot be changed)"
    )))
}

/// Whether the IPv4 block `cidr` (`10.0.0.0/16`) holds `ip`. Anything that
/// does not parse holds nothing.
fn cidr_contains(cidr: &str, ip: &str) -> bool {
    let parse = |text: &str| text.parse::<std::net::Ipv4Addr>().ok().map(u32::from);
    let Some((network, bits)) = cidr.split_once('/') else {
        return false;
    };
    let (Some(network), Some(ip), Ok(bits)) = (parse(network), parse(ip), bits.parse::<u32>())
    else {
        return false;
    };
    let mask = match bits {
        0 => 0,
        1..=32 => u32::MAX << (32 - bits),
        _ => return false,
    };
    network & mask == ip & mask
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

async fn revoke_step(
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

fn stop_step(planning: &Planning, request: &IsolateRequest, task: &TaskState) -> Step {
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

/// Reads what the isolation changed, for the result record: the task's
/// status, the ACL entries for its IP, the target groups that still hold it,
/// and the task role's inline policies. A read that fails says why instead.
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
    if let (Some(acl), Some(ip)) = (
        plan.before["networkAclId"].as_str(),
        plan.before["privateIPv4Address"].as_str(),
    ) {
        let cidr = format!("{ip}/32");
        state["networkAclDenies"] = match cloud.ec2.describe_network_acls().network_acl_ids(acl).send().await {
            Ok(out) => json!(out
                .network_acls()
                .iter()
                .flat_map(|a| a.entries())
                .filter(|e| e.cidr_block() == Some(cidr.as_str()))
                .map(|e| json!({"ruleNumber": e.rule_number(), "egress": e.egress(), "action": e.rule_action().map(|a| a.as_str())}))
                .collect::<Vec<_>>()),
            Err(e) => json!(describe_error("ec2:DescribeNetworkAcls", &cloud.region, &e)),
        };
    }
    if let Some(role) = plan.before["taskRoleArn"].as_str() {
        let role = role.rsplit('/').next().unwrap_or(role);
        state["rolePolicies"] = match cloud.iam.list_role_policies().role_name(role).send().await {
            Ok(out) => json!(out.policy_names()),
            Err(e) => json!(describe_error("iam:ListRolePolicies", "global", &e)),
        };
    }
    state
}

/// The default path of a preserved evidence bundle: beside `bundle`, named
/// after it, the task and the time.
pub fn preserve_path(bundle: &std::path::Path, task: &str, now: &DateTime<Utc>) -> PathBuf {
    let name = bundle
        .file_name()
        .map_or_else(|| "bundle".into(), |n| n.to_string_lossy().into_owned());
    let short: String = task
        .rsplit('/')
        .next()
        .unwrap_or(task)
        .chars()
        .take(8)
        .collect::<String>()
        .to_ascii_lowercase();
    bundle.with_file_name(format!(
        "{name}.preserve-{short}-{}",
        now.format("%Y%m%dT%H%M%SZ")
    ))
}

/// Checks `--protect-minutes`.
pub fn check_protect_minutes(minutes: i32) -> anyhow::Result<i32> {
    (1..=MAX_PROTECT_MINUTES)
        .contains(&minutes)
        .then_some(minutes)
        .with_context(|| format!("--protect-minutes must be 1 to {MAX_PROTECT_MINUTES}"))
}

#[cfg(test)]
mod tests {
    use super::cidr_contains;

    #[test]
    fn cidr_blocks_hold_the_addresses_inside_them() {
        assert!(cidr_contains("0.0.0.0/0", "10.1.2.3"));
        assert!(cidr_contains("10.1.0.0/16", "10.1.2.3"));
        assert!(cidr_contains("10.1.2.3/32", "10.1.2.3"));
        assert!(!cidr_contains("10.2.0.0/16", "10.1.2.3"));
        assert!(
            !cidr_contains("::/0", "10.1.2.3"),
            "IPv6 blocks are not read"
        );
        assert!(!cidr_contains("10.0.0.0/33", "10.1.2.3"));
    }
}
