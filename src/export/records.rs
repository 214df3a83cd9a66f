//! The raw records exports carry with `--raw`: each exported event's first
//! raw copy, read back from the bundle (hash-checked), redacted when asked.

use super::redact::{redact_text, redact_value};
use crate::bundle::Bundle;
use crate::correlate::Incident;
use crate::model::RawRef;
use crate::raw::RawReader;
use serde_json::value::{to_raw_value, RawValue};
use std::collections::HashMap;

/// One event's raw record as compact JSON, or why it could not be read.
pub type RawRecord = Result<Box<RawValue>, String>;

/// The raw records of a set of events, keyed by event index.
#[derive(Debug, Default)]
pub struct RawRecords {
    by_event: HashMap<usize, RawRecord>,
}

impl RawRecords {
    /// Reads the first raw copy of each event in `events` (indices into
    /// `incident.events`). Records are read grouped by artifact, so each
    /// artifact is decoded once; with `redact`, each record goes through
    /// [`redact_value`] and each error message through [`redact_text`].
    pub fn read(
        bundle: &Bundle,
        incident: &Incident,
        events: &[usize],
        redact: bool,
    ) -> RawRecords {
        let mut wanted: Vec<(usize, &str, usize)> = events
            .iter()
            .filter_map(|&index| {
                let raw = incident.events.get(index)?.raw.first()?;
                Some((raw.artifact, raw.locator.as_str(), index))
            })
            .collect();
        wanted.sort_unstable();
        let mut reader = RawReader::for_bundle(bundle);
        let mut by_event = HashMap::with_capacity(wanted.len());
        let mut previous: Option<((usize, &str), RawRecord)> = None;
        for (artifact, locator, index) in wanted {
            let record = match &previous {
                Some((key, record)) if *key == (artifact, locator) => record.clone(),
                _ => {
                    let raw = RawRef {
                        artifact,
                        locator: locator.to_string(),
                    };
                    let record = read_one(&mut reader, &raw, redact);
                    previous = Some(((artifact, locator), record.clone()));
                    record
                }
            };
            by_event.insert(index, record);
        }
        RawRecords { by_event }
    }

    /// The record of the event at `index`, if it was asked for.
    pub fn get(&self, index: usize) -> Option<&RawRecord> {
        self.by_event.get(&index)
    }
}

fn read_one(reader: &mut RawReader, raw: &RawRef, redact: bool) -> RawRecord {
    match reader.record(raw) {
        Ok(mut value) => {
            if redact {
                redact_value(&mut value);
            }
            to_raw_value(&value).map_err(|error| error.to_string())
        }
        Err(error) if redact => Err(redact_text(&error.to_string()).into_owned()),
        Err(error) => Err(error.to_string()),
    }
}
