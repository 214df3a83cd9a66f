//! `taskscope report`: the incident report of a whole bundle.

use super::load::{load, load_annotations};
use crate::export::{self, incident::ReportFormat};
use crate::output::print;
use crate::render::sanitize::escape;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `taskscope report`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// The bundle directory.
    pub bundle: PathBuf,
    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
    pub format: ReportFormat,
    /// Write to this file instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace --out if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
    /// The responder's summary, from this text file (default: the notes
    /// on the bundle, see annotate --bundle-wide).
    #[arg(long)]
    pub summary: Option<PathBuf>,
}

/// Writes the report to `--out` or stdout.
pub fn run(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let summary = args.summary.as_deref().map(read_summary).transpose()?;
    let (incident, bundle) = load(&args.bundle)?;
    let annotations = load_annotations(&bundle)?;
    let text = export::incident::incident_report(
        &bundle,
        &incident,
        &annotations,
        summary.as_deref(),
        crate::model::time::now(),
        args.format,
    );
    match &args.out {
        Some(file) => {
            export::write_export(file, &text, args.force)?;
            Ok(ExitCode::SUCCESS)
        }
        None => print(&text),
    }
}

/// The `--summary` file's text.
fn read_summary(file: &Path) -> anyhow::Result<String> {
    let shown = || escape(&file.display().to_string()).into_owned();
    let bytes = crate::bundle::paths::read_regular_file(file, &file.display().to_string())
        .with_context(|| format!("cannot read --summary {}", shown()))?;
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("--summary {} is not UTF-8 text", shown()))
}
