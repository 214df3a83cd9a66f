//! The "Actions taken" section: the response plans in the audit log, each
//! with its outcome and records.

use super::anchors::Anchors;
use super::blocks::field_table;
use crate::bundle::audit::{self, CallStatus, Entry, Record, AUDIT_FILE};
use crate::bundle::Bundle;
use crate::export::incident::document::{Block, Cell, Section, Table};
use crate::model::time::{format_time_millis, parse_time_str};
use crate::model::RawRef;

/// An audit record's time to the millisecond, or as written when it does not read.
fn audit_time(record: &Record) -> String {
    parse_time_str(&record.time).map_or_else(|| record.time.clone(), |t| format_time_millis(&t))
}

/// Record kind, step, operation, status, request ID and detail of one audit record.
fn audit_cells(entry: &Entry) -> [String; 6] {
    let dash = || "-".to_string();
    match entry {
        Entry::Plan { confirmed_by, .. } => [
            "plan".into(),
            dash(),
            dash(),
            "confirmed".into(),
            dash(),
            format!("confirmed by {confirmed_by}"),
        ],
        Entry::CallStarted {
            step,
            operation,
            attempt,
            ..
        } => [
            "call-started".into(),
            step.clone(),
            operation.clone(),
            "sent".into(),
            dash(),
            format!("attempt {attempt}"),
        ],
        Entry::Call {
            step,
            operation,
            request_id,
            status,
            error,
            ..
        } => [
            "call".into(),
            step.clone(),
            operation.clone(),
            match status {
                CallStatus::Ok => "ok".into(),
                CallStatus::Failed => "FAILED".into(),
            },
            request_id.clone().unwrap_or_else(dash),
            error.clone().unwrap_or_else(dash),
        ],
        Entry::ServiceEvent { at, message } => [
            "service-event".into(),
            dash(),
            dash(),
            dash(),
            dash(),
            format!("{at}: {message}"),
        ],
        Entry::Result {
            status,
            steps,
            error,
            interrupted_by,
            ..
        } => {
            let outcomes: Vec<String> = steps
                .iter()
                .map(|s| format!("{} {}", s.step, s.status.name()))
                .collect();
            let mut detail = outcomes.join(", ");
            for why in [error, interrupted_by].into_iter().flatten() {
                detail.push_str(&format!("; {why}"));
            }
            [
                "result".into(),
                dash(),
                dash(),
                format!("{status:?}").to_lowercase(),
                dash(),
                detail,
            ]
        }
    }
}

/// Each response plan with its outcome and its audit records.
pub(super) fn actions_section(bundle: &Bundle, anchors: &mut Anchors) -> Section {
    let (records, problems) = audit::load(bundle);
    let audit_index = bundle
        .manifest
        .artifacts
        .iter()
        .position(|a| a.path == AUDIT_FILE);
    let mut blocks = Vec::new();
    for problem in &problems {
        blocks.push(Block::Paragraph(format!(
            "Warning: an audit record could not be read: {problem}"
        )));
    }
    if records.is_empty() {
        blocks.push(Block::Paragraph(
            "No response action is recorded in this bundle's audit log.".into(),
        ));
    }
    // Plans in order of their first record.
    let mut plans: Vec<&str> = Vec::new();
    for (_, record) in &records {
        if !plans.contains(&record.plan_id.as_str()) {
            plans.push(&record.plan_id);
        }
    }
    for plan in plans {
        let of_plan: Vec<&(usize, Record)> =
            records.iter().filter(|(_, r)| r.plan_id == plan).collect();
        let Some((_, first)) = of_plan.first() else {
            continue;
        };
        let outcome = of_plan
            .iter()
            .rev()
            .find_map(|(_, r)| match &r.entry {
                Entry::Result { .. } => Some(audit_cells(&r.entry)),
                _ => None,
            })
            .map_or_else(
                || "no result recorded (still running, or stopped before it could say)".into(),
                |cells| format!("{}: {}", cells[3], cells[5]),
            );
        blocks.push(Block::Subheading(format!("{} {plan}", first.action)));
        blocks.push(field_table(vec![
            ("Target", Cell::text(first.target.clone())),
            ("AWS identity", Cell::text(first.actor.caller.clone())),
            ("Responder", Cell::text(first.actor.user.clone())),
            ("Outcome", Cell::text(outcome)),
        ]));
        let rows = of_plan
            .iter()
            .map(|(line, record)| {
                let [kind, step, operation, status, request, detail] = audit_cells(&record.entry);
                let evidence = match audit_index {
                    Some(artifact) => anchors.cite(
                        bundle.manifest.locate(&RawRef {
                            artifact,
                            locator: format!("L{line}"),
                        }),
                        bundle
                            .manifest
                            .artifacts
                            .get(artifact)
                            .map(|a| a.sha256.as_str()),
                    ),
                    None => Cell::text("-"),
                };
                vec![
                    Cell::text(audit_time(record)),
                    Cell::text(kind),
                    Cell::text(step),
                    Cell::text(operation),
                    Cell::text(status),
                    Cell::text(request),
                    Cell::text(detail),
                    evidence,
                ]
            })
            .collect();
        blocks.push(Block::Table(Table {
            header: [
                "Time (UTC)",
                "Record",
                "Step",
                "Operation",
                "Status",
                "Request ID",
                "Detail",
                "Evidence",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        }));
    }
    Section {
        heading: "Actions taken".into(),
        blocks,
    }
}
