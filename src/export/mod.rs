//! Exports for people and tools outside taskscope: a Markdown incident report
//! per task, the timeline as CSV or JSON with the responders' marks, tags and
//! notes, and Timesketch JSON lines. Each export is a plain function returning
//! a `String`; [`write_export`] stores one without ever leaving half a file.
//! The formats are documented in docs/exports.md.

pub mod report;
pub mod timesketch;

use crate::bundle::annotations::{event_anchor, AnnotationAction, Annotations, Target};
use crate::bundle::write::write_file_atomically;
use crate::bundle::Bundle;
use crate::correlate::Incident;
use crate::model::time::{format_time, serialize_rfc3339};
use crate::model::Timestamp;
use crate::render::sanitize::escape;
use crate::render::timeline::{self, Row};
use anyhow::{bail, Context};
use serde::Serialize;
use std::io;
use std::path::Path;

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// The Markdown incident report of one task.
    Md,
    /// The timeline as CSV, with annotation columns.
    Csv,
    /// The timeline as a JSON array, with annotation fields.
    Json,
    /// Timesketch JSON lines.
    Timesketch,
}

/// A note as exported.
#[derive(Debug, Serialize)]
pub struct NoteOut {
    /// When it was written.
    #[serde(serialize_with = "serialize_rfc3339")]
    pub time: Timestamp,
    /// Who wrote it.
    pub author: String,
    /// The note.
    pub text: String,
}

/// A timeline row with the event's annotations.
#[derive(Debug, Serialize)]
pub struct ExportRow {
    /// The row as `taskscope timeline` prints it.
    #[serde(flatten)]
    pub row: Row,
    /// The event's anchor, as `taskscope annotate --event` takes it.
    pub anchor: String,
    /// Whether the event is marked.
    pub marked: bool,
    /// Its tags.
    pub tags: Vec<String>,
    /// Its notes, oldest first.
    pub notes: Vec<NoteOut>,
}

/// The events exported: the task's timeline, or every event.
pub(crate) fn event_indices(incident: &Incident, task: Option<usize>) -> Vec<usize> {
    match task {
        Some(t) => incident.timelines[t].clone(),
        None => (0..incident.events.len()).collect(),
    }
}

/// The notes on the event with this anchor, as exported.
pub(crate) fn event_notes(annotations: &Annotations, anchor: &str) -> Vec<NoteOut> {
    let target = Target::Event {
        anchor: anchor.to_string(),
    };
    annotations
        .notes(&target)
        .iter()
        .filter_map(|note| match &note.action {
            AnnotationAction::Note { text } => Some(NoteOut {
                time: note.time,
                author: note.author.clone(),
                text: text.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// The timeline rows of one task (or every event) with their annotations.
pub fn timeline_rows(
    bundle: &Bundle,
    incident: &Incident,
    annotations: &Annotations,
    task: Option<usize>,
) -> Vec<ExportRow> {
    let rows = timeline::rows(incident, &bundle.manifest, task);
    rows.into_iter()
        .zip(event_indices(incident, task))
        .map(|(row, index)| {
            let anchor = event_anchor(&incident.events[index], &bundle.manifest);
            ExportRow {
                row,
                marked: annotations.is_marked(&anchor),
                tags: annotations.tags(&anchor).to_vec(),
                notes: event_notes(annotations, &anchor),
                anchor,
            }
        })
        .collect()
}

/// CSV: the `taskscope timeline` columns, then `anchor`, `marked`, `tags`
/// (`;`-separated) and `notes` (one `TIME AUTHOR: TEXT` per line). Strings
/// are escaped as in every output meant for eyes.
pub fn timeline_csv(rows: &[ExportRow]) -> anyhow::Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = timeline::CSV_COLUMNS.to_vec();
    header.extend(["anchor", "marked", "tags", "notes"]);
    writer.write_record(&header)?;
    for export in rows {
        let mut cells = timeline::csv_cells(&export.row);
        cells.push(escape(&export.anchor).into_owned());
        cells.push(export.marked.to_string());
        cells.push(escape(&export.tags.join(";")).into_owned());
        let notes: Vec<String> = export
            .notes
            .iter()
            .map(|note| {
                format!(
                    "{} {}: {}",
                    format_time(&note.time),
                    escape(&note.author),
                    escape(&note.text)
                )
            })
            .collect();
        cells.push(notes.join("\n"));
        writer.write_record(&cells)?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// JSON: an array of the `taskscope timeline --format json` objects with
/// `anchor`, `marked`, `tags` and `notes` added; strings exact, unsafe
/// characters as `\u` escapes.
pub fn timeline_json(rows: &[ExportRow]) -> anyhow::Result<String> {
    let mut text = crate::render::json_text(rows)?;
    text.push('\n');
    Ok(text)
}

/// Produces an export. The Markdown report needs a task; the other formats
/// export every event when `task` is `None`.
pub fn export(
    bundle: &Bundle,
    incident: &Incident,
    annotations: &Annotations,
    task: Option<usize>,
    format: ExportFormat,
) -> anyhow::Result<String> {
    match format {
        ExportFormat::Md => match task {
            Some(task) => Ok(report::report_markdown(bundle, incident, annotations, task)),
            None => bail!("the Markdown report is about one task: give --task"),
        },
        ExportFormat::Csv => timeline_csv(&timeline_rows(bundle, incident, annotations, task)),
        ExportFormat::Json => timeline_json(&timeline_rows(bundle, incident, annotations, task)),
        ExportFormat::Timesketch => Ok(timesketch::timesketch_jsonl(
            bundle,
            incident,
            annotations,
            task,
        )),
    }
}

/// Writes an export to `path` atomically (temporary file, fsync, rename).
/// An existing file is replaced only with `force`.
pub fn write_export(path: &Path, text: &str, force: bool) -> anyhow::Result<()> {
    match write_file_atomically(path, text.as_bytes(), force) {
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => bail!(
            "{} already exists: use --force to replace it",
            escape(&path.display().to_string())
        ),
        other => {
            other.with_context(|| format!("cannot write {}", escape(&path.display().to_string())))
        }
    }
}
