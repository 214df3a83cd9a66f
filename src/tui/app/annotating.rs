//! Annotating the bundle from the console: marks, tags and notes, appended
//! to the bundle's annotations and shown at once.

use super::App;
use crate::bundle::annotations::{self, Annotation, AnnotationAction, Target};
use crate::tui::data::Data;
use crate::tui::popups::prompt::PromptKind;
use crate::tui::status::Level;

impl App {
    /// Marks the selected event, or unmarks it.
    pub(super) fn toggle_mark(&mut self, data: &Data) {
        let Some(event) = self.selected_event() else {
            self.tell("select an event to mark", Level::Info);
            return;
        };
        let anchor =
            annotations::event_anchor(&data.incident.events[event as usize], &data.bundle.manifest);
        let action = if self.session.annotations.is_marked(&anchor) {
            AnnotationAction::Unmark
        } else {
            AnnotationAction::Mark
        };
        self.annotate(data, Target::Event { anchor }, action);
    }

    /// Does what a prompt's entered text is for.
    pub(super) fn submit_prompt(&mut self, kind: PromptKind, text: String) {
        let Some(data) = self.data.clone() else {
            return;
        };
        match kind {
            PromptKind::Filter => self.apply_filter(text),
            PromptKind::Note | PromptKind::Tag if text.is_empty() => {
                self.tell("nothing written: the text was empty", Level::Info)
            }
            PromptKind::Note => {
                let target = match self.selected_event() {
                    Some(event) => Target::Event {
                        anchor: annotations::event_anchor(
                            &data.incident.events[event as usize],
                            &data.bundle.manifest,
                        ),
                    },
                    None => match self.selected_task() {
                        Some(task) => Target::Task {
                            id: data.incident.tasks[task].id.clone(),
                        },
                        None => {
                            self.tell("select a task or an event first", Level::Info);
                            return;
                        }
                    },
                };
                self.annotate(&data, target, AnnotationAction::Note { text });
            }
            PromptKind::Tag => {
                if let Some(event) = self.selected_event() {
                    let anchor = annotations::event_anchor(
                        &data.incident.events[event as usize],
                        &data.bundle.manifest,
                    );
                    self.annotate(
                        &data,
                        Target::Event { anchor },
                        AnnotationAction::Tag { tag: text },
                    );
                }
            }
        }
    }

    /// Appends an annotation to the bundle and shows the result.
    fn annotate(&mut self, data: &Data, target: Target, action: AnnotationAction) {
        let annotation = Annotation {
            time: crate::model::time::now(),
            author: self.author.clone(),
            target,
            action,
        };
        match annotations::append(&data.bundle.root, &annotation) {
            Ok(()) => {
                let what = match &annotation.action {
                    AnnotationAction::Mark => "marked",
                    AnnotationAction::Unmark => "unmarked",
                    AnnotationAction::Tag { .. } => "tagged",
                    AnnotationAction::Untag { .. } => "untagged",
                    AnnotationAction::Note { .. } => "note saved",
                };
                match annotations::unknown_author_warning(&annotation.author) {
                    Some(warning) => self.tell(format!("{what}, {warning}"), Level::Warning),
                    None => self.tell(format!("{what} (written to the bundle)"), Level::Info),
                }
                self.session.annotations.apply(annotation);
            }
            Err(error) => self.tell(format!("could not annotate: {error}"), Level::Error),
        }
    }
}
