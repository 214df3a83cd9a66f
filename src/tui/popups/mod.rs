//! Modal popups: help, the text prompt (filter, note, tag), the command
//! palette with fuzzy task jump, the export chooser, and a response action
//! (its stages are in `respond`). Each is a [`PopupPart`]: it takes the
//! keys while open, through its own keymap layer, draws itself, and tells
//! the console what to do through a [`Reply`].

pub mod action;
pub mod export;
pub mod help;
pub mod palette;
pub mod prompt;

use super::keymap::Keymap;
use super::keys::Action;
use super::respond::flow::ActionFlow;
use super::respond::Actions;
use crate::export::ExportFormat;
use crate::theme::Theme;
use export::ExportChooser;
use help::Help;
use palette::{Command, Palette};
use prompt::{Prompt, PromptKind};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::Frame;

/// What a popup needs to handle a key.
pub struct KeyContext<'a> {
    /// The keys in force, every layer.
    pub keymap: &'a Keymap,
    /// Response actions, when allowed.
    pub actions: Option<&'a mut Actions>,
}

/// What a popup needs to draw itself.
pub struct Look<'a> {
    /// Colours and styles.
    pub theme: &'a Theme,
    /// The keys in force, for the help and key hints.
    pub keymap: &'a Keymap,
}

/// Something a popup asks of the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Filter the list in view with this query ("" clears it).
    Filter(String),
    /// The prompt's text was entered (trimmed).
    Submit(PromptKind, String),
    /// Run a palette command.
    Run(Command),
    /// Export the task in question.
    Export(ExportFormat),
    /// Leave the console.
    Quit,
    /// Read the bundle again.
    Reload,
}

/// A popup's answer to a key: whether it stays open, and what the console
/// is to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The popup closes.
    pub close: bool,
    /// What the console is to do, after closing it when it closes.
    pub request: Option<Request>,
}

impl Reply {
    /// Stays open, nothing to do.
    pub fn stay() -> Reply {
        Reply {
            close: false,
            request: None,
        }
    }

    /// Closes, nothing to do.
    pub fn close() -> Reply {
        Reply {
            close: true,
            request: None,
        }
    }

    /// Stays open and asks for `request`.
    pub fn stay_with(request: Request) -> Reply {
        Reply {
            close: false,
            request: Some(request),
        }
    }

    /// Closes and asks for `request`.
    pub fn close_with(request: Request) -> Reply {
        Reply {
            close: true,
            request: Some(request),
        }
    }
}

/// One kind of popup.
pub trait PopupPart {
    /// Handles a key press, looked up in the popup's keymap layer.
    fn on_key(&mut self, key: &KeyEvent, context: &mut KeyContext) -> Reply;

    /// Draws the popup over `area`, the whole screen.
    fn draw(&self, frame: &mut Frame, area: Rect, look: &Look);
}

/// The open popup.
pub enum Popup {
    /// The key help overlay.
    Help(Help),
    /// A one-line text prompt.
    Prompt(Prompt),
    /// The command palette.
    Palette(Palette),
    /// The export format chooser.
    Export(ExportChooser),
    /// A response action: plan, confirmation, progress, result.
    Action(Box<ActionFlow>),
}

impl Popup {
    /// The popup as its part.
    pub fn part(&self) -> &dyn PopupPart {
        match self {
            Popup::Help(help) => help,
            Popup::Prompt(prompt) => prompt,
            Popup::Palette(palette) => palette,
            Popup::Export(export) => export,
            Popup::Action(flow) => flow.as_ref(),
        }
    }

    /// The popup as its part, to hand it a key.
    pub fn part_mut(&mut self) -> &mut dyn PopupPart {
        match self {
            Popup::Help(help) => help,
            Popup::Prompt(prompt) => prompt,
            Popup::Palette(palette) => palette,
            Popup::Export(export) => export,
            Popup::Action(flow) => flow.as_mut(),
        }
    }
}

/// Whether a key quits from a popup: a quit key of the screens that is not
/// a plain character (`ctrl-c`, not `q`, which popups read as text or as
/// their own key).
pub fn quits(key: &KeyEvent, keymap: &Keymap) -> bool {
    let plain_char = matches!(key.code, KeyCode::Char(_))
        && !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    !plain_char && keymap.action(key) == Some(Action::Quit)
}
