//! The key help overlay: every layer's actions with the keys in force, the
//! layer the help was opened from first. It scrolls with the screens'
//! movement keys; any other key closes it.

use super::{quits, KeyContext, Look, PopupPart, Reply, Request};
use crate::tui::keys::{Action, Layer, Section, DEFAULT_BINDINGS};
use crate::tui::widgets::{centered, pane_block};
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

/// The help overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Help {
    /// Lines scrolled.
    pub scroll: usize,
    /// The layer listed first: where the help was asked for.
    pub first: Layer,
}

impl Help {
    /// The help, listing `first`'s keys first.
    pub fn new(first: Layer) -> Help {
        Help { scroll: 0, first }
    }

    /// The help's lines: each section with the keys in force.
    fn lines(&self, look: &Look) -> Vec<Line<'static>> {
        let theme = look.theme;
        let first = Section::ALL.iter().filter(|s| s.layer() == self.first);
        let rest = Section::ALL.iter().filter(|s| s.layer() != self.first);
        let mut lines = Vec::new();
        for &section in first.chain(rest) {
            lines.push(Line::from(Span::styled(
                section.title(),
                theme.header.add_modifier(Modifier::BOLD),
            )));
            for binding in DEFAULT_BINDINGS.iter().filter(|b| b.section == section) {
                let keys = look
                    .keymap
                    .keys_in(binding.layer(), binding.action)
                    .join(" ");
                lines.push(Line::from(vec![
                    Span::styled(format!("  {keys:<18}"), theme.key_hint),
                    Span::raw(binding.help),
                ]));
            }
            lines.push(Line::from(""));
        }
        lines.push(Line::from(Span::styled(
            "Mouse: wheel scrolls the pane under it, click selects a row, a tab or a histogram bucket.",
            theme.dim,
        )));
        lines
    }
}

impl PopupPart for Help {
    fn on_key(&mut self, key: &KeyEvent, context: &mut KeyContext) -> Reply {
        if quits(key, context.keymap) {
            return Reply::close_with(Request::Quit);
        }
        match context.keymap.action(key) {
            Some(Action::MoveDown) => self.scroll += 1,
            Some(Action::MoveUp) => self.scroll = self.scroll.saturating_sub(1),
            _ => return Reply::close(),
        }
        Reply::stay()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, look: &Look) {
        let rect = centered(area, 76, area.height.saturating_sub(2));
        frame.render_widget(Clear, rect);
        let block = pane_block(
            " Keys (config: docs/config.md) — Esc closes ",
            true,
            look.theme,
        );
        let paragraph = Paragraph::new(self.lines(look))
            .block(block)
            .style(look.theme.base)
            .wrap(Wrap { trim: false })
            .scroll((self.scroll as u16, 0));
        frame.render_widget(paragraph, rect);
    }
}
