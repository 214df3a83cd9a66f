//! The investigation console: a keyboard-first TUI over an evidence bundle
//! (docs/keys.md). Loading, indexing and filtering run on worker threads; the
//! UI thread only handles input and draws what is in view.

pub mod app;
pub mod context_view;
pub mod data;
pub mod export;
pub mod filter;
pub mod keys;
pub mod list;
pub mod live;
pub mod place;
pub mod popups;
pub mod raw_text;
pub mod respond;
pub mod side;
pub mod terminal;
pub mod text;
pub mod ui;
pub mod views;

use crate::bundle::annotations::Annotations;
use crate::bundle::{Bundle, OpenedIncident};
use crate::config::Config;
use crate::inspect::context::ContextIndex;
use crate::raw::RawReader;
use crate::respond::interrupt::{signal_name, SIGNALS};
use crate::theme::Theme;
use app::App;
use data::Data;
use keys::Keymap;
use live::{LiveStatus, ReloadSchedule};
use ratatui::crossterm::event::{self, Event as TermEvent, KeyEventKind};
use signal_hook::iterator::Signals;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

/// How to start the console.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The bundle to open.
    pub bundle: PathBuf,
    /// Open straight on this task's timeline (ID or ARN).
    pub task: Option<String>,
    /// Theme name or path (beats the config file).
    pub theme: Option<String>,
    /// Config file (default: the XDG path).
    pub config: Option<PathBuf>,
    /// Drop colours even without NO_COLOR.
    pub no_color: bool,
    /// Response actions, when allowed (`--allow-actions`, or the profile
    /// listed in the config); None keeps the console read-only.
    pub actions: Option<respond::ActionAccess>,
}

/// Messages into the UI thread.
pub enum Message {
    /// A key or mouse event.
    Input(TermEvent),
    /// The bundle is loaded (or failed to load).
    Loaded(Box<Result<Loaded, String>>),
    /// A worker has new results to show.
    Wake,
    /// Live collection stored a response, finished a source, or ended.
    Collected(LiveStatus),
    /// SIGTERM, SIGHUP or SIGINT (named): leave cleanly, after a running
    /// action has recorded its result.
    Terminate(&'static str),
}

/// What the loader hands to the UI.
pub struct Loaded {
    /// Everything derived from the bundle.
    pub data: Data,
    /// Its marks, tags and notes.
    pub annotations: Annotations,
    /// Annotation lines that could not be read.
    pub problems: Vec<String>,
    /// Incident-wide facts for task contexts.
    pub context_index: ContextIndex,
    /// How long loading took.
    pub timings: LoadTimings,
}

/// Where loading time went.
#[derive(Debug, Clone, Copy)]
pub struct LoadTimings {
    /// Reading the derived index (or re-importing the bundle's artifacts)
    /// and correlating.
    pub import: Duration,
    /// Whether the derived index was used.
    pub from_index: bool,
    /// Annotations, task-context index and the views' lists (the filter
    /// text is built later, on a worker).
    pub index: Duration,
}

/// Builds the console's starting state from the config file and options.
pub fn prepare(
    options: &Options,
    notify: impl Fn() + Send + Sync + 'static,
) -> anyhow::Result<App> {
    let loaded = Config::load(options.config.as_deref())?;
    let config = &loaded.config;
    let keymap = Keymap::with_overrides(&config.keys).map_err(|e| match &loaded.path {
        Some(path) => anyhow::anyhow!("{}: {e}", path.display()),
        None => anyhow::anyhow!("{e}"),
    })?;
    let theme = Theme::resolve(
        options.theme.as_deref(),
        config.theme.as_deref(),
        options.no_color || crate::theme::no_color_requested(),
    )?;
    let author = config
        .author
        .clone()
        .unwrap_or_else(crate::bundle::annotations::default_author);
    let mut app = App::new(keymap, theme, author, notify);
    app.open_task = options.task.clone();
    if let Some(access) = &options.actions {
        app.enable_actions(access.clone());
    }
    app.loading = format!("opening {} …", options.bundle.display());
    Ok(app)
}

/// Opens, correlates and indexes a bundle (run on a worker thread), from
/// its derived index when that is valid.
pub fn load(path: &Path) -> Result<Loaded, String> {
    load_with(path, true)
}

/// [`load`], with `use_index` false to import the raw artifacts again
/// whatever the index holds (as a bundle without one opens).
pub fn load_with(path: &Path, use_index: bool) -> Result<Loaded, String> {
    let started = Instant::now();
    let bundle = Bundle::open(path).map_err(|e| e.to_string())?;
    let OpenedIncident {
        incident,
        problems,
        from_index,
    } = if use_index {
        bundle.open_incident()
    } else {
        let (incident, problems) = bundle.incident_from_raw();
        OpenedIncident {
            incident,
            problems,
            from_index: false,
        }
    };
    let imported = started.elapsed();
    let annotations = Annotations::load(&bundle).map_err(|e| e.to_string())?;
    let annotation_problems = annotations.problems().to_vec();
    let context_index = ContextIndex::new(&incident, &mut RawReader::for_bundle(&bundle));
    let data = Data::new(bundle, incident, problems);
    Ok(Loaded {
        data,
        annotations,
        problems: annotation_problems,
        context_index,
        timings: LoadTimings {
            import: imported,
            from_index,
            index: started.elapsed() - imported,
        },
    })
}

/// Runs the console until the user quits or a signal arrives.
pub fn run(options: Options) -> anyhow::Result<()> {
    Console::new(&options)?.run()
}

/// A console ready to take over the terminal, with the channel that feeds it.
pub struct Console {
    /// Its state; set `app.live` for a bundle live collection is filling.
    pub app: App,
    bundle: PathBuf,
    sender: Sender<Message>,
    receiver: Receiver<Message>,
}

impl Console {
    /// Reads the config file, keymap and theme; the terminal is not touched
    /// yet, so errors can be printed plainly.
    pub fn new(options: &Options) -> anyhow::Result<Console> {
        let (sender, receiver) = mpsc::channel();
        let wake = sender.clone();
        let app = prepare(options, move || {
            let _ = wake.send(Message::Wake);
        })?;
        Ok(Console {
            app,
            bundle: options.bundle.clone(),
            sender,
            receiver,
        })
    }

    /// A sender into the console's channel: live collection's progress
    /// arrives through it as [`Message::Collected`].
    pub fn sender(&self) -> Sender<Message> {
        self.sender.clone()
    }

    /// Loads the bundle on a worker, takes over the terminal and runs until
    /// the user quits or a signal arrives; the terminal is restored on return.
    pub fn run(self) -> anyhow::Result<()> {
        let Console {
            mut app,
            bundle,
            sender,
            receiver,
        } = self;
        let mut loader = Loader {
            schedule: ReloadSchedule::first_load(Instant::now()),
            bundle,
            sender: sender.clone(),
        };
        loader.spawn(Duration::ZERO);
        spawn_signal_watch(sender.clone())?;
        let mut guard = terminal::Guard::enter()?;
        spawn_input(sender);
        event_loop(&mut app, &mut guard, &receiver, &mut loader)
    }
}

/// Loads the bundle on worker threads: at start, then again as live
/// collection stores responses, as [`ReloadSchedule`] allows.
struct Loader {
    schedule: ReloadSchedule,
    bundle: PathBuf,
    sender: Sender<Message>,
}

impl Loader {
    /// Starts a load after `delay`; it reports back as [`Message::Loaded`].
    fn spawn(&self, delay: Duration) {
        let (path, sender) = (self.bundle.clone(), self.sender.clone());
        thread::spawn(move || {
            thread::sleep(delay);
            let result = load(&path);
            let _ = sender.send(Message::Loaded(Box::new(result)));
        });
    }

    /// Live collection (or an action's audit log) stored more: load again
    /// when the schedule allows.
    fn more_stored(&mut self) {
        if let Some(delay) = self.schedule.more_stored(Instant::now()) {
            self.spawn(delay);
        }
    }

    /// A load ended: start the next one if it is due.
    fn loaded(&mut self) {
        if let Some(delay) = self.schedule.loaded(Instant::now()) {
            self.spawn(delay);
        }
    }
}

fn event_loop(
    app: &mut App,
    guard: &mut terminal::Guard,
    receiver: &Receiver<Message>,
    loader: &mut Loader,
) -> anyhow::Result<()> {
    loop {
        guard.screen.draw(|frame| ui::draw(frame, app))?;
        if let Some(text) = app.clipboard.take() {
            guard.copy_to_clipboard(&text)?;
        }
        let Ok(first) = receiver.recv() else {
            return Ok(());
        };
        // Handle everything queued before drawing again.
        for message in std::iter::once(first).chain(receiver.try_iter()) {
            match message {
                Message::Input(TermEvent::Key(key)) if key.kind != KeyEventKind::Release => {
                    app.on_key(key)
                }
                Message::Input(TermEvent::Mouse(mouse)) => app.on_mouse(mouse),
                Message::Input(_) => {}
                Message::Loaded(result) => {
                    loader.loaded();
                    match *result {
                        Ok(loaded) => app.set_data(loaded),
                        Err(error) => app.set_load_error(error),
                    }
                }
                Message::Collected(status) => {
                    if app.set_live(status) {
                        loader.more_stored();
                    }
                }
                Message::Wake => {
                    app.poll_filter();
                    app.poll_actions();
                }
                Message::Terminate(signal) => {
                    if app.terminate(signal) {
                        return Ok(());
                    }
                }
            }
            if std::mem::take(&mut app.reload_requested) {
                loader.more_stored();
            }
            if app.should_leave() {
                return Ok(());
            }
        }
    }
}

fn spawn_input(sender: Sender<Message>) {
    thread::spawn(move || {
        while let Ok(event) = event::read() {
            if sender.send(Message::Input(event)).is_err() {
                return;
            }
        }
    });
}

fn spawn_signal_watch(sender: Sender<Message>) -> anyhow::Result<()> {
    let mut signals = Signals::new(SIGNALS)?;
    thread::spawn(move || {
        for signal in signals.forever() {
            if sender
                .send(Message::Terminate(signal_name(signal)))
                .is_err()
            {
                return;
            }
        }
    });
    Ok(())
}
