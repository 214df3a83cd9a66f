//! What the lists hold: the fuzzy filter (run on its worker, over
//! raw-record text too for a task's timeline), filters a reload left
//! without results, and the timeline's source and time range and the tasks'
//! order and grouping, each of which rebuilds a list.

use super::App;
use crate::tui::data::Data;
use crate::tui::filter::{Filter, HaystackSource};
use crate::tui::raw_text::{positions_in, RawText};
use crate::tui::screens::{Pane, View};
use crate::tui::status::Level;
use std::sync::Arc;

/// The filter machinery: its worker, the views whose filter a reload left
/// without results, and the raw-record text a task's timeline is filtered
/// over.
pub(super) struct Filtering {
    /// Runs filters off the UI thread.
    worker: Filter,
    /// Views whose filter lost its results in a reload: run again when shown.
    pub(super) stale: Vec<View>,
    /// Raw-record text of the tasks, read on a worker.
    pub(super) raw_text: RawText,
    /// The timeline's filter ran over raw-record text.
    raw_filtered: bool,
}

impl Filtering {
    /// Starts the filter worker; it calls `notify` when it has results.
    pub(super) fn spawn(notify: &Arc<dyn Fn() + Send + Sync>) -> Filtering {
        let notify = Arc::clone(notify);
        Filtering {
            worker: Filter::spawn(move || notify()),
            stale: Vec::new(),
            raw_text: RawText::default(),
            raw_filtered: false,
        }
    }

    /// Forgets what belonged to the data before a reload.
    pub(super) fn forget(&mut self) {
        self.raw_text = RawText::default();
        self.raw_filtered = false;
        self.stale.clear();
    }
}

impl App {
    /// Runs the fuzzy filter `query` over the list in focus ("" clears it).
    pub fn apply_filter(&mut self, query: String) {
        let Some(data) = self.data.clone() else {
            return;
        };
        if query.trim().is_empty() {
            self.current_list_mut().clear_filter();
            self.refresh_side();
            return;
        }
        let raw_text = match (self.view, self.timeline.task) {
            (View::Timeline, Some(task)) => {
                let notify = Arc::clone(&self.notify);
                self.filtering.raw_text.request(&data, task, notify);
                self.filtering.raw_text.get(task).map(|text| (task, text))
            }
            _ => None,
        };
        let (haystacks, scope): (HaystackSource, Vec<u32>) = match (self.view, raw_text) {
            (View::Tasks, _) => {
                let text = Arc::clone(&data.task_text);
                (Box::new(move || text), Vec::new())
            }
            (View::Timeline, Some((task, text))) => {
                let positions =
                    positions_in(&data.incident.timelines[task], &self.timeline.list.base);
                (Box::new(move || text), positions)
            }
            _ => {
                let data = Arc::clone(&data);
                (Box::new(move || data.event_text()), Vec::new())
            }
        };
        if self.view == View::Timeline {
            self.filtering.raw_filtered = !scope.is_empty() || self.timeline.list.base.is_empty();
        }
        let scope = if scope.is_empty() {
            Arc::clone(&self.current_list().base)
        } else {
            Arc::new(scope)
        };
        let generation = self.filtering.worker.submit(&query, haystacks, Some(scope));
        self.current_list_mut().start_filter(query, generation);
    }

    /// Takes in filter results; returns whether the screen changed.
    pub fn poll_filter(&mut self) -> bool {
        // Raw-record text just arrived for a filtered timeline: filter again with it.
        if let (Some(task), Some(filter)) = (self.timeline.task, &self.timeline.list.filter) {
            if !self.filtering.raw_filtered && self.filtering.raw_text.get(task).is_some() {
                let query = filter.query.clone();
                let wanted = self.timeline.list.wanted;
                let selected = wanted.or(self.timeline.list.selected_item());
                let view = std::mem::replace(&mut self.view, View::Timeline);
                self.apply_filter(query);
                self.view = view;
                self.timeline.list.wanted = selected;
            }
        }
        let progress = self.filtering.worker.progress();
        let changed = self.tasks.list.accept(&progress)
            | self.timeline.list.accept(&progress)
            | self.findings.list.accept(&progress);
        if changed {
            self.refresh_side();
        }
        changed
    }

    /// Runs the filter of the list in view again if a reload left it without
    /// results, keeping the item it was to select.
    pub(super) fn rerun_stale_filter(&mut self) {
        let stale = &mut self.filtering.stale;
        let Some(at) = stale.iter().position(|v| *v == self.view) else {
            return;
        };
        stale.remove(at);
        let list = self.current_list();
        let (Some(query), wanted) = (list.filter.as_ref().map(|f| f.query.clone()), list.wanted)
        else {
            return;
        };
        self.apply_filter(query);
        self.current_list_mut().wanted = wanted;
    }

    /// Rebuilds the timeline (its source or range changed) and runs its
    /// filter again.
    pub(super) fn rebuild_timeline(&mut self, data: &Data) {
        if let Some(query) = self.timeline.rebuild(data) {
            self.apply_filter(query);
        }
        self.refresh_side();
    }

    /// Rebuilds the tasks list (its order or grouping changed) and runs its
    /// filter again.
    fn rebuild_tasks(&mut self, data: &Data) {
        if let Some(query) = self.tasks.rebuild(data) {
            self.apply_filter(query);
        }
        self.refresh_side();
    }

    /// Shows the timeline's next source (all, then each in turn).
    pub(super) fn cycle_source(&mut self, data: &Data) {
        if self.view == View::Timeline {
            self.timeline.source = self.timeline.next_source(data);
            self.rebuild_timeline(data);
        }
    }

    /// Orders the tasks by the next sort key.
    pub(super) fn cycle_sort(&mut self, data: &Data) {
        self.tasks.sort = self.tasks.sort.next();
        self.rebuild_tasks(data);
    }

    /// Groups the tasks by the next grouping.
    pub(super) fn cycle_grouping(&mut self, data: &Data) {
        self.tasks.grouping = self.tasks.grouping.next();
        self.rebuild_tasks(data);
    }

    /// On the histogram: sets the range's start, or at the second press
    /// narrows the timeline to the range between the two.
    pub(super) fn select_range(&mut self, data: &Data) {
        if self.view != View::Timeline {
            return;
        }
        self.focus = Pane::Histogram;
        match self.timeline.anchor.take() {
            None => {
                self.timeline.anchor = Some(self.timeline.cursor);
                let line = "range start set: move and press v (or Enter) again";
                self.tell(line, Level::Info);
            }
            Some(anchor) => {
                let (a, b) = (
                    anchor.min(self.timeline.cursor),
                    anchor.max(self.timeline.cursor),
                );
                let from = self.timeline.bucket_time(a, false);
                let to = self.timeline.bucket_time(b, true);
                self.timeline.range = from.zip(to);
                self.rebuild_timeline(data);
            }
        }
    }
}
