//! What a recorded call is, for undo: whether undo can reverse it, and
//! for a call that may not have happened, the read that tells and the call
//! that reverses it.

use crate::respond::undo::record::RecordedCall;

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

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
            known: crate::respond::undo::record::Known::Ok,
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
