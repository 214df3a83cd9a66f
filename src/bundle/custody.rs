//! The custody log: `custody.jsonl`, one record per handoff of the bundle
//! from one person to another, appended through the bundle's
//! [`journal`](super::journal) and linked into its hash
//! [`chain`](super::chain) like the annotations and the audit log.

use super::journal::{self, JournalError};
use super::Bundle;
use crate::render::json_line;
use crate::render::sanitize;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The custody log's path at the bundle root.
pub const CUSTODY_FILE: &str = "custody.jsonl";

/// Longest name or host accepted, in characters.
const MAX_NAME_CHARS: usize = 200;
/// Longest note accepted, in characters.
const MAX_NOTE_CHARS: usize = 4000;

/// One line of `custody.jsonl`: the bundle passed from one person to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handoff {
    /// The chain value before this record (see [`super::chain`]).
    pub prev: String,
    /// When it was handed over, RFC 3339 UTC.
    pub time: String,
    /// Who handed it to whom.
    #[serde(flatten)]
    pub transfer: Transfer,
}

impl Handoff {
    /// One line for people: `TIME FROM -> TO (on HOST): NOTE`. Raw: escape
    /// it before showing it.
    pub fn summary(&self) -> String {
        let Transfer {
            from,
            to,
            host,
            note,
        } = &self.transfer;
        let mut line = format!("{} {from} -> {to} (on {host})", self.time);
        if let Some(note) = note {
            line.push_str(": ");
            line.push_str(note);
        }
        line
    }
}

/// What a handoff says, apart from its place in the chain and its time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// Who hands it over (`user@host`, as on notes).
    pub from: String,
    /// Who receives it.
    pub to: String,
    /// The machine it is recorded on.
    pub host: String,
    /// Why, or what was agreed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
}

impl Transfer {
    /// Checks the fields: non-blank names and host of at most 200
    /// characters without control characters, and a non-blank note of at
    /// most 4000 characters.
    pub fn validate(&self) -> Result<(), String> {
        for (what, value) in [("from", &self.from), ("to", &self.to), ("host", &self.host)] {
            if value.trim().is_empty() {
                return Err(format!("`{what}` is empty"));
            }
            if value.chars().count() > MAX_NAME_CHARS {
                return Err(format!(
                    "`{what}` is longer than {MAX_NAME_CHARS} characters"
                ));
            }
            if value.chars().any(sanitize::is_unsafe) {
                return Err(format!(
                    "`{what}` {:?} holds a control character",
                    sanitize::escape(value)
                ));
            }
        }
        match &self.note {
            Some(note) if note.trim().is_empty() => Err("the note is empty".into()),
            Some(note) if note.chars().count() > MAX_NOTE_CHARS => Err(format!(
                "the note is longer than {MAX_NOTE_CHARS} characters"
            )),
            _ => Ok(()),
        }
    }
}

/// Records `transfer`, made at `time` (RFC 3339 UTC), as the next line of the
/// custody log of the bundle at `bundle_root`, and commits it.
pub fn append(bundle_root: &Path, transfer: &Transfer, time: &str) -> Result<(), JournalError> {
    transfer.validate().map_err(JournalError::Encode)?;
    journal::append_linked(bundle_root, CUSTODY_FILE, |prev| {
        let handoff = Handoff {
            prev: prev.to_string(),
            time: time.to_string(),
            transfer: transfer.clone(),
        };
        json_line(&handoff)
            .map_err(|e| JournalError::Encode(format!("cannot encode a handoff: {e}")))
    })
}

/// The committed handoffs of `bundle`, oldest first, with their 1-based line
/// numbers, and what could not be read.
pub fn load(bundle: &Bundle) -> (Vec<(usize, Handoff)>, Vec<String>) {
    journal::load_lines(bundle, CUSTODY_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transfer() -> Transfer {
        Transfer {
            from: "alice@ir-laptop".into(),
            to: "Bob Reviewer".into(),
            host: "ir-laptop".into(),
            note: Some("for legal review".into()),
        }
    }

    #[test]
    fn names_and_notes_are_checked() {
        assert_eq!(transfer().validate(), Ok(()));
        let blank = Transfer {
            to: " ".into(),
            ..transfer()
        };
        assert_eq!(blank.validate(), Err("`to` is empty".into()));
        let escape = Transfer {
            to: "bob\u{1b}[2J".into(),
            ..transfer()
        };
        assert!(escape.validate().unwrap_err().contains("control character"));
        let long = Transfer {
            note: Some("x".repeat(MAX_NOTE_CHARS + 1)),
            ..transfer()
        };
        assert!(long.validate().is_err());
    }
}
