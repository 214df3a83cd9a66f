//! The "Summary" section: the incident's IDs, period, scope and findings
//! count, and the responder's summary.

use super::blocks::{field_table, listed};
use crate::bundle::annotations::{AnnotationAction, Annotations, Target};
use crate::bundle::Bundle;
use crate::correlate::Incident;
use crate::export::incident::document::{Block, Cell, Section, Table};
use crate::export::report::duration_text;
use crate::model::time::format_time_millis;
use crate::model::{Event, Severity};

/// The incident at a glance, then the responder's summary.
pub(super) fn summary_section(
    bundle: &Bundle,
    incident: &Incident,
    annotations: &Annotations,
    summary: Option<&str>,
) -> Section {
    let collection = &bundle.manifest.collection;
    let ids = annotations.target_tags(&Target::Bundle);
    let period = match (incident.events.first(), incident.events.last()) {
        (Some(first), Some(last)) => format!(
            "{} to {} ({})",
            format_time_millis(&first.time),
            format_time_millis(&last.time),
            duration_text(first.time, last.time)
        ),
        _ => "no events".to_string(),
    };
    let findings: Vec<&Event> = incident.events.iter().filter(|e| e.is_finding()).collect();
    let highest = findings.iter().map(|e| e.severity).max();
    let completeness = if collection.partial {
        format!(
            "partial: {} input(s) only partly read, {} rejected",
            collection.files_partial, collection.files_rejected
        )
    } else {
        "complete: every input was read".to_string()
    };
    let mut blocks = vec![field_table(vec![
        (
            "Incident ID",
            Cell::text(if ids.is_empty() {
                "not recorded (tag the bundle: taskscope annotate BUNDLE --bundle-wide --tag ID)"
                    .to_string()
            } else {
                ids.join(", ")
            }),
        ),
        ("Period", Cell::text(period)),
        (
            "Accounts",
            Cell::text(listed(collection.accounts.iter().map(String::as_str))),
        ),
        (
            "Regions",
            Cell::text(listed(collection.regions.iter().map(String::as_str))),
        ),
        (
            "Sources",
            Cell::text(listed(collection.sources.iter().map(String::as_str))),
        ),
        ("Tasks", Cell::text(incident.tasks.len().to_string())),
        ("Events", Cell::text(incident.events.len().to_string())),
        (
            "Findings",
            Cell::text(format!(
                "{} (highest severity: {})",
                findings.len(),
                highest.map_or("none", Severity::name)
            )),
        ),
        (
            "Collection",
            Cell::text(format!("{}, {completeness}", collection.method)),
        ),
    ])];
    blocks.push(Block::Subheading("Responder's summary".into()));
    blocks.extend(responder_summary(annotations, summary));
    Section {
        heading: "Summary".into(),
        blocks,
    }
}

/// The `--summary` text as paragraphs (split at blank lines, lines joined),
/// else the notes on the bundle, oldest first.
fn responder_summary(annotations: &Annotations, summary: Option<&str>) -> Vec<Block> {
    if let Some(text) = summary {
        let mut paragraphs = Vec::new();
        let mut current: Vec<&str> = Vec::new();
        for line in text.lines().map(str::trim) {
            if line.is_empty() {
                if !current.is_empty() {
                    paragraphs.push(Block::Paragraph(current.join(" ")));
                    current.clear();
                }
            } else {
                current.push(line);
            }
        }
        if !current.is_empty() {
            paragraphs.push(Block::Paragraph(current.join(" ")));
        }
        if !paragraphs.is_empty() {
            return paragraphs;
        }
    }
    let rows: Vec<Vec<Cell>> = annotations
        .notes(&Target::Bundle)
        .iter()
        .filter_map(|note| match &note.action {
            AnnotationAction::Note { text } => Some(vec![
                Cell::text(format_time_millis(&note.time)),
                Cell::text(note.author.clone()),
                Cell::text(text.clone()),
            ]),
            _ => None,
        })
        .collect();
    if rows.is_empty() {
        return vec![Block::Paragraph(
            "No summary recorded. Add one with taskscope annotate BUNDLE --bundle-wide \
             --note TEXT, or give taskscope report a --summary FILE."
                .into(),
        )];
    }
    vec![Block::Table(Table {
        header: vec!["Written (UTC)".into(), "Author".into(), "Note".into()],
        rows,
    })]
}
