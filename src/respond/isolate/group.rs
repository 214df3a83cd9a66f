//! The `contain-group` step: empty the security groups only this task
//! uses. A group is the task's own only when no other network interface
//! has it and its service's network configuration does not name it (every
//! replacement task the service starts gets those groups). Each revoke call
//! records the rules it removes, whole, so they can be authorized again.

use super::service::ServiceRead;
use super::task::TaskState;
use crate::collect::aws::describe_error;
use crate::respond::cloud::Cloud;
use crate::respond::plan::{Call, Step, StepId};
use anyhow::anyhow;
use aws_sdk_ec2::types::{Filter, SecurityGroupRule};
use serde_json::{json, Value};

/// The step's title.
pub(super) const TITLE: &str = "remove every rule of the security groups only this task uses";

/// Plans the step for a running task, of `service` when it has one.
pub(super) async fn group_step(
    cloud: &Cloud,
    service: Option<&ServiceRead<'_>>,
    task: &TaskState,
    warnings: &mut Vec<String>,
) -> anyhow::Result<Step> {
    let region = &cloud.region;
    let service_groups = match service {
        Some(service) => service
            .facts()
            .await?
            .network
            .as_ref()
            .map(|n| n.groups.clone())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let mut exclusive = Vec::new();
    for group in &task.groups {
        if service_groups.contains(group) {
            warnings.push(format!(
                "{group} is in service {}'s network configuration: every task the service starts \
                 gets it, so emptying it would cut off the whole service; taskscope does not offer it",
                task.service.as_deref().unwrap_or_default()
            ));
            continue;
        }
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
            TITLE,
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
            if rule.is_egress() == Some(true) {
                egress.push(rule);
            } else {
                ingress.push(rule);
            }
        }
        for (operation, rules) in [
            ("ec2:RevokeSecurityGroupIngress", ingress),
            ("ec2:RevokeSecurityGroupEgress", egress),
        ] {
            if let Some(call) = revoke_call(operation, group, &rules) {
                calls.push(call);
            }
        }
    }
    let names = exclusive.join(", ");
    if calls.is_empty() {
        return Ok(Step::unavailable(
            StepId::ContainGroup,
            TITLE,
            format!("{names} already have no rules"),
        ));
    }
    Ok(Step::new(StepId::ContainGroup, TITLE, calls)
        .deselected()
        .with_blast_radius(format!(
            "{names}: used by this task's interface only, and not named by its service (checked \
             now); connections already open may survive, because security groups track them"
        )))
}

/// The call revoking `rules` of `group` by ID, with the rules themselves as
/// its prior state; None when there is no rule.
fn revoke_call(operation: &str, group: &str, rules: &[SecurityGroupRule]) -> Option<Call> {
    let ids: Vec<&str> = rules
        .iter()
        .filter_map(SecurityGroupRule::security_group_rule_id)
        .collect();
    if ids.is_empty() {
        return None;
    }
    let whole: Vec<Value> = rules.iter().map(rule_record).collect();
    Some(
        Call::new(
            operation,
            json!({"GroupId": group, "SecurityGroupRuleIds": ids}),
        )
        .with_prior(json!({"GroupId": group, "Rules": whole})),
    )
}

/// A rule with every field needed to authorize it again: the format of a
/// revoke's `prior`, which undo also compares the rules present with.
pub(crate) fn rule_record(rule: &SecurityGroupRule) -> Value {
    let mut record = json!({
        "SecurityGroupRuleId": rule.security_group_rule_id(),
        "IpProtocol": rule.ip_protocol(),
        "FromPort": rule.from_port(),
        "ToPort": rule.to_port(),
    });
    let optional = [
        ("CidrIpv4", rule.cidr_ipv4()),
        ("CidrIpv6", rule.cidr_ipv6()),
        ("PrefixListId", rule.prefix_list_id()),
        (
            "ReferencedGroupId",
            rule.referenced_group_info().and_then(|r| r.group_id()),
        ),
        ("Description", rule.description()),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            record[name] = json!(value);
        }
    }
    record
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::ReferencedSecurityGroup;

    #[test]
    fn a_revoke_records_the_whole_rules_it_removes() {
        let rules = [
            SecurityGroupRule::builder()
                .security_group_rule_id("sgr-1")
                .ip_protocol("tcp")
                .from_port(443)
                .to_port(443)
                .cidr_ipv4("10.0.0.0/16")
                .description("web")
                .build(),
            SecurityGroupRule::builder()
                .security_group_rule_id("sgr-2")
                .ip_protocol("-1")
                .from_port(-1)
                .to_port(-1)
                .referenced_group_info(ReferencedSecurityGroup::builder().group_id("sg-lb").build())
                .build(),
        ];
        let call = revoke_call("ec2:RevokeSecurityGroupIngress", "sg-own", &rules).unwrap();
        assert_eq!(
            call.parameters,
            json!({"GroupId": "sg-own", "SecurityGroupRuleIds": ["sgr-1", "sgr-2"]})
        );
        assert_eq!(
            call.prior,
            json!({"GroupId": "sg-own", "Rules": [
                {"SecurityGroupRuleId": "sgr-1", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                 "CidrIpv4": "10.0.0.0/16", "Description": "web"},
                {"SecurityGroupRuleId": "sgr-2", "IpProtocol": "-1", "FromPort": -1, "ToPort": -1,
                 "ReferencedGroupId": "sg-lb"},
            ]})
        );
        assert!(revoke_call("ec2:RevokeSecurityGroupEgress", "sg-own", &[]).is_none());
    }
}
