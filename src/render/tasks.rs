//! `taskscope tasks`: one row per task with its facts and evidence counts.

use super::sanitize::{escape, escape_truncated_columns};
use super::{aligned, markdown_cell, markdown_table_text, Format};
use crate::correlate::Incident;
use crate::inspect::context::{container_images, ContainerImage};
use crate::model::time::format_time_millis;
use crate::model::{ImageFacts, ImageFlag, Severity, Source, TaskFacts, TaskSummary, Timestamp};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One task as printed, documented in docs/cli.md.
#[derive(Debug, Serialize)]
pub struct TaskRow {
    /// Task ARN (null when only the ID is known).
    pub arn: Option<String>,
    /// Task ID.
    pub id: String,
    /// The account it runs in (from its ARN; null when only the ID is known).
    pub account: Option<String>,
    /// The region it runs in (from its ARN).
    pub region: Option<String>,
    /// Cluster ARN or name.
    pub cluster: Option<String>,
    /// `service:<name>` or `family:<name>`.
    pub group: Option<String>,
    /// Service name, for service tasks.
    pub service: Option<String>,
    /// Task definition ARN.
    pub task_definition: Option<String>,
    /// Deployment or principal that started it.
    pub started_by: Option<String>,
    /// Last known status.
    pub last_status: Option<String>,
    /// ECS stop code.
    pub stop_code: Option<String>,
    /// Why it stopped.
    pub stopped_reason: Option<String>,
    /// Creation time.
    #[serde(serialize_with = "crate::model::time::serialize_rfc3339_opt")]
    pub created_at: Option<Timestamp>,
    /// Start time.
    #[serde(serialize_with = "crate::model::time::serialize_rfc3339_opt")]
    pub started_at: Option<Timestamp>,
    /// Stop time.
    #[serde(serialize_with = "crate::model::time::serialize_rfc3339_opt")]
    pub stopped_at: Option<Timestamp>,
    /// Image digests of its containers.
    pub image_digests: Vec<String>,
    /// ENI IDs.
    pub enis: Vec<String>,
    /// Private IPs.
    pub ips: Vec<String>,
    /// Events on its timeline, per source.
    pub events: BTreeMap<&'static str, usize>,
    /// The task's severity ([`crate::model::TaskSummary::severity`]), or null.
    pub highest_finding_severity: Option<Severity>,
    /// Per container, its image: ECR facts, vulnerabilities, signature, flags.
    pub images: Vec<ContainerImage>,
    /// Every flag its images raise, each once (empty: none).
    pub image_flags: Vec<ImageFlag>,
}

/// Builds one row per task.
pub fn rows(incident: &Incident) -> Vec<TaskRow> {
    let summaries: Vec<TaskSummary> = (0..incident.tasks.len())
        .map(|task| incident.summary(task))
        .collect();
    rows_of(&incident.tasks, &summaries, &incident.images)
}

/// Builds one row per task from its facts, its summary (same order) and
/// the image facts by digest: what [`rows`] builds from an incident, and
/// the correlated index holds without one.
pub fn rows_of(
    tasks: &[TaskFacts],
    summaries: &[TaskSummary],
    images: &BTreeMap<String, ImageFacts>,
) -> Vec<TaskRow> {
    tasks
        .iter()
        .zip(summaries)
        .map(|(task, summary)| row(task, summary, images))
        .collect()
}

fn row(task: &TaskFacts, summary: &TaskSummary, images: &BTreeMap<String, ImageFacts>) -> TaskRow {
    let events = Source::ALL
        .iter()
        .map(|&source| (source.name(), summary.count(source)))
        .collect();
    let (account, region) = task.account_region().unzip();
    let images = container_images(task, images);
    let mut image_flags: Vec<ImageFlag> = Vec::new();
    for flag in images.iter().flat_map(|image| image.flags.iter()) {
        if !image_flags.contains(flag) {
            image_flags.push(flag.clone());
        }
    }
    TaskRow {
        arn: task.arn.clone(),
        id: task.id.clone(),
        account,
        region,
        cluster: task.cluster.clone(),
        group: task.group.clone(),
        service: task.service().map(str::to_string),
        task_definition: task.task_definition_arn.clone(),
        started_by: task.started_by.clone(),
        last_status: task.last_status.clone(),
        stop_code: task.stop_code.clone(),
        stopped_reason: task.stopped_reason.clone(),
        created_at: task.created_at,
        started_at: task.started_at,
        stopped_at: task.stopped_at,
        image_digests: task
            .image_digests()
            .into_iter()
            .map(str::to_string)
            .collect(),
        enis: task.enis.iter().cloned().collect(),
        ips: task.ips.iter().cloned().collect(),
        events,
        highest_finding_severity: summary.severity,
        images,
        image_flags,
    }
}

/// Renders task rows in the chosen format.
pub fn render(rows: &[TaskRow], format: Format) -> anyhow::Result<String> {
    // What an unknown value shows: `-` for eyes, an empty CSV cell.
    let unknown = if format == Format::Csv {
        super::safe_csv::UNKNOWN
    } else {
        "-"
    };
    let time = |t: &Option<Timestamp>| t.as_ref().map_or(unknown.to_string(), format_time_millis);
    let text = |t: &Option<String>| {
        t.as_deref()
            .map_or(unknown.to_string(), |s| escape(s).into_owned())
    };
    let counts = |row: &TaskRow| {
        row.events
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(source, n)| format!("{source}:{n}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let accounts: BTreeSet<&str> = rows.iter().filter_map(|r| r.account.as_deref()).collect();
    let named = accounts.len() > 1;
    let cells = |row: &TaskRow| {
        let mut cells = vec![escape(&row.id).into_owned()];
        if named {
            cells.push(text(&row.account));
        }
        cells.extend([
            text(&row.service),
            text(&row.last_status),
            text(&row.stop_code),
            time(&row.started_at),
            time(&row.stopped_at),
            escape(&row.ips.join(",")).into_owned(),
            row.highest_finding_severity
                .map_or(unknown, Severity::name)
                .to_string(),
            counts(row),
            escape_truncated_columns(row.stopped_reason.as_deref().unwrap_or(unknown), 60),
        ]);
        cells
    };
    let mut header = vec!["TASK"];
    if named {
        header.push("ACCOUNT");
    }
    header.extend([
        "SERVICE",
        "STATUS",
        "STOP CODE",
        "STARTED",
        "STOPPED",
        "IPS",
        "FINDINGS",
        "EVENTS",
        "STOPPED REASON",
    ]);
    Ok(match format {
        Format::Json => {
            let mut out = super::json_text(rows)?;
            out.push('\n');
            out
        }
        Format::Table => aligned(&header, &rows.iter().map(cells).collect::<Vec<_>>()),
        Format::Csv => super::safe_csv::write_csv(&header, rows.iter().map(cells))?,
        Format::Md => {
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|row| cells(row).iter().map(|c| markdown_cell(c)).collect())
                .collect();
            markdown_table_text(&header, &rows)
        }
    })
}
