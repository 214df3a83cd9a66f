//! What `taskscope import` writes to stderr: a progress bar while files are
//! read (on a terminal), then the files that failed, one line per file with
//! `--verbose`, and a summary that counts the files that held no evidence
//! apart from those imported.

use super::LOG_LINE_CHARS;
use crate::bundle::manifest::Input;
use crate::export::redact::log_text;
use crate::import::FileStatus;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, Write};
use std::path::Path;

/// How many files that held no evidence the summary names with `--verbose`.
const LISTED_EMPTY_FILES: usize = 5;

/// A progress bar over the files to import, drawn on stderr only when it
/// is a terminal.
pub struct ImportProgress {
    bar: ProgressBar,
}

impl ImportProgress {
    /// A bar over `files` files; hidden when `on_terminal` is false.
    pub fn new(files: usize, on_terminal: bool) -> ImportProgress {
        let target = if on_terminal {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let style = ProgressStyle::with_template("importing {bar:30} {pos}/{len} files")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        let bar = ProgressBar::with_draw_target(Some(files as u64), target).with_style(style);
        ImportProgress { bar }
    }

    /// One more file read.
    pub fn advance(&self) {
        self.bar.inc(1);
    }

    /// Removes the bar before the report is written.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// True for a file read without error that yielded no record: an API
/// listing, a `describe-tasks` answer with only failures, a JSON document
/// whose entries name nothing taskscope imports.
fn held_no_evidence(input: &Input) -> bool {
    input.status == FileStatus::Imported && input.records == 0
}

/// Writes the per-file lines (failed files always, every file with
/// `verbose`) and the summary for the inputs of the bundle at `bundle`.
pub fn write_report(
    out: &mut impl Write,
    inputs: &[Input],
    bundle: &Path,
    verbose: bool,
) -> io::Result<()> {
    for input in inputs {
        let formats = input.formats.join("+");
        let line = match input.status {
            FileStatus::Rejected => format!("REJECTED  {}", input.source_path),
            FileStatus::Partial => format!(
                "PARTIAL   {} ({formats}, {} records)",
                input.source_path, input.records
            ),
            _ if !verbose => continue,
            FileStatus::Imported if held_no_evidence(input) => {
                format!("empty     {}{}", input.source_path, no_evidence(input))
            }
            FileStatus::Imported => format!(
                "imported  {} ({formats}, {} records)",
                input.source_path, input.records
            ),
        };
        writeln!(out, "{}", log_text(&line, LOG_LINE_CHARS))?;
        for error in &input.errors {
            writeln!(out, "          {}", log_text(error, LOG_LINE_CHARS))?;
        }
    }
    let count = |status: FileStatus| inputs.iter().filter(|i| i.status == status).count();
    let empty: Vec<&Input> = inputs.iter().filter(|i| held_no_evidence(i)).collect();
    writeln!(
        out,
        "bundle {}: {} imported, {} partial, {} rejected",
        bundle.display(),
        count(FileStatus::Imported) - empty.len(),
        count(FileStatus::Partial),
        count(FileStatus::Rejected),
    )?;
    if !empty.is_empty() {
        let files = if empty.len() == 1 { "file" } else { "files" };
        let hint = if verbose {
            ""
        } else {
            "; --verbose names them"
        };
        writeln!(
            out,
            "{} {files} held no evidence (stored in the bundle; recognized, but no records{hint})",
            empty.len()
        )?;
    }
    if verbose {
        for input in empty.iter().take(LISTED_EMPTY_FILES) {
            let line = format!("  {}{}", input.source_path, formats_of(input));
            writeln!(out, "{}", log_text(&line, LOG_LINE_CHARS))?;
        }
        if empty.len() > LISTED_EMPTY_FILES {
            writeln!(out, "  and {} more", empty.len() - LISTED_EMPTY_FILES)?;
        }
    }
    Ok(())
}

/// ` (FORMATS: no evidence)`, or ` (no evidence)` when no format was recognized.
fn no_evidence(input: &Input) -> String {
    match input.formats.is_empty() {
        true => " (no evidence)".to_string(),
        false => format!(" ({}: no evidence)", input.formats.join("+")),
    }
}

/// ` (FORMATS)`, or nothing when no format was recognized.
fn formats_of(input: &Input) -> String {
    match input.formats.is_empty() {
        true => String::new(),
        false => format!(" ({})", input.formats.join("+")),
    }
}
