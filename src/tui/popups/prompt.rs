//! The one-line text prompt at the bottom of the screen: the filter (run as
//! you type), a note, a tag. Its keys are the prompt layer's.

use super::{KeyContext, Look, PopupPart, Reply, Request};
use crate::tui::keys::{Action, Layer};
use crate::tui::line_edit::edit_line;
use crate::tui::text::clip;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

/// What a prompt's text is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// The fuzzy filter (applied as you type).
    Filter,
    /// A note on the selected event or task.
    Note,
    /// A tag on the selected event.
    Tag,
}

impl PromptKind {
    /// The prompt's label.
    pub fn label(self) -> &'static str {
        match self {
            PromptKind::Filter => "/",
            PromptKind::Note => "note: ",
            PromptKind::Tag => "tag: ",
        }
    }
}

/// A one-line editor.
#[derive(Debug, Clone)]
pub struct Prompt {
    /// What it is for.
    pub kind: PromptKind,
    /// The text typed so far.
    pub input: String,
}

impl Prompt {
    /// A prompt holding `input`.
    pub fn new(kind: PromptKind, input: String) -> Prompt {
        Prompt { kind, input }
    }
}

impl PopupPart for Prompt {
    fn on_key(&mut self, key: &KeyEvent, context: &mut KeyContext) -> Reply {
        let filter = self.kind == PromptKind::Filter;
        match context.keymap.action_in(Layer::Prompt, key) {
            Some(Action::Cancel) if filter => Reply::close_with(Request::Filter(String::new())),
            Some(Action::Cancel) => Reply::close(),
            Some(Action::Submit) => {
                Reply::close_with(Request::Submit(self.kind, self.input.trim().to_string()))
            }
            _ => {
                edit_line(&mut self.input, key, context.keymap);
                if filter {
                    Reply::stay_with(Request::Filter(self.input.clone()))
                } else {
                    Reply::stay()
                }
            }
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, look: &Look) {
        let theme = look.theme;
        let rect = Rect::new(area.x, area.bottom().saturating_sub(1), area.width, 1);
        frame.render_widget(Clear, rect);
        let line = Line::from(vec![
            Span::styled(self.kind.label(), theme.key_hint),
            Span::styled(clip(&self.input, 400), theme.base),
            Span::styled("█", theme.dim),
        ]);
        frame.render_widget(Paragraph::new(line).style(theme.base), rect);
    }
}
