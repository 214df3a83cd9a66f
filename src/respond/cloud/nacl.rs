//! Network ACL entries: whether an ACL already holds an entry, which rule
//! number is free, how many rules a direction holds against the quota (and
//! the check of the quota a responder gives); and
//! the one call that adds an entry, `ec2:CreateNetworkAclEntry`, whose rule
//! number is chosen when it is sent, not when it was planned.

use super::{call_error, text, CallError, Sent};
use crate::respond::plan::Call;
use crate::respond::request::{DEFAULT_RULE_QUOTA, MAX_RULE_QUOTA};
use aws_sdk_ec2::operation::RequestId;
use aws_sdk_ec2::types::{NetworkAclEntry, RuleAction};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use ipnet::IpNet;
use serde_json::{json, Value};

/// The rule number of the default rule (`*`) every ACL has in each
/// direction; it counts toward no quota and cannot be changed.
pub const DEFAULT_RULE: i32 = 32767;

/// The highest rule number an entry may be given.
pub const HIGHEST_RULE: i32 = 32766;

/// How many rule numbers are tried when others keep taking them first.
const NUMBERS_TRIED: usize = 5;

/// An entry as a call wants it, rule number aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WantedEntry {
    /// Outbound (true) or inbound.
    pub egress: bool,
    /// The block it matches, IPv4 or IPv6: the source inbound, the
    /// destination outbound.
    pub cidr: String,
    /// The protocol number, `-1` for all.
    pub protocol: String,
    /// `allow` or `deny`.
    pub action: String,
}

impl WantedEntry {
    /// A deny of every protocol for `cidr` in one direction.
    pub fn deny_all(cidr: &str, egress: bool) -> WantedEntry {
        WantedEntry {
            egress,
            cidr: cidr.to_string(),
            protocol: "-1".to_string(),
            action: RuleAction::Deny.as_str().to_string(),
        }
    }

    /// The entry a `CreateNetworkAclEntry` call's parameters describe.
    fn of_call(parameters: &Value) -> Result<WantedEntry, CallError> {
        let cidr = match parameters["Ipv6CidrBlock"].as_str() {
            Some(block) => block,
            None => text(parameters, "CidrBlock")?,
        };
        Ok(WantedEntry {
            egress: parameters["Egress"].as_bool().unwrap_or(false),
            cidr: cidr.to_string(),
            protocol: text(parameters, "Protocol")?.to_string(),
            action: text(parameters, "RuleAction")?.to_ascii_lowercase(),
        })
    }

    /// `inbound` or `outbound`.
    pub fn direction(&self) -> &'static str {
        direction(self.egress)
    }

    /// The rule number of an entry of `entries` that already is this one:
    /// same direction, block (IPv4 or IPv6), protocol and action.
    pub fn existing(&self, entries: &[NetworkAclEntry]) -> Option<i32> {
        entries
            .iter()
            .filter(|e| e.egress() == Some(self.egress))
            .filter(|e| entry_block(e).is_some_and(|block| same_block(block, &self.cidr)))
            .filter(|e| e.protocol() == Some(self.protocol.as_str()))
            .filter(|e| e.rule_action().map(RuleAction::as_str) == Some(self.action.as_str()))
            .find_map(NetworkAclEntry::rule_number)
    }
}

/// `inbound` or `outbound`.
pub fn direction(egress: bool) -> &'static str {
    if egress {
        "outbound"
    } else {
        "inbound"
    }
}

/// The parameter of `CreateNetworkAclEntry` that carries `cidr`:
/// `Ipv6CidrBlock` for an IPv6 block, `CidrBlock` otherwise.
pub fn block_parameter(cidr: &str) -> &'static str {
    if is_ipv6(cidr) {
        "Ipv6CidrBlock"
    } else {
        "CidrBlock"
    }
}

fn is_ipv6(cidr: &str) -> bool {
    matches!(cidr.parse::<IpNet>(), Ok(IpNet::V6(_)))
}

/// The block an entry matches, from whichever of its IPv4 and IPv6 fields
/// it has.
pub fn entry_block(entry: &NetworkAclEntry) -> Option<&str> {
    entry.cidr_block().or(entry.ipv6_cidr_block())
}

/// Whether two CIDR texts name the same block (`2001:db8::1/128` and
/// `2001:0db8:0:0:0:0:0:1/128` do); text that does not parse is compared
/// as it is.
pub fn same_block(a: &str, b: &str) -> bool {
    match (a.parse::<IpNet>(), b.parse::<IpNet>()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The rule numbers no entry of that direction uses, lowest first.
pub fn free_numbers(entries: &[NetworkAclEntry], egress: bool) -> impl Iterator<Item = i32> {
    let used: Vec<i32> = entries
        .iter()
        .filter(|e| e.egress() == Some(egress))
        .filter_map(NetworkAclEntry::rule_number)
        .collect();
    (1..=HIGHEST_RULE).filter(move |n| !used.contains(n))
}

/// The lowest rule number no entry of that direction uses.
pub fn lowest_free(entries: &[NetworkAclEntry], egress: bool) -> Option<i32> {
    free_numbers(entries, egress).next()
}

/// How many rules of one direction count toward the quota: every entry
/// but the default rule.
pub fn rules_counted(entries: &[NetworkAclEntry], egress: bool) -> usize {
    entries
        .iter()
        .filter(|e| e.egress() == Some(egress))
        .filter(|e| e.rule_number() != Some(DEFAULT_RULE))
        .count()
}

/// Sends a planned `CreateNetworkAclEntry`. The ACL is read first: an
/// entry that already is the wanted one counts as done (a concurrent run,
/// or an SDK retry whose first response was lost, made it), and is
/// recorded as such; otherwise the entry gets the lowest rule number free
/// now. A number taken meanwhile (`NetworkAclEntryAlreadyExists`) is
/// answered by reading the ACL again, a few times. The parameters returned
/// carry the rule number actually used.
pub async fn create_entry(
    ec2: &aws_sdk_ec2::Client,
    region: &str,
    call: &Call,
) -> Result<Sent, CallError> {
    let p = &call.parameters;
    let acl = text(p, "NetworkAclId")?;
    let wanted = WantedEntry::of_call(p)?;
    let used = |rule: i32| {
        let mut parameters = p.clone();
        parameters["RuleNumber"] = json!(rule);
        Some(parameters)
    };
    let mut taken = Vec::new();
    for _ in 0..NUMBERS_TRIED {
        let entries = read_entries(ec2, region, acl).await?;
        if let Some(rule) = wanted.existing(&entries) {
            return Ok(Sent {
                request_id: None,
                output: json!({"ruleNumber": rule, "alreadyPresent": true, "numbersTaken": taken}),
                parameters: used(rule),
            });
        }
        let Some(rule) = lowest_free(&entries, wanted.egress) else {
            return Err(CallError::local(format!(
                "{acl} has no free {} rule number",
                wanted.direction()
            )));
        };
        let entry = ec2
            .create_network_acl_entry()
            .network_acl_id(acl)
            .rule_number(rule)
            .protocol(&wanted.protocol)
            .rule_action(RuleAction::from(wanted.action.as_str()))
            .egress(wanted.egress);
        let sent = if is_ipv6(&wanted.cidr) {
            entry.ipv6_cidr_block(&wanted.cidr)
        } else {
            entry.cidr_block(&wanted.cidr)
        }
        .send()
        .await;
        match sent {
            Ok(out) => {
                return Ok(Sent {
                    request_id: out.request_id().map(str::to_string),
                    output: json!({"ruleNumber": rule, "alreadyPresent": false, "numbersTaken": taken}),
                    parameters: used(rule),
                });
            }
            Err(error) => match error.code() {
                Some("NetworkAclEntryAlreadyExists") => taken.push(rule),
                Some("NetworkAclEntryLimitExceeded") => {
                    let mut refused = call_error(&call.operation, region, &error);
                    refused.message = format!(
                        "{acl} is full: it holds as many {} rules as the account's quota allows \
                         (\"Rules per network ACL\": {DEFAULT_RULE_QUOTA} by default, at most \
                         {MAX_RULE_QUOTA}; a --nacl-rule-quota above the account's own lets \
                         the plan expect room); remove a rule or raise the quota, then run again",
                        wanted.direction()
                    );
                    return Err(refused);
                }
                _ => return Err(call_error(&call.operation, region, &error)),
            },
        }
    }
    Err(CallError::local(format!(
        "{acl}: the {} rule numbers {taken:?} were taken by someone else as they were tried; \
         run again",
        wanted.direction()
    )))
}

/// The entries of one ACL, as AWS says now.
async fn read_entries(
    ec2: &aws_sdk_ec2::Client,
    region: &str,
    acl: &str,
) -> Result<Vec<NetworkAclEntry>, CallError> {
    let out = ec2
        .describe_network_acls()
        .network_acl_ids(acl)
        .send()
        .await
        .map_err(|e| call_error("ec2:DescribeNetworkAcls", region, &e))?;
    out.network_acls()
        .first()
        .map(|found| found.entries().to_vec())
        .ok_or_else(|| CallError::local(format!("network ACL {acl} no longer exists")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(rule: i32, egress: bool, cidr: &str, action: RuleAction) -> NetworkAclEntry {
        NetworkAclEntry::builder()
            .rule_number(rule)
            .egress(egress)
            .cidr_block(cidr)
            .protocol("-1")
            .rule_action(action)
            .build()
    }

    fn acl() -> Vec<NetworkAclEntry> {
        vec![
            entry(1, false, "10.0.0.9/32", RuleAction::Deny),
            entry(2, false, "10.0.0.5/32", RuleAction::Deny),
            entry(100, false, "0.0.0.0/0", RuleAction::Allow),
            entry(DEFAULT_RULE, false, "0.0.0.0/0", RuleAction::Deny),
            entry(100, true, "0.0.0.0/0", RuleAction::Allow),
            entry(DEFAULT_RULE, true, "0.0.0.0/0", RuleAction::Deny),
        ]
    }

    #[test]
    fn a_deny_exists_only_in_its_own_direction() {
        let entries = acl();
        assert_eq!(
            WantedEntry::deny_all("10.0.0.5/32", false).existing(&entries),
            Some(2)
        );
        assert_eq!(
            WantedEntry::deny_all("10.0.0.5/32", true).existing(&entries),
            None
        );
        let mut tcp_only = WantedEntry::deny_all("10.0.0.5/32", false);
        tcp_only.protocol = "6".into();
        assert_eq!(tcp_only.existing(&entries), None, "another protocol");
    }

    #[test]
    fn an_ipv6_deny_is_found_by_its_own_field_in_any_spelling() {
        let mut entries = acl();
        entries.push(
            NetworkAclEntry::builder()
                .rule_number(3)
                .egress(false)
                .ipv6_cidr_block("2600:1f18:0:0::5/128")
                .protocol("-1")
                .rule_action(RuleAction::Deny)
                .build(),
        );
        let wanted = WantedEntry::deny_all("2600:1f18::5/128", false);
        assert_eq!(wanted.existing(&entries), Some(3));
        assert_eq!(
            WantedEntry::deny_all("2600:1f18::6/128", false).existing(&entries),
            None
        );
        assert_eq!(block_parameter("2600:1f18::5/128"), "Ipv6CidrBlock");
        assert_eq!(block_parameter("10.0.0.5/32"), "CidrBlock");
        let call = json!({"Egress": false, "Ipv6CidrBlock": "2600:1f18::5/128",
                          "Protocol": "-1", "RuleAction": "DENY"});
        assert_eq!(WantedEntry::of_call(&call).unwrap(), wanted);
    }

    #[test]
    fn free_numbers_skip_the_used_ones() {
        let numbers: Vec<i32> = free_numbers(&acl(), false).take(3).collect();
        assert_eq!(numbers, [3, 4, 5]);
    }

    #[test]
    fn the_lowest_free_number_is_per_direction() {
        let entries = acl();
        assert_eq!(lowest_free(&entries, false), Some(3));
        assert_eq!(lowest_free(&entries, true), Some(1));
        let full: Vec<NetworkAclEntry> = (1..=HIGHEST_RULE)
            .map(|n| entry(n, true, "0.0.0.0/0", RuleAction::Allow))
            .collect();
        assert_eq!(lowest_free(&full, true), None);
    }

    #[test]
    fn the_default_rule_does_not_count_toward_the_quota() {
        let entries = acl();
        assert_eq!(rules_counted(&entries, false), 3);
        assert_eq!(rules_counted(&entries, true), 1);
    }
}
