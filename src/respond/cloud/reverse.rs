//! Sending the calls only `taskscope undo` makes: deleting a network ACL
//! entry, authorizing security group rules again, registering targets
//! again, deleting the deny policy. (Undo's UpdateService,
//! UpdateTaskProtection and PutRolePolicy go through [`Cloud::send`] as
//! isolate's do.)

use super::{call_error, number, sent, target_descriptions, text, CallError, Cloud, Sent};
use crate::respond::plan::Call;
use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, UserIdGroupPair};
use aws_sdk_ecs::operation::RequestId;
use serde_json::Value;

impl Cloud {
    /// Sends one of undo's own calls, exactly as planned.
    pub(super) async fn send_reverse(&self, call: &Call) -> Result<Sent, CallError> {
        let p = &call.parameters;
        let region = self.region.as_str();
        match call.operation.as_str() {
            "ec2:DeleteNetworkAclEntry" => {
                let out = self
                    .ec2
                    .delete_network_acl_entry()
                    .network_acl_id(text(p, "NetworkAclId")?)
                    .rule_number(number(p, "RuleNumber")?)
                    .egress(p["Egress"].as_bool().unwrap_or(false))
                    .send()
                    .await
                    .map_err(|e| call_error(&call.operation, region, &e))?;
                Ok(sent(out.request_id()))
            }
            "ec2:AuthorizeSecurityGroupIngress" => {
                let out = self
                    .ec2
                    .authorize_security_group_ingress()
                    .group_id(text(p, "GroupId")?)
                    .set_ip_permissions(Some(ip_permissions(p)))
                    .send()
                    .await
                    .map_err(|e| call_error(&call.operation, region, &e))?;
                Ok(sent(out.request_id()))
            }
            "ec2:AuthorizeSecurityGroupEgress" => {
                let out = self
                    .ec2
                    .authorize_security_group_egress()
                    .group_id(text(p, "GroupId")?)
                    .set_ip_permissions(Some(ip_permissions(p)))
                    .send()
                    .await
                    .map_err(|e| call_error(&call.operation, region, &e))?;
                Ok(sent(out.request_id()))
            }
            "elasticloadbalancing:RegisterTargets" => {
                let out = self
                    .elbv2
                    .register_targets()
                    .target_group_arn(text(p, "TargetGroupArn")?)
                    .set_targets(Some(target_descriptions(p)))
                    .send()
                    .await
                    .map_err(|e| call_error(&call.operation, region, &e))?;
                Ok(sent(out.request_id()))
            }
            "iam:DeleteRolePolicy" => {
                let out = self
                    .iam
                    .delete_role_policy()
                    .role_name(text(p, "RoleName")?)
                    .policy_name(text(p, "PolicyName")?)
                    .send()
                    .await
                    .map_err(|e| call_error(&call.operation, "global", &e))?;
                Ok(sent(out.request_id()))
            }
            other => Err(CallError::local(format!(
                "{other} is not a call taskscope undo makes"
            ))),
        }
    }
}

/// The `IpPermissions` of an authorization, in the EC2 API's names.
fn ip_permissions(parameters: &Value) -> Vec<IpPermission> {
    let list = |value: &Value, name: &str| value[name].as_array().cloned().unwrap_or_default();
    let port = |value: &Value| value.as_i64().and_then(|n| i32::try_from(n).ok());
    let description = |value: &Value| value["Description"].as_str().map(str::to_string);
    list(parameters, "IpPermissions")
        .iter()
        .map(|permission| {
            let mut built = IpPermission::builder()
                .set_ip_protocol(permission["IpProtocol"].as_str().map(str::to_string))
                .set_from_port(port(&permission["FromPort"]))
                .set_to_port(port(&permission["ToPort"]));
            for range in list(permission, "IpRanges") {
                built = built.ip_ranges(
                    IpRange::builder()
                        .set_cidr_ip(range["CidrIp"].as_str().map(str::to_string))
                        .set_description(description(&range))
                        .build(),
                );
            }
            for range in list(permission, "Ipv6Ranges") {
                built = built.ipv6_ranges(
                    Ipv6Range::builder()
                        .set_cidr_ipv6(range["CidrIpv6"].as_str().map(str::to_string))
                        .set_description(description(&range))
                        .build(),
                );
            }
            for prefix in list(permission, "PrefixListIds") {
                built = built.prefix_list_ids(
                    PrefixListId::builder()
                        .set_prefix_list_id(prefix["PrefixListId"].as_str().map(str::to_string))
                        .set_description(description(&prefix))
                        .build(),
                );
            }
            for pair in list(permission, "UserIdGroupPairs") {
                built = built.user_id_group_pairs(
                    UserIdGroupPair::builder()
                        .set_group_id(pair["GroupId"].as_str().map(str::to_string))
                        .set_description(description(&pair))
                        .build(),
                );
            }
            built.build()
        })
        .collect()
}
