//! `taskscope notes`: the annotations recorded in a bundle, oldest first.

use super::load::load_annotations;
use crate::bundle::annotations::{Annotation, AnnotationAction, Target};
use crate::bundle::Bundle;
use crate::output::print;
use crate::render::{self, sanitize::escape, Format};
use std::path::PathBuf;
use std::process::ExitCode;

/// `taskscope notes`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct NotesArgs {
    /// The bundle directory.
    pub bundle: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Prints the annotations.
pub fn run(args: &NotesArgs) -> anyhow::Result<ExitCode> {
    let bundle = Bundle::open(&args.bundle)?;
    let annotations = load_annotations(&bundle)?;
    print(&render_notes(annotations.all(), args.format)?)
}

/// The action's name and its tag or text.
fn describe_action(action: &AnnotationAction) -> (&'static str, &str) {
    match action {
        AnnotationAction::Mark => ("mark", ""),
        AnnotationAction::Unmark => ("unmark", ""),
        AnnotationAction::Tag { tag } => ("tag", tag),
        AnnotationAction::Untag { tag } => ("untag", tag),
        AnnotationAction::Note { text } => ("note", text),
    }
}

/// `taskscope notes`: one row per annotation. JSON carries the stored lines'
/// objects; the other formats escape every string.
fn render_notes(all: &[Annotation], format: Format) -> anyhow::Result<String> {
    let cells = |annotation: &Annotation| {
        let (action, value) = describe_action(&annotation.action);
        let (kind, target) = match &annotation.target {
            Target::Event { anchor } => ("event", anchor.as_str()),
            Target::Task { id } => ("task", id.as_str()),
            Target::Bundle => ("bundle", ""),
        };
        [
            crate::model::time::format_time_millis(&annotation.time),
            annotation.author.clone(),
            kind.to_string(),
            target.to_string(),
            action.to_string(),
            value.to_string(),
        ]
    };
    let header = ["TIME", "AUTHOR", "ON", "TARGET", "ACTION", "TEXT"];
    Ok(match format {
        Format::Json => {
            let mut text = render::json_text(all)?;
            text.push('\n');
            text
        }
        Format::Table => {
            let rows: Vec<Vec<String>> = all
                .iter()
                .map(|a| cells(a).iter().map(|c| escape(c).into_owned()).collect())
                .collect();
            render::aligned(&header, &rows)
        }
        Format::Csv => render::safe_csv::write_csv(
            header.map(str::to_ascii_lowercase),
            all.iter()
                .map(|a| cells(a).map(|c| escape(&c).into_owned())),
        )?,
        Format::Md => {
            let rows: Vec<Vec<String>> = all
                .iter()
                .map(|a| cells(a).iter().map(|c| render::markdown_cell(c)).collect())
                .collect();
            render::markdown_table_text(
                &["Time (UTC)", "Author", "On", "Target", "Action", "Text"],
                &rows,
            )
        }
    })
}
