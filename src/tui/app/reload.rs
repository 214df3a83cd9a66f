//! Keeping the user's place when the bundle is read again (live collection
//! storing more, or an action writing its audit log): the screen, the task
//! whose timeline is open, the selections and the filters.

use super::App;
use crate::tui::data::Data;
use crate::tui::list::{ActiveFilter, List};
use crate::tui::place::{self, Place};
use crate::tui::popups::Popup;
use crate::tui::screens::detail::Detail;
use crate::tui::screens::View;
use std::sync::Arc;

impl App {
    /// Rebuilds every view over newly loaded data at the same place: the
    /// view, the task whose timeline is open, the selected task, event and
    /// finding, and the filters (run again; the selection follows once the
    /// filter reaches it).
    pub(super) fn return_to(&mut self, place: Place, data: &Arc<Data>) {
        self.filtering.forget();
        if let Some(Popup::Palette(palette)) = &mut self.popup {
            palette.rebuild(data, &self.keymap);
        }
        self.tasks.list = List::default();
        self.tasks.rebuild(data);
        self.timeline.task = place
            .timeline_task
            .as_deref()
            .and_then(|id| place::task_index(data, id));
        self.timeline.list = List::default();
        self.timeline.rebuild(data);
        for view in [View::Tasks, View::Timeline, View::Findings] {
            let wanted = place.list(view).selected.as_deref();
            let item = match view {
                View::Tasks => wanted
                    .and_then(|id| place::task_index(data, id))
                    .map(|task| task as u32),
                _ => wanted
                    .and_then(|anchor| place::event_index(data, &self.list(view).base, anchor)),
            };
            let list = self.list_mut(view);
            match place.list(view).query.clone() {
                None => {
                    if let Some(item) = item {
                        list.select_item(item);
                    }
                }
                Some(query) => {
                    // Generation 0 answers no request: no rows until run again.
                    list.filter = Some(ActiveFilter {
                        query,
                        ..ActiveFilter::default()
                    });
                    list.wanted = item;
                    self.filtering.stale.push(view);
                }
            }
        }
        let detail = place
            .detail
            .as_deref()
            .and_then(|anchor| place::event_index(data, &self.current_list().base, anchor));
        match detail {
            Some(event) => self.detail.event = Some(event),
            None => self.detail = Detail::default(),
        }
        self.rerun_stale_filter();
    }
}
