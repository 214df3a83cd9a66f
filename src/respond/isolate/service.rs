//! The task's service as the network steps see it: the network
//! configuration every task it starts gets, and who deploys it.

use crate::collect::aws::describe_error;
use crate::respond::cloud::Cloud;
use anyhow::anyhow;
use serde_json::{json, Value};

/// A service's awsvpc network configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ServiceNetwork {
    pub(super) subnets: Vec<String>,
    pub(super) groups: Vec<String>,
    /// `ENABLED` or `DISABLED` (ECS's default when the service does not say).
    pub(super) assign_public_ip: String,
}

impl ServiceNetwork {
    /// As `UpdateService` takes it (`networkConfiguration`).
    pub(super) fn to_json(&self) -> Value {
        json!({"awsvpcConfiguration": {
            "subnets": self.subnets,
            "securityGroups": self.groups,
            "assignPublicIp": self.assign_public_ip,
        }})
    }
}

/// What the network steps need of a service.
#[derive(Debug, Clone)]
pub(super) struct ServiceFacts {
    /// Its awsvpc network configuration, when it has one.
    pub(super) network: Option<ServiceNetwork>,
    /// Its deployment controller (`ECS`, `CODE_DEPLOY`, `EXTERNAL`).
    pub(super) controller: String,
}

/// The task's service, read at most once per plan: the security group step
/// and the quarantine step both need it, and the first to ask reads it.
pub(super) struct ServiceRead<'a> {
    cloud: &'a Cloud,
    cluster: &'a str,
    /// The service's name.
    pub(super) name: &'a str,
    read: tokio::sync::OnceCell<Result<ServiceFacts, String>>,
}

impl<'a> ServiceRead<'a> {
    /// Nothing read yet.
    pub(super) fn new(cloud: &'a Cloud, cluster: &'a str, name: &'a str) -> ServiceRead<'a> {
        ServiceRead {
            cloud,
            cluster,
            name,
            read: tokio::sync::OnceCell::new(),
        }
    }

    /// The service's facts, read on the first call.
    pub(super) async fn facts(&self) -> anyhow::Result<&ServiceFacts> {
        self.read
            .get_or_init(|| async {
                read_service(self.cloud, self.cluster, self.name)
                    .await
                    .map_err(|e| format!("{e:#}"))
            })
            .await
            .as_ref()
            .map_err(|e| anyhow!("{e}"))
    }
}

/// Reads `service` of `cluster` (`DescribeServices`).
async fn read_service(cloud: &Cloud, cluster: &str, service: &str) -> anyhow::Result<ServiceFacts> {
    let described = cloud
        .ecs
        .describe_services()
        .cluster(cluster)
        .services(service)
        .send()
        .await
        .map_err(|e| anyhow!(describe_error("ecs:DescribeServices", &cloud.region, &e)))?;
    let found = described
        .services()
        .first()
        .ok_or_else(|| anyhow!("service {service} is not in cluster {cluster}"))?;
    let network = found
        .network_configuration()
        .and_then(|n| n.awsvpc_configuration())
        .map(|vpc| ServiceNetwork {
            subnets: vpc.subnets().to_vec(),
            groups: vpc.security_groups().to_vec(),
            assign_public_ip: vpc
                .assign_public_ip()
                .map_or("DISABLED", |a| a.as_str())
                .to_string(),
        });
    let controller = found
        .deployment_controller()
        .map_or("ECS", |c| c.r#type().as_str())
        .to_string();
    Ok(ServiceFacts {
        network,
        controller,
    })
}
