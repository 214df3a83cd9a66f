//! The "Blast radius" table: the other tasks that share an image digest,
//! the task role or a security group with a task.

use super::blocks::listed;
use crate::correlate::Incident;
use crate::export::incident::document::{Block, Cell, Table};
use crate::inspect::context::{Shared, TaskContext};

/// Most other tasks listed in one task's blast radius; the rest are counted.
pub const BLAST_ROWS: usize = 12;

fn shared_text(shared: &Shared) -> String {
    match shared {
        Shared::ImageDigest(digest) => format!("image {digest}"),
        Shared::TaskRole(role) => format!("task role {role}"),
        Shared::SecurityGroup(group) => format!("security group {group}"),
    }
}

/// The other tasks each task shares something with, or a paragraph
/// when none does.
pub(super) fn blast_radius(incident: &Incident, contexts: &[TaskContext]) -> Vec<Block> {
    let mut rows = Vec::new();
    for (facts, context) in incident.tasks.iter().zip(contexts) {
        for link in context.blast_radius.iter().take(BLAST_ROWS) {
            let Some(other) = incident.tasks.get(link.task) else {
                continue;
            };
            rows.push(vec![
                Cell::text(facts.id.clone()),
                Cell::text(other.id.clone()),
                Cell::text(listed(
                    link.shared
                        .iter()
                        .map(shared_text)
                        .collect::<Vec<_>>()
                        .iter()
                        .map(String::as_str),
                )),
            ]);
        }
        let more = context.blast_radius.len().saturating_sub(BLAST_ROWS);
        if more > 0 {
            rows.push(vec![
                Cell::text(facts.id.clone()),
                Cell::text(format!("… {more} more task(s)")),
                Cell::text("-"),
            ]);
        }
    }
    if rows.is_empty() {
        return vec![Block::Paragraph(
            "No task shares an image digest, a task role or a security group with another.".into(),
        )];
    }
    vec![
        Block::Paragraph(format!(
            "Other tasks that share an image digest, the task role or a security group \
             with a task, most shared first (at most {BLAST_ROWS} per task)."
        )),
        Block::Table(Table {
            header: ["Task", "Other task", "Shares"].map(String::from).to_vec(),
            rows,
        }),
    ]
}
