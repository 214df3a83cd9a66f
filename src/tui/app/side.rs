//! The side pane beside the list: the detail of the selected event (its key
//! facts and raw record) or the context of the selected task.

use super::App;
use crate::inspect::context::{task_context, TaskContext};
use crate::inspect::facts::key_facts;
use crate::inspect::tree::JsonTree;
use crate::model::Event;
use crate::raw::{RawError, RawReader};
use crate::tui::data::Data;
use crate::tui::screens::detail::Detail;
use serde_json::Value;

/// What the side pane is read from: the loaded bundle's raw records, and
/// the context of the task last shown (worked out from the data's context
/// index once that is gathered).
#[derive(Default)]
pub(super) struct Side {
    /// Reads events' raw records.
    raw: Option<RawReader>,
    /// Context of the selected task: (task, context).
    pub(super) context: Option<(usize, TaskContext)>,
}

impl Side {
    /// The raw record `event` was read from (its first copy); None when no
    /// bundle is loaded or the event has no raw copy.
    pub(super) fn record(&mut self, event: &Event) -> Option<Result<Value, RawError>> {
        let first = event.raw.first()?;
        Some(self.raw.as_mut()?.record(first))
    }

    /// The side of newly loaded `data`; no task context is worked out yet.
    pub(super) fn of(data: &Data) -> Side {
        Side {
            raw: Some(RawReader::for_bundle(&data.bundle)),
            context: None,
        }
    }
}

impl App {
    /// Shows the selected task's context once the worker has gathered what
    /// it is worked out from (see [`crate::tui::data::warm_context_index`]).
    pub fn poll_context(&mut self) {
        let waiting = self.selected_task().is_some_and(|task| {
            self.side
                .context
                .as_ref()
                .is_none_or(|(shown, _)| *shown != task)
        });
        if waiting
            && self
                .data
                .as_ref()
                .is_some_and(|d| d.context_index().is_some())
        {
            self.refresh_side();
        }
    }

    /// Reloads the detail pane or task context for the new selection.
    pub fn refresh_side(&mut self) {
        let Some(data) = self.data.clone() else {
            return;
        };
        if let Some(task) = self.selected_task() {
            if self.side.context.as_ref().is_none_or(|(t, _)| *t != task) {
                if let Some(index) = data.context_index() {
                    self.side.context = Some((task, task_context(&data.incident, index, task)));
                }
            }
        }
        let event = self.selected_event();
        if event == self.detail.event {
            return;
        }
        self.detail = Detail {
            event,
            ..Detail::default()
        };
        let (Some(event_index), Some(raw)) = (event, self.side.raw.as_mut()) else {
            return;
        };
        let event = &data.incident.events[event_index as usize];
        let Some(first) = event.raw.first() else {
            return;
        };
        match raw.record(first) {
            Ok(value) => {
                self.detail.facts = key_facts(event, &value);
                self.detail.tree = Some(JsonTree::new(&value));
            }
            Err(error) => self.detail.error = Some(error.to_string()),
        }
    }
}
