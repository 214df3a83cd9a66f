//! Task context: what surrounds one task. Its security posture (from its task
//! definition), the deployment that started it, the other tasks that share
//! something exploitable with it, which sources could have seen it at all,
//! and the images it ran (vulnerabilities, signature).
//!
//! Everything that needs the whole incident is gathered once in a
//! [`ContextIndex`]; [`task_context`] then reads only the task's own
//! timeline, so selecting a task stays cheap with a million events.
//! docs/console-context.md explains where each fact comes from.

mod blast;
mod coverage;
mod deployment;
mod image;
mod index;
mod log_loss;
mod posture;
mod summary;
#[cfg(test)]
mod tests;

pub use blast::{BlastLink, Shared};
pub use coverage::{
    summarize_coverage, Coverage, CoverageEntry, CoverageState, CLOUDTRAIL_SLACK,
    GUARDDUTY_AGENT_PREFIX,
};
pub use deployment::{DeploymentInfo, PreviousDeployment};
pub use image::{container_images, task_images, ContainerImage, NOT_ECR, TOP_CRITICAL};
pub use index::ContextIndex;
pub use posture::{posture_from, ContainerPosture, LogSetup, Posture};

use crate::correlate::Incident;
use blast::blast_radius;
use coverage::{
    awslogs_coverage, cloudtrail_coverage, ecs_task_coverage, falco_coverage, guardduty_coverage,
};
use deployment::deployment_info;
use summary::TimelineSummary;

/// Everything the task context pane shows about one task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskContext {
    /// Posture from the task's task definition, when the bundle holds it.
    pub posture: Option<Posture>,
    /// Why there is no posture, for display (`task definition batch-reports:12 is not in the bundle`).
    pub posture_unavailable: Option<String>,
    /// The service deployment that started the task, for service tasks.
    pub deployment: Option<DeploymentInfo>,
    /// Other tasks sharing an image digest, the task role or a security group,
    /// most shared first.
    pub blast_radius: Vec<BlastLink>,
    /// Which sources could have seen the task.
    pub coverage: Coverage,
    /// The images its containers ran: scan findings, signature, flags.
    pub images: Vec<ContainerImage>,
}

/// The context of task `task` (an index into `incident.tasks`, which it
/// must be): reads the task's timeline once, and the index.
pub fn task_context(incident: &Incident, index: &ContextIndex, task: usize) -> TaskContext {
    let facts = &incident.tasks[task];
    let seen = TimelineSummary::of(incident, task);
    let (posture, posture_unavailable) = match index.posture_of(facts) {
        Ok(posture) => (Some(posture.clone()), None),
        Err(reason) => (None, Some(reason)),
    };
    let deployment = facts
        .started_by
        .as_deref()
        .filter(|id| id.starts_with("ecs-svc/"))
        .map(|id| deployment_info(incident, &index.services, id, &seen));
    let coverage = Coverage {
        entries: vec![
            guardduty_coverage(facts, &seen),
            log_loss::flag_dropped_lines(
                awslogs_coverage(posture.as_ref(), index, &seen),
                posture.as_ref(),
                facts,
            ),
            falco_coverage(facts, posture.as_ref(), index, &seen),
            cloudtrail_coverage(facts, index, &seen),
            ecs_task_coverage(facts),
        ],
    };
    TaskContext {
        posture,
        posture_unavailable,
        deployment,
        blast_radius: blast_radius(incident, index, task),
        coverage,
        images: task_images(incident, task),
    }
}
