//! The "Tasks in scope" section: the tasks, then their posture, images,
//! blast radius and coverage.

use super::blocks::listed;
use super::{blast_radius, coverage, images, posture};
use crate::bundle::annotations::{Annotations, Target};
use crate::correlate::Incident;
use crate::export::incident::document::{Block, Cell, Section, Table};
use crate::inspect::context::TaskContext;
use crate::model::{Severity, TaskFacts};

/// `RUNNING`, `STOPPED (UserInitiated)`, or `?` when unknown.
fn status_text(facts: &TaskFacts) -> String {
    let status = facts.last_status.as_deref().unwrap_or("?");
    match &facts.stop_code {
        Some(code) => format!("{status} ({code})"),
        None => status.to_string(),
    }
}

/// Every task with its status, severity, marks and tags, then the
/// posture, images, blast radius and coverage tables.
pub(super) fn tasks_section(
    incident: &Incident,
    annotations: &Annotations,
    contexts: &[TaskContext],
) -> Section {
    let mut blocks = vec![Block::Paragraph(
        "Every task the bundle knows. A task's severity is the highest among its \
         findings (GuardDuty and Falco) linked to it strongly; none when it has no finding."
            .into(),
    )];
    let rows = incident
        .tasks
        .iter()
        .enumerate()
        .map(|(task, facts)| {
            let target = Target::Task {
                id: facts.id.clone(),
            };
            vec![
                Cell::text(facts.id.clone()),
                Cell::text(facts.service().or(facts.group.as_deref()).unwrap_or("-")),
                Cell::text(status_text(facts)),
                Cell::text(
                    incident
                        .summary(task)
                        .severity
                        .map_or("none", Severity::name),
                ),
                Cell::text(if annotations.is_target_marked(&target) {
                    "★"
                } else {
                    ""
                }),
                Cell::text(listed(
                    annotations.target_tags(&target).iter().map(String::as_str),
                )),
            ]
        })
        .collect();
    blocks.push(Block::Table(Table {
        header: ["Task", "Service", "Status", "Severity", "★", "Tags"]
            .map(String::from)
            .to_vec(),
        rows,
    }));
    blocks.push(Block::Subheading("Posture".into()));
    blocks.push(posture::posture_table(incident, contexts));
    blocks.push(Block::Subheading("Images".into()));
    blocks.push(images::images(incident, contexts));
    blocks.push(Block::Subheading("Blast radius".into()));
    blocks.extend(blast_radius::blast_radius(incident, contexts));
    blocks.push(Block::Subheading("Coverage".into()));
    blocks.extend(coverage::coverage(incident, contexts));
    Section {
        heading: "Tasks in scope".into(),
        blocks,
    }
}
