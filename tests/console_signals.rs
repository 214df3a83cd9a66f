//! An attack sequence's signals as sub-rows on the timeline: expanding the
//! demo incident's sequence, stepping onto its sub-rows, jumping to a
//! signal's own finding, and a signal whose finding the bundle lacks.

#[allow(dead_code)]
mod support;

use std::path::{Path, PathBuf};
use support::{console, demo_bundle, render};
use taskscope::bundle::build::import_to_bundle;
use taskscope::demo;
use taskscope::tui::app::App;
use taskscope::tui::keys::Action;

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, text);
    });
}

/// The index of the event whose GuardDuty finding has ID `id`.
fn finding_event(app: &App, id: &str) -> u32 {
    let fact = format!("guardduty:{id}");
    let events = &app.data.as_ref().unwrap().incident.events;
    events
        .iter()
        .position(|e| e.fact_id.as_deref() == Some(fact.as_str()))
        .expect("the finding is in the demo bundle") as u32
}

/// The demo's attack sequence finding.
const SEQUENCE: &str = "f0e1d2c3b4a54968778695a4b3c2d1e7";
/// Its first signal, a reverse shell finding the demo holds.
const REVERSE_SHELL: &str = "e6c1f0a2b3d44c5e8f7a9b0c1d2e3f40";

/// The demo incident without its `get-findings` export, so that the
/// sequence's crypto miner signal (found only there) is not in the bundle.
fn demo_without_get_findings(dir: &Path) -> PathBuf {
    let path = dir.join("partial");
    let inputs = demo::inputs().into_iter().filter(|input| {
        !input
            .as_ref()
            .is_ok_and(|f| f.source_path.ends_with("guardduty_get_findings.json"))
    });
    import_to_bundle(inputs, &path).unwrap();
    path
}

/// The whole incident's timeline with the attack sequence selected.
fn on_sequence(app: &mut App) -> u32 {
    app.show_timeline(None);
    let sequence = finding_event(app, SEQUENCE);
    assert!(app.timeline.list.select_item(sequence));
    sequence
}

#[test]
fn space_expands_the_sequence_into_its_signals() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&demo_bundle(dir.path()));
    let sequence = on_sequence(&mut app);
    let before = render(&mut app, 160, 48).matches(" └─").count();

    app.perform(Action::ToggleSignals);
    let expanded = app.timeline.expanded.as_ref().expect("expanded");
    assert_eq!(expanded.event, sequence);
    assert_eq!(expanded.rows.len(), 3);
    // The demo holds the finding of every signal.
    assert!(expanded.rows.iter().all(|r| r.event.is_some()));

    // On the last sub-row, every sub-row is in view.
    for _ in 0..3 {
        app.perform(Action::MoveDown);
    }
    let screen = render(&mut app, 160, 48);
    assert!(screen.contains("Execution:Runtime/ReverseShell"));
    assert!(screen.contains("Impact:Runtime/CryptoMinerExecuted"));
    assert!(screen.contains("in bundle"));
    assert_eq!(screen.matches(" └─").count(), before + 3);
    snapshot("demo_signals_160x48", &screen);

    // Space again (on a sub-row) folds them away.
    app.perform(Action::ToggleSignals);
    assert!(app.timeline.expanded.is_none());
    assert_eq!(render(&mut app, 160, 48).matches(" └─").count(), before);
}

#[test]
fn enter_on_a_sub_row_jumps_to_the_signals_finding() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&demo_bundle(dir.path()));
    let sequence = on_sequence(&mut app);
    app.perform(Action::ToggleSignals);

    // Down steps onto the first sub-row; the list's selection stays put.
    app.perform(Action::MoveDown);
    assert_eq!(app.timeline.list.selected_item(), Some(sequence));
    let signal = app.timeline.selected_signal().expect("a sub-row");
    assert_eq!(signal.signal.title(), "Execution:Runtime/ReverseShell");

    app.perform(Action::Open);
    let target = finding_event(&app, REVERSE_SHELL);
    assert_eq!(app.timeline.list.selected_item(), Some(target));
    assert_eq!(app.detail.event, Some(target));
    assert!(app.timeline.selected_signal().is_none());
}

#[test]
fn a_signal_the_bundle_lacks_is_said_to_be_absent() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&demo_without_get_findings(dir.path()));
    let sequence = on_sequence(&mut app);
    app.perform(Action::ToggleSignals);
    let expanded = app.timeline.expanded.as_ref().expect("expanded");
    let held: Vec<bool> = expanded.rows.iter().map(|r| r.event.is_some()).collect();
    assert_eq!(held, [true, true, false]);
    for _ in 0..3 {
        app.perform(Action::MoveDown);
    }
    assert!(render(&mut app, 160, 48).contains("not in bundle"));
    let signal = app.timeline.selected_signal().expect("a sub-row");
    assert_eq!(signal.signal.title(), "Impact:Runtime/CryptoMinerExecuted");

    app.perform(Action::Open);
    assert_eq!(app.timeline.list.selected_item(), Some(sequence));
    let (line, _) = app.status.clone().expect("a status line");
    assert!(line.contains("not in this bundle"), "{line}");
    assert!(
        line.contains("Impact:Runtime/CryptoMinerExecuted"),
        "{line}"
    );

    // Down once more leaves the sub-rows for the next event; up comes back
    // onto the last sub-row.
    app.perform(Action::MoveDown);
    assert_ne!(app.timeline.list.selected_item(), Some(sequence));
    app.perform(Action::MoveUp);
    assert_eq!(app.timeline.list.selected_item(), Some(sequence));
    let signal = app.timeline.selected_signal().expect("the last sub-row");
    assert_eq!(signal.signal.title(), "Impact:Runtime/CryptoMinerExecuted");
}

#[test]
fn only_a_sequence_expands() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&demo_bundle(dir.path()));
    app.show_timeline(None);
    let shell = finding_event(&app, REVERSE_SHELL);
    assert!(app.timeline.list.select_item(shell));
    app.perform(Action::ToggleSignals);
    assert!(app.timeline.expanded.is_none());
    let (line, _) = app.status.clone().expect("a status line");
    assert!(line.contains("only an attack sequence"), "{line}");
}

#[test]
fn on_the_findings_board_space_opens_the_sequence_expanded() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&demo_bundle(dir.path()));
    let sequence = finding_event(&app, SEQUENCE);
    app.perform(Action::FindingsView);
    assert!(app.findings.list.select_item(sequence));
    app.perform(Action::ToggleSignals);
    assert_eq!(app.view, taskscope::tui::screens::View::Timeline);
    assert_eq!(app.timeline.list.selected_item(), Some(sequence));
    let expanded = app.timeline.expanded.as_ref().expect("expanded");
    assert_eq!(expanded.event, sequence);
    assert_eq!(expanded.rows.len(), 3);
}
