//! The commands that open a popup or reach outside the console: the filter,
//! note and tag prompts, the export chooser and the export itself, copying,
//! and the command palette's entries.

use super::App;
use crate::bundle::annotations;
use crate::export::ExportFormat;
use crate::theme::Theme;
use crate::tui::data::Data;
use crate::tui::effect::Effect;
use crate::tui::popups::export::ExportChooser;
use crate::tui::popups::palette::Command;
use crate::tui::popups::prompt::{Prompt, PromptKind};
use crate::tui::popups::Popup;
use crate::tui::screens::View;
use crate::tui::status::Level;
use crate::tui::text::clip;

impl App {
    /// Runs a command palette entry; returns what the event loop is to do.
    pub fn run_command(&mut self, command: Command) -> Option<Effect> {
        match command {
            Command::Action(action) => return self.perform(action),
            Command::Task(task) => self.show_timeline(Some(task)),
            Command::AllEvents => self.show_timeline(None),
            Command::Export(format) => self.export(format),
            Command::Theme(name) => match Theme::load(&name) {
                Ok(theme) => {
                    let no_color = crate::theme::no_color_requested();
                    self.theme = if no_color { theme.no_color() } else { theme };
                }
                Err(error) => self.tell(error.to_string(), Level::Error),
            },
        }
        None
    }

    /// Opens the filter prompt on the list's current query.
    pub(super) fn prompt_filter(&mut self) {
        let query = self.current_list().query().to_string();
        self.popup = Some(Popup::Prompt(Prompt::new(PromptKind::Filter, query)));
    }

    /// Opens the prompt for a note on the selected event or task.
    pub(super) fn prompt_note(&mut self) {
        self.popup = Some(Popup::Prompt(Prompt::new(PromptKind::Note, String::new())));
    }

    /// Opens the prompt for a tag on the selected event.
    pub(super) fn prompt_tag(&mut self) {
        if self.selected_event().is_some() {
            self.popup = Some(Popup::Prompt(Prompt::new(PromptKind::Tag, String::new())));
        } else {
            self.tell("select an event to tag", Level::Info);
        }
    }

    /// Opens the export chooser for the task in question.
    pub(super) fn choose_export(&mut self) {
        if self.selected_task().is_some() {
            self.popup = Some(Popup::Export(ExportChooser::default()));
        } else {
            self.tell("select a task to export", Level::Info);
        }
    }

    /// Writes the task in question's export in `format` to the export
    /// directory.
    pub(super) fn export(&mut self, format: ExportFormat) {
        let (Some(data), Some(task)) = (self.data.clone(), self.selected_task()) else {
            self.tell("select a task to export", Level::Info);
            return;
        };
        let annotations = &self.session.annotations;
        match crate::tui::export::write(&self.export_dir, &data, annotations, task, format) {
            Ok(path) => self.tell(format!("exported {}", path.display()), Level::Info),
            Err(error) => self.tell(format!("export failed: {error}"), Level::Error),
        }
    }

    /// Copies the selected event's fact ID (or anchor), or the task's
    /// reference, through the event loop.
    pub(super) fn copy(&mut self, data: &Data) -> Option<Effect> {
        let text = match self.selected_event() {
            Some(event) if self.view != View::Tasks => {
                let event = &data.incident.events[event as usize];
                event
                    .fact_id
                    .clone()
                    .unwrap_or_else(|| annotations::event_anchor(event, &data.bundle.manifest))
            }
            _ => data.incident.tasks[self.selected_task()?]
                .display_ref()
                .to_string(),
        };
        self.tell(format!("copied {}", clip(&text, 60)), Level::Info);
        Some(Effect::CopyToClipboard(text))
    }
}
