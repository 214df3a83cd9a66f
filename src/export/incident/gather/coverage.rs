//! The "Coverage" table: whether each source could have seen each task.

use crate::correlate::Incident;
use crate::export::incident::document::{Block, Cell, Table};
use crate::inspect::context::TaskContext;

/// Each source's coverage of each task.
pub(super) fn coverage(incident: &Incident, contexts: &[TaskContext]) -> Vec<Block> {
    let Some(first) = contexts.first() else {
        return vec![Block::Paragraph("No tasks.".into())];
    };
    let mut header = vec!["Task".to_string()];
    header.extend(first.coverage.entries.iter().map(|e| e.source.to_string()));
    let rows = incident
        .tasks
        .iter()
        .zip(contexts)
        .map(|(facts, context)| {
            let mut row = vec![Cell::text(facts.id.clone())];
            row.extend(first.coverage.entries.iter().map(|column| {
                Cell::text(match context.coverage.entry(column.source) {
                    Some(entry) if entry.short.is_empty() => entry.state.word().to_string(),
                    Some(entry) => format!("{} ({})", entry.state.word(), entry.short),
                    None => "-".to_string(),
                })
            }));
            row
        })
        .collect();
    vec![
        Block::Paragraph(
            "Whether each source could have seen the task: ok (the bundle holds its \
             records of the task), quiet (it was watching and recorded nothing), none \
             (it could not have recorded the task, or its data is not in the bundle), \
             partial (its data covers part of the task's lifetime)."
                .into(),
        ),
        Block::Table(Table { header, rows }),
    ]
}
