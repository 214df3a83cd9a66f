//! What the console's keys ask of its event loop: quitting, the clipboard.
//! The console returns these as effects; nothing is left in a flag for the
//! loop to find.

#[allow(dead_code)]
mod support;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use support::{console, demo_bundle};
use taskscope::demo::COMPROMISED_TASK;
use taskscope::tui::app::App;
use taskscope::tui::effect::Effect;
use taskscope::tui::keys::Action;

fn key(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Option<Effect> {
    app.on_key(KeyEvent::new(code, modifiers))
}

#[test]
fn quit_keys_ask_the_loop_to_leave_from_screens_and_help() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&demo_bundle(dir.path()));
    assert_eq!(
        key(&mut app, KeyCode::Char('q'), KeyModifiers::NONE),
        Some(Effect::Quit)
    );
    assert!(!app.should_leave(), "no signal came: nothing to leave for");
    app.perform(Action::Help);
    assert_eq!(
        key(&mut app, KeyCode::Char('c'), KeyModifiers::CONTROL),
        Some(Effect::Quit),
        "ctrl-c quits from the help"
    );
    app.perform(Action::Help);
    assert_eq!(
        key(&mut app, KeyCode::Char('q'), KeyModifiers::NONE),
        None,
        "q closes the help"
    );
    assert!(app.popup.is_none());
}

#[test]
fn copy_hands_the_selection_to_the_clipboard() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&demo_bundle(dir.path()));
    let data = app.data.clone().unwrap();
    let task = data.incident.find_task(COMPROMISED_TASK).unwrap();
    assert!(app.tasks.list.select_item(task as u32));
    let arn = data.incident.tasks[task].display_ref().to_string();
    assert_eq!(
        key(&mut app, KeyCode::Char('y'), KeyModifiers::NONE),
        Some(Effect::CopyToClipboard(arn))
    );
    app.show_timeline(Some(task));
    let Some(Effect::CopyToClipboard(id)) = app.perform(Action::Copy) else {
        panic!("copy on the timeline gives no clipboard text");
    };
    assert!(!id.is_empty());
    assert_eq!(app.perform(Action::MoveDown), None);
}
