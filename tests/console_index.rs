//! The console reads an imported bundle's events in place from its
//! correlated index, and draws exactly what it draws from the incident
//! correlated again from the raw evidence; the task context, gathered on a
//! worker after the first frame, appears when it is ready.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};
use support::{console, console_of, demo_bundle, render, wait_for_filter};
use taskscope::bundle::build::{import_to_bundle, read_inputs};
use taskscope::correlate::EventList;
use taskscope::generate::{generate_incident, GenOptions};
use taskscope::theme::Theme;
use taskscope::tui::app::App;
use taskscope::tui::keymap::Keymap;
use taskscope::tui::keys::Action;
use taskscope::tui::{load, load_with};
use tempfile::TempDir;

/// Every view, the busiest task's timeline with a finding selected, and a
/// filtered timeline, as text.
fn screens(app: &mut App) -> Vec<String> {
    let mut screens = Vec::new();
    for view in [
        Action::TasksView,
        Action::TimelineView,
        Action::FindingsView,
    ] {
        app.perform(view);
        app.perform(Action::MoveDown);
        screens.push(render(app, 160, 48));
    }
    let data = app.data.clone().unwrap();
    let busiest = (0..data.incident.tasks.len())
        .max_by_key(|&task| data.incident.timelines[task].len())
        .unwrap();
    app.show_timeline(Some(busiest));
    app.perform(Action::NextFinding);
    screens.push(render(app, 160, 48));
    app.perform(Action::CycleSource);
    screens.push(render(app, 160, 48));
    app.show_timeline(None);
    app.apply_filter("cloudtrail".into());
    wait_for_filter(app);
    screens.push(render(app, 160, 48));
    screens
}

fn assert_draws_like_raw(root: &Path) {
    let mut stored_app = console(root);
    let stored = stored_app.data.clone().unwrap();
    assert!(
        matches!(stored.incident.events, EventList::Stored(_)),
        "the events are read in place"
    );
    let raw = load_with(root, false).unwrap();
    assert!(!raw.timings.from_index);
    assert!(matches!(raw.data.incident.events, EventList::Owned(_)));
    assert_eq!(stored.findings, raw.data.findings);
    assert_eq!(stored.window, raw.data.window);
    assert_eq!(stored.stats.len(), raw.data.stats.len());
    for (a, b) in stored.stats.iter().zip(&raw.data.stats) {
        assert_eq!(a.summary, b.summary);
        assert_eq!(a.activity, b.activity);
    }
    assert_eq!(stored.event_text(), raw.data.event_text());
    let from_index = screens(&mut stored_app);
    let from_raw = screens(&mut console_of(raw));
    for (number, (a, b)) in from_index.iter().zip(&from_raw).enumerate() {
        assert_eq!(a, b, "screen {number} differs");
    }
}

#[test]
fn the_demo_draws_the_same_from_the_correlated_index() {
    let dir = TempDir::new().unwrap();
    assert_draws_like_raw(&demo_bundle(dir.path()));
}

#[test]
fn a_generated_incident_draws_the_same_from_the_correlated_index() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("in");
    let options = GenOptions {
        events: 3_000,
        tasks: None,
        seed: 5,
    };
    generate_incident(&options, &input).unwrap();
    let root = dir.path().join("bundle");
    import_to_bundle(read_inputs(&[input]), &root).unwrap();
    assert_draws_like_raw(&root);
}

#[test]
fn the_task_context_appears_once_its_worker_is_done() {
    let dir = TempDir::new().unwrap();
    let loaded = load(&demo_bundle(dir.path())).unwrap();
    assert!(
        loaded.data.context_index().is_none(),
        "nothing is gathered before the first frame"
    );
    let theme = Theme::builtin("dark").unwrap();
    let mut app = App::new(Keymap::defaults(), theme, "tester".into(), || {});
    app.set_data(loaded);
    // What the event loop does once the first frame is drawn.
    app.start_warming();
    let data = app.data.clone().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while data.context_index().is_none() {
        assert!(Instant::now() < deadline, "the context was never gathered");
        std::thread::sleep(Duration::from_millis(2));
    }
    app.poll_context();
    let screen = render(&mut app, 160, 48);
    assert!(screen.contains("Image"), "{screen}");
}
