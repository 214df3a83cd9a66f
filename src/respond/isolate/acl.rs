//! The `contain-nacl` step: deny the task's IPv4 /32 and each of its IPv6
//! /128s, both ways, in the network ACLs of every other subnet of its VPC. An ACL acts where traffic crosses
//! a subnet's boundary: its inbound rules match a packet's source, its
//! outbound rules its destination, and it keeps no state. A deny for the
//! task's IP therefore matches at the boundary of every subnet but the
//! task's own (NAT, endpoint, load balancer and peer tiers), and nothing the
//! task exchanges inside its own subnet.

use super::task::TaskState;
use crate::collect::aws::describe_error;
use crate::respond::cloud::nacl::{
    block_parameter, direction, entry_block, free_numbers, rules_counted, same_block, WantedEntry,
};
use crate::respond::cloud::Cloud;
use crate::respond::plan::{Call, Plan, Step, StepId};
use anyhow::anyhow;
use aws_sdk_ec2::types::{Filter, NetworkAcl, RuleAction};
use ipnet::IpNet;
use serde_json::{json, Value};
use std::net::IpAddr;

/// The step's title.
pub(super) const TITLE: &str =
    "deny the task's IPs, both ways, in the network ACLs of the VPC's other subnets";

/// An ACL the step needs: it serves subnets other than the task's own.
struct Needed<'a> {
    acl: &'a NetworkAcl,
    id: &'a str,
    /// The other subnets it serves.
    subnets: Vec<String>,
}

/// Plans the step for a running task with the private IP `ip` in `subnet`.
/// `quota` is the account's number of rules per ACL and direction: an ACL
/// the step needs with no free rule makes the whole step unavailable, since
/// a deny in only some of the ACLs would look like containment and not be.
pub(super) async fn nacl_step(
    cloud: &Cloud,
    task: &TaskState,
    (ip, subnet): (&str, &str),
    quota: usize,
    before: &mut Value,
    warnings: &mut Vec<String>,
) -> anyhow::Result<Step> {
    let Some(vpc) = task.vpc.as_deref() else {
        return Ok(Step::unavailable(
            StepId::ContainNacl,
            TITLE,
            "the VPC of the task's network interface is not known",
        ));
    };
    before["publicIp"] = json!(task.public_ip);
    warnings.push(limits(subnet, task.public_ip.as_deref()));
    let subnets = vpc_subnets(cloud, vpc).await?;
    let others: Vec<&String> = subnets.iter().filter(|s| s.as_str() != subnet).collect();
    if others.is_empty() {
        return Ok(Step::unavailable(
            StepId::ContainNacl,
            TITLE,
            format!(
                "{subnet} is the only subnet of {vpc}, and a network ACL cannot block traffic \
                 inside a subnet"
            ),
        ));
    }
    let acls = vpc_acls(cloud, vpc).await?;
    let needed: Vec<Needed> = acls
        .iter()
        .filter_map(|acl| {
            let subnets: Vec<String> = acl
                .associations()
                .iter()
                .filter_map(|a| a.subnet_id())
                .filter(|s| others.iter().any(|other| other.as_str() == *s))
                .map(str::to_string)
                .collect();
            let id = acl.network_acl_id()?;
            (!subnets.is_empty()).then_some(Needed { acl, id, subnets })
        })
        .collect();
    before["networkAcls"] = json!(needed
        .iter()
        .map(|n| json!({"networkAclId": n.id, "subnets": n.subnets}))
        .collect::<Vec<_>>());
    let blocks = host_blocks(ip, &task.ipv6);
    let mut calls = Vec::new();
    let mut full = Vec::new();
    for Needed { acl, id, .. } in &needed {
        for egress in [false, true] {
            let entries = acl.entries();
            let missing: Vec<&String> = blocks
                .iter()
                .filter(|block| {
                    WantedEntry::deny_all(block, egress)
                        .existing(entries)
                        .is_none()
                })
                .collect();
            if missing.is_empty() {
                continue;
            }
            let count = rules_counted(entries, egress);
            let numbers: Vec<i32> = free_numbers(entries, egress).take(missing.len()).collect();
            if count + missing.len() > quota || numbers.len() < missing.len() {
                full.push(format!("{id} {} ({count} of {quota})", direction(egress)));
                continue;
            }
            for (block, number) in missing.into_iter().zip(numbers) {
                if let Some(allow) = allow_before(acl, egress, block, number) {
                    warnings.push(format!(
                        "{id}: {} allow rule {allow} is evaluated before the deny of {block} \
                         (rule {number}); renumber it to let the deny win",
                        direction(egress)
                    ));
                }
                let mut parameters = json!({
                    "NetworkAclId": id,
                    "RuleNumber": number,
                    "Protocol": "-1",
                    "RuleAction": "deny",
                    "Egress": egress,
                });
                parameters[block_parameter(block)] = json!(block);
                calls.push(Call::new("ec2:CreateNetworkAclEntry", parameters));
            }
        }
    }
    let ids: Vec<&str> = needed.iter().map(|n| n.id).collect();
    if !full.is_empty() {
        return Ok(Step::unavailable(
            StepId::ContainNacl,
            TITLE,
            format!(
                "no free rule for the deny in {}: the quota is {quota} rules per network ACL and \
                 direction, the task's {} need one rule each per direction, and denying in \
                 only some of the ACLs would leave the task reachable through the others; free \
                 a rule, or pass --nacl-rule-quota N if the account's quota was raised",
                full.join(", "),
                blocks.join(", ")
            ),
        ));
    }
    if calls.is_empty() {
        return Ok(Step::unavailable(
            StepId::ContainNacl,
            TITLE,
            format!(
                "{} already deny {} both ways",
                ids.join(", "),
                blocks.join(", ")
            ),
        ));
    }
    let served: Vec<String> = needed
        .iter()
        .map(|n| format!("{} ({})", n.id, n.subnets.join(", ")))
        .collect();
    Ok(
        Step::new(StepId::ContainNacl, TITLE, calls).with_blast_radius(format!(
            "the entries match only {}, in {}: packets between the task and those subnets \
             stop, those of open connections too (ACLs keep no state); rule numbers are chosen \
             when the calls are sent; a later task given the same IP is blocked the same way \
             until the entries are removed",
            blocks.join(", "),
            served.join(", ")
        )),
    )
}

/// What the step cannot block, for the plan's warnings.
fn limits(subnet: &str, public_ip: Option<&str>) -> String {
    let internet = public_ip.map_or(String::new(), |address| {
        format!(
            "; the task has the public IP {address}: its internet traffic leaves its subnet \
             straight through the internet gateway, and no ACL rule for the task's IP can block it"
        )
    });
    format!(
        "network ACLs act only where traffic crosses a subnet's boundary, so contain-nacl cannot \
         block traffic between the task and anything else in its own subnet {subnet}, nor to \
         gateway endpoints (S3, DynamoDB){internet}; stop ends all of it, and quarantine keeps \
         the service's next tasks in a quarantine security group"
    )
}

/// The blocks that match only the task: its IPv4 /32 and each IPv6 /128.
/// An address that does not parse is left out.
fn host_blocks(ip: &str, ipv6: &[String]) -> Vec<String> {
    std::iter::once(ip)
        .chain(ipv6.iter().map(String::as_str))
        .filter_map(|address| address.parse::<IpAddr>().ok())
        .map(|address| IpNet::from(address).to_string())
        .collect()
}

/// The lowest-numbered allow rule below `number` whose block, IPv4 or
/// IPv6, holds all of `block`.
fn allow_before(acl: &NetworkAcl, egress: bool, block: &str, number: i32) -> Option<i32> {
    let block = block.parse::<IpNet>().ok()?;
    acl.entries()
        .iter()
        .filter(|e| e.egress() == Some(egress))
        .filter(|e| e.rule_action() == Some(&RuleAction::Allow))
        .filter(|e| {
            entry_block(e)
                .and_then(|allowed| allowed.parse::<IpNet>().ok())
                .is_some_and(|allowed| allowed.contains(&block))
        })
        .filter_map(|e| e.rule_number())
        .filter(|&n| n < number)
        .min()
}

fn vpc_filter(vpc: &str) -> Filter {
    Filter::builder().name("vpc-id").values(vpc).build()
}

/// The IDs of every subnet of `vpc`.
async fn vpc_subnets(cloud: &Cloud, vpc: &str) -> anyhow::Result<Vec<String>> {
    let mut pages = cloud
        .ec2
        .describe_subnets()
        .filters(vpc_filter(vpc))
        .into_paginator()
        .items()
        .send();
    let mut subnets = Vec::new();
    while let Some(subnet) = pages.next().await {
        let subnet = subnet
            .map_err(|e| anyhow!(describe_error("ec2:DescribeSubnets", &cloud.region, &e)))?;
        subnets.extend(subnet.subnet_id().map(str::to_string));
    }
    Ok(subnets)
}

/// Every network ACL of `vpc`, with its entries and associations.
async fn vpc_acls(cloud: &Cloud, vpc: &str) -> anyhow::Result<Vec<NetworkAcl>> {
    let mut pages = cloud
        .ec2
        .describe_network_acls()
        .filters(vpc_filter(vpc))
        .into_paginator()
        .items()
        .send();
    let mut acls = Vec::new();
    while let Some(acl) = pages.next().await {
        acls.push(
            acl.map_err(|e| anyhow!(describe_error("ec2:DescribeNetworkAcls", &cloud.region, &e)))?,
        );
    }
    Ok(acls)
}

/// The entries for the task's IPs in the ACLs the plan named, as AWS says
/// now, for the result record; None when the plan named none.
pub(super) async fn denies_after(cloud: &Cloud, plan: &Plan) -> Option<Value> {
    let ip = plan.before["privateIPv4Address"].as_str()?;
    let ipv6: Vec<String> = plan.before["ipv6Addresses"]
        .as_array()
        .map(|addresses| {
            addresses
                .iter()
                .filter_map(|a| a.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let ids: Vec<String> = plan.before["networkAcls"]
        .as_array()?
        .iter()
        .filter_map(|acl| acl["networkAclId"].as_str().map(str::to_string))
        .collect();
    if ids.is_empty() {
        return None;
    }
    let blocks = host_blocks(ip, &ipv6);
    let read = cloud
        .ec2
        .describe_network_acls()
        .set_network_acl_ids(Some(ids))
        .send()
        .await;
    Some(match read {
        Ok(out) => json!(out
            .network_acls()
            .iter()
            .flat_map(|acl| acl.entries().iter().map(move |e| (acl, e)))
            .filter(|(_, e)| entry_block(e)
                .is_some_and(|found| blocks.iter().any(|block| same_block(found, block))))
            .map(|(acl, e)| json!({
                "networkAclId": acl.network_acl_id(),
                "cidr": entry_block(e),
                "ruleNumber": e.rule_number(),
                "egress": e.egress(),
                "action": e.rule_action().map(|a| a.as_str()),
            }))
            .collect::<Vec<_>>()),
        Err(e) => json!(describe_error("ec2:DescribeNetworkAcls", &cloud.region, &e)),
    })
}

#[cfg(test)]
mod tests {
    use super::{allow_before, host_blocks, limits};
    use aws_sdk_ec2::types::{NetworkAcl, NetworkAclEntry, RuleAction};

    #[test]
    fn the_limits_name_the_own_subnet_and_a_public_ip() {
        let private = limits("subnet-app", None);
        assert!(private.contains("its own subnet subnet-app"), "{private}");
        assert!(!private.contains("public IP"), "{private}");
        assert!(private.contains("stop ends all of it"), "{private}");
        let public = limits("subnet-app", Some("54.1.2.3"));
        assert!(public.contains("public IP 54.1.2.3"), "{public}");
        assert!(public.contains("internet gateway"), "{public}");
    }

    #[test]
    fn the_task_is_denied_by_one_host_block_per_address() {
        let ipv6 = ["2600:1f18::5".to_string(), "junk".to_string()];
        assert_eq!(
            host_blocks("10.1.2.3", &ipv6),
            ["10.1.2.3/32", "2600:1f18::5/128"]
        );
    }

    #[test]
    fn an_allow_before_the_deny_is_found_for_ipv4_and_ipv6_blocks() {
        let allow = |rule: i32, ipv4: Option<&str>, ipv6: Option<&str>| {
            NetworkAclEntry::builder()
                .rule_number(rule)
                .egress(false)
                .set_cidr_block(ipv4.map(str::to_string))
                .set_ipv6_cidr_block(ipv6.map(str::to_string))
                .protocol("-1")
                .rule_action(RuleAction::Allow)
                .build()
        };
        let acl = NetworkAcl::builder()
            .entries(allow(5, Some("10.1.0.0/16"), None))
            .entries(allow(7, None, Some("2600:1f18::/56")))
            .entries(allow(9, None, Some("::/0")))
            .entries(allow(50, Some("0.0.0.0/0"), None))
            .build();
        assert_eq!(allow_before(&acl, false, "10.1.2.3/32", 20), Some(5));
        assert_eq!(allow_before(&acl, false, "10.2.2.3/32", 20), None);
        assert_eq!(allow_before(&acl, false, "2600:1f18::5/128", 20), Some(7));
        assert_eq!(allow_before(&acl, false, "2600:1f19::5/128", 20), Some(9));
        assert_eq!(allow_before(&acl, false, "2600:1f18::5/128", 6), None);
        assert_eq!(
            allow_before(&acl, true, "10.1.2.3/32", 20),
            None,
            "inbound only"
        );
    }
}
