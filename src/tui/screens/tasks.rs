//! The tasks screen: one row per task, sortable and groupable; the task
//! context (posture, deployment, blast radius, coverage) beside it is in
//! `task_context`.

use super::table::{draw_table, Separator, TableSpec};
use super::Scene;
use crate::model::{RunState, Source};
use crate::tui::data::Data;
use crate::tui::list::List;
use crate::tui::text::{clip, highlighted, list_time, short_id};
use crate::tui::widgets::{severity_badge, sparkline};
use ratatui::layout::Constraint;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};
use ratatui::Frame;
use std::cmp::Reverse;
use std::ops::Range;

/// How the tasks are ordered within a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TaskSort {
    /// Most severe finding first, then most events.
    #[default]
    Severity,
    /// Most recently started first.
    Started,
    /// By service name.
    Service,
    /// Running before stopped, then most recently stopped.
    Status,
}

impl TaskSort {
    /// The next order in the cycle.
    pub fn next(self) -> TaskSort {
        match self {
            TaskSort::Severity => TaskSort::Started,
            TaskSort::Started => TaskSort::Service,
            TaskSort::Service => TaskSort::Status,
            TaskSort::Status => TaskSort::Severity,
        }
    }

    /// Its name in the header.
    pub fn name(self) -> &'static str {
        match self {
            TaskSort::Severity => "severity",
            TaskSort::Started => "started",
            TaskSort::Service => "service",
            TaskSort::Status => "status",
        }
    }
}

/// How tasks are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Grouping {
    /// One flat list.
    #[default]
    None,
    /// By cluster.
    Cluster,
    /// By service (or task family).
    Service,
}

impl Grouping {
    /// The next grouping in the cycle.
    pub fn next(self) -> Grouping {
        match self {
            Grouping::None => Grouping::Cluster,
            Grouping::Cluster => Grouping::Service,
            Grouping::Service => Grouping::None,
        }
    }

    /// Its name in the header.
    pub fn name(self) -> &'static str {
        match self {
            Grouping::None => "none",
            Grouping::Cluster => "cluster",
            Grouping::Service => "service",
        }
    }

    /// The group a task belongs to, as shown in the group header.
    pub fn key(self, data: &Data, task: usize) -> String {
        let facts = &data.incident.tasks[task];
        match self {
            Grouping::None => String::new(),
            Grouping::Cluster => facts
                .cluster
                .as_deref()
                .map(|c| crate::tui::text::arn_tail(c).to_string())
                .unwrap_or_else(|| "(cluster unknown)".into()),
            Grouping::Service => facts
                .group
                .clone()
                .unwrap_or_else(|| "(service unknown)".into()),
        }
    }
}

/// State of the tasks view.
#[derive(Debug, Clone, Default)]
pub struct TasksView {
    /// The rows: task indices in display order.
    pub list: List,
    /// Current order.
    pub sort: TaskSort,
    /// Current grouping.
    pub grouping: Grouping,
}

impl TasksView {
    /// Orders the tasks by grouping, then sort key, keeping the selected task
    /// selected. Returns the filter query that was set, to be run again.
    pub fn rebuild(&mut self, data: &Data) -> Option<String> {
        let selected = self.list.selected_item();
        let mut order: Vec<u32> = (0..data.incident.tasks.len() as u32).collect();
        let grouping = self.grouping;
        let sort = self.sort;
        order.sort_by_cached_key(|&t| {
            let t = t as usize;
            let facts = &data.incident.tasks[t];
            let stats = &data.stats[t];
            let events = stats.summary.total();
            let running = facts.run_state() != crate::model::RunState::Stopped;
            let started = facts.started_at.or(facts.created_at);
            let secondary = match sort {
                TaskSort::Severity => (
                    Reverse(stats.summary.severity),
                    Reverse(events),
                    String::new(),
                ),
                TaskSort::Started => (Reverse(None), Reverse(0), String::new()),
                TaskSort::Service => (
                    Reverse(None),
                    Reverse(0),
                    facts.group.clone().unwrap_or_default(),
                ),
                TaskSort::Status => (Reverse(None), Reverse(usize::from(running)), String::new()),
            };
            let time_key = match sort {
                TaskSort::Started => Reverse(started),
                TaskSort::Status => Reverse(facts.stopped_at.or(started)),
                _ => Reverse(None),
            };
            (grouping.key(data, t), secondary, time_key, facts.id.clone())
        });
        let query = self.list.filter.take().map(|f| f.query);
        self.list = List::new(order);
        if let Some(task) = selected {
            self.list.select_item(task);
        }
        query
    }

    /// Per row of `rows`, the heading of the group it starts: the first row
    /// in view and every row whose group differs from the row above.
    pub fn headings(&self, data: &Data, rows: Range<usize>) -> Vec<Option<String>> {
        let mut previous: Option<String> = None;
        rows.map(|row| {
            let task = self.list.item(row)? as usize;
            let group = self.grouping.key(data, task);
            let starts = self.grouping != Grouping::None && previous.as_ref() != Some(&group);
            previous = Some(group.clone());
            starts.then_some(group)
        })
        .collect()
    }

    /// Draws the task list into its pane, as laid out.
    pub fn draw(&self, frame: &mut Frame, scene: &Scene) {
        let (data, theme) = (scene.data, scene.theme);
        let list_area = scene.areas.list_pane;
        // The account column, when shown, takes its room from the wide times.
        let account_width = if data.multi_account { 13 } else { 0 };
        let wide = list_area.width >= 100 + account_width;
        let show_stop_code = list_area.width >= 118 + account_width;
        let range = self
            .list
            .visible(list_area.height.saturating_sub(3) as usize);
        let query = self.list.query().to_string();
        let mut rows = Vec::new();
        let headings = self.headings(data, range.clone());
        for (row, heading) in range.clone().zip(headings) {
            let Some(task) = self.list.item(row) else {
                continue;
            };
            let task = task as usize;
            let facts = &data.incident.tasks[task];
            let stats = &data.stats[task];
            let separator = heading.map(|group| {
                // Drawn across the whole row, so that long names are not cut
                // to the width of one column.
                Separator::Heading(Line::from(Span::styled(
                    format!("▸ {}", clip(&group, 200)),
                    theme.header,
                )))
            });
            let status = match facts.run_state() {
                RunState::Running => Span::styled("● RUN", theme.running),
                RunState::Stopped => Span::styled("■ STOP", theme.stopped),
                RunState::Unknown => Span::styled("?", theme.dim),
            };
            let started = facts.started_at.or(facts.created_at);
            let time_cell = |t: Option<crate::model::Timestamp>| {
                t.map_or_else(|| "-".into(), |t| list_time(t, scene.now, wide))
            };
            // The evidence columns: the response actions are on the timeline.
            let counts: Vec<String> = Source::EVIDENCE
                .iter()
                .map(|&source| stats.summary.count(source).to_string())
                .collect();
            let service = facts.service().or(facts.group.as_deref()).unwrap_or("-");
            let mut cells = vec![
                Cell::from(status),
                Cell::from(highlighted(
                    short_id(&facts.id),
                    &query,
                    8,
                    theme.base,
                    theme.match_highlight,
                )),
            ];
            if data.multi_account {
                let account = data.places[task].as_ref().map_or("-", |(a, _)| a.as_str());
                cells.push(Cell::from(highlighted(
                    account,
                    &query,
                    12,
                    theme.base,
                    theme.match_highlight,
                )));
            }
            cells.extend([
                Cell::from(highlighted(
                    service,
                    &query,
                    24,
                    theme.base,
                    theme.match_highlight,
                )),
                Cell::from(time_cell(started)),
                Cell::from(time_cell(facts.stopped_at)),
            ]);
            if show_stop_code {
                cells.push(Cell::from(clip(
                    facts.stop_code.as_deref().unwrap_or("-"),
                    24,
                )));
            }
            cells.push(Cell::from(match stats.summary.severity {
                Some(severity) => severity_badge(severity, theme),
                None => Span::styled("-", theme.dim),
            }));
            cells.push(Cell::from(counts.join("/")));
            cells.push(Cell::from(Span::styled(
                sparkline(&stats.activity, 10),
                theme.chart,
            )));
            rows.push((separator, Row::new(cells)));
        }
        let time_width = if wide { 18 } else { 10 };
        let mut widths = vec![Constraint::Length(6), Constraint::Length(8)];
        let mut header = vec!["STATUS", "TASK"];
        if data.multi_account {
            widths.push(Constraint::Length(12));
            header.push("ACCOUNT");
        }
        widths.extend([
            Constraint::Min(10),
            Constraint::Length(time_width),
            Constraint::Length(time_width),
        ]);
        // Wide, the times are absolute (UTC) with the relative time beside them.
        let (started, stopped) = if wide {
            ("STARTED (UTC)", "STOPPED (UTC)")
        } else {
            ("STARTED", "STOPPED")
        };
        header.extend(["SERVICE", started, stopped]);
        if show_stop_code {
            widths.push(Constraint::Length(18));
            header.push("STOP CODE");
        }
        widths.extend([
            Constraint::Length(4),
            Constraint::Length(if wide { 15 } else { 11 }),
            Constraint::Length(10),
        ]);
        let counts_header = if wide {
            "GD/ECS/CT/F/L/S"
        } else {
            "G/E/C/F/L/S"
        };
        header.extend(["SEV", counts_header, "ACTIVITY"]);
        let title = format!(
            " Tasks ({}) sort:{} group:{} ",
            self.list.len(),
            self.sort.name(),
            self.grouping.name()
        );
        let selected = self.list.selected.checked_sub(range.start);
        let table = TableSpec {
            title,
            header,
            widths,
            rows,
            selected,
            empty: "no tasks: nothing in this bundle names an ECS task (or the filter hides them)",
        };
        draw_table(frame, list_area, scene, table);
    }
}
