//! Importers: from files a responder already has to normalized events and task facts.
//!
//! The format of every file is detected from its content, never its name:
//! gzip is unwrapped, then the JSON document (or each JSON line) is classified
//! by its shape and handed to the importer for that source. Syscall captures
//! (`.scap`) are recognized by their section header and streamed instead.

pub mod athena;
pub mod attack;
pub mod classify;
pub mod cloudtrail;
pub mod cwlogs;
pub mod decode;
pub mod ecs;
pub mod eventbridge;
pub mod falco;
pub mod guardduty;
pub mod image;
pub mod json;
pub mod ocsf;
pub mod parallel;
pub mod scap;
pub mod walk;

use crate::model::provenance::LogGroup;
use crate::model::{Event, ImageFacts, RawRef, TaskFacts};
use decode::ParseError;
use std::collections::BTreeSet;

/// How a file fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    /// Every record was read.
    Imported,
    /// Some records were read; others failed (see the errors).
    Partial,
    /// Nothing could be read.
    Rejected,
}

/// What one file yielded.
#[derive(Debug, Default)]
pub struct FileImport {
    /// Normalized events, in file order.
    pub events: Vec<Event>,
    /// Task facts found in the file.
    pub tasks: Vec<TaskFacts>,
    /// Image facts found in the file (Inspector and ECR records).
    pub images: Vec<ImageFacts>,
    /// The formats recognized (several for a mixed JSON-lines file).
    pub formats: BTreeSet<&'static str>,
    /// Number of source records read (a finding, a CloudTrail record, a log event...).
    pub records: usize,
    /// Accounts named by the records.
    pub accounts: BTreeSet<String>,
    /// Regions named by the records.
    pub regions: BTreeSet<String>,
    /// What could not be read, with positions.
    pub errors: Vec<ParseError>,
}

impl FileImport {
    /// Imported when nothing failed, rejected when nothing was read, partial otherwise.
    pub fn status(&self) -> FileStatus {
        match (self.errors.is_empty(), self.records) {
            (true, _) => FileStatus::Imported,
            (false, 0) => FileStatus::Rejected,
            (false, _) => FileStatus::Partial,
        }
    }
}

/// Collects what importers find in one file, stamping raw references with the artifact.
pub struct Sink {
    artifact: usize,
    /// What is known about the log group the file was read from.
    group: LogGroup,
    /// The result being built.
    pub out: FileImport,
}

impl Sink {
    /// A sink for the artifact with this manifest index.
    pub fn new(artifact: usize) -> Sink {
        Sink::reading(artifact, LogGroup::Unknown)
    }

    /// A sink for an artifact read from a log group known as `group`.
    pub fn reading(artifact: usize, group: LogGroup) -> Sink {
        Sink {
            artifact,
            group,
            out: FileImport::default(),
        }
    }

    /// What is known about the log group the file was read from.
    pub fn log_group(&self) -> LogGroup {
        self.group
    }

    /// A reference to a record at `locator` in this artifact.
    pub fn raw(&self, locator: String) -> RawRef {
        RawRef {
            artifact: self.artifact,
            locator,
        }
    }

    /// Records a normalized event, its text fields cut to [`MAX_FIELD_BYTES`].
    pub fn event(&mut self, mut event: Event) {
        for text in [&mut event.kind, &mut event.summary]
            .into_iter()
            .chain(event.actor.as_mut())
            .chain(event.original_severity.as_mut())
        {
            cut_to_bound(text);
        }
        self.out.events.push(event);
    }

    /// Records facts about a task.
    pub fn task(&mut self, facts: TaskFacts) {
        self.out.tasks.push(facts);
    }

    /// Records facts about an image.
    pub fn image(&mut self, facts: ImageFacts) {
        self.out.images.push(facts);
    }

    /// Counts one source record of the given format.
    pub fn record(&mut self, format: &'static str) {
        self.out.formats.insert(format);
        self.out.records += 1;
    }

    /// Notes the account and region of an ARN, when it has them.
    pub fn note_arn(&mut self, arn: &str) {
        if let Some((account, region)) = json::arn_account_region(arn) {
            self.note_scope(Some(account), Some(region));
        }
    }

    /// Notes an account and a region the evidence comes from.
    pub fn note_scope(&mut self, account: Option<&str>, region: Option<&str>) {
        if let Some(account) = account.filter(|a| !a.is_empty()) {
            if !self.out.accounts.contains(account) {
                self.out.accounts.insert(account.to_string());
            }
        }
        if let Some(region) = region.filter(|r| !r.is_empty()) {
            if !self.out.regions.contains(region) {
                self.out.regions.insert(region.to_string());
            }
        }
    }

    /// Records a problem with one record; the rest of the file carries on.
    pub fn problem(&mut self, error: ParseError) {
        self.out.errors.push(error);
    }
}

/// Longest text an event field keeps: the largest CloudWatch Logs event AWS
/// accepts (256 KiB). Evidence can hold far longer strings (an attacker's
/// 10 MB user agent); every table, export, filter and frame would pay for
/// them, so the field keeps this much and says how much more the raw
/// record holds.
pub const MAX_FIELD_BYTES: usize = 256 << 10;

/// Cuts `text` to at most [`MAX_FIELD_BYTES`] (at a character boundary),
/// noting how many bytes were left out.
fn cut_to_bound(text: &mut String) {
    if text.len() <= MAX_FIELD_BYTES {
        return;
    }
    let mut end = MAX_FIELD_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let dropped = text.len() - end;
    text.truncate(end);
    text.push_str(&format!("… [{dropped} more bytes in the raw record]"));
}

/// Imports the bytes of one file (as received, possibly gzip) as artifact `artifact`.
pub fn import_bytes(bytes: &[u8], artifact: usize) -> FileImport {
    import_bytes_from(bytes, artifact, LogGroup::Unknown)
}

/// [`import_bytes`] for a response that read the log group known as `group`.
pub fn import_bytes_from(bytes: &[u8], artifact: usize, group: LogGroup) -> FileImport {
    let mut sink = Sink::reading(artifact, group);
    // Streamed, never decompressed whole: captures run to gigabytes.
    if scap::is_capture(bytes) {
        scap::import_capture(bytes, &mut sink);
        return sink.out;
    }
    let content = match decode::decompress(bytes) {
        Ok(content) => content,
        Err(error) => {
            sink.problem(error);
            return sink.out;
        }
    };
    match decode::split_documents(&content) {
        Ok(documents) => {
            for document in &documents.documents {
                classify::dispatch(document, &mut sink);
            }
            for bad in documents.bad_lines {
                sink.problem(bad);
            }
        }
        Err(error) => sink.problem(error),
    }
    sink.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_text_is_cut_to_the_bound_at_a_character_boundary() {
        // 'é' is two bytes: the bound falls inside one.
        let long = format!("x{}", "é".repeat(MAX_FIELD_BYTES));
        let line = serde_json::json!({"events": [{
            "timestamp": 1_795_266_300_000_u64,
            "message": long,
            "logStreamName": "ecs/app/0123456789abcdef0123456789abcdef",
        }]});
        let imported = import_bytes(line.to_string().as_bytes(), 0);
        let summary = &imported.events[0].summary;
        let (kept, note) = summary.split_once('…').expect("cut is marked");
        assert_eq!(kept.len(), MAX_FIELD_BYTES - 1);
        assert_eq!(
            note,
            format!(
                " [{} more bytes in the raw record]",
                long.len() - kept.len()
            )
        );
        let actor = imported.events[0].actor.as_deref();
        assert_eq!(actor, Some("ecs/app/0123456789abcdef0123456789abcdef"));
    }
}
