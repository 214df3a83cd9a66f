//! The investigation console: a keyboard-first TUI over an evidence bundle
//! (docs/keys.md). Loading, indexing and filtering run on worker threads; the
//! UI thread only handles input and draws what is in view.
//!
//! Its parts: [`screens`], one module per screen holding its state, its
//! drawing and its pane text; [`popups`], each a [`popups::PopupPart`] that
//! takes its keys through its own layer of the one keymap table in
//! [`keys`]; [`app`], which routes input to the popup or screen in front and
//! does what they ask; and [`effect`], what only the event loop below can
//! do (quit, read the bundle again, the clipboard), returned rather than
//! left in flags.

pub mod app;
pub mod data;
pub mod effect;
pub mod export;
pub mod filter;
pub mod keymap;
pub mod keys;
#[cfg(test)]
mod keys_doc;
pub mod line_edit;
pub mod list;
pub mod live;
pub mod loaded;
pub mod place;
pub mod popups;
pub mod raw_text;
pub mod reload_schedule;
pub mod respond;
pub mod screens;
pub mod status;
pub mod terminal;
pub mod text;
pub mod ui;
pub mod widgets;

use crate::config::Config;
use crate::respond::interrupt::{signal_name, SIGNALS};
use crate::theme::Theme;
use app::App;
use effect::Effect;
use keymap::Keymap;
use live::LiveStatus;
pub use loaded::{load, load_with, LoadTimings, Loaded};
use ratatui::crossterm::event::{self, Event as TermEvent, KeyEventKind};
use reload_schedule::ReloadSchedule;
use signal_hook::iterator::Signals;
use std::path::PathBuf;
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
    app.session.loading = format!("opening {} …", options.bundle.display());
    Ok(app)
}

/// Runs the console until the user quits or a signal arrives.
pub fn run(options: Options) -> anyhow::Result<()> {
    Console::new(&options)?.run()
}

/// A console ready to take over the terminal, with the channel that feeds it.
pub struct Console {
    /// Its state; set `app.session.live` for a bundle live collection is filling.
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
        guard.screen.draw(|frame| ui::render(frame, app))?;
        app.start_warming();
        let Ok(first) = receiver.recv() else {
            return Ok(());
        };
        // Handle everything queued before drawing again.
        for message in std::iter::once(first).chain(receiver.try_iter()) {
            let effect = match message {
                Message::Input(TermEvent::Key(key)) if key.kind != KeyEventKind::Release => {
                    app.on_key(key)
                }
                Message::Input(TermEvent::Mouse(mouse)) => {
                    app.on_mouse(mouse);
                    None
                }
                Message::Input(_) => None,
                Message::Loaded(result) => {
                    loader.loaded();
                    match *result {
                        Ok(loaded) => app.set_data(loaded),
                        Err(error) => app.set_load_error(error),
                    }
                    None
                }
                Message::Collected(status) => app.set_live(status).then_some(Effect::Reload),
                Message::Wake => {
                    app.poll_filter();
                    app.poll_actions();
                    app.poll_context();
                    None
                }
                Message::Terminate(signal) => app.terminate(signal).then_some(Effect::Quit),
            };
            match effect {
                Some(Effect::Quit) => return Ok(()),
                Some(Effect::Reload) => loader.more_stored(),
                Some(Effect::CopyToClipboard(text)) => guard.copy_to_clipboard(&text)?,
                None => {}
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
