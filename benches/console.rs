//! Console responsiveness over a generated large bundle (default one million
//! CloudTrail events in 1,000 gzip files, and the 500 tasks whose role
//! sessions made them):
//! - open: load the bundle (from its raw artifacts, then from its derived
//!   index), correlate and index it, then draw the first frame;
//! - frame render time at 160x48 while paging through the all-events timeline (p50, p99);
//! - one task's timeline: switching to it;
//! - fuzzy filter over every event: time to the first matches and to completion.
//!
//! Run: `cargo bench --bench console` (CONSOLE_BENCH_EVENTS changes the size;
//! CONSOLE_BENCH_SKIP_RAW=1 leaves out the open from raw evidence, which
//! holds the whole incident in memory).

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::time::{Duration, Instant};
use taskscope::bundle::build::{import_to_bundle, InputFile, InputResult};
use taskscope::generate::{cloudtrail_delivery_files, ecs_describe_tasks};
use taskscope::theme::Theme;
use taskscope::tui::app::App;
use taskscope::tui::keymap::Keymap;
use taskscope::tui::keys::Action;
use taskscope::tui::{load, load_with, ui};

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index]
}

fn main() {
    let events: u64 = std::env::var("CONSOLE_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::TempDir::new().expect("temp dir");
    let bundle = dir.path().join("bundle");
    let inputs = cloudtrail_delivery_files(events, 1_000, 500)
        .into_iter()
        .chain([ecs_describe_tasks(500)])
        .map(|(name, bytes)| {
            Ok(InputFile {
                source_path: name,
                bytes,
            })
        })
        .collect::<Vec<InputResult>>();
    let started = Instant::now();
    import_to_bundle(inputs, &bundle).expect("bundle written");
    println!(
        "generated and imported {events} events in {:.1?} (derived index {} bytes)",
        started.elapsed(),
        std::fs::metadata(bundle.join(taskscope::bundle::index::INDEX_PATH)).map_or(0, |m| m.len())
    );

    // First open of a bundle without an index (or an older taskscope's):
    // the raw artifacts are imported again. It holds the whole incident in
    // memory (2.7 GB at 1M): CONSOLE_BENCH_SKIP_RAW=1 leaves it out.
    if std::env::var_os("CONSOLE_BENCH_SKIP_RAW").is_none() {
        open_from_raw(&bundle);
    }

    let started = Instant::now();
    let loaded = load(&bundle).expect("bundle loads");
    let timings = loaded.timings;
    assert!(timings.from_index, "the derived index is used");
    let theme = Theme::builtin("dark").expect("built-in theme");
    let mut app = App::new(Keymap::defaults(), theme, "bench".into(), || {});
    app.set_data(loaded);
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("test terminal");
    terminal.draw(|f| ui::render(f, &mut app)).expect("draw");
    let first_frame = started.elapsed();
    app.start_warming();
    println!(
        "open to first frame with the index: {:.1?} (read index and correlate {:.1?}, index {:.1?})",
        first_frame,
        timings.import,
        timings.index
    );

    // The events' filter text is built on a worker after the first frame;
    // the measurements below start once it is ready.
    if let Some(data) = &app.data {
        data.event_text();
    }
    println!(
        "filter text ready {:.1?} after the first frame",
        started.elapsed() - first_frame
    );

    app.show_timeline(None);
    let mut frames = Vec::new();
    for step in 0..400 {
        app.perform(if step % 4 == 0 {
            Action::PageDown
        } else {
            Action::MoveDown
        });
        let start = Instant::now();
        terminal.draw(|f| ui::render(f, &mut app)).expect("draw");
        frames.push(start.elapsed());
    }
    println!(
        "frame render at 160x48 (all-events timeline, {} frames): p50 {:.2?}, p99 {:.2?}",
        frames.len(),
        percentile(&mut frames, 0.5),
        percentile(&mut frames, 0.99)
    );

    let task = app
        .data
        .as_ref()
        .and_then(|d| (0..d.incident.tasks.len()).max_by_key(|&t| d.incident.timelines[t].len()))
        .expect("a task");
    let start = Instant::now();
    app.show_timeline(Some(task));
    terminal.draw(|f| ui::render(f, &mut app)).expect("draw");
    println!(
        "open one task's timeline ({} events) and draw it: {:.2?}",
        app.timeline.list.len(),
        start.elapsed()
    );

    app.show_timeline(None);
    for query in ["getsecret", "decrypt 5eed"] {
        let start = Instant::now();
        app.apply_filter(query.to_string());
        let mut first = None;
        loop {
            app.poll_filter();
            let filter = app.timeline.list.filter.as_ref().expect("filter set");
            if first.is_none() && !filter.matches.is_empty() {
                first = Some(start.elapsed());
            }
            if filter.done {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let done = start.elapsed();
        terminal.draw(|f| ui::render(f, &mut app)).expect("draw");
        let matches = app.timeline.list.len();
        println!(
            "filter {query:?} over {events} events: first results {:.1?}, complete {:.1?} ({matches} matches)",
            first.unwrap_or(done),
            done
        );
    }
}

/// Opens the bundle from its raw artifacts, as a bundle without an index
/// opens, draws the first frame and waits for the filter text.
fn open_from_raw(bundle: &std::path::Path) {
    let started = Instant::now();
    let raw = load_with(bundle, false).expect("bundle loads from raw evidence");
    let raw_timings = raw.timings;
    let mut app = App::new(
        Keymap::defaults(),
        Theme::builtin("dark").expect("theme"),
        "bench".into(),
        || {},
    );
    app.set_data(raw);
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("test terminal");
    terminal.draw(|f| ui::render(f, &mut app)).expect("draw");
    app.start_warming();
    println!(
        "open to first frame without the index: {:.1?} (re-import and correlate {:.1?}, index {:.1?})",
        started.elapsed(),
        raw_timings.import,
        raw_timings.index
    );
    // Let the filter-text worker finish before the next measurement.
    if let Some(data) = &app.data {
        data.event_text();
    }
    drop(app);
}
