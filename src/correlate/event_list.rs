//! The incident's events, wherever they live: in memory (correlated on
//! open) or in a store read in place (the bundle's correlated index), where
//! an event is decoded the first time it is asked for and kept, so a view
//! builds only the rows it shows.

use crate::model::{Event, RawRef, Source, TaskSummary, Timestamp};
use std::fmt;
use std::ops::Index;
use std::sync::{Arc, OnceLock};

/// Where events that are not held in memory are read from, by number (time
/// order). Reading may fail: the store is a file that can be damaged.
pub trait EventStore: Send + Sync {
    /// How many events there are.
    fn count(&self) -> usize;
    /// The event numbered `number`, or why it cannot be read.
    fn event(&self, number: usize) -> Result<Event, String>;
    /// The time of event `number`, without reading the event.
    fn time(&self, number: usize) -> Result<Timestamp, String>;
    /// The source of event `number`, without reading the event.
    fn source(&self, number: usize) -> Result<Source, String>;
    /// The findings (see [`Event::is_finding`]) ordered by [`Event::finding_rank`].
    fn findings(&self) -> Result<Vec<u32>, String>;
    /// The summary of task `task`'s timeline, when the store holds it.
    fn summary(&self, task: usize) -> Option<TaskSummary>;
    /// Every event in order, each handed to `each` and then dropped.
    fn each(&self, each: &mut dyn FnMut(usize, &Event)) -> Result<(), String>;
}

/// The events of an incident, in time order.
#[derive(Clone)]
pub enum EventList {
    /// Held in memory.
    Owned(Vec<Event>),
    /// Read from a store when first asked for.
    Stored(Arc<StoredEvents>),
}

/// Events read from an [`EventStore`], each decoded once.
pub struct StoredEvents {
    store: Box<dyn EventStore>,
    /// The events decoded so far, by number.
    decoded: Vec<OnceLock<Box<Event>>>,
}

impl EventList {
    /// The events of `store`, none read yet.
    pub fn stored(store: Box<dyn EventStore>) -> EventList {
        let decoded = (0..store.count()).map(|_| OnceLock::new()).collect();
        EventList::Stored(Arc::new(StoredEvents { store, decoded }))
    }

    /// How many events there are.
    pub fn len(&self) -> usize {
        match self {
            EventList::Owned(events) => events.len(),
            EventList::Stored(stored) => stored.decoded.len(),
        }
    }

    /// Whether there is no event.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The event numbered `number`, if there is one. A stored event that
    /// cannot be read is an event that says so (see [`unreadable`]).
    pub fn get(&self, number: usize) -> Option<&Event> {
        match self {
            EventList::Owned(events) => events.get(number),
            EventList::Stored(stored) => Some(stored.decoded.get(number)?.get_or_init(|| {
                Box::new(
                    stored
                        .store
                        .event(number)
                        .unwrap_or_else(|reason| unreadable(&*stored.store, number, &reason)),
                )
            })),
        }
    }

    /// The first event.
    pub fn first(&self) -> Option<&Event> {
        self.get(0)
    }

    /// The last event.
    pub fn last(&self) -> Option<&Event> {
        self.get(self.len().checked_sub(1)?)
    }

    /// Every event, in order. Stored events read this way are kept: for a
    /// pass over all of them, [`EventList::scan`] holds one at a time.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Event> + ExactSizeIterator + '_ {
        (0..self.len()).map(move |number| &self[number])
    }

    /// The time of event `number` (stored events are not read for it).
    pub fn time(&self, number: usize) -> Option<Timestamp> {
        match self {
            EventList::Owned(events) => events.get(number).map(|e| e.time),
            EventList::Stored(stored) => stored.store.time(number).ok(),
        }
    }

    /// The source of event `number` (stored events are not read for it).
    pub fn source(&self, number: usize) -> Option<Source> {
        match self {
            EventList::Owned(events) => events.get(number).map(|e| e.source),
            EventList::Stored(stored) => stored.store.source(number).ok(),
        }
    }

    /// The findings, most severe first, then by type and time (see
    /// [`Event::finding_rank`]), as event numbers.
    pub fn findings(&self) -> Result<Vec<u32>, String> {
        match self {
            EventList::Owned(events) => {
                let mut findings: Vec<u32> = (0..events.len())
                    .filter(|&n| events[n].is_finding())
                    .map(|n| n as u32)
                    .collect();
                findings.sort_by(|&a, &b| {
                    events[a as usize]
                        .finding_rank()
                        .cmp(&events[b as usize].finding_rank())
                });
                Ok(findings)
            }
            EventList::Stored(stored) => stored.store.findings(),
        }
    }

    /// The summary of task `task`'s timeline as the store holds it; None
    /// for events in memory (it is worked out from them).
    pub fn stored_summary(&self, task: usize) -> Option<TaskSummary> {
        match self {
            EventList::Owned(_) => None,
            EventList::Stored(stored) => stored.store.summary(task),
        }
    }

    /// Hands every event to `each` in order with its number. Stored events
    /// are read one after the other and not kept (the ones already decoded
    /// are not read again).
    pub fn scan(&self, mut each: impl FnMut(usize, &Event)) -> Result<(), String> {
        match self {
            EventList::Owned(events) => {
                events.iter().enumerate().for_each(|(n, e)| each(n, e));
                Ok(())
            }
            EventList::Stored(stored) => stored.store.each(&mut |number, event| match stored
                .decoded
                .get(number)
                .and_then(OnceLock::get)
            {
                Some(decoded) => each(number, decoded),
                None => each(number, event),
            }),
        }
    }

    /// The events in memory to change: stored ones are all read first.
    pub fn to_mut(&mut self) -> &mut Vec<Event> {
        if let EventList::Stored(_) = self {
            *self = EventList::Owned(self.iter().cloned().collect());
        }
        match self {
            EventList::Owned(events) => events,
            EventList::Stored(_) => unreachable!("made owned just above"),
        }
    }

    /// The events, moved out into memory (stored ones are read).
    pub fn into_vec(self) -> Vec<Event> {
        match self {
            EventList::Owned(events) => events,
            stored => stored.iter().cloned().collect(),
        }
    }
}

/// What stands for a stored event that cannot be read: its time and source
/// when those can still be read, and the reason as its summary.
fn unreadable(store: &dyn EventStore, number: usize, reason: &str) -> Event {
    let time = store.time(number).unwrap_or_default();
    let source = store.source(number).unwrap_or(Source::Response);
    let mut event = Event::new(
        time,
        source,
        "unreadable",
        format!("event {number} could not be read: {reason}"),
        RawRef {
            artifact: usize::MAX,
            locator: String::new(),
        },
    );
    event.raw.clear();
    event
}

impl Default for EventList {
    fn default() -> EventList {
        EventList::Owned(Vec::new())
    }
}

impl From<Vec<Event>> for EventList {
    fn from(events: Vec<Event>) -> EventList {
        EventList::Owned(events)
    }
}

impl Index<usize> for EventList {
    type Output = Event;

    fn index(&self, number: usize) -> &Event {
        match self.get(number) {
            Some(event) => event,
            None => panic!("event {number} of {}", self.len()),
        }
    }
}

impl PartialEq for EventList {
    fn eq(&self, other: &EventList) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl fmt::Debug for EventList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventList::Owned(events) => events.fmt(f),
            EventList::Stored(stored) => {
                write!(f, "EventList::Stored({} events)", stored.decoded.len())
            }
        }
    }
}

impl<'a> IntoIterator for &'a EventList {
    type Item = &'a Event;
    type IntoIter = Box<dyn Iterator<Item = &'a Event> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}
