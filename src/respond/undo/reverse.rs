//! The reverse of one recorded call, from what AWS says now: the call that
//! puts back the state the record says it changed, or why there is nothing
//! to do (already as it was) or nothing undo can do. Every reverse reads
//! the current state first, so planning an undo twice sends nothing the
//! second time.

use super::record::RecordedCall;
use crate::collect::aws::describe_error;
use crate::model::time::parse_time_str;
use crate::respond::cloud::iam::RolePolicy;
use crate::respond::cloud::nacl::{entry_block, same_block};
use crate::respond::cloud::protection::Protection;
use crate::respond::cloud::Cloud;
use crate::respond::isolate::group::rule_record;
use crate::respond::plan::Call;
use crate::respond::request::MAX_PROTECT_MINUTES;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::{json, Value};

/// What a recorded call is, for undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A network ACL entry added (`ec2:CreateNetworkAclEntry`).
    AclEntry,
    /// Security group rules removed (`ec2:RevokeSecurityGroup*`).
    GroupRules {
        /// Egress rules (else ingress).
        egress: bool,
    },
    /// Targets deregistered (`elasticloadbalancing:DeregisterTargets`).
    Targets,
    /// A task's protection set (`ecs:UpdateTaskProtection`).
    Protection,
    /// The deny policy put (`iam:PutRolePolicy`).
    RolePolicy,
    /// A service's network configuration replaced (quarantine's
    /// `ecs:UpdateService`).
    NetworkConfiguration,
    /// A service's task definition replaced (rollback's `ecs:UpdateService`).
    Rollback,
    /// A task stopped (`ecs:StopTask`).
    StoppedTask,
    /// A deployment stopped (`ecs:StopServiceDeployment`).
    StoppedDeployment,
    /// A call undo does not know.
    Unknown,
}

impl Kind {
    /// The kind of `call`.
    pub fn of(call: &RecordedCall) -> Kind {
        match call.operation.as_str() {
            "ec2:CreateNetworkAclEntry" => Kind::AclEntry,
            "ec2:RevokeSecurityGroupIngress" => Kind::GroupRules { egress: false },
            "ec2:RevokeSecurityGroupEgress" => Kind::GroupRules { egress: true },
            "elasticloadbalancing:DeregisterTargets" => Kind::Targets,
            "ecs:UpdateTaskProtection" => Kind::Protection,
            "iam:PutRolePolicy" => Kind::RolePolicy,
            "ecs:UpdateService"
                if call.step == "rollback" || !call.prior["taskDefinition"].is_null() =>
            {
                Kind::Rollback
            }
            "ecs:UpdateService" => Kind::NetworkConfiguration,
            "ecs:StopTask" => Kind::StoppedTask,
            "ecs:StopServiceDeployment" => Kind::StoppedDeployment,
            _ => Kind::Unknown,
        }
    }

    /// True when undo can plan the reverse of a call of this kind.
    pub fn is_reversible(self) -> bool {
        matches!(
            self,
            Kind::AclEntry
                | Kind::GroupRules { .. }
                | Kind::Targets
                | Kind::Protection
                | Kind::RolePolicy
                | Kind::NetworkConfiguration
        )
    }

    /// For a call that may not have happened: the read that tells, and the
    /// call that reverses it if it did.
    pub fn check(self) -> Option<(&'static str, &'static str)> {
        Some(match self {
            Kind::AclEntry => ("ec2:DescribeNetworkAcls", "ec2:DeleteNetworkAclEntry"),
            Kind::GroupRules { egress: false } => (
                "ec2:DescribeSecurityGroupRules",
                "ec2:AuthorizeSecurityGroupIngress",
            ),
            Kind::GroupRules { egress: true } => (
                "ec2:DescribeSecurityGroupRules",
                "ec2:AuthorizeSecurityGroupEgress",
            ),
            Kind::Targets => (
                "elasticloadbalancing:DescribeTargetHealth",
                "elasticloadbalancing:RegisterTargets",
            ),
            Kind::Protection => ("ecs:GetTaskProtection", "ecs:UpdateTaskProtection"),
            Kind::RolePolicy => (
                "iam:GetRolePolicy",
                "iam:DeleteRolePolicy, or iam:PutRolePolicy with its prior document",
            ),
            Kind::NetworkConfiguration | Kind::Rollback => {
                ("ecs:DescribeServices", "ecs:UpdateService")
            }
            Kind::StoppedTask | Kind::StoppedDeployment | Kind::Unknown => return None,
        })
    }
}

/// The target task as undo finds it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskNow {
    /// Running, or on its way (neither it nor its desired status is STOPPED).
    Live,
    /// Stopped, stopping, forgotten by ECS, or no task at all: why.
    Ended(String),
    /// It could not be read: why.
    Unread(String),
}

/// What undo does about one recorded call.
#[derive(Debug, Clone, PartialEq)]
pub enum Reverse {
    /// Send this call; sending it has this blast radius.
    Send(Call, String),
    /// Nothing to do: AWS is already as it was before the call. Why.
    Done(String),
    /// Undo does not reverse it: why, and what to do instead.
    Not(String),
}

/// The reverse of one call: a title saying what it puts back, and what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Reversal {
    /// One line saying what the reverse puts back.
    pub title: String,
    /// What to do.
    pub reverse: Reverse,
}

fn reversal(title: String, reverse: Reverse) -> Reversal {
    Reversal { title, reverse }
}

/// The reverse of `call`, from the state AWS reports now. `task` is the
/// action's target task now (targets go back only to a live task).
pub async fn reverse(cloud: &Cloud, task: &TaskNow, call: &RecordedCall) -> Reversal {
    match Kind::of(call) {
        Kind::AclEntry => acl_entry(cloud, call).await,
        Kind::GroupRules { egress } => group_rules(cloud, call, egress).await,
        Kind::Targets => targets(cloud, task, call).await,
        Kind::Protection => protection(cloud, task, call).await,
        Kind::RolePolicy => role_policy(cloud, call).await,
        Kind::NetworkConfiguration => network_configuration(cloud, call).await,
        Kind::Rollback => {
            let p = &call.parameters;
            let service = p["service"].as_str().unwrap_or("the service");
            let previous = call.prior["taskDefinition"]
                .as_str()
                .unwrap_or("its previous task definition");
            reversal(
                format!("return {service} to {previous}"),
                Reverse::Not(format!(
                    "undone only by another rollback (taskscope rollback --cluster {} --service \
                     {service} --to REVISION): undo does not return the service to {previous}, \
                     the revision under suspicion",
                    p["cluster"].as_str().unwrap_or("C")
                )),
            )
        }
        Kind::StoppedTask => reversal(
            "start the stopped task again".into(),
            Reverse::Not(
                "cannot be undone: a stopped task cannot be started again (a service starts \
                 replacements on its own)"
                    .into(),
            ),
        ),
        Kind::StoppedDeployment => reversal(
            "resume the stopped deployment".into(),
            Reverse::Not(
                "cannot be undone: a stopped deployment cannot be resumed; deploy again with \
                 taskscope rollback --to REVISION"
                    .into(),
            ),
        ),
        Kind::Unknown => reversal(
            format!("reverse {}", call.operation),
            Reverse::Not(format!("taskscope does not reverse {}", call.operation)),
        ),
    }
}

/// The error code AWS returned, if it answered with one.
fn code<E: ProvideErrorMetadata>(error: &SdkError<E, HttpResponse>) -> Option<&str> {
    error.as_service_error().and_then(|e| e.code())
}

async fn acl_entry(cloud: &Cloud, call: &RecordedCall) -> Reversal {
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

fn same_rule(a: &Value, b: &Value) -> bool {
    RULE_FIELDS.iter().all(|field| a[field] == b[field])
}

/// One recorded rule as an `IpPermissions` item of an authorization.
fn permission(rule: &Value) -> Value {
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

async fn group_rules(cloud: &Cloud, call: &RecordedCall, egress: bool) -> Reversal {
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

async fn targets(cloud: &Cloud, task: &TaskNow, call: &RecordedCall) -> Reversal {
    let p = &call.parameters;
    let group = p["TargetGroupArn"].as_str().unwrap_or_default();
    let wanted = p["Targets"].as_array().cloned().unwrap_or_default();
    let ids: Vec<&str> = wanted.iter().filter_map(|t| t["Id"].as_str()).collect();
    let title = format!("register {} again in {group}", ids.join(", "));
    match task {
        TaskNow::Live => {}
        TaskNow::Ended(why) => {
            return reversal(
                title,
                Reverse::Not(format!(
                    "the task is {why}: its IP may belong to another task by now, so undo does \
                     not register it; register it by hand if you mean to"
                )),
            )
        }
        TaskNow::Unread(why) => return reversal(title, Reverse::Not(why.clone())),
    }
    let health = match cloud
        .elbv2
        .describe_target_health()
        .target_group_arn(group)
        .send()
        .await
    {
        Ok(health) => health,
        Err(e) if code(&e) == Some("TargetGroupNotFound") => {
            return reversal(title, Reverse::Not(format!("{group} no longer exists")))
        }
        Err(e) => {
            let action = "elasticloadbalancing:DescribeTargetHealth";
            return reversal(
                title,
                Reverse::Not(describe_error(action, &cloud.region, &e)),
            );
        }
    };
    let registered = |target: &Value| {
        health.target_health_descriptions().iter().any(|d| {
            let draining = d
                .target_health()
                .and_then(|h| h.state())
                .is_some_and(|s| s.as_str().contains("draining"));
            let port = target["Port"].as_i64().and_then(|n| i32::try_from(n).ok());
            d.target().is_some_and(|t| {
                t.id() == target["Id"].as_str() && (port.is_none() || t.port() == port)
            }) && !draining
        })
    };
    let missing: Vec<Value> = wanted.iter().filter(|t| !registered(t)).cloned().collect();
    if missing.is_empty() {
        return reversal(title, Reverse::Done(format!("{group} holds them again")));
    }
    let call = Call::new(
        "elasticloadbalancing:RegisterTargets",
        json!({"TargetGroupArn": group, "Targets": missing}),
    );
    let radius = "the load balancer sends requests to the task again once it passes its health \
                  checks"
        .to_string();
    reversal(title, Reverse::Send(call, radius))
}

async fn protection(cloud: &Cloud, task: &TaskNow, call: &RecordedCall) -> Reversal {
    let p = &call.parameters;
    let Some(before) = Protection::from_prior(&call.prior) else {
        return reversal(
            "put the task's protection back as it was".into(),
            Reverse::Not(
                "the audit record does not hold the protection before the call: it ends on its \
                 own when it expires"
                    .into(),
            ),
        );
    };
    let now = crate::model::time::now();
    let until = before.expires.as_deref().and_then(parse_time_str);
    let protected_until = until.filter(|until| before.enabled && *until > now);
    let title = match (protected_until, &before.expires) {
        (Some(_), Some(expires)) => format!("set the task's protection back to end at {expires}"),
        _ => "turn the task's protection off, as it was before".to_string(),
    };
    match task {
        TaskNow::Live => {}
        TaskNow::Ended(why) => {
            return reversal(
                title,
                Reverse::Done(format!("the task is {why}: protection no longer applies")),
            )
        }
        TaskNow::Unread(why) => return reversal(title, Reverse::Not(why.clone())),
    }
    let (Some(cluster), Some(arn)) = (p["cluster"].as_str(), p["tasks"][0].as_str()) else {
        return reversal(
            title,
            Reverse::Not("the audit record lacks the cluster or the task".into()),
        );
    };
    let current = match cloud.task_protection(cluster, arn).await {
        Ok(current) => current,
        Err(why) => return reversal(title, Reverse::Not(why)),
    };
    let current_until = current.expires.as_deref().and_then(parse_time_str);
    let as_before = match protected_until {
        None => !current.enabled,
        // Restoring rounds up to the minute: within a minute is as it was.
        Some(until) => {
            current.enabled
                && current_until.is_some_and(|c| c <= until + chrono::TimeDelta::minutes(1))
        }
    };
    if as_before {
        return reversal(
            title,
            Reverse::Done("the protection is as it was before".into()),
        );
    }
    let mut parameters = json!({
        "cluster": cluster,
        "tasks": [arn],
        "protectionEnabled": protected_until.is_some(),
    });
    if let Some(until) = protected_until {
        let seconds = (until - now).num_seconds().max(0);
        let minutes = (seconds + 59) / 60;
        parameters["expiresInMinutes"] = json!(minutes.clamp(1, i64::from(MAX_PROTECT_MINUTES)));
    }
    let call = Call::new("ecs:UpdateTaskProtection", parameters);
    let radius = "this task only: scale-in and deployments may replace it again".to_string();
    reversal(title, Reverse::Send(call, radius))
}

/// True when the two documents hold the same JSON (or, unparsed, the same text).
fn same_document(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<Value>(a),
        serde_json::from_str::<Value>(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

async fn role_policy(cloud: &Cloud, call: &RecordedCall) -> Reversal {
    let p = &call.parameters;
    let (role, policy) = (
        p["RoleName"].as_str().unwrap_or_default(),
        p["PolicyName"].as_str().unwrap_or_default(),
    );
    let sent = p["PolicyDocument"].as_str().unwrap_or_default();
    let previous = call.prior["PolicyDocument"].as_str();
    let title = match previous {
        None => format!("delete {role}'s inline policy {policy}"),
        Some(_) => format!("put back the previous document of {role}'s inline policy {policy}"),
    };
    let current = match cloud.role_policy(role, policy).await {
        Ok(RolePolicy::Document(current)) => current,
        Ok(RolePolicy::NoRole) => {
            return reversal(
                title,
                Reverse::Done(format!("role {role} no longer exists")),
            )
        }
        Ok(RolePolicy::Absent) => {
            return reversal(
                title,
                Reverse::Done(format!("{role} has no policy {policy}")),
            )
        }
        Err(why) => return reversal(title, Reverse::Not(why)),
    };
    if previous.is_some_and(|previous| same_document(&current, previous)) {
        return reversal(
            title,
            Reverse::Done(format!("{policy} holds its previous document")),
        );
    }
    if !same_document(&current, sent) {
        return reversal(
            title,
            Reverse::Not(format!(
                "{policy} changed after this action (a later run replaced it): undo that run \
                 first, or edit the policy by hand"
            )),
        );
    }
    let radius = format!(
        "sessions of {role} issued before this action's cutoff, stolen ones included, work again"
    );
    let call = match previous {
        None => Call::new(
            "iam:DeleteRolePolicy",
            json!({"RoleName": role, "PolicyName": policy}),
        ),
        Some(previous) => Call::new(
            "iam:PutRolePolicy",
            json!({"RoleName": role, "PolicyName": policy, "PolicyDocument": previous}),
        ),
    };
    reversal(title, Reverse::Send(call, radius))
}

/// An awsvpc configuration in a form that compares: sorted lists, and the
/// public IP setting ECS assumes when it is left out.
fn comparable(configuration: &Value) -> Value {
    let sorted = |name: &str| {
        let mut values: Vec<String> = configuration[name]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        values.sort();
        values
    };
    json!({
        "subnets": sorted("subnets"),
        "securityGroups": sorted("securityGroups"),
        "assignPublicIp": configuration["assignPublicIp"].as_str().unwrap_or("DISABLED"),
    })
}

async fn network_configuration(cloud: &Cloud, call: &RecordedCall) -> Reversal {
    let p = &call.parameters;
    let (cluster, service) = (
        p["cluster"].as_str().unwrap_or_default(),
        p["service"].as_str().unwrap_or_default(),
    );
    let previous = &call.prior["networkConfiguration"];
    let vpc = &previous["awsvpcConfiguration"];
    if !vpc.is_object() {
        return reversal(
            format!("put {service}'s previous network configuration back"),
            Reverse::Not(
                "the audit record does not hold the service's previous network configuration"
                    .into(),
            ),
        );
    }
    let groups = comparable(vpc)["securityGroups"]
        .as_array()
        .map(|groups| {
            groups
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let title = format!("put {service}'s previous security groups back ({groups})");
    let described = match cloud
        .ecs
        .describe_services()
        .cluster(cluster)
        .services(service)
        .send()
        .await
    {
        Ok(described) => described,
        Err(e) => {
            let why = describe_error("ecs:DescribeServices", &cloud.region, &e);
            return reversal(title, Reverse::Not(why));
        }
    };
    let Some(current) = described
        .services()
        .first()
        .filter(|s| s.status() != Some("INACTIVE"))
    else {
        return reversal(
            title,
            Reverse::Not(format!("service {service} no longer exists")),
        );
    };
    let now = current
        .network_configuration()
        .and_then(|n| n.awsvpc_configuration())
        .map(|c| {
            json!({
                "subnets": c.subnets(),
                "securityGroups": c.security_groups(),
                "assignPublicIp": c.assign_public_ip().map(|a| a.as_str()),
            })
        })
        .unwrap_or_default();
    if comparable(&now) == comparable(vpc) {
        return reversal(
            title,
            Reverse::Done(format!("{service} has its previous network configuration")),
        );
    }
    let call = Call::new(
        "ecs:UpdateService",
        json!({"cluster": cluster, "service": service, "networkConfiguration": previous}),
    );
    let radius = format!(
        "starts a new deployment of {service}: every task it starts next gets {groups} again"
    );
    reversal(title, Reverse::Send(call, radius))
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

    #[test]
    fn configurations_compare_in_any_order() {
        let a = json!({"subnets": ["b", "a"], "securityGroups": ["sg-1"]});
        let b = json!({"subnets": ["a", "b"], "securityGroups": ["sg-1"], "assignPublicIp": "DISABLED"});
        assert_eq!(comparable(&a), comparable(&b));
        let c = json!({"subnets": ["a", "b"], "securityGroups": ["sg-q"]});
        assert_ne!(comparable(&a), comparable(&c));
    }

    #[test]
    fn only_known_changes_are_reversible() {
        let call = |operation: &str, step: &str, prior: Value| RecordedCall {
            line: 1,
            time: String::new(),
            step: step.into(),
            operation: operation.into(),
            parameters: Value::Null,
            prior,
            output: Value::Null,
            known: super::super::record::Known::Ok,
        };
        let quarantine = call(
            "ecs:UpdateService",
            "quarantine",
            json!({"networkConfiguration": {}}),
        );
        assert_eq!(Kind::of(&quarantine), Kind::NetworkConfiguration);
        let rollback = call(
            "ecs:UpdateService",
            "rollback",
            json!({"taskDefinition": "td:1"}),
        );
        assert_eq!(Kind::of(&rollback), Kind::Rollback);
        assert!(!Kind::of(&rollback).is_reversible());
        assert!(!Kind::of(&call("ecs:StopTask", "stop", Value::Null)).is_reversible());
        assert!(Kind::of(&call(
            "ec2:CreateNetworkAclEntry",
            "contain-nacl",
            Value::Null
        ))
        .is_reversible());
    }
}
