//! `taskscope collect` of a task's image against moto, which serves
//! Amazon Inspector (ListFindings answers from a queue the seed fills) and
//! ECR (DescribeImages, DescribeImageScanFindings) but not ECR managed
//! signing. With Inspector scanning ECR, its finding flags the task and a
//! cosign signature tag signs the image; without it, ECR's basic scan is
//! collected instead and the report says why. Seeded by
//! tests/aws/seed_images.py.

mod binary;
#[path = "aws/moto.rs"]
mod moto;

use moto::Moto;
use serde_json::Value;
use std::path::Path;
use std::process::Output;

/// Collects the seeded cluster into `bundle`.
fn collect(moto: &Moto, bundle: &Path) -> Output {
    moto.taskscope()
        .args([
            "collect",
            "--region",
            "us-east-1",
            "--cluster",
            "supply",
            "--since",
            "2d",
            "--out",
        ])
        .arg(bundle)
        .output()
        .expect("taskscope runs")
}

fn seed(moto: &Moto, mode: &str) -> (String, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/aws/seed_images.py");
    let printed = moto.python(&[script.as_os_str()], &[mode]);
    let seeded: Value = serde_json::from_slice(&printed).expect("the seed prints JSON");
    (
        seeded["task"].as_str().unwrap().to_string(),
        seeded["digest"].as_str().unwrap().to_string(),
    )
}

fn images_report(bundle: &Path) -> Value {
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    manifest["collection"]["source_reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["source"] == "images")
        .cloned()
        .expect("an images report")
}

/// The task's one container image, from `tasks --format json`.
fn task_image(moto: &Moto, bundle: &Path, task: &str) -> (Value, Value) {
    let out = moto
        .taskscope()
        .args(["tasks", bundle.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["arn"] == task)
        .cloned()
        .expect("the seeded task");
    (row["images"][0].clone(), row)
}

#[test]
fn inspector_findings_and_a_cosign_tag_are_collected_for_the_tasks_image() {
    let moto = Moto::start();
    let (task, digest) = seed(&moto, "inspector");
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    let out = collect(&moto, &bundle);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report = images_report(&bundle);
    assert_eq!(report["status"], "complete", "{report} {stderr}");
    let calls = &report["calls"];
    assert_eq!(calls["BatchGetAccountStatus"], 1, "{calls}");
    assert_eq!(calls["ListFindings"], 1, "{calls}");
    // The image itself, and the cosign signature tag.
    assert_eq!(calls["DescribeImages"], 2, "{calls}");
    assert_eq!(calls.get("DescribeImageScanFindings"), None, "{calls}");
    // moto has no ECR managed signing: noted, the source stays complete.
    let notes = report["notes"].to_string();
    assert!(notes.contains("ecr:DescribeImageSigningStatus"), "{notes}");

    let (image, row) = task_image(&moto, &bundle, &task);
    assert_eq!(image["digest"], digest.as_str());
    assert_eq!(image["scan_source"], "inspector", "{image}");
    assert_eq!(image["top_critical"][0]["id"], "CVE-2026-41077");
    assert_eq!(image["exploit_known"], true);
    assert_eq!(image["tags"][0], "v7", "{image}");
    assert!(image["pushed_at"].is_string(), "{image}");
    assert_eq!(image["signature"]["state"], "signed", "{image}");
    assert_eq!(
        row["image_flags"][0]["flag"], "critical-exploitable",
        "{row}"
    );
    assert_eq!(row["image_flags"].as_array().unwrap().len(), 1, "{row}");
}

#[test]
fn without_inspector_the_ecr_basic_scan_is_collected_and_the_reason_noted() {
    let moto = Moto::start();
    let (task, _) = seed(&moto, "basic");
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    let out = collect(&moto, &bundle);
    let report = images_report(&bundle);
    assert_eq!(
        report["status"],
        "complete",
        "{report} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(report["calls"].get("ListFindings"), None, "{report}");
    assert_eq!(report["calls"]["DescribeImageScanFindings"], 1, "{report}");
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("Amazon Inspector does not scan ECR in 123456789012 us-east-1"),
        "{notes}"
    );
    let (image, row) = task_image(&moto, &bundle, &task);
    assert_eq!(image["scan_source"], "ecr-basic-scan", "{image}");
    assert_eq!(image["severity_counts"]["high"], 1, "{image}");
    assert_eq!(image["exploit_known"], Value::Null);
    // Neither signing status nor a cosign tag: unknown, and not flagged.
    assert_eq!(image["signature"]["state"], "unknown", "{image}");
    assert!(row["image_flags"].as_array().unwrap().is_empty(), "{row}");
}
