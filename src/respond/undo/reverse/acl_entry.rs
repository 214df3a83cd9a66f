//! The reverse of a network ACL deny entry added: deleting it, when it is
//! still the deny this action added.

use super::error_code::code;
use super::reversal::{reversal, Reversal, Reverse};
use crate::collect::aws::describe_error;
use crate::respond::cloud::nacl::{entry_block, same_block};
use crate::respond::cloud::Cloud;
use crate::respond::plan::Call;
use crate::respond::undo::record::RecordedCall;
use serde_json::json;

pub(super) async fn acl_entry(cloud: &Cloud, call: &RecordedCall) -> Reversal {
    use aws_sdk_ec2::types::RuleAction;
    let p = &call.parameters;
    let egress = p["Egress"].as_bool().unwrap_or(false);
    let direction = if egress { "outbound" } else { "inbound" };
    // An IPv6 deny was sent with Ipv6CidrBlock, an IPv4 one with CidrBlock.
    let cidr = p["CidrBlock"].as_str().or(p["Ipv6CidrBlock"].as_str());
    let (Some(acl), Some(number)) = (
        p["NetworkAclId"].as_str(),
        p["RuleNumber"].as_i64().and_then(|n| i32::try_from(n).ok()),
    ) else {
        return reversal(
            format!("delete the {direction} network ACL entry"),
            Reverse::Not("the audit record lacks NetworkAclId or RuleNumber".into()),
        );
    };
    let title = format!(
        "delete {direction} entry {number} ({} deny) from {acl}",
        cidr.unwrap_or("the")
    );
    if call.output["alreadyPresent"] == true {
        // Another run (or a colleague) made it; this action only found it.
        return reversal(
            title,
            Reverse::Not("the entry was already there when this action ran: it is not this action's to remove".into()),
        );
    }
    let read = cloud
        .ec2
        .describe_network_acls()
        .network_acl_ids(acl)
        .send()
        .await;
    let acls = match read {
        Ok(out) => out,
        Err(e) if code(&e) == Some("InvalidNetworkAclID.NotFound") => {
            return reversal(title, Reverse::Done(format!("{acl} no longer exists")))
        }
        Err(e) => {
            let why = describe_error("ec2:DescribeNetworkAcls", &cloud.region, &e);
            return reversal(title, Reverse::Not(why));
        }
    };
    let entry = acls
        .network_acls()
        .iter()
        .flat_map(|a| a.entries())
        .find(|e| e.rule_number() == Some(number) && e.egress() == Some(egress));
    let Some(entry) = entry else {
        return reversal(
            title,
            Reverse::Done(format!("{acl} has no {direction} entry {number}")),
        );
    };
    let ours = cidr.is_none_or(|cidr| entry_block(entry).is_some_and(|e| same_block(e, cidr)))
        && entry.rule_action() == Some(&RuleAction::Deny);
    if !ours {
        return reversal(
            title,
            Reverse::Not(format!(
                "{direction} entry {number} of {acl} now {} {}, not the deny taskscope added: \
                 left as it is",
                entry.rule_action().map_or("?", |a| a.as_str()),
                entry_block(entry).unwrap_or("?")
            )),
        );
    }
    let call = Call::new(
        "ec2:DeleteNetworkAclEntry",
        json!({"NetworkAclId": acl, "RuleNumber": number, "Egress": egress}),
    );
    let radius = format!(
        "{acl}: {} is no longer denied {direction}; the rest of the ACL is unchanged",
        cidr.unwrap_or("the address")
    );
    reversal(title, Reverse::Send(call, radius))
}
