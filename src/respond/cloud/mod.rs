//! The AWS side of response actions: the SDK clients, the reads that plans
//! are made from, and the one place where a planned call is sent. [`iam`]
//! holds the task role's inline policy (read, and the cutoff set at send
//! time), [`protection`] a task's protection, [`nacl`] network ACL entries
//! (a deny's rule number chosen as it is sent); `reverse` sends the calls
//! that only `taskscope undo` makes.

pub mod iam;
pub mod nacl;
pub mod protection;
mod reverse;

use super::plan::Call;
use crate::collect::aws::{describe_error, region_of};
use aws_config::SdkConfig;
use aws_sdk_ecs::operation::RequestId;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::{json, Value};

/// The clients actions use, for one region.
#[derive(Clone, Debug)]
pub struct Cloud {
    /// ECS.
    pub ecs: aws_sdk_ecs::Client,
    /// EC2 (network ACLs, security groups, network interfaces).
    pub ec2: aws_sdk_ec2::Client,
    /// Elastic Load Balancing v2 (target groups).
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
    /// IAM (the task role's inline deny).
    pub iam: aws_sdk_iam::Client,
    /// The region they call.
    pub region: String,
}

/// What a successful call returned that the audit log keeps.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sent {
    /// The request ID, when AWS returned one.
    pub request_id: Option<String>,
    /// Output worth recording (a deployment ARN, a preserved bundle).
    pub output: Value,
    /// The parameters actually sent, when they were settled at execution
    /// and differ from the plan's (a rule number free at that moment).
    pub parameters: Option<Value>,
}

/// Why a call failed: one line, the request ID when there was one, and
/// whether another attempt may succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallError {
    /// What failed and what to do, in one line.
    pub message: String,
    /// The request ID, when AWS answered.
    pub request_id: Option<String>,
    /// Throttling, a 5xx answer, a timeout or a broken connection: the
    /// executor attempts the call again ([`is_transient`]).
    pub transient: bool,
}

impl CallError {
    /// An error that did not come from AWS (bad parameters in a plan).
    pub fn local(message: impl Into<String>) -> CallError {
        CallError {
            message: message.into(),
            request_id: None,
            transient: false,
        }
    }
}

/// True when an SDK error may pass on another attempt: the SDK's own
/// throttling and transient error codes, a 5xx answer, a timeout, a broken
/// connection or an unreadable answer. Refusals (access denied, bad
/// parameters, a quota) are not.
pub fn is_transient<E>(error: &SdkError<E, HttpResponse>) -> bool
where
    E: ProvideErrorMetadata,
{
    use aws_runtime::retries::classifiers::{THROTTLING_ERRORS, TRANSIENT_ERRORS};
    match error {
        SdkError::TimeoutError(_) | SdkError::ResponseError(_) => true,
        SdkError::DispatchFailure(failure) => failure.is_timeout() || failure.is_io(),
        SdkError::ServiceError(context) => {
            let code = context.err().code().unwrap_or_default();
            THROTTLING_ERRORS.contains(&code)
                || TRANSIENT_ERRORS.contains(&code)
                || context.raw().status().is_server_error()
        }
        _ => false,
    }
}

/// Turns an SDK error into a [`CallError`] naming the IAM action.
pub fn call_error<E>(action: &str, region: &str, error: &SdkError<E, HttpResponse>) -> CallError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    CallError {
        message: describe_error(action, region, error),
        request_id: error
            .raw_response()
            .and_then(|r| {
                r.headers()
                    .get("x-amzn-requestid")
                    .or_else(|| r.headers().get("x-amz-request-id"))
            })
            .map(str::to_string),
        transient: is_transient(error),
    }
}

/// The text parameter `name` of a planned call.
pub(super) fn text<'a>(parameters: &'a Value, name: &str) -> Result<&'a str, CallError> {
    parameters[name]
        .as_str()
        .ok_or_else(|| CallError::local(format!("the plan has no {name}")))
}

fn texts(parameters: &Value, name: &str) -> Vec<String> {
    parameters[name]
        .as_array()
        .map(|values| {
            values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn number(parameters: &Value, name: &str) -> Result<i32, CallError> {
    parameters[name]
        .as_i64()
        .and_then(|n| i32::try_from(n).ok())
        .ok_or_else(|| CallError::local(format!("the plan has no number {name}")))
}

/// The `Targets` of a (de)registration: each an `Id` and maybe a `Port`.
fn target_descriptions(
    parameters: &Value,
) -> Vec<aws_sdk_elasticloadbalancingv2::types::TargetDescription> {
    use aws_sdk_elasticloadbalancingv2::types::TargetDescription;
    parameters["Targets"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            TargetDescription::builder()
                .id(t["Id"].as_str().unwrap_or_default())
                .set_port(t["Port"].as_i64().and_then(|n| i32::try_from(n).ok()))
                .build()
        })
        .collect()
}

/// The number `name`, or None when the plan leaves it out.
fn optional_number(parameters: &Value, name: &str) -> Result<Option<i32>, CallError> {
    if parameters[name].is_null() {
        return Ok(None);
    }
    number(parameters, name).map(Some)
}

fn sent(request_id: Option<&str>) -> Sent {
    Sent {
        request_id: request_id.map(str::to_string),
        output: Value::Null,
        parameters: None,
    }
}

impl Cloud {
    /// Clients for the region of `config`.
    pub fn new(config: &SdkConfig) -> Cloud {
        Cloud {
            ecs: aws_sdk_ecs::Client::new(config),
            ec2: aws_sdk_ec2::Client::new(config),
            elbv2: aws_sdk_elasticloadbalancingv2::Client::new(config),
            iam: aws_sdk_iam::Client::new(config),
            region: region_of(config),
        }
    }

    /// The same clients, each call made once: the SDK attempts nothing
    /// again on its own, so every attempt the executor makes is recorded.
    pub fn single_attempt(&self) -> Cloud {
        use aws_config::retry::RetryConfig;
        let once = RetryConfig::disabled;
        Cloud {
            ecs: aws_sdk_ecs::Client::from_conf(
                self.ecs.config().to_builder().retry_config(once()).build(),
            ),
            ec2: aws_sdk_ec2::Client::from_conf(
                self.ec2.config().to_builder().retry_config(once()).build(),
            ),
            elbv2: aws_sdk_elasticloadbalancingv2::Client::from_conf(
                self.elbv2
                    .config()
                    .to_builder()
                    .retry_config(once())
                    .build(),
            ),
            iam: aws_sdk_iam::Client::from_conf(
                self.iam.config().to_builder().retry_config(once()).build(),
            ),
            region: self.region.clone(),
        }
    }

    /// Sends one mutating call of a plan, as planned; a network ACL entry's
    /// rule number is chosen when it is sent ([`nacl`]). The read-only
    /// `taskscope:` sequences are run by the executor, not here.
    pub async fn send(&self, call: &Call) -> Result<Sent, CallError> {
        let p = &call.parameters;
        let region = self.region.as_str();
        match call.operation.as_str() {
            "ecs:UpdateTaskProtection" => {
                let action = "ecs:UpdateTaskProtection";
                let out = self
                    .ecs
                    .update_task_protection()
                    .cluster(text(p, "cluster")?)
                    .set_tasks(Some(texts(p, "tasks")))
                    .protection_enabled(p["protectionEnabled"].as_bool().unwrap_or(true))
                    // Absent when protection is turned off (undo).
                    .set_expires_in_minutes(optional_number(p, "expiresInMinutes")?)
                    .send()
                    .await
                    .map_err(|e| call_error(action, region, &e))?;
                if let Some(failure) = out.failures().first() {
                    return Err(CallError {
                        message: format!(
                            "{action} refused for {}: {} {}",
                            failure.arn().unwrap_or("the task"),
                            failure.reason().unwrap_or("no reason"),
                            failure.detail().unwrap_or("")
                        )
                        .trim_end()
                        .to_string(),
                        request_id: out.request_id().map(str::to_string),
                        transient: false,
                    });
                }
                let expires = out
                    .protected_tasks()
                    .first()
                    .and_then(|t| t.expiration_date())
                    .map(|d| d.to_string());
                Ok(Sent {
                    request_id: out.request_id().map(str::to_string),
                    output: json!({ "expirationDate": expires }),
                    parameters: None,
                })
            }
            "elasticloadbalancing:DeregisterTargets" => {
                let out = self
                    .elbv2
                    .deregister_targets()
                    .target_group_arn(text(p, "TargetGroupArn")?)
                    .set_targets(Some(target_descriptions(p)))
                    .send()
                    .await
                    .map_err(|e| call_error(&call.operation, region, &e))?;
                Ok(sent(out.request_id()))
            }
            "ec2:CreateNetworkAclEntry" => nacl::create_entry(&self.ec2, region, call).await,
            "ec2:RevokeSecurityGroupIngress" => {
                let (group, rules) = (text(p, "GroupId")?, texts(p, "SecurityGroupRuleIds"));
                let out = self
                    .ec2
                    .revoke_security_group_ingress()
                    .group_id(group)
                    .set_security_group_rule_ids(Some(rules))
                    .send()
                    .await;
                out.map(|out| sent(out.request_id()))
                    .map_err(|e| call_error(&call.operation, region, &e))
            }
            "ec2:RevokeSecurityGroupEgress" => {
                let (group, rules) = (text(p, "GroupId")?, texts(p, "SecurityGroupRuleIds"));
                let out = self
                    .ec2
                    .revoke_security_group_egress()
                    .group_id(group)
                    .set_security_group_rule_ids(Some(rules))
                    .send()
                    .await;
                out.map(|out| sent(out.request_id()))
                    .map_err(|e| call_error(&call.operation, region, &e))
            }
            "iam:PutRolePolicy" => {
                // The revoke step's cutoff is the time of sending.
                let planned = text(p, "PolicyDocument")?;
                let document = iam::stamp_apply_time(planned, &crate::model::time::now());
                let out = self
                    .iam
                    .put_role_policy()
                    .role_name(text(p, "RoleName")?)
                    .policy_name(text(p, "PolicyName")?)
                    .policy_document(&document)
                    .send()
                    .await
                    .map_err(|e| call_error(&call.operation, "global", &e))?;
                let mut parameters = p.clone();
                parameters["PolicyDocument"] = json!(document);
                Ok(Sent {
                    parameters: (document != planned).then_some(parameters),
                    ..sent(out.request_id())
                })
            }
            "ecs:StopTask" => {
                let out = self
                    .ecs
                    .stop_task()
                    .cluster(text(p, "cluster")?)
                    .task(text(p, "task")?)
                    .reason(text(p, "reason")?)
                    .send()
                    .await
                    .map_err(|e| call_error(&call.operation, region, &e))?;
                let status = out.task().and_then(|t| t.last_status()).map(str::to_string);
                Ok(Sent {
                    request_id: out.request_id().map(str::to_string),
                    output: json!({ "lastStatus": status }),
                    parameters: None,
                })
            }
            "ecs:UpdateService" => self.update_service(call).await,
            "ecs:StopServiceDeployment" => {
                use aws_sdk_ecs::types::StopServiceDeploymentStopType;
                let out = self
                    .ecs
                    .stop_service_deployment()
                    .service_deployment_arn(text(p, "serviceDeploymentArn")?)
                    .stop_type(StopServiceDeploymentStopType::from(text(p, "stopType")?))
                    .send()
                    .await
                    .map_err(|e| call_error(&call.operation, region, &e))?;
                Ok(sent(out.request_id()))
            }
            "ec2:DeleteNetworkAclEntry"
            | "ec2:AuthorizeSecurityGroupIngress"
            | "ec2:AuthorizeSecurityGroupEgress"
            | "elasticloadbalancing:RegisterTargets"
            | "iam:DeleteRolePolicy" => self.send_reverse(call).await,
            other => Err(CallError::local(format!(
                "{other} is not a call taskscope makes"
            ))),
        }
    }

    async fn update_service(&self, call: &Call) -> Result<Sent, CallError> {
        use aws_sdk_ecs::types::{AssignPublicIp, AwsVpcConfiguration, NetworkConfiguration};
        let p = &call.parameters;
        let mut request = self
            .ecs
            .update_service()
            .cluster(text(p, "cluster")?)
            .service(text(p, "service")?);
        if let Some(definition) = p["taskDefinition"].as_str() {
            request = request.task_definition(definition);
        }
        let vpc = &p["networkConfiguration"]["awsvpcConfiguration"];
        if vpc.is_object() {
            let configuration = AwsVpcConfiguration::builder()
                .set_subnets(Some(texts(vpc, "subnets")))
                .set_security_groups(Some(texts(vpc, "securityGroups")))
                .set_assign_public_ip(vpc["assignPublicIp"].as_str().map(AssignPublicIp::from))
                .build()
                .map_err(|e| CallError::local(format!("bad network configuration: {e}")))?;
            request = request.network_configuration(
                NetworkConfiguration::builder()
                    .awsvpc_configuration(configuration)
                    .build(),
            );
        }
        let out = request
            .send()
            .await
            .map_err(|e| call_error(&call.operation, &self.region, &e))?;
        // The deployment this call started is the PRIMARY one, wherever
        // ECS lists it.
        let deployment = out
            .service()
            .and_then(|s| {
                s.deployments()
                    .iter()
                    .find(|d| d.status() == Some("PRIMARY"))
            })
            .and_then(|d| d.id())
            .map(str::to_string);
        Ok(Sent {
            request_id: out.request_id().map(str::to_string),
            output: json!({ "deployment": deployment }),
            parameters: None,
        })
    }
}
