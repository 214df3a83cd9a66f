//! The export chooser: the formats a task can be written in. Its keys are
//! the export layer's.

use super::{KeyContext, Look, PopupPart, Reply, Request};
use crate::export::ExportFormat;
use crate::tui::keys::{Action, Layer};
use crate::tui::widgets::{centered, pane_block};
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

/// The export chooser's entries: format and label.
pub const EXPORT_FORMATS: [(ExportFormat, &str); 4] = [
    (ExportFormat::Md, "Markdown incident report (.md)"),
    (ExportFormat::Csv, "Timeline as CSV (.csv)"),
    (ExportFormat::Json, "Timeline as JSON (.json)"),
    (ExportFormat::Timesketch, "Timesketch JSONL (.jsonl)"),
];

/// The export chooser, with a format highlighted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportChooser {
    /// The highlighted entry of [`EXPORT_FORMATS`].
    pub selected: usize,
}

impl PopupPart for ExportChooser {
    fn on_key(&mut self, key: &KeyEvent, context: &mut KeyContext) -> Reply {
        match context.keymap.action_in(Layer::Export, key) {
            Some(Action::Cancel) => return Reply::close(),
            Some(Action::Submit) => {
                return Reply::close_with(Request::Export(EXPORT_FORMATS[self.selected].0))
            }
            Some(Action::NextItem) => {
                self.selected = (self.selected + 1).min(EXPORT_FORMATS.len() - 1)
            }
            Some(Action::PrevItem) => self.selected = self.selected.saturating_sub(1),
            _ => {}
        }
        Reply::stay()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, look: &Look) {
        let theme = look.theme;
        let rect = centered(area, 50, EXPORT_FORMATS.len() as u16 + 4);
        frame.render_widget(Clear, rect);
        let mut lines: Vec<Line> = EXPORT_FORMATS
            .iter()
            .enumerate()
            .map(|(i, (_, label))| {
                let style = if i == self.selected {
                    theme.selected
                } else {
                    theme.base
                };
                Line::from(Span::styled(format!(" {label}"), style))
            })
            .collect();
        lines.push(Line::from(Span::styled(
            " written to the current directory",
            theme.dim,
        )));
        let block = pane_block(" Export task — Enter writes ", true, theme);
        frame.render_widget(Paragraph::new(lines).block(block).style(theme.base), rect);
    }
}
