//! The isolation steps on the task's network: deregistering it from its
//! target groups, denying its IP in the subnet's network ACL, and emptying
//! the security groups only it uses.

use super::task::TaskState;
use crate::collect::aws::describe_error;
use crate::respond::cloud::Cloud;
use crate::respond::plan::{Call, Step, StepId};
use anyhow::anyhow;
use serde_json::{json, Value};

/// The detach step's title.
pub(super) const DETACH_TITLE: &str = "deregister the task from its load balancer target groups";
/// The contain-nacl step's title.
pub(super) const NACL_TITLE: &str =
    "deny the task's IP, inbound and outbound, in its subnet's network ACL";
/// The contain-group step's title.
pub(super) const GROUP_TITLE: &str = "remove every rule of the security groups only this task uses";

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

/// The network ACL step and the security group step.
pub(super) async fn contain_steps(
    cloud: &Cloud,
    task: &TaskState,
    before: &mut Value,
    warnings: &mut Vec<String>,
) -> anyhow::Result<(Step, Step)> {
    let (nacl_title, group_title) = (NACL_TITLE, GROUP_TITLE);
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
    let title = NACL_TITLE;
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
    let title = GROUP_TITLE;
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
