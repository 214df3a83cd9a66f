//! The reverse of a service's network configuration replaced (quarantine):
//! the previous configuration put back, when the service is not already
//! in it.

use super::compare::comparable;
use super::reversal::{reversal, Reversal, Reverse};
use crate::collect::aws::describe_error;
use crate::respond::cloud::Cloud;
use crate::respond::plan::Call;
use crate::respond::undo::record::RecordedCall;
use serde_json::{json, Value};

pub(super) async fn network_configuration(cloud: &Cloud, call: &RecordedCall) -> Reversal {
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
