//! Annotations: the marks, tags and notes responders attach to events and
//! tasks, kept in the bundle as the append-only JSON-lines artifact
//! `annotations.jsonl`, hashed in the manifest like every other artifact.
//!
//! Appends follow the [`journal`](super::journal) protocol: the manifest is
//! the commit point, and bytes past the size it records are ignored.

use super::journal::{self, JournalError};
use super::write::sha256_hex;
use super::{Bundle, OpenError};
use crate::model::time::serialize_rfc3339;
use crate::model::Timestamp;
use crate::render::{json_line, sanitize};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io;
use std::path::Path;

mod anchor;
mod author;

pub use anchor::{event_anchor, find_event, milestone_anchors, TASK_MILESTONES};
pub use author::{default_author, hostname, unknown_author_warning, UNKNOWN_AUTHOR};

/// The annotations artifact's path at the bundle root.
pub const ANNOTATIONS_FILE: &str = "annotations.jsonl";

/// Longest tag accepted, in characters.
const MAX_TAG_CHARS: usize = 64;

/// What an annotation is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Target {
    /// An event, by its [`event_anchor`].
    Event {
        /// The event's anchor.
        anchor: String,
    },
    /// A task, by its normalized (lower-case) ID.
    Task {
        /// The task ID.
        id: String,
    },
    /// The incident as a whole (the bundle): its notes are the responder's
    /// summary in the incident report, its tags the incident's IDs.
    Bundle,
}

/// What an annotation does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum AnnotationAction {
    /// Marks the target as important.
    Mark,
    /// Removes a mark.
    Unmark,
    /// Adds a tag.
    Tag {
        /// The tag.
        tag: String,
    },
    /// Removes a tag.
    Untag {
        /// The tag.
        tag: String,
    },
    /// Attaches a free-text note.
    Note {
        /// The note.
        text: String,
    },
}

/// One line of `annotations.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Annotation {
    /// When it was made; RFC 3339 UTC in the file.
    #[serde(serialize_with = "serialize_rfc3339")]
    pub time: Timestamp,
    /// Who made it.
    pub author: String,
    /// What it is about.
    pub target: Target,
    /// What it does.
    pub action: AnnotationAction,
}

impl Annotation {
    /// Checks the fields a line must have: a non-blank author, target and
    /// note, and a tag of at most 64 characters without whitespace, control
    /// characters, `,` or `;` (tags are listed with those separators).
    pub fn validate(&self) -> Result<(), String> {
        if self.author.trim().is_empty() {
            return Err("the author is empty".into());
        }
        match &self.target {
            Target::Event { anchor } if anchor.is_empty() => {
                return Err("the event anchor is empty".into())
            }
            Target::Task { id } if id.is_empty() => return Err("the task ID is empty".into()),
            _ => {}
        }
        match &self.action {
            AnnotationAction::Tag { tag } | AnnotationAction::Untag { tag } => validate_tag(tag),
            AnnotationAction::Note { text } if text.trim().is_empty() => {
                Err("the note is empty".into())
            }
            _ => Ok(()),
        }
    }
}

fn validate_tag(tag: &str) -> Result<(), String> {
    if tag.is_empty() {
        return Err("the tag is empty".into());
    }
    if tag.chars().count() > MAX_TAG_CHARS {
        return Err(format!("the tag is longer than {MAX_TAG_CHARS} characters"));
    }
    if tag
        .chars()
        .any(|c| c.is_whitespace() || sanitize::is_unsafe(c) || c == ',' || c == ';')
    {
        return Err(format!(
            "the tag {:?} holds whitespace, a control character, ',' or ';'",
            sanitize::escape(tag)
        ));
    }
    Ok(())
}

/// Why an annotation could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum AnnotateError {
    /// The bundle does not open: nothing is annotated.
    #[error("cannot annotate: {0}")]
    Open(#[from] OpenError),
    /// The annotation itself is not acceptable.
    #[error("invalid annotation: {0}")]
    Invalid(String),
    /// The committed part of `annotations.jsonl` differs from the manifest.
    #[error("{ANNOTATIONS_FILE} does not match the manifest ({0}); run taskscope verify")]
    Mismatch(String),
    /// Reading or writing failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The I/O error.
        source: io::Error,
    },
}

/// Appends one annotation to the bundle at `bundle_root` and commits it,
/// through the bundle's [`journal`](super::journal) protocol: under the
/// bundle lock, an uncommitted tail is cut off, the line is appended and
/// fsynced, and the manifest is replaced atomically. Earlier lines are never
/// rewritten.
pub fn append(bundle_root: &Path, annotation: &Annotation) -> Result<(), AnnotateError> {
    annotation.validate().map_err(AnnotateError::Invalid)?;
    let line = json_line(annotation)
        .map_err(|e| AnnotateError::Invalid(format!("cannot encode it: {e}")))?;
    journal::append_line(bundle_root, ANNOTATIONS_FILE, &line).map_err(|error| match error {
        JournalError::Open(error) => AnnotateError::Open(error),
        JournalError::Mismatch { reason, .. } => AnnotateError::Mismatch(reason),
        JournalError::Io { context, source } => AnnotateError::Io { context, source },
        JournalError::Encode(reason) => AnnotateError::Invalid(reason),
    })
}

/// `annotations.jsonl` is listed in the manifest but cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{ANNOTATIONS_FILE}: cannot read: {0}")]
pub struct LoadError(#[from] io::Error);

/// The marks and tags a target ends up with.
#[derive(Debug, Default, Clone)]
struct TargetState {
    marked: bool,
    tags: Vec<String>,
    notes: Vec<Annotation>,
}

/// Annotations folded into their current state: a target is marked when its
/// last Mark/Unmark was Mark; tags are added and removed in file order;
/// notes accumulate. The raw list is kept too.
#[derive(Debug, Default, Clone)]
pub struct Annotations {
    all: Vec<Annotation>,
    events: BTreeMap<String, TargetState>,
    tasks: BTreeMap<String, TargetState>,
    bundle: TargetState,
    problems: Vec<String>,
}

impl Annotations {
    /// Reads the committed annotations of `bundle` (the prefix of
    /// `annotations.jsonl` the manifest records). Lines that cannot be read,
    /// a short file or a hash mismatch become [`Annotations::problems`]; the
    /// good lines are kept. Fails only when the listed file cannot be read.
    pub fn load(bundle: &Bundle) -> Result<Annotations, LoadError> {
        let mut annotations = Annotations::default();
        let Some(entry) = bundle.manifest.artifact(ANNOTATIONS_FILE) else {
            return Ok(annotations);
        };
        let content = bundle.read_artifact(ANNOTATIONS_FILE)?;
        let committed = match usize::try_from(entry.size) {
            Ok(size) if size <= content.len() => &content[..size],
            _ => {
                annotations.problems.push(format!(
                    "{ANNOTATIONS_FILE} holds {} bytes, the manifest says {}; run taskscope verify",
                    content.len(),
                    entry.size
                ));
                &content[..]
            }
        };
        if committed.len() as u64 == entry.size && sha256_hex(committed) != entry.sha256 {
            annotations.problems.push(format!(
                "{ANNOTATIONS_FILE} does not match the manifest (SHA-256 differs); run taskscope verify"
            ));
        }
        for (number, line) in committed.split(|&b| b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match parse_line(line) {
                Ok(annotation) => annotations.apply(annotation),
                Err(message) => annotations
                    .problems
                    .push(format!("{ANNOTATIONS_FILE} line {}: {message}", number + 1)),
            }
        }
        Ok(annotations)
    }

    /// Folds one more annotation into the state (after a successful [`append`]).
    pub fn apply(&mut self, annotation: Annotation) {
        let state = match &annotation.target {
            Target::Event { anchor } => self.events.entry(anchor.clone()).or_default(),
            Target::Task { id } => self.tasks.entry(id.clone()).or_default(),
            Target::Bundle => &mut self.bundle,
        };
        match &annotation.action {
            AnnotationAction::Mark => state.marked = true,
            AnnotationAction::Unmark => state.marked = false,
            AnnotationAction::Tag { tag } => {
                if !state.tags.contains(tag) {
                    state.tags.push(tag.clone());
                }
            }
            AnnotationAction::Untag { tag } => state.tags.retain(|t| t != tag),
            AnnotationAction::Note { .. } => state.notes.push(annotation.clone()),
        }
        self.all.push(annotation);
    }

    fn state(&self, target: &Target) -> Option<&TargetState> {
        match target {
            Target::Event { anchor } => self.events.get(anchor),
            Target::Task { id } => self.tasks.get(id),
            Target::Bundle => Some(&self.bundle),
        }
    }

    /// Whether the event with this anchor is marked.
    pub fn is_marked(&self, anchor: &str) -> bool {
        self.events.get(anchor).is_some_and(|s| s.marked)
    }

    /// Whether the target (event, task or the bundle) is marked.
    pub fn is_target_marked(&self, target: &Target) -> bool {
        self.state(target).is_some_and(|s| s.marked)
    }

    /// The tags of the event with this anchor, in the order first added.
    pub fn tags(&self, anchor: &str) -> &[String] {
        self.events.get(anchor).map_or(&[], |s| &s.tags)
    }

    /// The tags of a target (event, task or the bundle), in the order first added.
    pub fn target_tags(&self, target: &Target) -> &[String] {
        self.state(target).map_or(&[], |s| &s.tags)
    }

    /// The notes on a target, oldest first, with author and time.
    pub fn notes(&self, target: &Target) -> &[Annotation] {
        self.state(target).map_or(&[], |s| &s.notes)
    }

    /// Every annotation read, in file order.
    pub fn all(&self) -> &[Annotation] {
        &self.all
    }

    /// The anchors of marked events, sorted.
    pub fn marked_anchors(&self) -> impl Iterator<Item = &str> {
        self.events
            .iter()
            .filter(|(_, state)| state.marked)
            .map(|(anchor, _)| anchor.as_str())
    }

    /// What could not be read, one message per problem (naming the line).
    pub fn problems(&self) -> &[String] {
        &self.problems
    }

    /// A copy in which every note's text is replaced by `rewrite(text)`
    /// (exports redact notes this way). Marks, tags, authors, targets and
    /// problems are unchanged.
    pub fn with_note_texts(&self, rewrite: impl Fn(&str) -> String) -> Annotations {
        let mut copy = Annotations {
            problems: self.problems.clone(),
            ..Annotations::default()
        };
        for annotation in &self.all {
            let mut annotation = annotation.clone();
            if let AnnotationAction::Note { text } = &mut annotation.action {
                *text = rewrite(text);
            }
            copy.apply(annotation);
        }
        copy
    }
}

fn parse_line(line: &[u8]) -> Result<Annotation, String> {
    let annotation: Annotation =
        serde_json::from_slice(line).map_err(|e| format!("not a valid annotation: {e}"))?;
    annotation.validate()?;
    Ok(annotation)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(second: u32) -> Timestamp {
        chrono::Utc
            .with_ymd_and_hms(2026, 11, 20, 14, 0, second)
            .unwrap()
    }

    fn on_event(action: AnnotationAction, second: u32) -> Annotation {
        Annotation {
            time: at(second),
            author: "alice@host".into(),
            target: Target::Event {
                anchor: "raw/0001-a.json#/Findings/0".into(),
            },
            action,
        }
    }

    #[test]
    fn lines_have_the_documented_shape() {
        let line = json_line(&on_event(AnnotationAction::Tag { tag: "c2".into() }, 5)).unwrap();
        assert_eq!(
            line,
            r##"{"time":"2026-11-20T14:00:05Z","author":"alice@host","target":{"kind":"event","anchor":"raw/0001-a.json#/Findings/0"},"action":{"kind":"tag","tag":"c2"}}"##
        );
        let back = parse_line(line.as_bytes()).unwrap();
        assert_eq!(
            back,
            on_event(AnnotationAction::Tag { tag: "c2".into() }, 5)
        );
    }

    #[test]
    fn marks_toggle_tags_add_and_remove_notes_accumulate() {
        let mut state = Annotations::default();
        let anchor = "raw/0001-a.json#/Findings/0";
        for (second, action) in [
            AnnotationAction::Mark,
            AnnotationAction::Tag { tag: "c2".into() },
            AnnotationAction::Tag {
                tag: "miner".into(),
            },
            AnnotationAction::Tag { tag: "c2".into() },
            AnnotationAction::Unmark,
            AnnotationAction::Untag { tag: "c2".into() },
            AnnotationAction::Note {
                text: "first".into(),
            },
            AnnotationAction::Note {
                text: "second".into(),
            },
        ]
        .into_iter()
        .enumerate()
        {
            state.apply(on_event(action, second as u32));
        }
        assert!(!state.is_marked(anchor));
        assert_eq!(state.tags(anchor), ["miner"]);
        let target = Target::Event {
            anchor: anchor.into(),
        };
        let notes: Vec<_> = state
            .notes(&target)
            .iter()
            .map(|n| match &n.action {
                AnnotationAction::Note { text } => text.as_str(),
                _ => "",
            })
            .collect();
        assert_eq!(notes, ["first", "second"]);
        assert_eq!(state.all().len(), 8);
        state.apply(on_event(AnnotationAction::Mark, 9));
        assert_eq!(state.marked_anchors().collect::<Vec<_>>(), [anchor]);
        assert!(state.is_target_marked(&target));
    }

    #[test]
    fn rejects_blank_fields_and_tags_that_would_break_lists() {
        for bad in ["", "two words", "a,b", "a;b", "esc\u{1b}"] {
            let annotation = on_event(AnnotationAction::Tag { tag: bad.into() }, 0);
            assert!(annotation.validate().is_err(), "{bad:?}");
        }
        let mut anonymous = on_event(AnnotationAction::Mark, 0);
        anonymous.author = "  ".into();
        assert!(anonymous.validate().is_err());
        assert!(on_event(AnnotationAction::Note { text: " ".into() }, 0)
            .validate()
            .is_err());
        assert!(on_event(AnnotationAction::Tag { tag: "c2".into() }, 0)
            .validate()
            .is_ok());
    }
}
