//! The task as an isolation plan sees it: its status, service, network
//! interface (with its public IP and IPv6 addresses), security groups and
//! task role.

use crate::collect::aws::describe_error;
use crate::model::keys::parse_task_arn;
use crate::respond::cloud::Cloud;
use crate::respond::request::IsolateRequest;
use anyhow::anyhow;

/// The task as the plan sees it.
#[derive(Debug, Default)]
pub(super) struct TaskState {
    pub(super) arn: String,
    pub(super) id: String,
    pub(super) status: String,
    pub(super) desired: String,
    pub(super) service: Option<String>,
    pub(super) definition: String,
    pub(super) eni: Option<String>,
    pub(super) subnet: Option<String>,
    pub(super) ip: Option<String>,
    /// The IPv6 addresses of a dual-stack task: its attachment's and its
    /// containers' `ipv6Address` and its network interface's
    /// `Ipv6Addresses`, once each.
    pub(super) ipv6: Vec<String>,
    /// The public IPv4 address of its network interface, when it has one.
    pub(super) public_ip: Option<String>,
    pub(super) vpc: Option<String>,
    pub(super) groups: Vec<String>,
    pub(super) role: Option<String>,
    /// Why the task definition could not be read (the role is then unknown).
    pub(super) definition_unread: Option<String>,
    /// Why the network interface could not be read (its VPC and security
    /// groups are then unknown).
    pub(super) interface_unread: Option<String>,
}

/// Reads the task, its task definition and its network interface. Only a
/// failure to read the task itself is an error; the other reads say why
/// they failed, for the steps that need them.
pub(super) async fn read_task(
    cloud: &Cloud,
    request: &IsolateRequest,
) -> anyhow::Result<TaskState> {
    let region = &cloud.region;
    let described = cloud
        .ecs
        .describe_tasks()
        .cluster(&request.cluster)
        .tasks(&request.task)
        .send()
        .await
        .map_err(|e| anyhow!(describe_error("ecs:DescribeTasks", region, &e)))?;
    let task = described.tasks().first().ok_or_else(|| {
        anyhow!(
            "task {} is not in cluster {} ({region}); ECS forgets stopped tasks after about an hour",
            request.task,
            request.cluster
        )
    })?;
    let arn = task.task_arn().unwrap_or_default().to_string();
    let mut state = TaskState {
        id: parse_task_arn(&arn).map_or_else(|| request.task.to_ascii_lowercase(), |a| a.id),
        arn,
        status: task.last_status().unwrap_or("UNKNOWN").to_string(),
        desired: task.desired_status().unwrap_or("UNKNOWN").to_string(),
        service: task
            .group()
            .and_then(|g| g.strip_prefix("service:"))
            .map(str::to_string),
        definition: task.task_definition_arn().unwrap_or_default().to_string(),
        ..TaskState::default()
    };
    for attachment in task.attachments() {
        for detail in attachment.details() {
            let value = detail.value().map(str::to_string);
            match detail.name() {
                Some("networkInterfaceId") => state.eni = value,
                Some("subnetId") => state.subnet = value,
                Some("privateIPv4Address") => state.ip = value,
                Some("ipv6Address") => add_ipv6(&mut state.ipv6, value.as_deref()),
                _ => {}
            }
        }
    }
    for interface in task
        .containers()
        .iter()
        .flat_map(|c| c.network_interfaces())
    {
        add_ipv6(&mut state.ipv6, interface.ipv6_address());
    }
    if state.ip.is_none() {
        state.ip = task
            .containers()
            .iter()
            .flat_map(|c| c.network_interfaces())
            .find_map(|n| n.private_ipv4_address())
            .map(str::to_string);
    }
    match cloud
        .ecs
        .describe_task_definition()
        .task_definition(&state.definition)
        .send()
        .await
    {
        Ok(definition) => {
            state.role = definition
                .task_definition()
                .and_then(|d| d.task_role_arn())
                .map(str::to_string);
        }
        Err(e) => {
            state.definition_unread =
                Some(describe_error("ecs:DescribeTaskDefinition", region, &e));
        }
    }
    if let (Some(eni), false) = (&state.eni, state.status == "STOPPED") {
        match cloud
            .ec2
            .describe_network_interfaces()
            .network_interface_ids(eni)
            .send()
            .await
        {
            Ok(interfaces) => {
                if let Some(interface) = interfaces.network_interfaces().first() {
                    state.vpc = interface.vpc_id().map(str::to_string);
                    state.public_ip = interface
                        .association()
                        .and_then(|a| a.public_ip())
                        .map(str::to_string);
                    state.groups = interface
                        .groups()
                        .iter()
                        .filter_map(|g| g.group_id())
                        .map(str::to_string)
                        .collect();
                    for address in interface.ipv6_addresses() {
                        add_ipv6(&mut state.ipv6, address.ipv6_address());
                    }
                }
            }
            Err(e) => {
                state.interface_unread =
                    Some(describe_error("ec2:DescribeNetworkInterfaces", region, &e));
            }
        }
    }
    Ok(state)
}

/// Adds `address` to `addresses` when it is an IPv6 address not there yet
/// (in any spelling); anything else is left out.
fn add_ipv6(addresses: &mut Vec<String>, address: Option<&str>) {
    let Some(address) = address.and_then(|a| a.parse::<std::net::Ipv6Addr>().ok()) else {
        return;
    };
    let address = address.to_string();
    if !addresses.contains(&address) {
        addresses.push(address);
    }
}

#[cfg(test)]
mod tests {
    use super::add_ipv6;

    #[test]
    fn ipv6_addresses_are_kept_once_in_one_spelling() {
        let mut addresses = Vec::new();
        add_ipv6(&mut addresses, Some("2600:1f18:0:0::5"));
        add_ipv6(&mut addresses, Some("2600:1f18::5"));
        add_ipv6(&mut addresses, Some("10.0.0.5"));
        add_ipv6(&mut addresses, Some("not an address"));
        add_ipv6(&mut addresses, None);
        assert_eq!(addresses, ["2600:1f18::5"]);
    }
}
