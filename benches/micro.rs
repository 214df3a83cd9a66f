//! Criterion micro-benchmarks of the hot paths: parsing one CloudTrail
//! delivery file, correlating 100,000 events, drawing one console frame
//! over them, and redacting a hostile log record. Run: `cargo bench --bench micro`.

use criterion::{criterion_group, criterion_main, Criterion};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::json;
use std::hint::black_box;
use taskscope::bundle::build::{import_in_memory, import_to_bundle, InputFile, InputResult};
use taskscope::export::redact::redact_value;
use taskscope::generate::{cloudtrail_delivery_files, ecs_describe_tasks};
use taskscope::import::import_bytes;
use taskscope::theme::Theme;
use taskscope::tui::app::App;
use taskscope::tui::keymap::Keymap;
use taskscope::tui::keys::Action;
use taskscope::tui::{load, ui};

fn inputs(events: u64) -> Vec<InputResult> {
    cloudtrail_delivery_files(events, 1_000, 500)
        .into_iter()
        .chain([ecs_describe_tasks(500)])
        .map(|(name, bytes)| {
            Ok(InputFile {
                source_path: name,
                bytes,
            })
        })
        .collect()
}

fn parse_one_file(c: &mut Criterion) {
    let (_, file) = cloudtrail_delivery_files(1_000, 1_000, 500)
        .pop()
        .expect("one file");
    c.bench_function("import_bytes: 1,000 CloudTrail records, gzip", |b| {
        b.iter(|| import_bytes(black_box(&file), 0))
    });
}

fn correlate(c: &mut Criterion) {
    let mut group = c.benchmark_group("correlate");
    group.sample_size(10);
    group.bench_function("import_in_memory: 100,000 events, 500 tasks", |b| {
        b.iter_batched(
            || inputs(100_000),
            import_in_memory,
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn draw_frame(c: &mut Criterion) {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let bundle = dir.path().join("bundle");
    import_to_bundle(inputs(100_000), &bundle).expect("bundle");
    let theme = Theme::builtin("dark").expect("theme");
    let mut app = App::new(Keymap::defaults(), theme, "bench".into(), || {});
    app.set_data(load(&bundle).expect("load"));
    app.show_timeline(None);
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
    c.bench_function("frame at 160x48: all-events timeline of 100,000", |b| {
        b.iter(|| {
            app.perform(Action::MoveDown);
            terminal.draw(|f| ui::render(f, &mut app)).expect("draw");
        })
    });
}

/// One CloudWatch Logs record whose message is 800 KB of `-----BEGIN `
/// markers with no header end: each marker once cost a search to the end of
/// the text (issue 20, defect 1).
fn redact_hostile_record(c: &mut Criterion) {
    let markers = 800_000 / "-----BEGIN ".len();
    let record = json!({
        "timestamp": 1_763_646_540_000_u64,
        "logStreamName": "app/app/0123456789abcdef0123456789abcdef",
        "message": "-----BEGIN ".repeat(markers),
    });
    let mut group = c.benchmark_group("redact");
    group.sample_size(10);
    group.bench_function("800 KB record of -----BEGIN markers", |b| {
        b.iter_batched(
            || record.clone(),
            |mut record| {
                redact_value(&mut record);
                record
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(
    benches,
    parse_one_file,
    correlate,
    draw_frame,
    redact_hostile_record
);
criterion_main!(benches);
