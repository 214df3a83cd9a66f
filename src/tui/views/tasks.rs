//! The tasks view: one row per task, sortable and groupable, with the task
//! context (posture, deployment, blast radius, coverage) beside it.

use crate::tui::data::Data;
use crate::tui::list::List;
use std::cmp::Reverse;

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
}
