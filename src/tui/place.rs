//! The user's place in the console by identity (task IDs, event anchors)
//! rather than by index, so that it survives reading a growing bundle again:
//! new responses renumber tasks and events.

use super::data::Data;
use super::list::List;
use super::screens::timeline::TimelineView;
use super::screens::View;
use crate::bundle::annotations::event_anchor;

/// One list's place: the item selected (or about to be) and the filter.
#[derive(Debug, Clone, Default)]
pub struct ListPlace {
    /// The selected task's ID or event's anchor.
    pub selected: Option<String>,
    /// The filter query, when one is set.
    pub query: Option<String>,
}

/// Where the user is, in terms that outlive a reload.
#[derive(Debug, Clone, Default)]
pub struct Place {
    /// The tasks view: the selected task's ID.
    pub tasks: ListPlace,
    /// The task whose timeline is open (its ID); None for every event.
    pub timeline_task: Option<String>,
    /// The timeline: the selected event's anchor.
    pub timeline: ListPlace,
    /// The findings board: the selected finding's anchor.
    pub findings: ListPlace,
    /// The event whose detail pane is shown (its anchor).
    pub detail: Option<String>,
}

impl Place {
    /// The place shown by the three views' lists and the detail pane's
    /// event, all indexing into `data`.
    pub fn of(
        tasks: &List,
        timeline: &TimelineView,
        findings: &List,
        detail: Option<u32>,
        data: &Data,
    ) -> Place {
        let task_id = |task: u32| {
            data.incident
                .tasks
                .get(task as usize)
                .map(|facts| facts.id.clone())
        };
        let anchor = |event: u32| {
            data.incident
                .events
                .get(event as usize)
                .map(|e| event_anchor(e, &data.bundle.manifest))
        };
        Place {
            tasks: list_place(tasks, task_id),
            timeline_task: timeline.task.and_then(|t| task_id(t as u32)),
            timeline: list_place(&timeline.list, anchor),
            findings: list_place(findings, anchor),
            detail: detail.and_then(anchor),
        }
    }

    /// The place of one view's list.
    pub fn list(&self, view: View) -> &ListPlace {
        match view {
            View::Tasks => &self.tasks,
            View::Timeline => &self.timeline,
            View::Findings => &self.findings,
        }
    }
}

/// A list's place; an item still wanted from an earlier reload counts as selected.
fn list_place(list: &List, identity: impl Fn(u32) -> Option<String>) -> ListPlace {
    ListPlace {
        selected: list.wanted.or(list.selected_item()).and_then(identity),
        query: list.filter.as_ref().map(|f| f.query.clone()),
    }
}

/// The index of the task with this ID.
pub fn task_index(data: &Data, id: &str) -> Option<usize> {
    data.incident.tasks.iter().position(|task| task.id == id)
}

/// The first of `candidates` (event indices) with this anchor.
pub fn event_index(data: &Data, candidates: &[u32], anchor: &str) -> Option<u32> {
    candidates.iter().copied().find(|&event| {
        data.incident
            .events
            .get(event as usize)
            .is_some_and(|e| event_anchor(e, &data.bundle.manifest) == anchor)
    })
}
