//! The timeline screen: one task's events (or the whole incident's) in time
//! order, narrowed by source, by a time range picked on the histogram, and by
//! the fuzzy filter; the histogram above it, and above that the lines of
//! `timeline_header`.

use super::histogram::{self, bucket_time, Histogram, HISTOGRAM_BUCKETS};
use super::signal_rows::{Expansion, SignalRow};
use super::table::{draw_table, Separator, TableSpec};
use super::timeline_header;
use super::Scene;
use crate::bundle::annotations::{event_anchor, Target};
use crate::model::{Event, Source, Timestamp};
use crate::tui::data::{bucket, Data};
use crate::tui::list::List;
use crate::tui::text::{clock, highlighted, short_duration};
use crate::tui::widgets::{severity_badge, source_badge};
use chrono::TimeDelta;
use ratatui::layout::Constraint;
use ratatui::text::Span;
use ratatui::widgets::{Cell, Paragraph, Row};
use ratatui::Frame;

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
    /// The attack sequence shown with its signals as sub-rows, when one is.
    pub expanded: Option<Expansion>,
}

impl TimelineView {
    /// Recomputes the rows and the histogram after the task, source or range
    /// changed. Keeps the selected event selected when it is still shown.
    /// Returns the filter query that was set, to be run again.
    pub fn rebuild(&mut self, data: &Data) -> Option<String> {
        let selected = self.list.selected_item();
        let scope: Vec<u32> = match self.task {
            Some(task) => data.incident.timelines[task]
                .iter()
                .map(|&e| e as u32)
                .collect(),
            None => (0..data.incident.events.len() as u32).collect(),
        };
        let by_source: Vec<u32> = scope
            .into_iter()
            .filter(|&e| self.source.is_none_or(|s| data.source(e) == Some(s)))
            .collect();
        self.span = by_source
            .first()
            .zip(by_source.last())
            .map(|(&a, &b)| (data.time(a), data.time(b)));
        self.histogram = vec![0; HISTOGRAM_BUCKETS];
        if let Some((from, to)) = self.span {
            for &e in &by_source {
                self.histogram[bucket(data.time(e), from, to, HISTOGRAM_BUCKETS)] += 1;
            }
            let span = to - from;
            self.gap_threshold = (span / 10).max(TimeDelta::minutes(5));
        }
        let rows: Vec<u32> = match self.range {
            Some((from, to)) => by_source
                .into_iter()
                .filter(|&e| (from..=to).contains(&data.time(e)))
                .collect(),
            None => by_source,
        };
        let query = self.list.filter.take().map(|f| f.query);
        if let Some(expanded) = &mut self.expanded {
            expanded.cursor = None;
        }
        self.list = List::new(rows);
        if let Some(event) = selected {
            self.list.select_item(event);
        }
        query
    }

    /// Moves the selection `delta` rows, stepping through the sub-rows of
    /// the expanded sequence one at a time.
    pub fn move_selection(&mut self, delta: isize) {
        let selected = self.list.selected_item();
        if let Some(expanded) = &mut self.expanded {
            let on_it = selected == Some(expanded.event);
            if on_it && delta.abs() == 1 && expanded.step(delta) {
                return;
            }
            expanded.cursor = None;
        }
        self.list.move_by(delta);
        if let Some(expanded) = &mut self.expanded {
            let arrived = self.list.selected_item() == Some(expanded.event);
            if delta == -1 && selected != Some(expanded.event) && arrived {
                expanded.cursor = expanded.rows.len().checked_sub(1);
            }
        }
    }

    /// The sub-row selected: the signal under the selected sequence.
    pub fn selected_signal(&self) -> Option<&SignalRow> {
        let expanded = self.expanded.as_ref()?;
        if self.list.selected_item() != Some(expanded.event) {
            return None;
        }
        expanded.rows.get(expanded.cursor?)
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
        bucket_time(self.span, index, end)
    }

    /// Cycles the source filter: all, then each source that has events.
    pub fn next_source(&self, data: &Data) -> Option<Source> {
        let present: Vec<Source> = Source::ALL
            .into_iter()
            .filter(|s| match self.task {
                Some(t) => data.stats[t].summary.count(*s) > 0,
                None => (0..data.incident.events.len() as u32).any(|n| data.source(n) == Some(*s)),
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

    /// The silent gap before `row`, when the event above it is at least
    /// the gap threshold earlier.
    pub fn gap_before(&self, data: &Data, row: usize) -> Option<TimeDelta> {
        let event = data.event(self.list.item(row)?);
        let previous = data.event(self.list.item(row.checked_sub(1)?)?);
        let gap = event.time - previous.time;
        (gap >= self.gap_threshold && self.gap_threshold > TimeDelta::zero()).then_some(gap)
    }

    /// Draws the screen but its side pane: the header and coverage lines,
    /// the histogram and the event table, as laid out.
    pub fn draw(&self, frame: &mut Frame, scene: &Scene) {
        let [header, coverage] = scene.areas.above;
        let shown = timeline_header::Shown {
            task: self.task,
            source: self.source,
            range: self.range,
        };
        let title = timeline_header::title_line(shown, scene);
        frame.render_widget(Paragraph::new(title), header);
        let coverage_line = timeline_header::coverage_line(shown, scene);
        frame.render_widget(Paragraph::new(coverage_line), coverage);
        let shown = Histogram {
            counts: &self.histogram,
            span: self.span,
            range: self.range,
            cursor: self.cursor,
            anchor: self.anchor,
        };
        histogram::draw(frame, &shown, scene);
        self.draw_events(frame, scene);
    }

    /// The time column of `event`, per the time mode.
    fn time_text(&self, data: &Data, event: &Event, previous: Option<&Event>) -> String {
        match self.time_mode {
            TimeMode::Absolute => clock(event.time),
            TimeMode::SinceStart => match self.start_time(data) {
                Some(start) if event.time >= start => {
                    format!("+{}", short_duration(event.time - start))
                }
                Some(start) => format!("-{}", short_duration(start - event.time)),
                None => clock(event.time),
            },
            TimeMode::Delta => match previous {
                Some(previous) => format!("+{}", short_duration(event.time - previous.time)),
                None => "0".into(),
            },
        }
    }

    /// Draws the event table into its pane, as laid out.
    fn draw_events(&self, frame: &mut Frame, scene: &Scene) {
        let (data, theme) = (scene.data, scene.theme);
        let area = scene.areas.list_pane;
        let show_link = area.width >= 90;
        let range = self.list.visible(area.height.saturating_sub(3) as usize);
        let query = self.list.query().to_string();
        let summary_width = area.width.saturating_sub(if show_link { 62 } else { 46 }) as usize;
        let manifest = &data.bundle.manifest;
        let signal_cursor = self
            .expanded
            .as_ref()
            .filter(|e| self.list.selected_item() == Some(e.event))
            .and_then(|e| e.cursor);
        let mut selected = None;
        let mut rows = Vec::new();
        for row in range {
            let Some(index) = self.list.item(row) else {
                continue;
            };
            let event = data.event(index);
            let previous = row
                .checked_sub(1)
                .and_then(|r| self.list.item(r))
                .map(|p| data.event(p));
            let separator = self.gap_before(data, row).map(|gap| {
                let fill = Cell::from(Span::styled("┄".repeat(12), theme.gap));
                let text = Cell::from(Span::styled(
                    format!("┄┄ {} silent ┄┄", short_duration(gap)),
                    theme.gap,
                ));
                Separator::Cells(Row::new(vec![
                    Cell::from(""),
                    fill,
                    Cell::from(""),
                    Cell::from(""),
                    Cell::from(""),
                    text,
                ]))
            });
            let anchor = event_anchor(event, manifest);
            let mark = if scene.annotations.is_marked(&anchor) {
                Span::styled("★", theme.mark)
            } else if !scene
                .annotations
                .notes(&Target::Event { anchor })
                .is_empty()
            {
                Span::styled("✎", theme.note)
            } else {
                Span::raw(" ")
            };
            let link = self.task.and_then(|t| event.link_to(t));
            let mut cells = vec![
                Cell::from(mark),
                Cell::from(Span::styled(
                    self.time_text(data, event, previous),
                    theme.dim,
                )),
                Cell::from(source_badge(event.source, theme)),
                Cell::from(severity_badge(event.severity, theme)),
                Cell::from(highlighted(
                    &event.kind,
                    &query,
                    24,
                    theme.base,
                    theme.match_highlight,
                )),
                Cell::from(highlighted(
                    &event.summary,
                    &query,
                    summary_width.max(10),
                    theme.base,
                    theme.match_highlight,
                )),
            ];
            if show_link {
                let (text, style) = match link {
                    Some(link) if !link.ambiguous_with.is_empty() => {
                        (format!("{}??", link.reason.name()), theme.weak_link)
                    }
                    Some(link) if link.is_weak() => {
                        (format!("{}?", link.reason.name()), theme.weak_link)
                    }
                    Some(link) => (link.reason.name().to_string(), theme.dim),
                    None => ("-".into(), theme.dim),
                };
                cells.push(Cell::from(Span::styled(text, style)));
            }
            if row == self.list.selected && signal_cursor.is_none() {
                selected = Some(rows.len());
            }
            rows.push((separator, Row::new(cells)));
            if let Some(expanded) = self.expanded.as_ref().filter(|e| e.event == index) {
                let sub_rows = expanded.table_rows(theme, summary_width, show_link);
                for (at, sub_row) in sub_rows.into_iter().enumerate() {
                    if row == self.list.selected && signal_cursor == Some(at) {
                        selected = Some(rows.len());
                    }
                    rows.push((None, sub_row));
                }
            }
        }
        let mut widths = vec![
            Constraint::Length(1),
            Constraint::Length(12),
            Constraint::Length(5),
            Constraint::Length(4),
            Constraint::Length(20),
            Constraint::Min(10),
        ];
        let mut header = vec!["", self.time_mode.header(), "SRC", "SEV", "KIND", "SUMMARY"];
        if show_link {
            widths.push(Constraint::Length(15));
            header.push("LINK");
        }
        let filtered = match &self.list.filter {
            Some(filter) => format!(" {}/{}", filter.matches.len(), filter.total),
            None => String::new(),
        };
        let title = format!(" Timeline ({}){filtered} ", self.list.len());
        let table = TableSpec {
            title,
            header,
            widths,
            rows,
            selected,
            empty:
                "no events here (check the source filter, time range or text filter: Esc clears)",
        };
        draw_table(frame, area, scene, table);
    }
}
