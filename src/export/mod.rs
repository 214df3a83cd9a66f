//! Exports for people and tools outside taskscope: the incident report of a
//! whole bundle ([`incident`]), a Markdown report per task, the timeline as CSV or JSON with the responders' marks, tags and
//! notes, and Timesketch JSON lines. Each export is a plain function returning
//! a `String`; [`write_export`] stores one without ever leaving half a file.
//! The formats are documented in docs/exports.md. [`ExportOptions`] adds
//! the raw records (`--raw`) and removes secret values (`--redact`, see
//! [`redact`]).

pub mod incident;
pub mod records;
pub mod redact;
pub mod report;
mod report_images;
pub mod timesketch;

use crate::bundle::annotations::{event_anchor, AnnotationAction, Annotations, Target};
use crate::bundle::write::write_file_atomically;
use crate::bundle::Bundle;
use crate::correlate::Incident;
use crate::model::time::{format_time_millis, serialize_rfc3339};
use crate::model::Timestamp;
use crate::render::sanitize::escape;
use crate::render::timeline::{self, Row};
use anyhow::{bail, Context};
use records::{RawRecord, RawRecords};
use serde::Serialize;
use serde_json::value::RawValue;
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

/// What an export carries beyond the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Replace secret values with `[REDACTED]` everywhere in the export,
    /// raw records included (docs/exports.md#redaction).
    pub redact: bool,
    /// Carry each event's raw record (its first raw copy).
    pub raw: bool,
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
    /// The raw record, with `--raw`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<Box<RawValue>>,
    /// Why the raw record could not be read, with `--raw`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_error: Option<String>,
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

/// The timeline rows of one task (or every event) with their annotations,
/// and their raw records when `raw` holds them.
pub fn timeline_rows(
    bundle: &Bundle,
    incident: &Incident,
    annotations: &Annotations,
    task: Option<usize>,
    raw: Option<&RawRecords>,
) -> Vec<ExportRow> {
    let rows = timeline::rows(incident, &bundle.manifest, task);
    rows.into_iter()
        .zip(event_indices(incident, task))
        .map(|(row, index)| {
            let anchor = event_anchor(&incident.events[index], &bundle.manifest);
            let (raw, raw_error) = match raw.and_then(|records| records.get(index)) {
                Some(Ok(record)) => (Some(record.clone()), None),
                Some(Err(error)) => (None, Some(error.clone())),
                None => (None, None),
            };
            ExportRow {
                row,
                marked: annotations.is_marked(&anchor),
                tags: annotations.tags(&anchor).to_vec(),
                notes: event_notes(annotations, &anchor),
                anchor,
                raw,
                raw_error,
            }
        })
        .collect()
}

/// A raw record as one text cell or field: compact JSON, or
/// `unreadable: <why>`; empty when there is neither.
fn raw_text_of(json: Option<&RawValue>, error: Option<&str>) -> String {
    match (json, error) {
        (Some(json), _) => json.get().to_string(),
        (None, Some(error)) => format!("unreadable: {error}"),
        (None, None) => String::new(),
    }
}

/// [`raw_text_of`] a record read by [`RawRecords`].
pub(crate) fn raw_text(record: &RawRecord) -> String {
    match record {
        Ok(json) => raw_text_of(Some(json), None),
        Err(error) => raw_text_of(None, Some(error)),
    }
}

/// CSV: the `taskscope timeline` columns, then `anchor`, `marked`, `tags`
/// (`;`-separated) and `notes` (one `TIME AUTHOR: TEXT` per line), and with
/// `with_raw` a `raw` column (compact JSON). Strings are escaped as in every
/// output meant for eyes, and formula-like cells neutralized
/// ([`crate::render::safe_csv`]).
pub fn timeline_csv(rows: &[ExportRow], with_raw: bool) -> anyhow::Result<String> {
    let mut header: Vec<&str> = timeline::CSV_COLUMNS.to_vec();
    header.extend(["anchor", "marked", "tags", "notes"]);
    if with_raw {
        header.push("raw");
    }
    let records = rows.iter().map(|export| {
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
                    format_time_millis(&note.time),
                    escape(&note.author),
                    escape(&note.text)
                )
            })
            .collect();
        cells.push(notes.join("\n"));
        if with_raw {
            cells.push(
                escape(&raw_text_of(
                    export.raw.as_deref(),
                    export.raw_error.as_deref(),
                ))
                .into_owned(),
            );
        }
        cells
    });
    crate::render::safe_csv::write_csv(header, records)
}

/// JSON: an array of the `taskscope timeline --format json` objects with
/// `anchor`, `marked`, `tags` and `notes` added; strings exact, unsafe
/// characters as `\u` escapes.
pub fn timeline_json(rows: &[ExportRow]) -> anyhow::Result<String> {
    let mut text = crate::render::json_text(rows)?;
    text.push('\n');
    Ok(text)
}

/// Produces an export with the default options. The Markdown report needs
/// a task; the other formats export every event when `task` is `None`.
pub fn export(
    bundle: &Bundle,
    incident: &Incident,
    annotations: &Annotations,
    task: Option<usize>,
    format: ExportFormat,
) -> anyhow::Result<String> {
    export_with(
        bundle,
        incident,
        annotations,
        task,
        format,
        ExportOptions::default(),
    )
}

/// Produces an export with raw records and/or redaction. With `redact`,
/// the export is made from redacted copies of the incident and the notes,
/// and raw records are redacted as they are read; the bundle is only read.
pub fn export_with(
    bundle: &Bundle,
    incident: &Incident,
    annotations: &Annotations,
    task: Option<usize>,
    format: ExportFormat,
    options: ExportOptions,
) -> anyhow::Result<String> {
    if options.redact {
        let incident = redact::redact_incident(incident);
        let annotations = redact::redact_annotations(annotations);
        return render(bundle, &incident, &annotations, task, format, options);
    }
    render(bundle, incident, annotations, task, format, options)
}

/// Makes the export; raw records are read only once the arguments are known good.
fn render(
    bundle: &Bundle,
    incident: &Incident,
    annotations: &Annotations,
    task: Option<usize>,
    format: ExportFormat,
    options: ExportOptions,
) -> anyhow::Result<String> {
    let raw = || {
        options.raw.then(|| {
            RawRecords::read(
                bundle,
                incident,
                &event_indices(incident, task),
                options.redact,
            )
        })
    };
    let rows =
        |raw: Option<RawRecords>| timeline_rows(bundle, incident, annotations, task, raw.as_ref());
    match format {
        ExportFormat::Md => {
            let Some(task) = task else {
                bail!("the Markdown report is about one task: give --task");
            };
            let raw = raw();
            let extras = report::Extras {
                redacted: options.redact,
                raw: raw.as_ref(),
            };
            Ok(report::report_markdown_with(
                bundle,
                incident,
                annotations,
                task,
                &extras,
            ))
        }
        ExportFormat::Csv => timeline_csv(&rows(raw()), options.raw),
        ExportFormat::Json => timeline_json(&rows(raw())),
        ExportFormat::Timesketch => Ok(timesketch::timesketch_jsonl_with(
            bundle,
            incident,
            annotations,
            task,
            raw().as_ref(),
        )),
    }
}

/// Writes an export to `path` atomically (temporary file, fsync, rename).
/// An existing file is replaced only with `force`; a directory never is.
pub fn write_export(path: &Path, text: &str, force: bool) -> anyhow::Result<()> {
    if path.is_dir() {
        bail!(
            "{} is a directory: --out takes the name of the file to write",
            escape(&path.display().to_string())
        );
    }
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
