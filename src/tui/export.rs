//! The `e` key and the palette's export commands: writes the selected task's
//! report or timeline into a directory (the current one, from the console),
//! never over an existing file.

use super::data::Data;
use crate::bundle::annotations::Annotations;
use crate::export::{export, write_export, ExportFormat};
use std::path::{Path, PathBuf};

/// Most numbered names tried before giving up (`-2`, `-3`, ...).
const MAX_SUFFIX: usize = 100;

/// Writes the export of `task` in `format` to a new file in `dir` and
/// returns its path.
pub fn write(
    dir: &Path,
    data: &Data,
    annotations: &Annotations,
    task: usize,
    format: ExportFormat,
) -> anyhow::Result<PathBuf> {
    let text = export(
        &data.bundle,
        &data.incident,
        annotations,
        Some(task),
        format,
    )?;
    let id = super::text::short_id(&data.incident.tasks[task].id).to_string();
    let (stem, extension) = match format {
        ExportFormat::Md => ("report", "md"),
        ExportFormat::Csv => ("timeline", "csv"),
        ExportFormat::Json => ("timeline", "json"),
        ExportFormat::Timesketch => ("timesketch", "jsonl"),
    };
    // The ID comes from evidence: keep only safe file-name characters.
    let id: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    for attempt in 1..=MAX_SUFFIX {
        let suffix = if attempt == 1 {
            String::new()
        } else {
            format!("-{attempt}")
        };
        let path = dir.join(format!("taskscope-{id}-{stem}{suffix}.{extension}"));
        if path.exists() {
            continue;
        }
        write_export(&path, &text, false)?;
        return Ok(path);
    }
    anyhow::bail!("too many earlier exports of task {id} in this directory")
}
