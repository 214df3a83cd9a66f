//! `taskscope timeline`: events in time order, for one task or the whole bundle.

use super::safe_csv::UNKNOWN;
use super::sanitize::{escape, escape_truncated_columns};
use super::{aligned, markdown_cell, markdown_table_text, Format};
use crate::bundle::manifest::Manifest;
use crate::correlate::Incident;
use crate::model::keys::arn_tail;
use crate::model::time::{format_time, format_time_millis};
use crate::model::{Doubt, Event, Link, TaskFacts, Timestamp};
use serde::Serialize;

/// Widest summary shown in a table cell, in terminal columns; JSON and CSV
/// carry it whole.
const TABLE_SUMMARY_COLUMNS: usize = 160;

/// A link as printed.
#[derive(Debug, Serialize)]
pub struct LinkOut {
    /// Task ARN (or ID when the ARN is unknown).
    pub task: String,
    /// Link reason.
    pub reason: &'static str,
    /// True for links that can be coincidental or unproven.
    pub weak: bool,
    /// Why the link is weak (`ip-reuse`, `no-issuing-record`,
    /// `task-roles-unknown`, `not-task-role`), or null.
    pub doubt: Option<&'static str>,
    /// Other tasks the same evidence fits as well (ARN, or ID): the event
    /// fell in an overlap of their lifetimes with the same IP.
    pub ambiguous_with: Vec<String>,
}

/// One timeline row, as documented in docs/cli.md.
#[derive(Debug, Serialize)]
pub struct Row {
    /// When it happened; printed as RFC 3339 UTC.
    #[serde(serialize_with = "crate::model::time::serialize_rfc3339")]
    pub time: Timestamp,
    /// guardduty, ecs, cloudtrail, falco, logs.
    pub source: &'static str,
    /// Who wrote the record: aws, responder, detector, container.
    pub provenance: &'static str,
    /// Finding type, eventName, Falco rule, ECS status...
    pub kind: String,
    /// Normalized severity.
    pub severity: &'static str,
    /// Severity as the source wrote it.
    pub original_severity: Option<String>,
    /// One-line description.
    pub summary: String,
    /// Principal or process.
    pub actor: Option<String>,
    /// The task this row is about (ARN, or ID), or null.
    pub task: Option<String>,
    /// Why the event is on that task, or null.
    pub link: Option<&'static str>,
    /// True when that link is weak.
    pub weak: bool,
    /// Other tasks that link fits as well (ARN, or ID); empty when unambiguous.
    pub ambiguous_with: Vec<String>,
    /// Every task the event is linked to.
    pub links: Vec<LinkOut>,
    /// Where the raw record sits: `artifact#locator`.
    pub artifact: String,
    /// Other raw copies of the same fact.
    pub copies: Vec<String>,
    /// ATT&CK tactics the record names, as short names (`execution`).
    pub tactics: Vec<&'static str>,
    /// ATT&CK technique IDs the record names (`T1059.004`).
    pub techniques: Vec<String>,
    /// The record's ATT&CK on one line (`Execution (TA0002) · T1059.004`),
    /// with any unparsed labels; empty when it names none.
    pub attack: String,
}

/// Builds the rows: the task's timeline when `task` is given, else every event.
pub fn rows(incident: &Incident, manifest: &Manifest, task: Option<usize>) -> Vec<Row> {
    let tasks = &incident.tasks;
    match task {
        Some(t) => incident.timelines[t]
            .iter()
            .map(|&e| row(&incident.events[e], Some(t), tasks, manifest))
            .collect(),
        None => incident
            .events
            .iter()
            .map(|e| row(e, None, tasks, manifest))
            .collect(),
    }
}

/// One event's row: about the task at index `chosen` in `tasks` when given,
/// else about its first link.
pub fn row(event: &Event, chosen: Option<usize>, tasks: &[TaskFacts], manifest: &Manifest) -> Row {
    let locate = |r: &crate::model::RawRef| manifest.locate(r);
    let task_ref = |task: usize| tasks[task].display_ref().to_string();
    let others = |link: &Link| link.ambiguous_with.iter().map(|&t| task_ref(t)).collect();
    let chosen_link = match chosen {
        Some(t) => event.link_to(t),
        None => event.links.first(),
    };
    Row {
        time: event.time,
        source: event.source.name(),
        provenance: event.provenance().name(),
        kind: event.kind.clone(),
        severity: event.severity.name(),
        original_severity: event.original_severity.clone(),
        summary: event.summary.clone(),
        actor: event.actor.clone(),
        task: chosen_link.map(|l| task_ref(l.task)),
        link: chosen_link.map(|l| l.reason.name()),
        weak: chosen_link.is_some_and(Link::is_weak),
        ambiguous_with: chosen_link.map(others).unwrap_or_default(),
        links: event
            .links
            .iter()
            .map(|l| LinkOut {
                task: task_ref(l.task),
                reason: l.reason.name(),
                weak: l.is_weak(),
                doubt: l.doubt.map(Doubt::name),
                ambiguous_with: others(l),
            })
            .collect(),
        artifact: event.raw.first().map(&locate).unwrap_or_default(),
        copies: event.raw.iter().skip(1).map(&locate).collect(),
        tactics: event
            .attack
            .tactics
            .iter()
            .map(|t| t.short_name())
            .collect(),
        techniques: event
            .attack
            .techniques
            .iter()
            .map(|t| t.id().to_string())
            .collect(),
        attack: event.attack.describe(),
    }
}

/// Renders rows in the chosen format. Evidence strings are escaped in every
/// format meant for eyes (table, CSV, Markdown); JSON carries them exactly,
/// with every unsafe character written as a `\u` escape.
pub fn render(rows: &[Row], format: Format) -> anyhow::Result<String> {
    Ok(match format {
        Format::Json => {
            let mut text = super::json_text(rows)?;
            text.push('\n');
            text
        }
        Format::Table => {
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|row| {
                    vec![
                        format_time_millis(&row.time),
                        row.source.to_string(),
                        row.severity.to_string(),
                        escape_truncated_columns(&row.kind, 48),
                        short_task(row.task.as_deref()),
                        link_cell(row),
                        escape_truncated_columns(&row.summary, TABLE_SUMMARY_COLUMNS),
                    ]
                })
                .collect();
            aligned(
                &[
                    "TIME", "SOURCE", "SEVERITY", "KIND", "TASK", "LINK", "SUMMARY",
                ],
                &cells,
            )
        }
        Format::Csv => super::safe_csv::write_csv(CSV_COLUMNS, rows.iter().map(csv_cells))?,
        Format::Md => {
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|row| {
                    vec![
                        format_time(&row.time),
                        row.source.to_string(),
                        row.severity.to_string(),
                        markdown_cell(&row.kind),
                        markdown_cell(&short_task(row.task.as_deref())),
                        link_cell(row),
                        markdown_cell(&row.summary),
                    ]
                })
                .collect();
            markdown_table_text(
                &[
                    "Time (UTC)",
                    "Source",
                    "Severity",
                    "Kind",
                    "Task",
                    "Link",
                    "Summary",
                ],
                &cells,
            )
        }
    })
}

/// The CSV header of a timeline, in column order.
pub const CSV_COLUMNS: [&str; 12] = [
    "time",
    "source",
    "kind",
    "severity",
    "original_severity",
    "summary",
    "actor",
    "task",
    "link",
    "weak",
    "artifact",
    "attack",
];

/// One row's CSV cells, matching [`CSV_COLUMNS`]; evidence strings escaped.
pub fn csv_cells(row: &Row) -> Vec<String> {
    vec![
        format_time_millis(&row.time),
        row.source.to_string(),
        escape(&row.kind).into_owned(),
        row.severity.to_string(),
        escape(row.original_severity.as_deref().unwrap_or(UNKNOWN)).into_owned(),
        escape(&row.summary).into_owned(),
        escape(row.actor.as_deref().unwrap_or(UNKNOWN)).into_owned(),
        escape(row.task.as_deref().unwrap_or(UNKNOWN)).into_owned(),
        row.link.unwrap_or(UNKNOWN).to_string(),
        row.weak.to_string(),
        escape(&row.artifact).into_owned(),
        escape(&row.attack).into_owned(),
    ]
}

/// The link of a row for tables: `?` marks a weak link, `??` one the
/// evidence fits to other tasks as well.
fn link_cell(row: &Row) -> String {
    match (row.link, row.weak, row.ambiguous_with.is_empty()) {
        (Some(link), _, false) => format!("{link}??"),
        (Some(link), true, true) => format!("{link}?"),
        (Some(link), false, true) => link.to_string(),
        (None, _, _) => "-".into(),
    }
}

/// The task ID part of an ARN, for narrow columns.
fn short_task(task: Option<&str>) -> String {
    match task {
        Some(task) => escape(arn_tail(task)).into_owned(),
        None => "-".into(),
    }
}
