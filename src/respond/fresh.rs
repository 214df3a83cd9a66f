//! Reads taken just before a step runs: a confirmation may wait for a long
//! time, and the task may have stopped, or its IP gone to a replacement
//! task, since the plan was made. Each isolation step that acts on the
//! running task re-reads it (ECS DescribeTasks), and the steps that act on
//! its IP ask who holds that IP now (EC2 DescribeNetworkInterfaces by
//! address and VPC); the rollback re-reads its service (ECS
//! DescribeServices). These reads are not calls of the plan: they change
//! nothing and are not in the audit log, but what they find is (the step's
//! reason in the result record).

use super::cloud::Cloud;
use super::plan::{Plan, StepId};
use crate::collect::aws::describe_error;
use aws_sdk_ec2::types::Filter;

/// What the fresh read says about a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fresh {
    /// Run it as planned.
    Go,
    /// Do not send it: the world changed, and the step would be wrong or
    /// would hit another task. The step fails with this message.
    Stale(String),
    /// Do not send it: what it would do has happened already (the task
    /// stopped). The step is skipped with this message.
    Done(String),
}

/// The task as read now.
struct TaskNow {
    status: String,
    stopped_reason: Option<String>,
    eni: Option<String>,
}

/// Reads what `step` of `plan` acts on and says whether it may still run.
pub async fn check(cloud: &Cloud, plan: &Plan, step: StepId) -> Fresh {
    match step {
        StepId::Protect | StepId::ContainGroup => running_task(cloud, plan, step, false).await,
        StepId::Detach | StepId::ContainNacl => running_task(cloud, plan, step, true).await,
        StepId::Stop => match read_task(cloud, plan).await {
            Ok(Some(task)) if task.status != "STOPPED" => Fresh::Go,
            Ok(Some(task)) => Fresh::Done(format!(
                "the task had stopped already ({}); StopTask was not sent",
                task.stopped_reason.as_deref().unwrap_or("no reason given")
            )),
            Ok(None) => Fresh::Done(
                "ECS no longer knows the task: it stopped; StopTask was not sent".to_string(),
            ),
            Err(error) => Fresh::Stale(format!("cannot re-read the task: {error}")),
        },
        StepId::Rollback => service_unchanged(cloud, plan).await,
        StepId::Preserve | StepId::Quarantine | StepId::Revoke | StepId::Follow => Fresh::Go,
    }
}

/// The task must still run, with the network interface the plan saw;
/// with `by_ip`, that interface must still be the only one holding its IP.
async fn running_task(cloud: &Cloud, plan: &Plan, step: StepId, by_ip: bool) -> Fresh {
    let name = step.name();
    let task = match read_task(cloud, plan).await {
        Ok(Some(task)) => task,
        Ok(None) => {
            return Fresh::Stale(format!(
                "the task stopped since planning (ECS no longer knows it); {name} was not sent"
            ))
        }
        Err(error) => return Fresh::Stale(format!("cannot re-read the task: {error}")),
    };
    if task.status == "STOPPED" {
        return Fresh::Stale(format!(
            "the task stopped since planning ({}); {name} was not sent",
            task.stopped_reason.as_deref().unwrap_or("no reason given")
        ));
    }
    let planned_eni = plan.before["networkInterfaceId"].as_str();
    if planned_eni.is_some() && task.eni.as_deref() != planned_eni {
        return Fresh::Stale(format!(
            "the task's network interface is now {}, not {} as planned; {name} was not sent",
            task.eni.as_deref().unwrap_or("none"),
            planned_eni.unwrap_or_default()
        ));
    }
    if !by_ip {
        return Fresh::Go;
    }
    let (Some(ip), Some(vpc), Some(eni)) = (
        plan.before["privateIPv4Address"].as_str(),
        plan.before["vpcId"].as_str(),
        planned_eni,
    ) else {
        return Fresh::Go;
    };
    let filter = |name: &str, value: &str| Filter::builder().name(name).values(value).build();
    let holders = match cloud
        .ec2
        .describe_network_interfaces()
        .filters(filter("addresses.private-ip-address", ip))
        .filters(filter("vpc-id", vpc))
        .send()
        .await
    {
        Ok(out) => out.network_interfaces().to_vec(),
        Err(e) => {
            return Fresh::Stale(format!(
                "cannot check who holds {ip} now: {}",
                describe_error("ec2:DescribeNetworkInterfaces", &cloud.region, &e)
            ))
        }
    };
    match holders
        .iter()
        .find(|i| i.network_interface_id() != Some(eni))
    {
        Some(other) => Fresh::Stale(format!(
            "{ip} now belongs to network interface {} ({}), not to the task's {eni}; \
             {name} was not sent, it would act on another task",
            other.network_interface_id().unwrap_or("unnamed"),
            other.description().unwrap_or("no description")
        )),
        None if holders.is_empty() => Fresh::Stale(format!(
            "no network interface holds {ip} any more; {name} was not sent"
        )),
        None => Fresh::Go,
    }
}

/// The task of an isolation plan as ECS describes it now; None when ECS
/// no longer knows it.
async fn read_task(cloud: &Cloud, plan: &Plan) -> Result<Option<TaskNow>, String> {
    let arn = plan.target.task_arn.as_deref().unwrap_or_default();
    let out = cloud
        .ecs
        .describe_tasks()
        .cluster(&plan.target.cluster)
        .tasks(arn)
        .send()
        .await
        .map_err(|e| describe_error("ecs:DescribeTasks", &cloud.region, &e))?;
    Ok(out.tasks().first().map(|task| TaskNow {
        status: task.last_status().unwrap_or("UNKNOWN").to_string(),
        stopped_reason: task.stopped_reason().map(str::to_string),
        eni: task
            .attachments()
            .iter()
            .flat_map(|a| a.details())
            .find(|d| d.name() == Some("networkInterfaceId"))
            .and_then(|d| d.value())
            .map(str::to_string),
    }))
}

/// The service must still run the task definition the plan saw.
async fn service_unchanged(cloud: &Cloud, plan: &Plan) -> Fresh {
    let (Some(service), Some(planned)) = (
        plan.target.service.as_deref(),
        plan.before["taskDefinition"].as_str(),
    ) else {
        return Fresh::Go;
    };
    let out = match cloud
        .ecs
        .describe_services()
        .cluster(&plan.target.cluster)
        .services(service)
        .send()
        .await
    {
        Ok(out) => out,
        Err(e) => {
            return Fresh::Stale(format!(
                "cannot re-read the service: {}",
                describe_error("ecs:DescribeServices", &cloud.region, &e)
            ))
        }
    };
    match out.services().first().and_then(|s| s.task_definition()) {
        Some(now) if now == planned => Fresh::Go,
        now => Fresh::Stale(format!(
            "the service's task definition changed since planning (planned from {planned}, \
             now {}); nothing was sent: plan the rollback again",
            now.unwrap_or("unknown")
        )),
    }
}
