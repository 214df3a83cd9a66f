//! A response action as a popup: the flow in `respond` takes the keys of
//! the confirm layer and the worker's reports; this puts it behind
//! [`PopupPart`] like every other popup.

use super::{quits, KeyContext, Look, PopupPart, Reply, Request};
use crate::tui::respond::flow::{ActionFlow, After};
use crate::tui::respond::view;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::Frame;

impl PopupPart for ActionFlow {
    fn on_key(&mut self, key: &KeyEvent, context: &mut KeyContext) -> Reply {
        if quits(key, context.keymap) && !self.is_running() {
            return Reply::close_with(Request::Quit);
        }
        let Some(actions) = context.actions.as_deref_mut() else {
            return Reply::close();
        };
        match self.handle_key(key, context.keymap, actions) {
            After::Stay => Reply::stay(),
            After::Close => Reply::close(),
            After::CloseAndReload => Reply::close_with(Request::Reload),
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, look: &Look) {
        view::draw(frame, self, look.theme, look.keymap, area);
    }
}
