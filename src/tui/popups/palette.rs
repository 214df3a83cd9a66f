//! The command palette: every screen action, the exports, the themes, the
//! all-events timeline and a fuzzy jump to any task, matched as you type.
//! Its keys are the palette layer's; the text is edited with the prompt
//! layer's.

use super::export::EXPORT_FORMATS;
use super::prompt::{Prompt, PromptKind};
use super::{KeyContext, Look, PopupPart, Reply, Request};
use crate::export::ExportFormat;
use crate::theme::BUILTIN_THEMES;
use crate::tui::data::Data;
use crate::tui::keymap::Keymap;
use crate::tui::keys::{Action, Layer, DEFAULT_BINDINGS};
use crate::tui::line_edit::edit_line;
use crate::tui::text::{clip, highlighted, short_id};
use crate::tui::widgets::{centered, pane_block};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

/// Something the palette can run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A keymap action.
    Action(Action),
    /// Open a task's timeline.
    Task(usize),
    /// Open the timeline of every event.
    AllEvents,
    /// Export the current task.
    Export(ExportFormat),
    /// Switch theme.
    Theme(String),
}

/// Most entries the palette lists.
const PALETTE_ROWS: usize = 200;

/// The command palette: commands and tasks, fuzzy-matched as you type.
pub struct Palette {
    /// The typed text.
    pub prompt: Prompt,
    /// Every entry: label, command, and its keys in force (shown beside
    /// the label, not matched).
    entries: Vec<(String, Command, String)>,
    /// Entries matching the prompt, best first (indices into `entries`).
    pub shown: Vec<usize>,
    /// Highlighted row of `shown`.
    pub selected: usize,
}

impl Palette {
    /// A palette over the data's tasks and every command, each screen
    /// action with its keys in `keymap`.
    pub fn new(data: &Data, keymap: &Keymap) -> Palette {
        let mut entries: Vec<(String, Command)> = Vec::new();
        entries.push(("timeline: all events".into(), Command::AllEvents));
        for (task, facts) in data.incident.tasks.iter().enumerate() {
            let label = format!(
                "task {} {} {}",
                short_id(&facts.id),
                facts.service().or(facts.group.as_deref()).unwrap_or(""),
                facts.id
            );
            entries.push((label, Command::Task(task)));
        }
        for (format, label) in EXPORT_FORMATS {
            entries.push((format!("export: {label}"), Command::Export(format)));
        }
        for theme in BUILTIN_THEMES {
            entries.push((format!("theme: {theme}"), Command::Theme(theme.to_string())));
        }
        for binding in DEFAULT_BINDINGS
            .iter()
            .filter(|b| b.layer() == Layer::Global)
        {
            entries.push((
                format!("{}: {}", binding.name, binding.help),
                Command::Action(binding.action),
            ));
        }
        let entries = entries
            .into_iter()
            .map(|(label, command)| {
                let keys = match &command {
                    Command::Action(action) => keymap.keys_for(*action).join(" "),
                    _ => String::new(),
                };
                (label, command, keys)
            })
            .collect();
        let mut palette = Palette {
            prompt: Prompt::new(PromptKind::Filter, String::new()),
            entries,
            shown: Vec::new(),
            selected: 0,
        };
        palette.refresh();
        palette
    }

    /// The palette over newly loaded data (tasks are renumbered), with the
    /// text typed so far.
    pub fn rebuild(&mut self, data: &Data, keymap: &Keymap) {
        let prompt = self.prompt.clone();
        *self = Palette::new(data, keymap);
        self.prompt = prompt;
        self.refresh();
    }

    /// Re-matches the entries against the prompt.
    fn refresh(&mut self) {
        let pattern = Pattern::parse(
            &self.prompt.input,
            CaseMatching::Smart,
            Normalization::Smart,
        );
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buffer = Vec::new();
        let mut scored: Vec<(u32, usize)> = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, (label, _, _))| {
                pattern
                    .score(Utf32Str::new(label, &mut buffer), &mut matcher)
                    .map(|score| (score, i))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        self.shown = scored
            .into_iter()
            .take(PALETTE_ROWS)
            .map(|(_, i)| i)
            .collect();
        self.selected = 0;
    }

    /// Moves the highlight.
    fn move_by(&mut self, delta: isize) {
        let last = self.shown.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last.max(0)) as usize;
    }

    /// The highlighted command.
    pub fn chosen(&self) -> Option<Command> {
        let index = *self.shown.get(self.selected)?;
        Some(self.entries[index].1.clone())
    }

    /// The shown entries' labels (raw: escape before drawing) and keys.
    fn labels(&self) -> impl Iterator<Item = (&str, &str)> {
        self.shown.iter().map(|&i| {
            let (label, _, keys) = &self.entries[i];
            (label.as_str(), keys.as_str())
        })
    }
}

impl PopupPart for Palette {
    fn on_key(&mut self, key: &KeyEvent, context: &mut KeyContext) -> Reply {
        match context.keymap.action_in(Layer::Palette, key) {
            Some(Action::Cancel) => Reply::close(),
            Some(Action::Submit) => match self.chosen() {
                Some(command) => Reply::close_with(Request::Run(command)),
                None => Reply::close(),
            },
            Some(Action::NextItem) => {
                self.move_by(1);
                Reply::stay()
            }
            Some(Action::PrevItem) => {
                self.move_by(-1);
                Reply::stay()
            }
            _ => {
                edit_line(&mut self.prompt.input, key, context.keymap);
                self.refresh();
                Reply::stay()
            }
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, look: &Look) {
        let theme = look.theme;
        let rect = centered(area, 70, 16);
        frame.render_widget(Clear, rect);
        let block = pane_block(" : command or task ", true, theme);
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let mut lines = vec![Line::from(vec![
            Span::styled(": ", theme.key_hint),
            Span::styled(clip(&self.prompt.input, 200), theme.base),
            Span::styled("█", theme.dim),
        ])];
        let rows = inner.height.saturating_sub(1) as usize;
        let first = self.selected.saturating_sub(rows.saturating_sub(1));
        for (i, (label, keys)) in self.labels().enumerate().skip(first).take(rows) {
            let style = if i == self.selected {
                theme.selected
            } else {
                theme.base
            };
            let keys = if keys.is_empty() {
                String::new()
            } else {
                format!("  {keys}")
            };
            let width = (inner.width as usize).saturating_sub(keys.chars().count());
            let mut line = highlighted(
                label,
                &self.prompt.input,
                width,
                style,
                theme.match_highlight,
            );
            line.spans.push(Span::styled(keys, theme.key_hint));
            lines.push(line);
        }
        frame.render_widget(Paragraph::new(lines).style(theme.base), inner);
    }
}
