//! The console's state and what each action does to it. Drawing is in
//! `ui`; the event loop that feeds this is in `mod.rs`.

use super::data::Data;
use super::effect::Effect;
use super::filter::{Filter, HaystackSource};
use super::keymap::Keymap;
use super::keys::{Action, Layer};
use super::list::{ActiveFilter, List};
use super::live::LiveStatus;
use super::loaded::Loaded;
use super::place::{self, Place};
use super::popups::export::ExportChooser;
use super::popups::help::Help;
use super::popups::palette::{Command, Palette};
use super::popups::prompt::{Prompt, PromptKind};
use super::popups::{KeyContext, Popup, Request};
use super::raw_text::{positions_in, RawText};
use super::respond::flow::ActionFlow;
use super::respond::{request, ActionAccess, Actions, ACTIONS_OFF};
use super::screens::detail::Detail;
use super::screens::findings::FindingsView;
use super::screens::histogram::HISTOGRAM_BUCKETS;
use super::screens::table::line_owners;
use super::screens::tasks::TasksView;
use super::screens::timeline::TimelineView;
use super::screens::{task_context, Areas, Pane, Scene, View};
use super::status::Level;
use crate::bundle::annotations::{self, Annotation, AnnotationAction, Annotations, Target};
use crate::inspect::context::{task_context, ContextIndex, TaskContext};
use crate::inspect::facts::key_facts;
use crate::inspect::tree::JsonTree;
use crate::model::Timestamp;
use crate::raw::RawReader;
use crate::respond::plan::ActionKind;
use crate::respond::suspects::RollbackHistory;
use crate::theme::Theme;
use ratatui::crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};
use std::sync::Arc;

/// The whole console state.
pub struct App {
    /// Loaded data, once the loader is done.
    pub data: Option<Arc<Data>>,
    /// What the loader is doing (shown until data arrives).
    pub loading: String,
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
    /// Task context of the selected task.
    pub context: Option<(usize, TaskContext)>,
    /// The open popup.
    pub popup: Option<Popup>,
    /// The status-line message.
    pub status: Option<(String, Level)>,
    /// Key bindings.
    pub keymap: Keymap,
    /// Colours and styles.
    pub theme: Theme,
    /// "Now", for relative times (fixed in tests).
    pub now: Timestamp,
    /// Marks, tags and notes of the bundle.
    pub annotations: Annotations,
    /// Who notes are signed by.
    pub author: String,
    /// Where everything goes on the screen, as last laid out.
    pub areas: Areas,
    /// Set when a signal asked the console to leave while a plan ran: it
    /// leaves once the plan has written its result.
    pub leaving: bool,
    /// Task to open once loaded (`--task`).
    pub open_task: Option<String>,
    /// Where exports are written (the current directory).
    pub export_dir: std::path::PathBuf,
    /// Live collection filling the bundle (`taskscope live`), as last heard.
    pub live: Option<LiveStatus>,
    /// Response actions, when allowed.
    actions: Option<Actions>,
    /// Views whose filter lost its results in a reload: run again when shown.
    stale_filters: Vec<View>,
    /// The load problems last put on the status line.
    shown_problems: Option<String>,
    filter: Filter,
    notify: Arc<dyn Fn() + Send + Sync>,
    raw_text: RawText,
    /// The timeline's filter ran over raw-record text.
    raw_filtered: bool,
    raw: Option<RawReader>,
    context_index: Option<ContextIndex>,
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
            loading: "opening bundle…".into(),
            view: View::Tasks,
            focus: Pane::List,
            tasks: TasksView::default(),
            timeline: TimelineView::default(),
            findings: FindingsView::default(),
            detail: Detail::default(),
            context: None,
            popup: None,
            status: None,
            keymap,
            theme,
            now: crate::model::time::now(),
            annotations: Annotations::default(),
            author,
            areas: Areas::default(),
            leaving: false,
            open_task: None,
            export_dir: std::path::PathBuf::from("."),
            live: None,
            actions: None,
            stale_filters: Vec::new(),
            shown_problems: None,
            filter: Filter::spawn({
                let notify = Arc::clone(&notify);
                move || notify()
            }),
            notify,
            raw_text: RawText::default(),
            raw_filtered: false,
            raw: None,
            context_index: None,
        }
    }

    /// Allows response actions (the `i` and `r` keys) through `access`; the
    /// title bar then says ACTIONS ON instead of READ-ONLY.
    pub fn enable_actions(&mut self, access: ActionAccess) {
        self.actions = Some(Actions::new(access, Arc::clone(&self.notify)));
    }

    /// Whether response actions are allowed.
    pub fn actions_enabled(&self) -> bool {
        self.actions.is_some()
    }

    /// Whether a confirmed plan is running on the action worker.
    pub fn action_running(&self) -> bool {
        matches!(&self.popup, Some(Popup::Action(flow)) if flow.is_running())
    }

    /// A signal (`why`) asks the console to leave. Returns true when it may
    /// leave now; while a plan runs, the plan is interrupted (it finishes
    /// its call in flight and records an `interrupted` result) and the
    /// console leaves once that has arrived, or at a second signal.
    pub fn terminate(&mut self, why: &str) -> bool {
        if self.leaving || !self.action_running() {
            return true;
        }
        if let Some(actions) = &self.actions {
            actions.interrupt(why);
        }
        self.leaving = true;
        self.status = Some((
            format!("{why}: stopping the action after its call in flight, then leaving"),
            Level::Info,
        ));
        false
    }

    /// Whether the console should leave now: a signal came and no plan is
    /// running any more.
    pub fn should_leave(&self) -> bool {
        self.leaving && !self.action_running()
    }

    /// Takes in what the action worker reported; returns whether anything
    /// arrived. Reports for an action no longer on screen are dropped.
    pub fn poll_actions(&mut self) -> bool {
        let Some(actions) = &mut self.actions else {
            return false;
        };
        let reports = actions.reports();
        if reports.is_empty() {
            return false;
        }
        if let Some(Popup::Action(flow)) = &mut self.popup {
            for (job, report) in reports {
                flow.take(job, report);
            }
        }
        true
    }

    /// Starts planning an action on the task in question (tasks view or a
    /// task's timeline); says on the status line why it cannot start.
    fn start_action(&mut self, data: &Data, kind: ActionKind) {
        let task = match self.view {
            View::Tasks | View::Timeline => self.selected_task(),
            View::Findings => None,
        };
        let Some(actions) = &mut self.actions else {
            self.status = Some((ACTIONS_OFF.into(), Level::Info));
            return;
        };
        let Some(task) = task else {
            let line = "select a task (tasks view, or open its timeline) to act on it";
            self.status = Some((line.into(), Level::Info));
            return;
        };
        let facts = &data.incident.tasks[task];
        let asked = match kind {
            ActionKind::Isolate => {
                request::isolate(facts, &data.bundle.root, crate::model::time::now())
            }
            // Read again: the audit log may have grown since the bundle opened.
            ActionKind::Rollback => RollbackHistory::at(&data.bundle.root)
                .and_then(|history| request::rollback(facts, history)),
            ActionKind::Undo => {
                Err("undo is not offered in the console: run taskscope undo BUNDLE".into())
            }
        };
        match asked {
            Ok(asked) => {
                let flow = ActionFlow::start(actions, asked, data.bundle.root.clone());
                self.popup = Some(Popup::Action(Box::new(flow)));
            }
            Err(why) => self.status = Some((why, Level::Info)),
        }
    }

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
            context_index,
            timings: _,
        } = loaded;
        let data = Arc::new(data);
        super::data::warm_event_text(&data);
        self.raw = Some(RawReader::for_bundle(&data.bundle));
        self.context_index = Some(context_index);
        self.annotations = annotations;
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

    /// Puts what could not be read on the status line, unless it is what
    /// the line said after the previous load.
    fn show_problems(&mut self, mut problems: Vec<String>, data: &Data) {
        problems.extend(data.problems.iter().cloned());
        // A bundle live collection is filling is partial until it ends: the
        // title bar shows how its sources stand instead.
        if data.bundle.manifest.collection.partial && self.live.is_none() {
            problems.insert(
                0,
                "PARTIAL bundle: some inputs were rejected or only partly read".into(),
            );
        }
        let summary = problems.first().map(|first| match problems.len() {
            1 => first.clone(),
            n => format!("{first} (+{} more)", n - 1),
        });
        if summary != self.shown_problems {
            if let Some(summary) = &summary {
                self.status = Some((summary.clone(), Level::Warning));
            }
            self.shown_problems = summary;
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
            Err(error) => self.status = Some((error.to_string(), Level::Error)),
        }
    }

    /// Whether live collection has stored, or may still store, responses
    /// that `data` does not hold.
    fn awaits_more_data(&self, data: &Data) -> bool {
        self.live.as_ref().is_some_and(|live| {
            !live.finished || data.bundle.manifest.inputs.len() < live.responses
        })
    }

    /// Takes in how live collection stands. A new failure goes to the status
    /// line. Returns whether responses were stored since the last status
    /// heard (the bundle is worth reading again).
    pub fn set_live(&mut self, status: LiveStatus) -> bool {
        let failure = status.failure();
        let previous = self.live.replace(status);
        if failure.is_some() && failure != previous.as_ref().and_then(LiveStatus::failure) {
            self.status = failure;
        }
        let stored = previous.map_or(0, |p| p.responses);
        let more = self.live.as_ref().is_some_and(|l| l.responses > stored);
        if self.live.as_ref().is_some_and(|l| l.finished) {
            self.open_pending_task();
        }
        more
    }

    /// Whether the title bar says PARTIAL: what the bundle says, or under
    /// live collection (whose bundle is partial until it ends), whether it
    /// ended with a source not complete.
    pub fn shows_partial(&self) -> bool {
        match &self.live {
            Some(live) => live.is_partial(),
            None => self
                .data
                .as_ref()
                .is_some_and(|data| data.bundle.manifest.collection.partial),
        }
    }

    /// Rebuilds every view over newly loaded data at the same place: the
    /// view, the task whose timeline is open, the selected task, event and
    /// finding, and the filters (run again; the selection follows once the
    /// filter reaches it).
    fn return_to(&mut self, place: Place, data: &Arc<Data>) {
        self.raw_text = RawText::default();
        self.raw_filtered = false;
        self.context = None;
        self.stale_filters.clear();
        if let Some(Popup::Palette(palette)) = &mut self.popup {
            palette.rebuild(data, &self.keymap);
        }
        self.tasks.list = List::default();
        self.tasks.rebuild(data);
        self.timeline.task = place
            .timeline_task
            .as_deref()
            .and_then(|id| place::task_index(data, id));
        self.timeline.list = List::default();
        self.timeline.rebuild(data);
        for view in [View::Tasks, View::Timeline, View::Findings] {
            let wanted = place.list(view).selected.as_deref();
            let item = match view {
                View::Tasks => wanted
                    .and_then(|id| place::task_index(data, id))
                    .map(|task| task as u32),
                _ => wanted
                    .and_then(|anchor| place::event_index(data, &self.list(view).base, anchor)),
            };
            let list = self.list_mut(view);
            match place.list(view).query.clone() {
                None => {
                    if let Some(item) = item {
                        list.select_item(item);
                    }
                }
                Some(query) => {
                    // Generation 0 answers no request: no rows until run again.
                    list.filter = Some(ActiveFilter {
                        query,
                        ..ActiveFilter::default()
                    });
                    list.wanted = item;
                    self.stale_filters.push(view);
                }
            }
        }
        let detail = place
            .detail
            .as_deref()
            .and_then(|anchor| place::event_index(data, &self.current_list().base, anchor));
        match detail {
            Some(event) => self.detail.event = Some(event),
            None => self.detail = Detail::default(),
        }
        self.rerun_stale_filter();
    }

    /// Runs the filter of the list in view again if a reload left it without
    /// results, keeping the item it was to select.
    fn rerun_stale_filter(&mut self) {
        let Some(at) = self.stale_filters.iter().position(|v| *v == self.view) else {
            return;
        };
        self.stale_filters.remove(at);
        let list = self.current_list();
        let (Some(query), wanted) = (list.filter.as_ref().map(|f| f.query.clone()), list.wanted)
        else {
            return;
        };
        self.apply_filter(query);
        self.current_list_mut().wanted = wanted;
    }

    /// Shows that loading failed; data already shown stays.
    pub fn set_load_error(&mut self, message: String) {
        if self.data.is_some() {
            let line = format!("could not read the bundle again: {message}");
            self.status = Some((line, Level::Error));
            return;
        }
        self.loading = message.clone();
        self.status = Some((message, Level::Error));
    }

    /// Takes in filter results; returns whether the screen changed.
    pub fn poll_filter(&mut self) -> bool {
        // Raw-record text just arrived for a filtered timeline: filter again with it.
        if let (Some(task), Some(filter)) = (self.timeline.task, &self.timeline.list.filter) {
            if !self.raw_filtered && self.raw_text.get(task).is_some() {
                let query = filter.query.clone();
                let wanted = self.timeline.list.wanted;
                let selected = wanted.or(self.timeline.list.selected_item());
                let view = std::mem::replace(&mut self.view, View::Timeline);
                self.apply_filter(query);
                self.view = view;
                self.timeline.list.wanted = selected;
            }
        }
        let progress = self.filter.progress();
        let changed = self.tasks.list.accept(&progress)
            | self.timeline.list.accept(&progress)
            | self.findings.list.accept(&progress);
        if changed {
            self.refresh_side();
        }
        changed
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

    /// Does what an action asks, in the current view and focus; returns
    /// what the event loop is to do.
    pub fn perform(&mut self, action: Action) -> Option<Effect> {
        if matches!(action, Action::Quit) {
            return Some(Effect::Quit);
        }
        if matches!(action, Action::Help) {
            self.popup = Some(Popup::Help(Help::new(Layer::Global)));
            return None;
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
            Action::Filter => {
                let query = self.current_list().query().to_string();
                self.popup = Some(Popup::Prompt(Prompt::new(PromptKind::Filter, query)));
            }
            Action::NextMatch | Action::PrevMatch => {
                if self.current_list().filter.is_none() {
                    self.status = Some(("no filter: press / to set one".into(), Level::Info));
                } else {
                    self.move_selection(if action == Action::NextMatch { 1 } else { -1 });
                }
            }
            Action::NextFinding | Action::PrevFinding => {
                let forward = action == Action::NextFinding;
                self.jump_to(
                    forward,
                    |e| data.incident.events[e as usize].is_finding(),
                    "finding",
                );
            }
            Action::NextMark => {
                let marked = |e: u32| {
                    let event = &data.incident.events[e as usize];
                    self.annotations
                        .is_marked(&annotations::event_anchor(event, &data.bundle.manifest))
                };
                let row = self.current_list().find_from_selection(true, marked);
                match row {
                    Some(row) => {
                        self.current_list_mut().select(row);
                        self.refresh_side();
                    }
                    None => self.status = Some(("no marked events here".into(), Level::Info)),
                }
            }
            Action::CycleSource => {
                if self.view == View::Timeline {
                    self.timeline.source = self.timeline.next_source(&data);
                    self.rebuild_timeline(&data);
                }
            }
            Action::ToggleTime => self.timeline.time_mode = self.timeline.time_mode.next(),
            Action::SelectRange => self.select_range(&data),
            Action::Sort => {
                self.tasks.sort = self.tasks.sort.next();
                self.rebuild_tasks(&data);
            }
            Action::Group => {
                self.tasks.grouping = self.tasks.grouping.next();
                self.rebuild_tasks(&data);
            }
            Action::Palette => self.popup = Some(Popup::Palette(Palette::new(&data, &self.keymap))),
            Action::Mark => self.toggle_mark(&data),
            Action::Note => {
                self.popup = Some(Popup::Prompt(Prompt::new(PromptKind::Note, String::new())))
            }
            Action::Tag => {
                if self.selected_event().is_some() {
                    self.popup = Some(Popup::Prompt(Prompt::new(PromptKind::Tag, String::new())));
                } else {
                    self.status = Some(("select an event to tag".into(), Level::Info));
                }
            }
            Action::Copy => return self.copy(&data),
            Action::Export => {
                if self.selected_task().is_some() {
                    self.popup = Some(Popup::Export(ExportChooser::default()));
                } else {
                    self.status = Some(("select a task to export".into(), Level::Info));
                }
            }
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

    /// Works out where everything goes on a screen of `area` before it is
    /// drawn: the areas (kept for mouse hits), the scroll of the list in
    /// view and of the side pane.
    pub fn layout(&mut self, area: Rect) {
        let mut areas = Areas::of(self.view, area);
        let Some(data) = self.data.clone() else {
            self.areas = areas;
            return;
        };
        let height = areas.list_pane.height.saturating_sub(3) as usize;
        let rows = self.current_list_mut().window(height);
        let separated: Vec<bool> = match self.view {
            View::Tasks => self
                .tasks
                .headings(&data, rows.clone())
                .iter()
                .map(Option::is_some)
                .collect(),
            View::Timeline => rows
                .clone()
                .map(|row| self.timeline.gap_before(&data, row).is_some())
                .collect(),
            View::Findings => self
                .findings
                .severity_heads(&data, rows.clone())
                .iter()
                .map(Option::is_some)
                .collect(),
        };
        let selected = self.current_list().selected.checked_sub(rows.start);
        areas.list_rows = line_owners(&separated, rows.start, selected, areas.list.height as usize);
        self.areas = areas;
        let scene = self.scene(&data);
        let scroll = match self.view {
            View::Tasks => {
                task_context::scroll_for(&scene, self.selected_task(), self.detail.scroll)
            }
            View::Timeline | View::Findings => {
                let (lines, tree_start) = self.detail.lines(&scene);
                let height = self.areas.detail_height();
                self.detail
                    .scroll_for(tree_start, lines.len(), height, self.focus)
            }
        };
        self.detail.scroll = scroll;
    }

    /// What the screens read to draw `data`, besides their own state.
    pub fn scene<'a>(&'a self, data: &'a Data) -> Scene<'a> {
        Scene {
            data,
            theme: &self.theme,
            focus: self.focus,
            now: self.now,
            annotations: &self.annotations,
            context: self.context.as_ref(),
            areas: &self.areas,
        }
    }

    /// Handles the mouse: the wheel scrolls the pane under it, a click selects.
    pub fn on_mouse(&mut self, mouse: MouseEvent) {
        if self.popup.is_some() || self.data.is_none() {
            return;
        }
        let at = Position::new(mouse.column, mouse.row);
        match mouse.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let step = if mouse.kind == MouseEventKind::ScrollDown {
                    3
                } else {
                    -3
                };
                if self.areas.detail.contains(at) {
                    self.focus = Pane::Detail;
                } else if self.areas.list.contains(at) {
                    self.focus = Pane::List;
                }
                self.move_selection(step);
            }
            MouseEventKind::Down(MouseButton::Left) => {
                if let Some((Some(view), _)) = self.areas.tabs.iter().find(|(_, r)| r.contains(at))
                {
                    self.switch(*view);
                } else if self.areas.list.contains(at) {
                    self.focus = Pane::List;
                    let line = (at.y - self.areas.list.y) as usize;
                    if let Some(&Some(row)) = self.areas.list_rows.get(line) {
                        self.current_list_mut().select(row);
                        self.refresh_side();
                    }
                } else if self.areas.histogram.contains(at) && self.view == View::Timeline {
                    self.focus = Pane::Histogram;
                    let x = (at.x - self.areas.histogram.x) as usize;
                    let width = self.areas.histogram.width.max(1) as usize;
                    self.timeline.cursor = x * HISTOGRAM_BUCKETS / width;
                } else if self.areas.detail.contains(at) {
                    self.focus = Pane::Detail;
                }
            }
            _ => {}
        }
    }

    /// The list in focus in the current view.
    pub fn current_list(&self) -> &List {
        self.list(self.view)
    }

    fn current_list_mut(&mut self) -> &mut List {
        self.list_mut(self.view)
    }

    /// The main list of `view`.
    pub fn list(&self, view: View) -> &List {
        match view {
            View::Tasks => &self.tasks.list,
            View::Timeline => &self.timeline.list,
            View::Findings => &self.findings.list,
        }
    }

    fn list_mut(&mut self, view: View) -> &mut List {
        match view {
            View::Tasks => &mut self.tasks.list,
            View::Timeline => &mut self.timeline.list,
            View::Findings => &mut self.findings.list,
        }
    }

    /// The event selected in the timeline or findings board.
    pub fn selected_event(&self) -> Option<u32> {
        match self.view {
            View::Tasks => None,
            View::Timeline => self.timeline.list.selected_item(),
            View::Findings => self.findings.list.selected_item(),
        }
    }

    /// The task in question: selected in the tasks view, shown in the
    /// timeline, or the finding's task on the board.
    pub fn selected_task(&self) -> Option<usize> {
        let data = self.data.as_ref()?;
        match self.view {
            View::Tasks => self.tasks.list.selected_item().map(|t| t as usize),
            View::Timeline => self.timeline.task,
            View::Findings => {
                let event = &data.incident.events[self.findings.list.selected_item()? as usize];
                event.links.first().map(|l| l.task)
            }
        }
    }

    fn page(&self) -> isize {
        (self.areas.list.height.max(2) as isize) - 1
    }

    fn move_selection(&mut self, delta: isize) {
        match self.focus {
            Pane::Detail => {
                if self.view == View::Tasks {
                    self.detail.scroll = (self.detail.scroll as isize + delta).max(0) as usize;
                } else {
                    let lines = self.detail.tree.as_ref().map_or(0, |t| t.lines().len());
                    let last = lines.saturating_sub(1) as isize;
                    self.detail.selected =
                        (self.detail.selected as isize + delta).clamp(0, last.max(0)) as usize;
                }
            }
            Pane::Histogram => self.horizontal(delta.signum()),
            Pane::List => {
                self.current_list_mut().move_by(delta);
                self.refresh_side();
            }
        }
    }

    fn horizontal(&mut self, delta: isize) {
        match self.focus {
            Pane::Histogram => {
                let width = self.areas.histogram.width.max(1) as usize;
                let step = HISTOGRAM_BUCKETS.div_ceil(width) as isize;
                self.timeline.cursor = (self.timeline.cursor as isize + delta * step)
                    .clamp(0, HISTOGRAM_BUCKETS as isize - 1)
                    as usize;
            }
            Pane::Detail => {
                let line = self.detail.selected;
                if let Some(tree) = &mut self.detail.tree {
                    let expanded = tree.lines().get(line).is_some_and(|l| l.expanded);
                    if (delta > 0) != expanded {
                        tree.toggle(line);
                    }
                }
            }
            Pane::List => {}
        }
    }

    fn cycle_focus(&mut self, forward: bool) {
        let order: &[Pane] = match self.view {
            View::Timeline => &[Pane::Histogram, Pane::List, Pane::Detail],
            View::Tasks | View::Findings => &[Pane::List, Pane::Detail],
        };
        let at = order.iter().position(|p| *p == self.focus).unwrap_or(0);
        let next = if forward {
            at + 1
        } else {
            at + order.len() - 1
        };
        self.focus = order[next % order.len()];
    }

    fn switch(&mut self, view: View) {
        self.view = view;
        self.focus = Pane::List;
        self.rerun_stale_filter();
        self.refresh_side();
    }

    fn open(&mut self, data: &Data) {
        match (self.view, self.focus) {
            (_, Pane::Detail) => {
                if let Some(tree) = &mut self.detail.tree {
                    tree.toggle(self.detail.selected);
                }
            }
            (View::Timeline, Pane::Histogram) => self.select_range(data),
            (View::Tasks, _) => {
                if let Some(task) = self.tasks.list.selected_item() {
                    self.show_timeline(Some(task as usize));
                }
            }
            (View::Findings, _) => {
                let Some(event) = self.findings.list.selected_item() else {
                    return;
                };
                let task = data.incident.events[event as usize]
                    .links
                    .first()
                    .map(|l| l.task);
                self.show_timeline(task);
                if !self.timeline.list.select_item(event) {
                    self.status = Some((
                        "that finding is hidden by the timeline's filters".into(),
                        Level::Info,
                    ));
                }
                self.refresh_side();
            }
            (View::Timeline, Pane::List) => self.focus = Pane::Detail,
        }
    }

    fn back(&mut self) {
        if self.focus != Pane::List {
            self.focus = Pane::List;
        } else if self.current_list().filter.is_some() {
            self.current_list_mut().clear_filter();
            self.refresh_side();
        } else if self.view == View::Timeline
            && (self.timeline.range.is_some() || self.timeline.anchor.is_some())
        {
            self.timeline.range = None;
            self.timeline.anchor = None;
            if let Some(data) = self.data.clone() {
                self.rebuild_timeline(&data);
            }
        } else if self.view != View::Tasks {
            self.switch(View::Tasks);
        }
    }

    /// Opens the timeline of `task` (None: every event), unfiltered.
    pub fn show_timeline(&mut self, task: Option<usize>) {
        let Some(data) = self.data.clone() else {
            return;
        };
        if self.timeline.task != task || self.timeline.list.base.is_empty() {
            self.timeline.task = task;
            self.timeline.source = None;
            self.timeline.range = None;
            self.timeline.anchor = None;
            self.timeline.list.filter = None;
            self.timeline.rebuild(&data);
        }
        if let Some(task) = task {
            self.tasks.list.select_item(task as u32);
            self.raw_text.request(&data, task, Arc::clone(&self.notify));
        }
        self.view = View::Timeline;
        self.focus = Pane::List;
        self.rerun_stale_filter();
        self.refresh_side();
    }

    fn rebuild_timeline(&mut self, data: &Data) {
        if let Some(query) = self.timeline.rebuild(data) {
            self.apply_filter(query);
        }
        self.refresh_side();
    }

    fn rebuild_tasks(&mut self, data: &Data) {
        if let Some(query) = self.tasks.rebuild(data) {
            self.apply_filter(query);
        }
        self.refresh_side();
    }

    fn select_range(&mut self, data: &Data) {
        if self.view != View::Timeline {
            return;
        }
        self.focus = Pane::Histogram;
        match self.timeline.anchor.take() {
            None => {
                self.timeline.anchor = Some(self.timeline.cursor);
                self.status = Some((
                    "range start set: move and press v (or Enter) again".into(),
                    Level::Info,
                ));
            }
            Some(anchor) => {
                let (a, b) = (
                    anchor.min(self.timeline.cursor),
                    anchor.max(self.timeline.cursor),
                );
                let from = self.timeline.bucket_time(a, false);
                let to = self.timeline.bucket_time(b, true);
                self.timeline.range = from.zip(to);
                self.rebuild_timeline(data);
            }
        }
    }

    fn jump_to(&mut self, forward: bool, wanted: impl Fn(u32) -> bool, what: &str) {
        if self.view == View::Tasks {
            self.status = Some((
                format!("open a timeline to move between {what}s"),
                Level::Info,
            ));
            return;
        }
        match self.current_list().find_from_selection(forward, wanted) {
            Some(row) => {
                self.current_list_mut().select(row);
                self.focus = Pane::List;
                self.refresh_side();
            }
            None => self.status = Some((format!("no {what} here"), Level::Info)),
        }
    }

    /// Runs the fuzzy filter `query` over the list in focus ("" clears it).
    pub fn apply_filter(&mut self, query: String) {
        let Some(data) = self.data.clone() else {
            return;
        };
        if query.trim().is_empty() {
            self.current_list_mut().clear_filter();
            self.refresh_side();
            return;
        }
        let raw_text = match (self.view, self.timeline.task) {
            (View::Timeline, Some(task)) => {
                self.raw_text.request(&data, task, Arc::clone(&self.notify));
                self.raw_text.get(task).map(|text| (task, text))
            }
            _ => None,
        };
        let (haystacks, scope): (HaystackSource, Vec<u32>) = match (self.view, raw_text) {
            (View::Tasks, _) => {
                let text = Arc::clone(&data.task_text);
                (Box::new(move || text), Vec::new())
            }
            (View::Timeline, Some((task, text))) => {
                let positions =
                    positions_in(&data.incident.timelines[task], &self.timeline.list.base);
                (Box::new(move || text), positions)
            }
            _ => {
                let data = Arc::clone(&data);
                (Box::new(move || data.event_text()), Vec::new())
            }
        };
        if self.view == View::Timeline {
            self.raw_filtered = !scope.is_empty() || self.timeline.list.base.is_empty();
        }
        let scope = if scope.is_empty() {
            Arc::clone(&self.current_list().base)
        } else {
            Arc::new(scope)
        };
        let generation = self.filter.submit(&query, haystacks, Some(scope));
        self.current_list_mut().start_filter(query, generation);
    }

    fn toggle_mark(&mut self, data: &Data) {
        let Some(event) = self.selected_event() else {
            self.status = Some(("select an event to mark".into(), Level::Info));
            return;
        };
        let anchor =
            annotations::event_anchor(&data.incident.events[event as usize], &data.bundle.manifest);
        let action = if self.annotations.is_marked(&anchor) {
            AnnotationAction::Unmark
        } else {
            AnnotationAction::Mark
        };
        self.annotate(data, Target::Event { anchor }, action);
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
                self.status = Some(
                    match annotations::unknown_author_warning(&annotation.author) {
                        Some(warning) => (format!("{what}, {warning}"), Level::Warning),
                        None => (format!("{what} (written to the bundle)"), Level::Info),
                    },
                );
                self.annotations.apply(annotation);
            }
            Err(error) => {
                self.status = Some((format!("could not annotate: {error}"), Level::Error))
            }
        }
    }

    fn copy(&mut self, data: &Data) -> Option<Effect> {
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
        self.status = Some((
            format!("copied {}", super::text::clip(&text, 60)),
            Level::Info,
        ));
        Some(Effect::CopyToClipboard(text))
    }

    /// Hands a key to the open popup, then does what it asks.
    fn on_popup_key(&mut self, key: KeyEvent) -> Option<Effect> {
        let mut popup = self.popup.take()?;
        let mut context = KeyContext {
            keymap: &self.keymap,
            actions: self.actions.as_mut(),
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

    /// Does what a prompt's entered text is for.
    fn submit_prompt(&mut self, kind: PromptKind, text: String) {
        let Some(data) = self.data.clone() else {
            return;
        };
        match kind {
            PromptKind::Filter => self.apply_filter(text),
            PromptKind::Note | PromptKind::Tag if text.is_empty() => {
                self.status = Some(("nothing written: the text was empty".into(), Level::Info))
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
                            self.status =
                                Some(("select a task or an event first".into(), Level::Info));
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
                Err(error) => self.status = Some((error.to_string(), Level::Error)),
            },
        }
        None
    }

    fn export(&mut self, format: crate::export::ExportFormat) {
        let (Some(data), Some(task)) = (self.data.clone(), self.selected_task()) else {
            self.status = Some(("select a task to export".into(), Level::Info));
            return;
        };
        match super::export::write(&self.export_dir, &data, &self.annotations, task, format) {
            Ok(path) => self.status = Some((format!("exported {}", path.display()), Level::Info)),
            Err(error) => self.status = Some((format!("export failed: {error}"), Level::Error)),
        }
    }

    /// Reloads the detail pane or task context for the new selection.
    pub fn refresh_side(&mut self) {
        let Some(data) = self.data.clone() else {
            return;
        };
        if let Some(task) = self.selected_task() {
            if self.context.as_ref().is_none_or(|(t, _)| *t != task) {
                if let Some(index) = &self.context_index {
                    self.context = Some((task, task_context(&data.incident, index, task)));
                }
            }
        }
        let event = self.selected_event();
        if event == self.detail.event {
            return;
        }
        self.detail = Detail {
            event,
            ..Detail::default()
        };
        let (Some(event_index), Some(raw)) = (event, self.raw.as_mut()) else {
            return;
        };
        let event = &data.incident.events[event_index as usize];
        let Some(first) = event.raw.first() else {
            return;
        };
        match raw.record(first) {
            Ok(value) => {
                self.detail.facts = key_facts(event, &value);
                self.detail.tree = Some(JsonTree::new(&value));
            }
            Err(error) => self.detail.error = Some(error.to_string()),
        }
    }
}
