//! Import throughput against the decompression floor.
//!
//! Generates 100,000 CloudTrail records in gzip S3 delivery files, then times
//! `zcat` over the same files and `taskscope import` (read, hash, store with
//! fsync, decompress, parse, classify) into a fresh bundle, plus the parse and
//! correlation alone, and `zcat | jq -c '.Records[]'` over the same files.
//! Prints the median of several runs and the ratios.
//! Run: `cargo bench --bench import` (set IMPORT_BENCH_RECORDS to change the size).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use taskscope::bundle::build::{import_in_memory, import_to_bundle, read_inputs};
use taskscope::generate::cloudtrail_delivery_files;

const RUNS: usize = 5;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time(mut run: impl FnMut()) -> Duration {
    run(); // warm the page cache
    median(
        (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                run();
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let records: u64 = std::env::var("IMPORT_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::TempDir::new().expect("temp dir");
    let input = dir.path().join("trail");
    std::fs::create_dir(&input).unwrap();
    let files = cloudtrail_delivery_files(records, 1_000, 500);
    let mut paths: Vec<PathBuf> = Vec::new();
    let (mut compressed, mut total) = (0usize, 0usize);
    for (name, bytes) in &files {
        let path = input.join(name);
        std::fs::write(&path, bytes).unwrap();
        compressed += bytes.len();
        paths.push(path);
    }
    let zcat = time(|| {
        let status = Command::new("zcat")
            .args(&paths)
            .stdout(Stdio::null())
            .status()
            .expect("zcat is installed");
        assert!(status.success());
    });
    // jq needs the JSON decompressed: zcat | jq -c '.Records[]', as a whole.
    let file_list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let jq = time(|| {
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "zcat {} | jq -c '.Records[]' > /dev/null",
                file_list.join(" ")
            ))
            .status()
            .expect("sh, zcat and jq are installed");
        assert!(status.success());
    });
    let mut runs = 0;
    let import = time(|| {
        runs += 1;
        let out = dir.path().join(format!("bundle-{runs}"));
        let report = import_to_bundle(read_inputs(std::slice::from_ref(&input)), &out).unwrap();
        total = report.manifest.inputs.iter().map(|i| i.records).sum();
        std::fs::remove_dir_all(&out).unwrap();
    });
    let parse = time(|| {
        let (_, incident) = import_in_memory(read_inputs(std::slice::from_ref(&input)));
        assert_eq!(incident.events.len() as u64, records);
    });
    assert_eq!(total as u64, records, "every generated record was imported");
    println!(
        "import benchmark: {records} CloudTrail records, {} gzip files, {:.1} MB compressed",
        files.len(),
        compressed as f64 / 1e6
    );
    println!(
        "  zcat (decompression floor)        {:>8.1} ms",
        zcat.as_secs_f64() * 1e3
    );
    println!(
        "  zcat | jq -c '.Records[]'         {:>8.1} ms  {:.2}x zcat",
        jq.as_secs_f64() * 1e3,
        jq.as_secs_f64() / zcat.as_secs_f64()
    );
    println!(
        "  taskscope import (bundle, fsync)  {:>8.1} ms  {:.2}x zcat (target <= 2x), jq / import = {:.1} (target >= 5)",
        import.as_secs_f64() * 1e3,
        import.as_secs_f64() / zcat.as_secs_f64(),
        jq.as_secs_f64() / import.as_secs_f64()
    );
    println!(
        "  parse + correlate only            {:>8.1} ms  {:.2}x zcat",
        parse.as_secs_f64() * 1e3,
        parse.as_secs_f64() / zcat.as_secs_f64()
    );
}
