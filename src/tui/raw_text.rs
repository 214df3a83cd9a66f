//! Raw-record text for the filter. When a task's timeline opens, a worker
//! reads the raw record of each of its events and adds it (compact JSON,
//! capped) to the event's filter text, so `/` also finds what only the raw
//! record holds: a user agent, a hash, a request parameter. Until it is ready,
//! and for timelines too long to read whole, the filter searches the
//! normalized fields only.

use super::data::Data;
use super::filter::Haystacks;
use crate::raw::RawReader;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::thread;

/// Timelines longer than this are filtered on normalized fields only.
pub const MAX_EVENTS: usize = 50_000;

/// Raw text beyond this many bytes of one record is not searched.
const MAX_RECORD_BYTES: usize = 8_192;

/// Per task, filter text aligned with `incident.timelines[task]`.
#[derive(Clone, Default)]
pub struct RawText {
    ready: Arc<Mutex<HashMap<usize, Haystacks>>>,
    started: HashSet<usize>,
}

impl RawText {
    /// Starts reading the raw records of `task`'s timeline on a worker, unless
    /// that is done, under way, or the timeline is too long. `notify` is
    /// called when the text is ready.
    pub fn request(&mut self, data: &Arc<Data>, task: usize, notify: Arc<dyn Fn() + Send + Sync>) {
        if data.incident.timelines[task].len() > MAX_EVENTS || !self.started.insert(task) {
            return;
        }
        let data = Arc::clone(data);
        let ready = Arc::clone(&self.ready);
        thread::spawn(move || {
            let text = build(&data, task);
            if let Ok(mut ready) = ready.lock() {
                ready.insert(task, Arc::new(text));
            }
            notify();
        });
    }

    /// The text for `task`'s timeline, once ready.
    pub fn get(&self, task: usize) -> Option<Haystacks> {
        self.ready.lock().ok()?.get(&task).cloned()
    }
}

/// Each event's normalized filter text followed by its raw record.
fn build(data: &Data, task: usize) -> Vec<String> {
    let mut reader = RawReader::for_bundle(&data.bundle);
    let event_text = data.event_text();
    data.incident.timelines[task]
        .iter()
        .map(|&event| {
            let mut text = event_text[event].clone();
            let raw = data.incident.events[event].raw.first();
            if let Some(Ok(value)) = raw.map(|r| reader.record(r)) {
                let mut json = value.to_string();
                if json.len() > MAX_RECORD_BYTES {
                    let mut cut = MAX_RECORD_BYTES;
                    while !json.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    json.truncate(cut);
                }
                text.push(' ');
                text.push_str(&json);
            }
            text
        })
        .collect()
}

/// Positions of the `shown` events (a time-ordered subsequence of `timeline`)
/// within `timeline`, for filtering `shown` with timeline-aligned text.
pub fn positions_in(timeline: &[usize], shown: &[u32]) -> Vec<u32> {
    let mut positions = Vec::with_capacity(shown.len());
    let mut at = 0;
    for &event in shown {
        while at < timeline.len() && timeline[at] != event as usize {
            at += 1;
        }
        positions.push(at.min(timeline.len().saturating_sub(1)) as u32);
    }
    positions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_follow_a_subsequence() {
        assert_eq!(
            positions_in(&[4, 9, 12, 30, 31], &[9, 30, 31]),
            vec![1, 3, 4]
        );
    }
}
