//! The side pane beside the list: the detail of the selected event (its key
//! facts and raw record) or the context of the selected task.

use super::App;
use crate::inspect::context::{task_context, ContextIndex, TaskContext};
use crate::inspect::facts::key_facts;
use crate::inspect::tree::JsonTree;
use crate::model::Event;
use crate::raw::{RawError, RawReader};
use crate::tui::data::Data;
use crate::tui::screens::detail::Detail;
use serde_json::Value;

/// What the side pane is read from: the loaded bundle's raw records and
/// context index, and the context of the task last shown.
#[derive(Default)]
pub(super) struct Side {
    /// Reads events' raw records.
    raw: Option<RawReader>,
    /// What task contexts are worked out from.
    index: Option<ContextIndex>,
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
    pub(super) fn of(data: &Data, index: ContextIndex) -> Side {
        Side {
            raw: Some(RawReader::for_bundle(&data.bundle)),
            index: Some(index),
            context: None,
        }
    }
}

impl App {
    /// Reloads the detail pane or task context for the new selection.
    pub fn refresh_side(&mut self) {
        let Some(data) = self.data.clone() else {
            return;
        };
        if let Some(task) = self.selected_task() {
            if self.side.context.as_ref().is_none_or(|(t, _)| *t != task) {
                if let Some(index) = &self.side.index {
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
