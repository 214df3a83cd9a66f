//! The console's task context pane lists the bundle's custody log, escaped.

#[allow(dead_code)]
mod support;

use support::{console, demo_bundle, render};
use taskscope::bundle::custody::{self, Transfer};

/// The console's screen on the task list (the first task's context pane
/// beside it), tall and wide enough to hold the whole pane, as text rows.
fn context_text(bundle: &std::path::Path) -> Vec<String> {
    let mut app = console(bundle);
    render(&mut app, 320, 400)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn the_context_pane_shows_each_handoff_oldest_first_and_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = demo_bundle(dir.path());
    assert!(
        !context_text(&bundle).iter().any(|l| l.contains("Custody")),
        "no handoff, no section"
    );
    let handoff = |to: &str, note: Option<&str>, time: &str| {
        let transfer = Transfer {
            from: "alice@ir-laptop".into(),
            to: to.into(),
            host: "ir-laptop".into(),
            note: note.map(str::to_string),
        };
        custody::append(&bundle, &transfer, time).unwrap();
    };
    handoff(
        "bob@legal",
        Some("for review\u{1b}[2J"),
        "2026-11-20T16:00:00Z",
    );
    handoff("carol@court", None, "2026-11-21T09:00:00Z");
    let lines = context_text(&bundle);
    let heading = lines
        .iter()
        .position(|l| l.contains("Custody of the bundle"))
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(
        lines[heading + 1].contains(
            "2026-11-20T16:00:00Z alice@ir-laptop -> bob@legal (on ir-laptop): for review\\x1b[2J"
        ),
        "{}",
        lines[heading + 1]
    );
    assert!(
        lines[heading + 2]
            .contains("2026-11-21T09:00:00Z alice@ir-laptop -> carol@court (on ir-laptop)"),
        "{}",
        lines[heading + 2]
    );
}
