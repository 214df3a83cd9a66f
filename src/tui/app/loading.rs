//! Data arriving: the loader's result (or failure), the problems it met,
//! live collection's progress, and the task asked for with `--task`, opened
//! once the data holds it.

use super::side::Side;
use super::App;
use crate::bundle::annotations::Annotations;
use crate::tui::data::{self, Data};
use crate::tui::list::List;
use crate::tui::live::LiveStatus;
use crate::tui::loaded::Loaded;
use crate::tui::place::Place;
use crate::tui::status::Level;
use std::sync::Arc;

/// The session around the loaded data: what the loader is doing, live
/// collection's progress, the bundle's annotations, and the load problems
/// last shown.
pub struct Session {
    /// What the loader is doing (shown until data arrives).
    pub loading: String,
    /// Live collection filling the bundle (`taskscope live`), as last heard.
    pub live: Option<LiveStatus>,
    /// Marks, tags and notes of the bundle.
    pub annotations: Annotations,
    /// The load problems last put on the status line.
    shown_problems: Option<String>,
}

impl Default for Session {
    fn default() -> Session {
        Session {
            loading: "opening bundle…".into(),
            live: None,
            annotations: Annotations::default(),
            shown_problems: None,
        }
    }
}

impl App {
    /// Takes in loaded data and shows the first screen; when data was shown
    /// already (live collection's bundle, read again), keeps the user's place.
    pub fn set_data(&mut self, loaded: Loaded) {
        let place = self.data.as_ref().map(|old| {
            Place::of(
                &self.tasks.list,
                &self.timeline,
                &self.findings.list,
                self.detail.event,
                old,
            )
        });
        let Loaded {
            data,
            annotations,
            problems,
            timings: _,
        } = loaded;
        let data = Arc::new(data);
        self.warming = Some(Arc::clone(&data));
        self.side = Side::of(&data);
        self.session.annotations = annotations;
        self.findings.list = List::new(data.findings.clone());
        self.data = Some(Arc::clone(&data));
        match place {
            None => {
                self.tasks.rebuild(&data);
                self.timeline.rebuild(&data);
            }
            Some(place) => self.return_to(place, &data),
        }
        self.show_problems(problems, &data);
        self.open_pending_task();
        self.refresh_side();
    }

    /// Starts the workers that prepare what a first frame does not need
    /// (the filter text, the task contexts' facts), for the data last taken
    /// in: the event loop calls it after drawing, so that they do not
    /// compete with the first frame for the processor.
    pub fn start_warming(&mut self) {
        if let Some(data) = self.warming.take() {
            data::warm_event_text(&data);
            data::warm_context_index(&data, Arc::clone(&self.notify));
        }
    }

    /// Shows that loading failed; data already shown stays.
    pub fn set_load_error(&mut self, message: String) {
        if self.data.is_some() {
            let line = format!("could not read the bundle again: {message}");
            self.tell(line, Level::Error);
            return;
        }
        self.session.loading = message.clone();
        self.tell(message, Level::Error);
    }

    /// Takes in how live collection stands. A new failure goes to the status
    /// line. Returns whether responses were stored since the last status
    /// heard (the bundle is worth reading again).
    pub fn set_live(&mut self, status: LiveStatus) -> bool {
        let failure = status.failure();
        let previous = self.session.live.replace(status);
        if failure.is_some() && failure != previous.as_ref().and_then(LiveStatus::failure) {
            self.status = failure;
        }
        let stored = previous.map_or(0, |p| p.responses);
        let live = self.session.live.as_ref();
        let more = live.is_some_and(|l| l.responses > stored);
        if live.is_some_and(|l| l.finished) {
            self.open_pending_task();
        }
        more
    }

    /// Whether the title bar says PARTIAL: what the bundle says, or under
    /// live collection (whose bundle is partial until it ends), whether it
    /// ended with a source not complete.
    pub fn shows_partial(&self) -> bool {
        match &self.session.live {
            Some(live) => live.is_partial(),
            None => self
                .data
                .as_ref()
                .is_some_and(|data| data.bundle.manifest.collection.partial),
        }
    }

    /// Puts what could not be read on the status line, unless it is what
    /// the line said after the previous load.
    fn show_problems(&mut self, mut problems: Vec<String>, data: &Data) {
        problems.extend(data.problems.iter().cloned());
        // A bundle live collection is filling is partial until it ends: the
        // title bar shows how its sources stand instead.
        if data.bundle.manifest.collection.partial && self.session.live.is_none() {
            problems.insert(
                0,
                "PARTIAL bundle: some inputs were rejected or only partly read".into(),
            );
        }
        let summary = problems.first().map(|first| match problems.len() {
            1 => first.clone(),
            n => format!("{first} (+{} more)", n - 1),
        });
        if summary != self.session.shown_problems {
            if let Some(summary) = &summary {
                self.tell(summary.clone(), Level::Warning);
            }
            self.session.shown_problems = summary;
        }
    }

    /// Opens the timeline of the task asked for with `--task`, once the data
    /// has it. While live collection may still bring it, it is waited for.
    fn open_pending_task(&mut self) {
        let (Some(data), Some(reference)) = (self.data.clone(), self.open_task.take()) else {
            return;
        };
        match data.incident.resolve_task(&reference) {
            Ok(task) => self.show_timeline(Some(task)),
            Err(_) if self.awaits_more_data(&data) => self.open_task = Some(reference),
            Err(error) => self.tell(error.to_string(), Level::Error),
        }
    }

    /// Whether live collection has stored, or may still store, responses
    /// that `data` does not hold.
    fn awaits_more_data(&self, data: &Data) -> bool {
        self.session.live.as_ref().is_some_and(|live| {
            !live.finished || data.bundle.manifest.inputs.len() < live.responses
        })
    }
}
