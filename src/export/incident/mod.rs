//! The incident report: one document about the whole bundle that can be
//! handed to a manager or an auditor as it is (`taskscope report`). It gives
//! the incident's IDs and the responder's summary, the tasks in scope with
//! their severity, posture, blast radius and coverage, the key findings, a
//! condensed timeline, the actions taken with their audit records, the
//! custody line, and an appendix of evidence anchors. docs/exports.md
//! describes it.
//!
//! [`gather`] reads the bundle once into a [`document::Document`] of plain,
//! unescaped text; [`markdown`] and [`html`] write that document, each
//! escaping every string for its format.

pub mod document;
pub mod gather;
pub mod html;
pub mod markdown;
pub mod seal_section;

use crate::bundle::annotations::Annotations;
use crate::bundle::Bundle;
use crate::correlate::Incident;
use crate::model::Timestamp;

/// The formats of the incident report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Markdown.
    Md,
    /// One self-contained HTML file: no scripts, nothing fetched.
    Html,
}

/// The incident report of `bundle` in `format`, stamped as generated at
/// `generated_at`. `summary` is the responder's summary, replacing the notes
/// on the bundle when given.
pub fn incident_report(
    bundle: &Bundle,
    incident: &Incident,
    annotations: &Annotations,
    summary: Option<&str>,
    generated_at: Timestamp,
    format: ReportFormat,
) -> String {
    let document = gather::gather(bundle, incident, annotations, summary, generated_at);
    match format {
        ReportFormat::Md => markdown::write(&document),
        ReportFormat::Html => html::write(&document),
    }
}
