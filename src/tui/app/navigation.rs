//! Moving around: the selection and paging, the pane in focus, the screen
//! shown, opening what is selected and going back, and jumping to the next
//! match, finding or mark.

use super::App;
use crate::bundle::annotations;
use crate::model::Source;
use crate::tui::data::Data;
use crate::tui::screens::histogram::HISTOGRAM_BUCKETS;
use crate::tui::screens::{Pane, View};
use crate::tui::status::Level;
use std::sync::Arc;

impl App {
    /// Opens the timeline of `task` (None: every event), unfiltered.
    pub fn show_timeline(&mut self, task: Option<usize>) {
        let Some(data) = self.data.clone() else {
            return;
        };
        if self.timeline.task != task || self.timeline.list.base.is_empty() {
            self.timeline.task = task;
            self.timeline.source = None;
            self.timeline.range = None;
            self.timeline.anchor = None;
            self.timeline.list.filter = None;
            self.timeline.rebuild(&data);
        }
        if let Some(task) = task {
            self.tasks.list.select_item(task as u32);
            let notify = Arc::clone(&self.notify);
            self.filtering.raw_text.request(&data, task, notify);
        }
        self.view = View::Timeline;
        self.focus = Pane::List;
        self.rerun_stale_filter();
        self.refresh_side();
    }

    /// Rows a page key moves: the list's height, less one kept in view.
    pub(super) fn page(&self) -> isize {
        (self.areas.list.height.max(2) as isize) - 1
    }

    /// Moves by `delta` in the pane in focus: the list's selection, the
    /// detail tree's line (or the task context's scroll), the histogram.
    pub(super) fn move_selection(&mut self, delta: isize) {
        match self.focus {
            Pane::Detail => {
                if self.view == View::Tasks {
                    self.detail.scroll = (self.detail.scroll as isize + delta).max(0) as usize;
                } else {
                    let lines = self.detail.tree.as_ref().map_or(0, |t| t.lines().len());
                    let last = lines.saturating_sub(1) as isize;
                    self.detail.selected =
                        (self.detail.selected as isize + delta).clamp(0, last.max(0)) as usize;
                }
            }
            Pane::Histogram => self.horizontal(delta.signum()),
            Pane::List if self.view == View::Timeline => {
                self.timeline.move_selection(delta);
                self.refresh_side();
            }
            Pane::List => {
                self.current_list_mut().move_by(delta);
                self.refresh_side();
            }
        }
    }

    /// Left or right: moves the histogram cursor, or folds and unfolds the
    /// detail tree's line.
    pub(super) fn horizontal(&mut self, delta: isize) {
        match self.focus {
            Pane::Histogram => {
                let width = self.areas.histogram.width.max(1) as usize;
                let step = HISTOGRAM_BUCKETS.div_ceil(width) as isize;
                self.timeline.cursor = (self.timeline.cursor as isize + delta * step)
                    .clamp(0, HISTOGRAM_BUCKETS as isize - 1)
                    as usize;
            }
            Pane::Detail => {
                let line = self.detail.selected;
                if let Some(tree) = &mut self.detail.tree {
                    let expanded = tree.lines().get(line).is_some_and(|l| l.expanded);
                    if (delta > 0) != expanded {
                        tree.toggle(line);
                    }
                }
            }
            Pane::List => {}
        }
    }

    /// Gives the keyboard to the next (or previous) pane of the screen.
    pub(super) fn cycle_focus(&mut self, forward: bool) {
        let order: &[Pane] = match self.view {
            View::Timeline => &[Pane::Histogram, Pane::List, Pane::Detail],
            View::Tasks | View::Findings => &[Pane::List, Pane::Detail],
        };
        let at = order.iter().position(|p| *p == self.focus).unwrap_or(0);
        let next = if forward {
            at + 1
        } else {
            at + order.len() - 1
        };
        self.focus = order[next % order.len()];
    }

    /// Shows `view`, its list in focus.
    pub(super) fn switch(&mut self, view: View) {
        self.view = view;
        self.focus = Pane::List;
        self.rerun_stale_filter();
        self.refresh_side();
    }

    /// Enter: opens what is selected in the pane in focus.
    pub(super) fn open(&mut self, data: &Data) {
        match (self.view, self.focus) {
            (_, Pane::Detail) => {
                if let Some(tree) = &mut self.detail.tree {
                    tree.toggle(self.detail.selected);
                }
            }
            (View::Timeline, Pane::Histogram) => self.select_range(data),
            (View::Tasks, _) => {
                if let Some(task) = self.tasks.list.selected_item() {
                    self.show_timeline(Some(task as usize));
                }
            }
            (View::Findings, _) => {
                let Some(event) = self.findings.list.selected_item() else {
                    return;
                };
                let task = data.incident.events[event as usize]
                    .links
                    .first()
                    .map(|l| l.task);
                self.show_timeline(task);
                if !self.timeline.list.select_item(event) {
                    let line = "that finding is hidden by the timeline's filters";
                    self.tell(line, Level::Info);
                }
                self.refresh_side();
            }
            (View::Timeline, Pane::List) => {
                if !self.open_signal(data) {
                    self.focus = Pane::Detail;
                }
            }
        }
    }

    /// Esc: undoes one step, the innermost first: the pane in focus, the
    /// filter, the timeline's range, then the screen.
    pub(super) fn back(&mut self) {
        if self.focus != Pane::List {
            self.focus = Pane::List;
        } else if self.current_list().filter.is_some() {
            self.current_list_mut().clear_filter();
            self.refresh_side();
        } else if self.view == View::Timeline
            && (self.timeline.range.is_some() || self.timeline.anchor.is_some())
        {
            self.timeline.range = None;
            self.timeline.anchor = None;
            if let Some(data) = self.data.clone() {
                self.rebuild_timeline(&data);
            }
        } else if self.view != View::Tasks {
            self.switch(View::Tasks);
        }
    }

    /// Moves `delta` rows among the filter's matches.
    pub(super) fn next_match(&mut self, delta: isize) {
        if self.current_list().filter.is_none() {
            self.tell("no filter: press / to set one", Level::Info);
        } else {
            self.move_selection(delta);
        }
    }

    /// Selects the next (or previous) finding in the list in view.
    pub(super) fn next_finding(&mut self, data: &Data, forward: bool) {
        let is_finding = |e: u32| data.source(e).is_some_and(Source::gives_findings);
        self.jump_to(forward, is_finding, "finding");
    }

    /// Selects the next marked event in the list in view.
    pub(super) fn next_mark(&mut self, data: &Data) {
        let marked = |e: u32| {
            let event = &data.incident.events[e as usize];
            self.session
                .annotations
                .is_marked(&annotations::event_anchor(event, &data.bundle.manifest))
        };
        let row = self.current_list().find_from_selection(true, marked);
        match row {
            Some(row) => {
                self.current_list_mut().select(row);
                self.refresh_side();
            }
            None => self.tell("no marked events here", Level::Info),
        }
    }

    /// Selects the next (or previous) event `wanted` in a list of events.
    fn jump_to(&mut self, forward: bool, wanted: impl Fn(u32) -> bool, what: &str) {
        if self.view == View::Tasks {
            self.tell(
                format!("open a timeline to move between {what}s"),
                Level::Info,
            );
            return;
        }
        match self.current_list().find_from_selection(forward, wanted) {
            Some(row) => {
                self.current_list_mut().select(row);
                self.focus = Pane::List;
                self.refresh_side();
            }
            None => self.tell(format!("no {what} here"), Level::Info),
        }
    }
}
