//! The reverse of security group rules removed: authorizing again those
//! not back in the group.

use super::error_code::code;
use super::reversal::{reversal, Reversal, Reverse};
use super::rules::{permission, same_rule};
use crate::collect::aws::describe_error;
use crate::respond::cloud::Cloud;
use crate::respond::isolate::group::rule_record;
use crate::respond::plan::Call;
use crate::respond::undo::record::RecordedCall;
use serde_json::{json, Value};

pub(super) async fn group_rules(cloud: &Cloud, call: &RecordedCall, egress: bool) -> Reversal {
    use aws_sdk_ec2::types::Filter;
    let direction = if egress { "egress" } else { "ingress" };
    let group = call.prior["GroupId"]
        .as_str()
        .or(call.parameters["GroupId"].as_str())
        .unwrap_or("the group");
    let title = format!("authorize again the {direction} rules removed from {group}");
    let Some(removed) = call.prior["Rules"].as_array() else {
        return reversal(
            title,
            Reverse::Not(
                "the audit record does not hold the rules removed, only their IDs: put them \
                 back by hand"
                    .into(),
            ),
        );
    };
    let mut pages = cloud
        .ec2
        .describe_security_group_rules()
        .filters(Filter::builder().name("group-id").values(group).build())
        .into_paginator()
        .items()
        .send();
    let mut present = Vec::new();
    while let Some(rule) = pages.next().await {
        match rule {
            Ok(rule) if rule.is_egress() == Some(egress) => present.push(rule_record(&rule)),
            Ok(_) => {}
            Err(e) if code(&e) == Some("InvalidGroup.NotFound") => {
                return reversal(
                    title,
                    Reverse::Not(format!("{group} no longer exists: nothing to put rules in")),
                )
            }
            Err(e) => {
                let why = describe_error("ec2:DescribeSecurityGroupRules", &cloud.region, &e);
                return reversal(title, Reverse::Not(why));
            }
        }
    }
    let missing: Vec<Value> = removed
        .iter()
        .filter(|rule| !present.iter().any(|now| same_rule(rule, now)))
        .map(permission)
        .collect();
    if missing.is_empty() {
        return reversal(
            title,
            Reverse::Done(format!("every {direction} rule removed is back in {group}")),
        );
    }
    let operation = if egress {
        "ec2:AuthorizeSecurityGroupEgress"
    } else {
        "ec2:AuthorizeSecurityGroupIngress"
    };
    let radius = format!(
        "{group} allows again what its {} rule(s) allowed, to every interface that uses it",
        missing.len()
    );
    let call = Call::new(
        operation,
        json!({"GroupId": group, "IpPermissions": missing}),
    );
    reversal(title, Reverse::Send(call, radius))
}
