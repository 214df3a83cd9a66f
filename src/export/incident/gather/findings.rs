//! The "Key findings" section: every GuardDuty finding and Falco alert.

use super::anchors::Anchors;
use super::events::{event_row, EVENT_COLUMNS};
use crate::bundle::annotations::Annotations;
use crate::bundle::Bundle;
use crate::correlate::Incident;
use crate::export::incident::document::{Block, Section, Table};
use crate::model::Event;

/// Every finding, highest severity first.
pub(super) fn findings_section(
    bundle: &Bundle,
    incident: &Incident,
    annotations: &Annotations,
    anchors: &mut Anchors,
) -> Section {
    let mut findings: Vec<&Event> = incident.events.iter().filter(|e| e.is_finding()).collect();
    // Highest severity first; events are already in time order.
    findings.sort_by_key(|event| std::cmp::Reverse(event.severity));
    let blocks = if findings.is_empty() {
        vec![Block::Paragraph(
            "No GuardDuty finding or Falco alert in the bundle.".into(),
        )]
    } else {
        vec![
            Block::Paragraph(
                "Every GuardDuty finding and Falco alert in the bundle, highest severity \
                 first, then by time. A task marked (weak) is linked by a fact that can be \
                 coincidental."
                    .into(),
            ),
            Block::Table(Table {
                header: EVENT_COLUMNS.map(String::from).to_vec(),
                rows: findings
                    .into_iter()
                    .map(|event| event_row(bundle, incident, annotations, anchors, event))
                    .collect(),
            }),
        ]
    };
    Section {
        heading: "Key findings".into(),
        blocks,
    }
}
