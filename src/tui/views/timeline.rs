//! The timeline view: one task's events (or the whole incident's) in time
//! order, narrowed by source, by a time range picked on the histogram, and by
//! the fuzzy filter.

use crate::model::{Source, Timestamp};
use crate::tui::data::{bucket, Data};
use crate::tui::list::List;
use chrono::TimeDelta;

/// Fine buckets of the histogram; resampled to the screen width when drawn.
pub const HISTOGRAM_BUCKETS: usize = 512;

/// How the time column is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeMode {
    /// Absolute UTC.
    #[default]
    Absolute,
    /// Since the task started (or the first event).
    SinceStart,
    /// Since the previous row.
    Delta,
}

impl TimeMode {
    /// The next mode in the cycle.
    pub fn next(self) -> TimeMode {
        match self {
            TimeMode::Absolute => TimeMode::SinceStart,
            TimeMode::SinceStart => TimeMode::Delta,
            TimeMode::Delta => TimeMode::Absolute,
        }
    }

    /// The column header for this mode.
    pub fn header(self) -> &'static str {
        match self {
            TimeMode::Absolute => "TIME (UTC)",
            TimeMode::SinceStart => "SINCE START",
            TimeMode::Delta => "DELTA",
        }
    }
}

/// State of the timeline view.
#[derive(Debug, Clone, Default)]
pub struct TimelineView {
    /// The task shown, or None for every event of the incident.
    pub task: Option<usize>,
    /// The rows: event indices in time order.
    pub list: List,
    /// Only this source, when set.
    pub source: Option<Source>,
    /// Only events inside this range, when set.
    pub range: Option<(Timestamp, Timestamp)>,
    /// Time column mode.
    pub time_mode: TimeMode,
    /// Event counts of the scope (task, source) over its time span.
    pub histogram: Vec<u64>,
    /// Time span of the scope.
    pub span: Option<(Timestamp, Timestamp)>,
    /// Histogram cursor, in fine buckets.
    pub cursor: usize,
    /// First end of a range being selected, in fine buckets.
    pub anchor: Option<usize>,
    /// Gaps at least this long are drawn as a separator.
    pub gap_threshold: TimeDelta,
}

impl TimelineView {
    /// Recomputes the rows and the histogram after the task, source or range
    /// changed. Keeps the selected event selected when it is still shown.
    /// Returns the filter query that was set, to be run again.
    pub fn rebuild(&mut self, data: &Data) -> Option<String> {
        let selected = self.list.selected_item();
        let events = &data.incident.events;
        let scope: Vec<u32> = match self.task {
            Some(task) => data.incident.timelines[task]
                .iter()
                .map(|&e| e as u32)
                .collect(),
            None => (0..events.len() as u32).collect(),
        };
        let by_source: Vec<u32> = scope
            .into_iter()
            .filter(|&e| self.source.is_none_or(|s| events[e as usize].source == s))
            .collect();
        self.span = by_source
            .first()
            .zip(by_source.last())
            .map(|(&a, &b)| (events[a as usize].time, events[b as usize].time));
        self.histogram = vec![0; HISTOGRAM_BUCKETS];
        if let Some((from, to)) = self.span {
            for &e in &by_source {
                self.histogram[bucket(events[e as usize].time, from, to, HISTOGRAM_BUCKETS)] += 1;
            }
            let span = to - from;
            self.gap_threshold = (span / 10).max(TimeDelta::minutes(5));
        }
        let rows: Vec<u32> = match self.range {
            Some((from, to)) => by_source
                .into_iter()
                .filter(|&e| (from..=to).contains(&events[e as usize].time))
                .collect(),
            None => by_source,
        };
        let query = self.list.filter.take().map(|f| f.query);
        self.list = List::new(rows);
        if let Some(event) = selected {
            self.list.select_item(event);
        }
        query
    }

    /// The time an event is shown at, per the time mode.
    pub fn start_time(&self, data: &Data) -> Option<Timestamp> {
        let from_task = self.task.and_then(|t| {
            let facts = &data.incident.tasks[t];
            facts.created_at.or(facts.started_at)
        });
        from_task.or(self.span.map(|(from, _)| from))
    }

    /// The time at fine bucket `index` of the scope's span.
    pub fn bucket_time(&self, index: usize, end: bool) -> Option<Timestamp> {
        let (from, to) = self.span?;
        let width = (to - from) / HISTOGRAM_BUCKETS as i32;
        let start = from + width * index as i32;
        Some(if end { (start + width).min(to) } else { start })
    }

    /// Cycles the source filter: all, then each source that has events.
    pub fn next_source(&self, data: &Data) -> Option<Source> {
        let present: Vec<Source> = Source::ALL
            .into_iter()
            .filter(|s| match self.task {
                Some(t) => data.stats[t].summary.count(*s) > 0,
                None => data.incident.events.iter().any(|e| e.source == *s),
            })
            .collect();
        match self.source {
            None => present.first().copied(),
            Some(current) => present
                .iter()
                .position(|s| *s == current)
                .and_then(|i| present.get(i + 1).copied()),
        }
    }
}
