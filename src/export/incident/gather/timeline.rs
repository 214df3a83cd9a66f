//! The "Timeline" section: findings, marked or noted events and response
//! actions, in time order.

use super::anchors::Anchors;
use super::blocks::listed;
use super::events::{event_row, EVENT_COLUMNS};
use crate::bundle::annotations::{event_anchor, AnnotationAction, Annotations, Target};
use crate::bundle::Bundle;
use crate::correlate::Incident;
use crate::export::incident::document::{Block, Cell, Section, Table};
use crate::model::Source;

/// The notes on an event, one `author: text` each.
fn notes_text(annotations: &Annotations, anchor: &str) -> String {
    let notes: Vec<String> = annotations
        .notes(&Target::Event {
            anchor: anchor.to_string(),
        })
        .iter()
        .filter_map(|note| match &note.action {
            AnnotationAction::Note { text } => Some(format!("{}: {text}", note.author)),
            _ => None,
        })
        .collect();
    listed(notes.iter().map(String::as_str))
}

/// The events that matter, in time order, with their notes.
pub(super) fn timeline_section(
    bundle: &Bundle,
    incident: &Incident,
    annotations: &Annotations,
    anchors: &mut Anchors,
) -> Section {
    let rows: Vec<Vec<Cell>> = incident
        .events
        .iter()
        .filter_map(|event| {
            let anchor = event_anchor(event, &bundle.manifest);
            let noted = !annotations
                .notes(&Target::Event {
                    anchor: anchor.clone(),
                })
                .is_empty();
            let matters = event.is_finding()
                || event.source == Source::Response
                || annotations.is_marked(&anchor)
                || noted;
            matters.then(|| {
                let mut row = event_row(bundle, incident, annotations, anchors, event);
                row.push(Cell::text(notes_text(annotations, &anchor)));
                row
            })
        })
        .collect();
    let blocks = if rows.is_empty() {
        vec![Block::Paragraph(
            "Nothing to show: no finding, no marked or noted event, no response action.".into(),
        )]
    } else {
        let mut header = EVENT_COLUMNS.map(String::from).to_vec();
        header.push("Notes".into());
        vec![
            Block::Paragraph(
                "What matters, in time order: findings, events a responder marked (★) or \
                 wrote a note on, and the records of response actions."
                    .into(),
            ),
            Block::Table(Table { header, rows }),
        ]
    };
    Section {
        heading: "Timeline".into(),
        blocks,
    }
}
