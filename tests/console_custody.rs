//! The console's task context pane lists the bundle's custody log, escaped.

#[allow(dead_code)]
mod support;

use support::{console, demo_bundle};
use taskscope::bundle::custody::{self, Transfer};
use taskscope::tui::side::context_lines;

/// The context pane of the first task, as plain text lines.
fn context_text(bundle: &std::path::Path) -> Vec<String> {
    let app = console(bundle);
    let data = app.data.clone().expect("loaded");
    context_lines(&app, &data, 0)
        .iter()
        .map(|line| line.spans.iter().map(|s| s.content.as_ref()).collect())
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
        .position(|l| l == "Custody of the bundle")
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert_eq!(
        lines[heading + 1],
        "2026-11-20T16:00:00Z alice@ir-laptop -> bob@legal (on ir-laptop): for review\\x1b[2J"
    );
    assert_eq!(
        lines[heading + 2],
        "2026-11-21T09:00:00Z alice@ir-laptop -> carol@court (on ir-laptop)"
    );
}
