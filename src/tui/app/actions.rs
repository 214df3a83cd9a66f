//! Response actions from the console: starting one on the task in
//! question, taking in the worker's reports, and leaving at a signal once a
//! running plan has recorded its result.

use super::App;
use crate::respond::plan::ActionKind;
use crate::respond::suspects::RollbackHistory;
use crate::tui::data::Data;
use crate::tui::popups::Popup;
use crate::tui::respond::flow::ActionFlow;
use crate::tui::respond::{request, ActionAccess, Actions, ACTIONS_OFF};
use crate::tui::screens::View;
use crate::tui::status::Level;
use std::sync::Arc;

/// Response actions, when allowed, and whether a signal asked the console
/// to leave while a plan ran.
#[derive(Default)]
pub(super) struct Response {
    /// The action worker; None keeps the console read-only.
    pub(super) actions: Option<Actions>,
    /// Set when a signal asked the console to leave while a plan ran: it
    /// leaves once the plan has written its result.
    leaving: bool,
}

impl App {
    /// Allows response actions (the `i` and `r` keys) through `access`; the
    /// title bar then says ACTIONS ON instead of READ-ONLY.
    pub fn enable_actions(&mut self, access: ActionAccess) {
        self.response.actions = Some(Actions::new(access, Arc::clone(&self.notify)));
    }

    /// Whether response actions are allowed.
    pub fn actions_enabled(&self) -> bool {
        self.response.actions.is_some()
    }

    /// Whether a confirmed plan is running on the action worker.
    pub fn action_running(&self) -> bool {
        matches!(&self.popup, Some(Popup::Action(flow)) if flow.is_running())
    }

    /// A signal (`why`) asks the console to leave. Returns true when it may
    /// leave now; while a plan runs, the plan is interrupted (it finishes
    /// its call in flight and records an `interrupted` result) and the
    /// console leaves once that has arrived, or at a second signal.
    pub fn terminate(&mut self, why: &str) -> bool {
        if self.response.leaving || !self.action_running() {
            return true;
        }
        if let Some(actions) = &self.response.actions {
            actions.interrupt(why);
        }
        self.response.leaving = true;
        let line = format!("{why}: stopping the action after its call in flight, then leaving");
        self.tell(line, Level::Info);
        false
    }

    /// Whether the console should leave now: a signal came and no plan is
    /// running any more.
    pub fn should_leave(&self) -> bool {
        self.response.leaving && !self.action_running()
    }

    /// Takes in what the action worker reported; returns whether anything
    /// arrived. Reports for an action no longer on screen are dropped.
    pub fn poll_actions(&mut self) -> bool {
        let Some(actions) = &mut self.response.actions else {
            return false;
        };
        let reports = actions.reports();
        if reports.is_empty() {
            return false;
        }
        if let Some(Popup::Action(flow)) = &mut self.popup {
            for (job, report) in reports {
                flow.take(job, report);
            }
        }
        true
    }

    /// Starts planning an action on the task in question (tasks view or a
    /// task's timeline); says on the status line why it cannot start.
    pub(super) fn start_action(&mut self, data: &Data, kind: ActionKind) {
        let task = match self.view {
            View::Tasks | View::Timeline => self.selected_task(),
            View::Findings => None,
        };
        let Some(actions) = &mut self.response.actions else {
            self.tell(ACTIONS_OFF, Level::Info);
            return;
        };
        let Some(task) = task else {
            let line = "select a task (tasks view, or open its timeline) to act on it";
            self.tell(line, Level::Info);
            return;
        };
        let facts = &data.incident.tasks[task];
        let asked = match kind {
            ActionKind::Isolate => {
                request::isolate(facts, &data.bundle.root, crate::model::time::now())
            }
            // Read again: the audit log may have grown since the bundle opened.
            ActionKind::Rollback => RollbackHistory::at(&data.bundle.root)
                .and_then(|history| request::rollback(facts, history)),
            ActionKind::Undo => {
                Err("undo is not offered in the console: run taskscope undo BUNDLE".into())
            }
        };
        match asked {
            Ok(asked) => {
                let flow = ActionFlow::start(actions, asked, data.bundle.root.clone());
                self.popup = Some(Popup::Action(Box::new(flow)));
            }
            Err(why) => self.tell(why, Level::Info),
        }
    }
}
