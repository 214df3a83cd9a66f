//! Modal popups: help, the text prompt (filter, note, tag), the command
//! palette with fuzzy task jump, the export chooser, and a response action
//! (its stages are in `respond`).

use super::data::Data;
use super::keys::{Action, DEFAULT_BINDINGS};
use super::respond::flow::ActionFlow;
use super::text::short_id;
use crate::export::ExportFormat;
use crate::theme::BUILTIN_THEMES;
use nucleo::pattern::{CaseMatching, Normalization, Pattern};
use nucleo::{Config, Matcher, Utf32Str};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The open popup.
pub enum Popup {
    /// The key help overlay.
    Help {
        /// Lines scrolled.
        scroll: usize,
    },
    /// A one-line text prompt.
    Prompt(Prompt),
    /// The command palette.
    Palette(Palette),
    /// The export format chooser.
    Export {
        /// Highlighted format.
        selected: usize,
    },
    /// A response action: plan, confirmation, progress, result.
    Action(Box<ActionFlow>),
}

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

/// Longest text a prompt accepts.
const PROMPT_MAX_CHARS: usize = 4000;

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

    /// Applies a key press (see [`edit_line`]).
    pub fn edit(&mut self, key: KeyEvent) {
        edit_line(&mut self.input, key);
    }
}

/// Applies a key press to a one-line text: printable characters,
/// backspace, ctrl-u, ctrl-w. Control characters never enter the text.
pub fn edit_line(input: &mut String, key: KeyEvent) {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Backspace => {
            input.pop();
        }
        KeyCode::Char('u') if ctrl => input.clear(),
        KeyCode::Char('w') if ctrl => {
            let kept = input.trim_end().rfind(' ').map_or(0, |i| i + 1);
            input.truncate(kept);
        }
        KeyCode::Char(c)
            if !ctrl && !c.is_control() && input.chars().count() < PROMPT_MAX_CHARS =>
        {
            input.push(c)
        }
        _ => {}
    }
}

/// The export chooser's entries: format and label.
pub const EXPORT_FORMATS: [(ExportFormat, &str); 4] = [
    (ExportFormat::Md, "Markdown incident report (.md)"),
    (ExportFormat::Csv, "Timeline as CSV (.csv)"),
    (ExportFormat::Json, "Timeline as JSON (.json)"),
    (ExportFormat::Timesketch, "Timesketch JSONL (.jsonl)"),
];

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
    /// Every entry: label and command.
    entries: Vec<(String, Command)>,
    /// Entries matching the prompt, best first (indices into `entries`).
    pub shown: Vec<usize>,
    /// Highlighted row of `shown`.
    pub selected: usize,
}

impl Palette {
    /// A palette over the data's tasks and every command.
    pub fn new(data: &Data) -> Palette {
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
        for binding in DEFAULT_BINDINGS {
            entries.push((
                format!("{}: {}", binding.name, binding.help),
                Command::Action(binding.action),
            ));
        }
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
    pub fn rebuild(&mut self, data: &Data) {
        let prompt = self.prompt.clone();
        *self = Palette::new(data);
        self.prompt = prompt;
        self.refresh();
    }

    /// Re-matches the entries against the prompt.
    pub fn refresh(&mut self) {
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
            .filter_map(|(i, (label, _))| {
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
    pub fn move_by(&mut self, delta: isize) {
        let last = self.shown.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last.max(0)) as usize;
    }

    /// The highlighted command.
    pub fn chosen(&self) -> Option<Command> {
        let index = *self.shown.get(self.selected)?;
        Some(self.entries[index].1.clone())
    }

    /// The shown entries' labels (raw: escape before drawing).
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.shown.iter().map(|&i| self.entries[i].0.as_str())
    }
}
