//! One action from key press to result, as a popup that moves through its
//! stages: planning (the worker reads AWS), the plan (steps chosen with
//! space), the typed confirmation, progress, and the result. Only the exact
//! confirmation text sends the plan to the worker; a refused plan, or one
//! with nothing to run, never reaches the confirmation.

use super::run::Run;
use super::worker::{Job, Report};
use super::Actions;
use crate::respond::outcome::Outcome;
use crate::respond::{unfinished, Plan};
use crate::tui::keymap::Keymap;
use crate::tui::keys::{Action, Layer};
use crate::tui::line_edit::edit_line;
use ratatui::crossterm::event::KeyEvent;
use std::path::PathBuf;

/// A plan on screen, with the step under the cursor.
#[derive(Debug, Clone)]
pub struct Review {
    /// The plan, with the steps as selected so far.
    pub plan: Plan,
    /// The step under the cursor (index into `plan.steps`).
    pub cursor: usize,
    /// Why the last key did nothing (raw text: escape before drawing).
    pub notice: Option<String>,
}

/// Where an action stands.
#[derive(Debug, Clone)]
pub enum Stage {
    /// The worker reads AWS and makes the plan.
    Planning,
    /// The plan, its steps chosen with space.
    Plan(Review),
    /// The confirmation text being typed.
    Confirm {
        /// The plan, kept to go back to.
        review: Review,
        /// What was typed so far.
        typed: String,
        /// Why Enter did not run it (raw text: escape before drawing).
        notice: Option<String>,
    },
    /// The confirmed plan runs.
    Running(Run),
    /// The plan has ended.
    Finished {
        /// What ran.
        run: Run,
        /// How it ended.
        outcome: Outcome,
        /// Lines scrolled.
        scroll: u16,
    },
    /// Planning failed, or the worker did (raw text: escape before drawing).
    Failed {
        /// What went wrong.
        error: String,
        /// Whether a confirmed plan may have run part way (then closing
        /// reads the bundle again).
        after_confirming: bool,
    },
}

/// What the console does after a key the popup handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// The popup stays open.
    Stay,
    /// The popup closes.
    Close,
    /// The popup closes and the bundle is read again: the audit log has
    /// new records.
    CloseAndReload,
}

/// One action in the console, from planning to result.
#[derive(Debug)]
pub struct ActionFlow {
    /// What it acts on (`isolate task 3f9c2d7e`; raw: escape before drawing).
    pub title: String,
    /// The bundle that receives the audit record (the open bundle).
    bundle: PathBuf,
    /// The job whose reports the flow takes.
    job: u64,
    /// Where it stands.
    pub stage: Stage,
}

impl ActionFlow {
    /// Asks the worker for the plan of `request` and waits for it.
    pub fn start(
        actions: &mut Actions,
        asked: super::request::Asked,
        bundle: PathBuf,
    ) -> ActionFlow {
        let job = actions.submit(Job::Plan(asked.request));
        ActionFlow {
            title: asked.title,
            bundle,
            job,
            stage: Stage::Planning,
        }
    }

    /// Whether a confirmed plan is running (the popup cannot be closed).
    pub fn is_running(&self) -> bool {
        matches!(self.stage, Stage::Running(_))
    }

    /// Takes in a report of job `job`; reports of other jobs (a plan
    /// cancelled earlier) are dropped.
    pub fn take(&mut self, job: u64, report: Report) {
        if job != self.job {
            return;
        }
        let stage = std::mem::replace(&mut self.stage, Stage::Planning);
        self.stage = match (stage, report) {
            (Stage::Planning, Report::Planned(mut plan)) => {
                // The last run on this target may not have ended.
                let warning = unfinished::warning(&self.bundle, &plan);
                plan.warnings.extend(warning);
                Stage::Plan(Review {
                    plan: *plan,
                    cursor: 0,
                    notice: None,
                })
            }
            (Stage::Planning, Report::Failed(error)) => Stage::Failed {
                error,
                after_confirming: false,
            },
            (Stage::Running(mut run), Report::Progress(progress)) => {
                run.record(progress);
                Stage::Running(run)
            }
            (Stage::Running(run), Report::Applied(outcome)) => Stage::Finished {
                run,
                outcome,
                scroll: 0,
            },
            (Stage::Running(_), Report::Failed(error)) => Stage::Failed {
                error,
                after_confirming: true,
            },
            (stage, _) => stage,
        };
    }

    /// Handles a key through the confirm layer of `keymap` (and, while the
    /// confirmation is typed, the prompt layer's editing keys); `actions`
    /// receives the plan once confirmed.
    pub fn handle_key(&mut self, key: &KeyEvent, keymap: &Keymap, actions: &mut Actions) -> After {
        let action = keymap.action_in(Layer::Confirm, key);
        let stage = std::mem::replace(&mut self.stage, Stage::Planning);
        let (stage, after) = match stage {
            Stage::Planning => match action {
                Some(Action::Cancel) => (Stage::Planning, After::Close),
                _ => (Stage::Planning, After::Stay),
            },
            Stage::Plan(review) => review_key(review, action),
            Stage::Confirm {
                review,
                typed,
                notice,
            } => self.confirm_key(review, typed, notice, key, keymap, actions),
            Stage::Running(run) => (Stage::Running(run), After::Stay),
            Stage::Finished {
                run,
                outcome,
                scroll,
            } => {
                let (scroll, after) = match action {
                    Some(Action::Cancel | Action::Submit | Action::Close) => {
                        (scroll, After::CloseAndReload)
                    }
                    Some(Action::NextItem) => (scroll.saturating_add(1), After::Stay),
                    Some(Action::PrevItem) => (scroll.saturating_sub(1), After::Stay),
                    _ => (scroll, After::Stay),
                };
                let stage = Stage::Finished {
                    run,
                    outcome,
                    scroll,
                };
                (stage, after)
            }
            Stage::Failed {
                error,
                after_confirming,
            } => {
                let closes = matches!(action, Some(Action::Cancel | Action::Submit));
                let after = match (closes, after_confirming) {
                    (true, true) => After::CloseAndReload,
                    (true, false) => After::Close,
                    (false, _) => After::Stay,
                };
                let stage = Stage::Failed {
                    error,
                    after_confirming,
                };
                (stage, after)
            }
        };
        self.stage = stage;
        after
    }

    /// The confirmation stage: submit runs the plan only when the typed text
    /// is exactly the plan's confirmation text; cancel goes back to the plan;
    /// other keys edit the text.
    fn confirm_key(
        &mut self,
        review: Review,
        mut typed: String,
        notice: Option<String>,
        key: &KeyEvent,
        keymap: &Keymap,
        actions: &mut Actions,
    ) -> (Stage, After) {
        match keymap.action_in(Layer::Confirm, key) {
            Some(Action::Cancel) => {
                let review = Review {
                    notice: Some("not confirmed: nothing ran".into()),
                    ..review
                };
                (Stage::Plan(review), After::Stay)
            }
            Some(Action::Submit) if typed == review.plan.confirm_with => {
                let confirmed_by = format!("typed {}", review.plan.confirm_with);
                let plan = review.plan;
                self.job = actions.submit(Job::Apply {
                    plan: Box::new(plan.clone()),
                    bundle: self.bundle.clone(),
                    confirmed_by: confirmed_by.clone(),
                });
                (Stage::Running(Run::new(plan, confirmed_by)), After::Stay)
            }
            Some(Action::Submit) => {
                let notice = format!(
                    "that is not {}: type it exactly to run the plan (nothing ran)",
                    review.plan.confirm_with
                );
                let stage = Stage::Confirm {
                    review,
                    typed,
                    notice: Some(notice),
                };
                (stage, After::Stay)
            }
            _ => {
                edit_line(&mut typed, key, keymap);
                let stage = Stage::Confirm {
                    review,
                    typed,
                    notice,
                };
                (stage, After::Stay)
            }
        }
    }
}

/// The plan stage: next and previous move, toggle selects or deselects an
/// available step, submit goes on to the confirmation (not for a refused
/// plan, or one with nothing to run), cancel cancels.
fn review_key(mut review: Review, action: Option<Action>) -> (Stage, After) {
    review.notice = None;
    let last = review.plan.steps.len().saturating_sub(1);
    match action {
        Some(Action::Cancel) => return (Stage::Plan(review), After::Close),
        Some(Action::NextItem) => review.cursor = (review.cursor + 1).min(last),
        Some(Action::PrevItem) => review.cursor = review.cursor.saturating_sub(1),
        Some(Action::Toggle) => {
            if let Some(step) = review.plan.steps.get_mut(review.cursor) {
                match &step.unavailable {
                    Some(why) => {
                        review.notice = Some(format!("{} will not run: {why}", step.id.name()))
                    }
                    None => step.selected = !step.selected,
                }
            }
        }
        Some(Action::Submit) => {
            if let Some(refusal) = &review.plan.refused {
                review.notice = Some(format!("REFUSED, it cannot run: {refusal}"));
            } else if !review.plan.steps.iter().any(|s| s.will_run()) {
                review.notice =
                    Some("nothing to do: every step is done already or deselected".into());
            } else {
                let stage = Stage::Confirm {
                    review,
                    typed: String::new(),
                    notice: None,
                };
                return (stage, After::Stay);
            }
        }
        _ => {}
    }
    (Stage::Plan(review), After::Stay)
}
