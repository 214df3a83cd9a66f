//! What is selected: the list of each screen, and the task and event in
//! question in the screen shown.

use super::App;
use crate::tui::list::List;
use crate::tui::screens::View;

impl App {
    /// The list in focus in the current view.
    pub fn current_list(&self) -> &List {
        self.list(self.view)
    }

    /// The list in focus in the current view, to change.
    pub(super) fn current_list_mut(&mut self) -> &mut List {
        self.list_mut(self.view)
    }

    /// The main list of `view`.
    pub fn list(&self, view: View) -> &List {
        match view {
            View::Tasks => &self.tasks.list,
            View::Timeline => &self.timeline.list,
            View::Findings => &self.findings.list,
        }
    }

    /// The main list of `view`, to change.
    pub(super) fn list_mut(&mut self, view: View) -> &mut List {
        match view {
            View::Tasks => &mut self.tasks.list,
            View::Timeline => &mut self.timeline.list,
            View::Findings => &mut self.findings.list,
        }
    }

    /// The event selected in the timeline or findings board.
    pub fn selected_event(&self) -> Option<u32> {
        match self.view {
            View::Tasks => None,
            View::Timeline => self.timeline.list.selected_item(),
            View::Findings => self.findings.list.selected_item(),
        }
    }

    /// The task in question: selected in the tasks view, shown in the
    /// timeline, or the finding's task on the board.
    pub fn selected_task(&self) -> Option<usize> {
        let data = self.data.as_ref()?;
        match self.view {
            View::Tasks => self.tasks.list.selected_item().map(|t| t as usize),
            View::Timeline => self.timeline.task,
            View::Findings => {
                let event = &data.incident.events[self.findings.list.selected_item()? as usize];
                event.links.first().map(|l| l.task)
            }
        }
    }
}
