//! The console's state and the router that feeds it: a key goes to the popup
//! in front, or becomes an [`Action`] that [`App::perform`] hands to the
//! topic that does it; what only the event loop can do comes back as an
//! [`Effect`]. Drawing is in `ui`; the event loop is in `tui/mod.rs`.
//!
//! The behaviour lives in one file per topic, each an `impl App` block or
//! a part with one job: `loading` (data arriving, live collection),
//! `reload` (keeping the user's place across a reload), `navigation`,
//! `selection`, `layout` (areas and the mouse), `side` (the detail pane and
//! task context), `filtering`, `annotating`, `commands` (the palette,
//! prompts, copy and export) and `actions` (response actions, and leaving
//! while one runs).

mod actions;
mod annotating;
mod commands;
mod filtering;
mod layout;
mod loading;
mod navigation;
mod reload;
mod selection;
mod sequence;
mod side;

pub use loading::Session;

use super::data::Data;
use super::effect::Effect;
use super::keymap::Keymap;
use super::keys::{Action, Layer};
use super::popups::help::Help;
use super::popups::palette::Palette;
use super::popups::{KeyContext, Popup, Request};
use super::screens::detail::Detail;
use super::screens::findings::FindingsView;
use super::screens::tasks::TasksView;
use super::screens::timeline::TimelineView;
use super::screens::{Areas, Pane, Scene, View};
use super::status::Level;
use crate::model::Timestamp;
use crate::respond::plan::ActionKind;
use crate::theme::Theme;
use actions::Response;
use filtering::Filtering;
use ratatui::crossterm::event::KeyEvent;
use side::Side;
use std::sync::Arc;

/// The whole console state: the screens in front (public, for drawing and
/// tests) and the parts that do the work behind them.
pub struct App {
    /// Loaded data, once the loader is done.
    pub data: Option<Arc<Data>>,
    /// Around the data: what the loader is doing, live collection, the
    /// bundle's annotations.
    pub session: Session,
    /// The screen shown.
    pub view: View,
    /// The pane with the keyboard.
    pub focus: Pane,
    /// Tasks view state.
    pub tasks: TasksView,
    /// Timeline view state.
    pub timeline: TimelineView,
    /// Findings board state.
    pub findings: FindingsView,
    /// Detail pane of the selected event.
    pub detail: Detail,
    /// The open popup.
    pub popup: Option<Popup>,
    /// The status-line message.
    pub status: Option<(String, Level)>,
    /// Where everything goes on the screen, as last laid out.
    pub areas: Areas,
    /// Key bindings.
    pub keymap: Keymap,
    /// Colours and styles.
    pub theme: Theme,
    /// "Now", for relative times (fixed in tests).
    pub now: Timestamp,
    /// Who notes are signed by.
    pub author: String,
    /// Task to open once loaded (`--task`).
    pub open_task: Option<String>,
    /// Where exports are written (the current directory).
    pub export_dir: std::path::PathBuf,
    /// What the side panes are read from.
    side: Side,
    /// The filter worker and what it searches.
    filtering: Filtering,
    /// Response actions, when allowed, and leaving while one runs.
    response: Response,
    /// Called from worker threads when they have something to show.
    notify: Arc<dyn Fn() + Send + Sync>,
    /// Data just taken in whose background work starts once its first
    /// frame is drawn (see [`App::start_warming`]).
    warming: Option<Arc<Data>>,
}

impl App {
    /// A console waiting for data. `notify` is called from worker threads
    /// when they have something to show.
    pub fn new(
        keymap: Keymap,
        theme: Theme,
        author: String,
        notify: impl Fn() + Send + Sync + 'static,
    ) -> App {
        let notify: Arc<dyn Fn() + Send + Sync> = Arc::new(notify);
        App {
            data: None,
            session: Session::default(),
            view: View::Tasks,
            focus: Pane::List,
            tasks: TasksView::default(),
            timeline: TimelineView::default(),
            findings: FindingsView::default(),
            detail: Detail::default(),
            popup: None,
            status: None,
            areas: Areas::default(),
            keymap,
            theme,
            now: crate::model::time::now(),
            author,
            open_task: None,
            export_dir: std::path::PathBuf::from("."),
            side: Side::default(),
            filtering: Filtering::spawn(&notify),
            response: Response::default(),
            notify,
            warming: None,
        }
    }

    /// Handles a key press; returns what the event loop is to do.
    pub fn on_key(&mut self, key: KeyEvent) -> Option<Effect> {
        if self.popup.is_some() {
            return self.on_popup_key(key);
        }
        let action = self.keymap.action(&key)?;
        self.status = self
            .status
            .take()
            .filter(|(_, level)| *level != Level::Info);
        self.perform(action)
    }

    /// Hands a key to the open popup, then does what it asks.
    fn on_popup_key(&mut self, key: KeyEvent) -> Option<Effect> {
        let mut popup = self.popup.take()?;
        let mut context = KeyContext {
            keymap: &self.keymap,
            actions: self.response.actions.as_mut(),
        };
        let reply = popup.part_mut().on_key(&key, &mut context);
        if !reply.close {
            self.popup = Some(popup);
        }
        match reply.request? {
            Request::Filter(query) => self.apply_filter(query),
            Request::Submit(kind, text) => self.submit_prompt(kind, text),
            Request::Run(command) => return self.run_command(command),
            Request::Export(format) => self.export(format),
            Request::Quit => return Some(Effect::Quit),
            Request::Reload => return Some(Effect::Reload),
        }
        None
    }

    /// Does what an action asks, in the current view and focus; returns
    /// what the event loop is to do.
    pub fn perform(&mut self, action: Action) -> Option<Effect> {
        match action {
            Action::Quit => return Some(Effect::Quit),
            Action::Help => {
                self.popup = Some(Popup::Help(Help::new(Layer::Global)));
                return None;
            }
            _ => {}
        }
        let data = self.data.clone()?;
        match action {
            Action::MoveDown => self.move_selection(1),
            Action::MoveUp => self.move_selection(-1),
            Action::PageDown => self.move_selection(self.page()),
            Action::PageUp => self.move_selection(-self.page()),
            Action::Top => self.move_selection(isize::MIN / 2),
            Action::Bottom => self.move_selection(isize::MAX / 2),
            Action::MoveLeft => self.horizontal(-1),
            Action::MoveRight => self.horizontal(1),
            Action::NextPane => self.cycle_focus(true),
            Action::PrevPane => self.cycle_focus(false),
            Action::Open => self.open(&data),
            Action::Back => self.back(),
            Action::TasksView => self.switch(View::Tasks),
            Action::TimelineView => self.switch(View::Timeline),
            Action::FindingsView => self.switch(View::Findings),
            Action::Filter => self.prompt_filter(),
            Action::NextMatch => self.next_match(1),
            Action::PrevMatch => self.next_match(-1),
            Action::NextFinding => self.next_finding(&data, true),
            Action::PrevFinding => self.next_finding(&data, false),
            Action::NextMark => self.next_mark(&data),
            Action::CycleSource => self.cycle_source(&data),
            Action::ToggleTime => self.timeline.time_mode = self.timeline.time_mode.next(),
            Action::SelectRange => self.select_range(&data),
            Action::ToggleSignals => self.toggle_signals(&data),
            Action::Sort => self.cycle_sort(&data),
            Action::Group => self.cycle_grouping(&data),
            Action::Palette => self.popup = Some(Popup::Palette(Palette::new(&data, &self.keymap))),
            Action::Mark => self.toggle_mark(&data),
            Action::Note => self.prompt_note(),
            Action::Tag => self.prompt_tag(),
            Action::Copy => return self.copy(&data),
            Action::Export => self.choose_export(),
            Action::Isolate => self.start_action(&data, ActionKind::Isolate),
            Action::Rollback => self.start_action(&data, ActionKind::Rollback),
            Action::Quit | Action::Help => {}
            // The popups' actions: no screen key is bound to them.
            Action::Submit
            | Action::Cancel
            | Action::NextItem
            | Action::PrevItem
            | Action::Toggle
            | Action::Close
            | Action::DeleteChar
            | Action::ClearLine
            | Action::DeleteWord => {}
        }
        None
    }

    /// What the screens read to draw `data`, besides their own state.
    pub fn scene<'a>(&'a self, data: &'a Data) -> Scene<'a> {
        Scene {
            data,
            theme: &self.theme,
            focus: self.focus,
            now: self.now,
            annotations: &self.session.annotations,
            context: self.side.context.as_ref(),
            areas: &self.areas,
        }
    }

    /// Puts `line` on the status line at `level`.
    fn tell(&mut self, line: impl Into<String>, level: Level) {
        self.status = Some((line.into(), level));
    }
}
