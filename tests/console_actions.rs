//! What the console's keys do to its state and to the bundle, on the sample
//! incident: time ranges, the source filter, the palette's task jump, marks
//! and notes written to the bundle, and exports.

mod support;

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use support::{console, demo_bundle, render, wait_for_filter};
use taskscope::bundle::verify::verify;
use taskscope::bundle::Bundle;
use taskscope::demo::COMPROMISED_TASK;
use taskscope::model::Source;
use taskscope::tui::app::App;
use taskscope::tui::keys::Action;
use taskscope::tui::screens::View;

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

fn press(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn compromised(app: &App) -> usize {
    app.data
        .as_ref()
        .unwrap()
        .incident
        .find_task(COMPROMISED_TASK)
        .unwrap()
}

#[test]
fn a_histogram_range_narrows_the_timeline_and_esc_restores_it() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&demo_bundle(dir.path()));
    app.show_timeline(Some(compromised(&app)));
    render(&mut app, 160, 48);
    let all = app.timeline.list.len();
    app.perform(Action::PrevPane); // the histogram
    app.perform(Action::Top);
    app.perform(Action::SelectRange);
    for _ in 0..20 {
        app.perform(Action::MoveRight);
    }
    app.perform(Action::SelectRange);
    let (from, to) = app.timeline.range.expect("a range is set");
    let shown = app.timeline.list.len();
    assert!(
        shown > 0 && shown < all,
        "{shown} of {all} events in the range"
    );
    let data = app.data.clone().unwrap();
    for row in 0..shown {
        let time = data.incident.events[app.timeline.list.item(row).unwrap() as usize].time;
        assert!(time >= from && time <= to);
    }
    app.perform(Action::Back); // leaves the histogram
    app.perform(Action::Back); // clears the range
    assert_eq!(app.timeline.list.len(), all);
}

#[test]
fn the_source_filter_cycles_through_present_sources() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&demo_bundle(dir.path()));
    app.show_timeline(Some(compromised(&app)));
    let data = app.data.clone().unwrap();
    let mut seen = Vec::new();
    loop {
        app.perform(Action::CycleSource);
        let Some(source) = app.timeline.source else {
            break;
        };
        seen.push(source);
        for row in 0..app.timeline.list.len() {
            let event = app.timeline.list.item(row).unwrap() as usize;
            assert_eq!(data.incident.events[event].source, source);
        }
        assert!(seen.len() <= Source::ALL.len(), "the cycle ends");
    }
    // The sample incident holds no syscall capture: every other source.
    let sources: Vec<Source> = Source::EVIDENCE
        .into_iter()
        .filter(|&source| source != Source::Scap)
        .collect();
    assert_eq!(seen, sources, "T1 has evidence from every source but scap");
}

#[test]
fn the_palette_jumps_to_a_task_by_service_name() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&demo_bundle(dir.path()));
    app.perform(Action::Palette);
    type_text(&mut app, "batch-reports");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.view, View::Timeline);
    let task = app.timeline.task.expect("a task timeline");
    let facts = &app.data.as_ref().unwrap().incident.tasks[task];
    assert_eq!(facts.service(), Some("batch-reports"));
}

#[test]
fn marks_and_notes_are_written_to_the_bundle_and_shown() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = demo_bundle(dir.path());
    let mut app = console(&path);
    app.show_timeline(Some(compromised(&app)));
    app.perform(Action::NextFinding);
    app.perform(Action::Mark);
    app.perform(Action::Note);
    type_text(&mut app, "first shell: SSTI in receipts");
    press(&mut app, KeyCode::Enter);
    let screen = render(&mut app, 160, 48);
    assert!(
        screen.contains('★'),
        "the marked row shows a star:\n{screen}"
    );
    assert!(
        screen.contains("✎ first shell: SSTI in receipts"),
        "{screen}"
    );
    assert!(
        screen.contains("— tester,"),
        "the note is signed:\n{screen}"
    );

    // A reviewer opening the bundle later sees the same.
    let mut again = console(&path);
    again.show_timeline(Some(compromised(&again)));
    again.perform(Action::NextMark);
    let screen = render(&mut again, 160, 48);
    assert!(screen.contains("★ marked"), "{screen}");
    assert!(screen.contains("first shell: SSTI in receipts"), "{screen}");
    let bundle = Bundle::open(&path).unwrap();
    assert!(verify(&bundle).is_empty(), "the annotated bundle verifies");
}

#[test]
fn filtering_the_timeline_then_next_finding_moves_among_matches() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&demo_bundle(dir.path()));
    app.show_timeline(Some(compromised(&app)));
    app.perform(Action::Filter);
    type_text(&mut app, "runtime");
    press(&mut app, KeyCode::Enter);
    wait_for_filter(&mut app);
    let data = app.data.clone().unwrap();
    let shown = app.timeline.list.len();
    assert!(shown >= 2, "{shown}");
    for row in 0..shown {
        let event = &data.incident.events[app.timeline.list.item(row).unwrap() as usize];
        assert!(event.kind.contains("Runtime") || event.summary.to_lowercase().contains("runtime"));
    }
    let before = app.timeline.list.selected;
    app.perform(Action::NextMatch);
    assert_eq!(app.timeline.list.selected, before + 1);
    press(&mut app, KeyCode::Esc);
    assert!(app.timeline.list.filter.is_none());
}

#[test]
fn export_writes_new_files_and_never_overwrites() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&demo_bundle(dir.path()));
    let out = dir.path().join("exports");
    std::fs::create_dir(&out).unwrap();
    app.export_dir = out.clone();
    app.show_timeline(Some(compromised(&app)));
    for _ in 0..2 {
        app.perform(Action::Export);
        press(&mut app, KeyCode::Enter); // the first format: the Markdown report
    }
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "taskscope-3f9c2d7e-report-2.md",
            "taskscope-3f9c2d7e-report.md"
        ]
    );
    let report = std::fs::read_to_string(out.join("taskscope-3f9c2d7e-report.md")).unwrap();
    assert!(report.contains(COMPROMISED_TASK), "{report}");
    assert!(report.contains("ReverseShell"), "{report}");
}

#[test]
fn a_click_selects_the_row_under_the_pointer_past_gap_separators() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&demo_bundle(dir.path()));
    app.show_timeline(Some(compromised(&app)));
    let screen = render(&mut app, 160, 48);
    assert!(
        screen.contains("silent"),
        "the timeline shows a gap:\n{screen}"
    );
    let y = screen
        .lines()
        .position(|line| line.contains("ExecuteCommand (ecs)"))
        .expect("ExecuteCommand is on screen") as u16;
    app.on_mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 10,
        row: y,
        modifiers: KeyModifiers::NONE,
    });
    let data = app.data.clone().unwrap();
    let selected = app.timeline.list.selected_item().unwrap() as usize;
    assert_eq!(data.incident.events[selected].kind, "ExecuteCommand");
}

#[test]
fn the_filter_searches_raw_records_of_a_task_timeline() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&demo_bundle(dir.path()));
    // Over every event, only normalized fields are searched: the attacker's
    // Kali user agent is in no summary.
    app.show_timeline(None);
    app.apply_filter("kali".into());
    wait_for_filter(&mut app);
    assert!(app.timeline.list.is_empty());

    // On the compromised task's timeline the raw records are searched too, as
    // soon as the worker has read them.
    app.show_timeline(Some(compromised(&app)));
    app.apply_filter("kali".into());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while app.timeline.list.is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "raw text never searched"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
        app.poll_filter();
    }
    wait_for_filter(&mut app);
    let data = app.data.clone().unwrap();
    let shown = app.timeline.list.len();
    assert!(shown >= 3, "the attacker's API calls: {shown}");
    for row in 0..shown {
        let event = &data.incident.events[app.timeline.list.item(row).unwrap() as usize];
        assert_eq!(event.source, Source::Cloudtrail, "{}", event.kind);
    }
}

#[test]
fn a_note_by_an_unknown_author_warns_how_to_name_one() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = demo_bundle(dir.path());
    let mut app = console(&path);
    app.author = taskscope::bundle::annotations::UNKNOWN_AUTHOR.to_string();
    app.show_timeline(Some(compromised(&app)));
    app.perform(Action::NextFinding);
    app.perform(Action::Note);
    type_text(&mut app, "who wrote this?");
    press(&mut app, KeyCode::Enter);
    let (message, level) = app.status.clone().expect("a status line");
    assert_eq!(level, taskscope::tui::status::Level::Warning, "{message}");
    assert!(
        message.starts_with("note saved, attributed to `unknown`") && message.contains("$USER"),
        "{message}"
    );
}

#[test]
fn the_palette_shows_each_commands_keys() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&demo_bundle(dir.path()));
    app.perform(Action::Palette);
    type_text(&mut app, "unmark");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("mark: mark / unmark event  m "), "{screen}");
}
