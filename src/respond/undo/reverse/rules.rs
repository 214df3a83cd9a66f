//! Security group rules as the audit record holds them: when two are the
//! same rule, and a removed one as an `IpPermissions` item to authorize
//! again.

use serde_json::{json, Value};

/// The fields that make two security group rules the same rule.
const RULE_FIELDS: [&str; 7] = [
    "IpProtocol",
    "FromPort",
    "ToPort",
    "CidrIpv4",
    "CidrIpv6",
    "PrefixListId",
    "ReferencedGroupId",
];

pub(super) fn same_rule(a: &Value, b: &Value) -> bool {
    RULE_FIELDS.iter().all(|field| a[field] == b[field])
}

/// One recorded rule as an `IpPermissions` item of an authorization.
pub(super) fn permission(rule: &Value) -> Value {
    let mut permission = json!({"IpProtocol": rule["IpProtocol"]});
    for port in ["FromPort", "ToPort"] {
        if !rule[port].is_null() {
            permission[port] = rule[port].clone();
        }
    }
    let with_description = |mut item: Value| {
        if let Some(description) = rule["Description"].as_str() {
            item["Description"] = json!(description);
        }
        json!([item])
    };
    let sources = [
        ("CidrIpv4", "IpRanges", "CidrIp"),
        ("CidrIpv6", "Ipv6Ranges", "CidrIpv6"),
        ("PrefixListId", "PrefixListIds", "PrefixListId"),
        ("ReferencedGroupId", "UserIdGroupPairs", "GroupId"),
    ];
    for (field, list, name) in sources {
        if let Some(value) = rule[field].as_str() {
            permission[list] = with_description(json!({ name: value }));
        }
    }
    permission
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_removed_rule_becomes_one_permission_with_its_source() {
        let rule = json!({"SecurityGroupRuleId": "sgr-1", "IpProtocol": "tcp", "FromPort": 443,
            "ToPort": 443, "CidrIpv4": "10.0.0.0/16", "Description": "app"});
        assert_eq!(
            permission(&rule),
            json!({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "app"}]})
        );
        let group = json!({"IpProtocol": "-1", "ReferencedGroupId": "sg-2"});
        assert_eq!(
            permission(&group),
            json!({"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-2"}]})
        );
    }

    #[test]
    fn rules_are_the_same_whatever_their_id_and_description() {
        let recorded = json!({"SecurityGroupRuleId": "sgr-1", "IpProtocol": "tcp", "FromPort": 80,
            "ToPort": 80, "CidrIpv4": "0.0.0.0/0", "Description": "web"});
        let now = json!({"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
            "CidrIpv4": "0.0.0.0/0", "CidrIpv6": null, "PrefixListId": null, "ReferencedGroupId": null});
        assert!(same_rule(&recorded, &now));
        let other =
            json!({"IpProtocol": "tcp", "FromPort": 81, "ToPort": 81, "CidrIpv4": "0.0.0.0/0"});
        assert!(!same_rule(&recorded, &other));
    }
}
