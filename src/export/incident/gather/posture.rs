//! The "Posture" table: each task's definition, roles and container
//! settings.

use crate::correlate::Incident;
use crate::export::incident::document::{Block, Cell, Table};
use crate::inspect::context::{ContainerPosture, Posture, TaskContext};

/// One container's settings: `app: user 0, root fs writable, caps +SYS_PTRACE`.
fn container_text(container: &ContainerPosture) -> String {
    let mut parts = vec![
        format!(
            "user {}",
            container.user.as_deref().unwrap_or("(image default)")
        ),
        if container.readonly_root_filesystem == Some(true) {
            "root fs read-only".to_string()
        } else {
            "root fs writable".to_string()
        },
    ];
    if container.privileged == Some(true) {
        parts.push("privileged".into());
    }
    if !container.capabilities_added.is_empty() {
        parts.push(format!("caps +{}", container.capabilities_added.join(",")));
    }
    if !container.secret_names.is_empty() {
        parts.push(format!("secrets {}", container.secret_names.join(" ")));
    }
    format!("{}: {}", container.name, parts.join(", "))
}

/// Each task's definition, roles and container settings.
pub(super) fn posture_table(incident: &Incident, contexts: &[TaskContext]) -> Block {
    let rows = incident
        .tasks
        .iter()
        .zip(contexts)
        .map(|(facts, context)| {
            let id = Cell::text(facts.id.clone());
            match (&context.posture, &context.posture_unavailable) {
                (Some(posture), _) => posture_row(id, posture),
                (None, reason) => vec![
                    id,
                    Cell::text(reason.as_deref().unwrap_or("unknown")),
                    Cell::text("-"),
                    Cell::text("-"),
                    Cell::text("-"),
                ],
            }
        })
        .collect();
    Block::Table(Table {
        header: [
            "Task",
            "Task definition",
            "Task role",
            "Execution role",
            "Containers",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    })
}

fn posture_row(id: Cell, posture: &Posture) -> Vec<Cell> {
    vec![
        id,
        Cell::text(posture.task_definition.clone()),
        Cell::text(posture.task_role_arn.as_deref().unwrap_or("-")),
        Cell::text(posture.execution_role_arn.as_deref().unwrap_or("-")),
        Cell::text(if posture.containers.is_empty() {
            "-".to_string()
        } else {
            let containers: Vec<String> = posture.containers.iter().map(container_text).collect();
            containers.join("; ")
        }),
    ]
}
