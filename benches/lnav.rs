//! taskscope against lnav (Debian package) on the same records as JSON lines:
//! time to load them and answer a filter.
//!
//! - lnav: `lnav -n -c ':filter-in GetSecretValue' -c ':write-screen-to FILE' records.jsonl`
//!   (load, index, filter, write the filtered view), one process.
//! - taskscope: open a bundle holding the same JSON lines file (`tui::load`:
//!   re-import, correlate, index) and run the console's filter over every
//!   event to completion, in-process. The one-time `taskscope import` of the
//!   file is timed and shown separately.
//!
//! Run: `cargo bench --bench lnav` (LNAV_BENCH_EVENTS=N, default 100,000;
//! needs `lnav` on the PATH: `apt-get install lnav`).

use flate2::read::GzDecoder;
use std::io::{Read, Write};
use std::process::Command;
use std::time::{Duration, Instant};
use taskscope::bundle::build::{import_to_bundle, InputFile};
use taskscope::generate::cloudtrail_delivery_files;
use taskscope::theme::Theme;
use taskscope::tui::app::App;
use taskscope::tui::keymap::Keymap;
use taskscope::tui::load;

const RUNS: usize = 3;
const QUERY: &str = "GetSecretValue";

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let events: u64 = std::env::var("LNAV_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::TempDir::new().expect("temp dir");
    let jsonl = dir.path().join("records.jsonl");
    let mut out = std::fs::File::create(&jsonl).expect("jsonl file");
    for (_, gz) in cloudtrail_delivery_files(events, 1_000, 500) {
        let mut text = String::new();
        GzDecoder::new(&gz[..])
            .read_to_string(&mut text)
            .expect("generated gzip");
        let document: serde_json::Value = serde_json::from_str(&text).expect("generated JSON");
        for record in document["Records"].as_array().expect("Records") {
            writeln!(out, "{record}").expect("write");
        }
    }
    drop(out);
    let size = std::fs::metadata(&jsonl).map_or(0, |m| m.len());

    let screen = dir.path().join("lnav-screen.txt");
    let lnav = median(
        (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                let status = Command::new("lnav")
                    .arg("-n")
                    .arg("-c")
                    .arg(format!(":filter-in {QUERY}"))
                    .arg("-c")
                    .arg(format!(":write-screen-to {}", screen.display()))
                    .arg(&jsonl)
                    .stdout(std::process::Stdio::null())
                    .status()
                    .expect("lnav is installed (apt-get install lnav)");
                assert!(status.success());
                start.elapsed()
            })
            .collect(),
    );

    let bundle = dir.path().join("bundle");
    let start = Instant::now();
    let input = InputFile {
        source_path: "records.jsonl".into(),
        bytes: std::fs::read(&jsonl).expect("read jsonl"),
    };
    import_to_bundle([Ok(input)], &bundle).expect("import");
    let import = start.elapsed();

    let mut matched = 0;
    let taskscope = median(
        (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                let loaded = load(&bundle).expect("bundle loads");
                let theme = Theme::builtin("dark").expect("theme");
                let mut app = App::new(Keymap::defaults(), theme, "bench".into(), || {});
                app.set_data(loaded);
                app.show_timeline(None);
                app.apply_filter(QUERY.to_lowercase());
                loop {
                    app.poll_filter();
                    if app.timeline.list.filter.as_ref().is_some_and(|f| f.done) {
                        break;
                    }
                    std::thread::sleep(Duration::from_micros(200));
                }
                matched = app.timeline.list.len();
                start.elapsed()
            })
            .collect(),
    );
    println!(
        "lnav comparison: {events} CloudTrail records as JSON lines, {:.1} MB, filter {QUERY:?} ({matched} matches)",
        size as f64 / 1e6
    );
    println!(
        "  lnav load + filter          {:>8.1} ms",
        lnav.as_secs_f64() * 1e3
    );
    println!(
        "  taskscope open + filter     {:>8.1} ms  ({:.2}x lnav)",
        taskscope.as_secs_f64() * 1e3,
        taskscope.as_secs_f64() / lnav.as_secs_f64()
    );
    println!(
        "  taskscope import, once      {:>8.1} ms",
        import.as_secs_f64() * 1e3
    );
}
