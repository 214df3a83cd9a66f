//! The incident report's "Images" table: per task and container, the
//! image digest, its vulnerabilities (Inspector, else ECR's basic scan),
//! whether an exploit is known, the signature and the flags, from
//! [`crate::inspect::context::ContainerImage`].

use crate::correlate::Incident;
use crate::export::incident::document::{Block, Cell, Table};
use crate::inspect::context::TaskContext;

/// The table, or a paragraph when no task has container details.
pub(super) fn images(incident: &Incident, contexts: &[TaskContext]) -> Block {
    let rows: Vec<Vec<Cell>> = incident
        .tasks
        .iter()
        .zip(contexts)
        .flat_map(|(facts, context)| {
            context.images.iter().map(move |image| {
                vec![
                    Cell::text(facts.id.clone()),
                    Cell::text(image.container.clone()),
                    Cell::Code(image.digest.clone().unwrap_or_else(|| "-".into())),
                    Cell::text(image.scan_text()),
                    Cell::text(image.exploit_text()),
                    Cell::text(format!(
                        "{}: {}",
                        image.signature.state(),
                        image.signature.detail()
                    )),
                    Cell::text(image.flags_text()),
                ]
            })
        })
        .collect();
    if rows.is_empty() {
        return Block::Paragraph("No container details in the evidence.".into());
    }
    Block::Table(Table {
        header: [
            "Task",
            "Container",
            "Image digest",
            "Vulnerabilities",
            "Exploit known",
            "Signature",
            "Flags",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    })
}
