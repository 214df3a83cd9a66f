//! Image and supply chain per task, from files: the AWS CLI's JSON output of
//! `inspector2 list-findings`, `ecr describe-images`,
//! `ecr describe-image-signing-status` and `ecr describe-image-scan-findings`
//! (the synthetic demo files) import beside `ecs describe-tasks`, and each
//! task's images show in `tasks --format json` and the reports, with the
//! flags for a critical vulnerability with a known exploit and for no
//! signature found. Only ECR images are ever judged.

mod binary;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

const T1: &str = "3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93";
const T0: &str = "c41b7a9e2d5f4e80b3a6c9d1e7f20b58";
const IMAGE_FILES: [&str; 4] = [
    "inspector2_list_findings.json",
    "ecr_describe_images.json",
    "ecr_describe_image_signing_status.json",
    "ecr_describe_image_scan_findings.json",
];

fn taskscope(args: &[&str]) -> Output {
    binary::command()
        .args(args)
        .output()
        .expect("runs taskscope")
}

fn demo_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/demo/incident")
        .join(name)
}

/// A bundle of describe-tasks and the image files (or only some).
fn bundle_of(dir: &TempDir, image_files: &[&str]) -> PathBuf {
    let bundle = dir.path().join("bundle");
    let mut args = vec![
        "import".to_string(),
        demo_file("ecs_describe_tasks.json").display().to_string(),
    ];
    args.extend(
        image_files
            .iter()
            .map(|f| demo_file(f).display().to_string()),
    );
    args.extend(["--out".to_string(), bundle.display().to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = taskscope(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "every file is recognized: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    bundle
}

fn tasks_json(bundle: &Path) -> Vec<Value> {
    let out = taskscope(&["tasks", bundle.to_str().unwrap(), "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn row<'a>(rows: &'a [Value], id: &str) -> &'a Value {
    rows.iter().find(|r| r["id"] == id).expect("the task's row")
}

fn image<'a>(row: &'a Value, container: &str) -> &'a Value {
    row["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["container"] == container)
        .expect("the container's image")
}

#[test]
fn cli_json_of_inspector_and_ecr_imports_and_flags_the_compromised_task() {
    let dir = TempDir::new().unwrap();
    let bundle = bundle_of(&dir, &IMAGE_FILES);
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    let formats: Vec<&str> = manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["formats"].as_array().unwrap())
        .filter_map(Value::as_str)
        .collect();
    for format in [
        "inspector2-findings",
        "ecr-images",
        "ecr-signing-status",
        "ecr-scan-findings",
    ] {
        assert!(formats.contains(&format), "{format} in {formats:?}");
    }

    let rows = tasks_json(&bundle);
    let t1 = row(&rows, T1);
    let app = image(t1, "app");
    assert_eq!(app["scan_source"], "inspector", "{app}");
    assert_eq!(app["severity_counts"]["critical"], 1, "{app}");
    assert_eq!(app["severity_counts"]["high"], 1, "{app}");
    assert_eq!(app["top_critical"][0]["id"], "CVE-2026-41077");
    assert_eq!(app["top_critical"][0]["packages"][0]["name"], "jinja2");
    assert_eq!(app["top_critical"][0]["packages"][0]["fixed_in"], "3.1.6");
    assert_eq!(app["exploit_known"], true);
    assert_eq!(app["tags"], serde_json::json!(["41", "build-8812"]));
    assert_eq!(app["pushed_at"], "2026-11-20T12:41:07.118Z");
    assert_eq!(app["ecr"]["repository"], "checkout-api");
    assert_eq!(app["signature"]["state"], "none-found", "{app}");
    let flags: Vec<&str> = t1["image_flags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["flag"].as_str())
        .collect();
    assert_eq!(flags, ["critical-exploitable", "no-signature-found"]);

    // ECR Public is not ECR: nothing is claimed about it.
    let router = image(t1, "log-router");
    assert_eq!(router["signature"]["state"], "unknown");
    assert_eq!(
        router["signature"]["detail"],
        "not an ECR image: scan and signature unknown"
    );
    assert_eq!(router["scan_source"], Value::Null);
    assert!(router["flags"].as_array().unwrap().is_empty());

    // Without Inspector findings, ECR's basic scan: no exploit information.
    let falco = image(t1, "falco");
    assert_eq!(falco["scan_source"], "ecr-basic-scan", "{falco}");
    assert_eq!(falco["severity_counts"]["medium"], 1);
    assert_eq!(falco["exploit_known"], Value::Null);
    // No signing status of that digest was collected: unknown, not unsigned.
    assert_eq!(falco["signature"]["state"], "unknown");

    // The older build is signed with cosign and has nothing critical.
    let t0 = row(&rows, T0);
    let good = image(t0, "app");
    assert_eq!(good["signature"]["state"], "signed", "{good}");
    assert!(t0["image_flags"].as_array().unwrap().is_empty());
}

#[test]
fn without_the_image_files_nothing_is_flagged_and_every_image_is_unknown() {
    let dir = TempDir::new().unwrap();
    let bundle = bundle_of(&dir, &[]);
    let rows = tasks_json(&bundle);
    for row in &rows {
        assert!(row["image_flags"].as_array().unwrap().is_empty(), "{row}");
        for image in row["images"].as_array().unwrap() {
            assert_eq!(image["signature"]["state"], "unknown", "{image}");
        }
    }
}

#[test]
fn the_index_and_the_raw_evidence_give_the_same_image_facts() {
    let dir = TempDir::new().unwrap();
    let bundle = bundle_of(&dir, &IMAGE_FILES);
    let from_index = tasks_json(&bundle);
    std::fs::remove_file(bundle.join("derived/index.bin")).unwrap();
    let from_raw = tasks_json(&bundle);
    assert_eq!(from_index, from_raw);
    assert_eq!(image(row(&from_raw, T1), "app")["scan_source"], "inspector");
}

#[test]
fn the_reports_show_the_images_and_their_flags() {
    let dir = TempDir::new().unwrap();
    let bundle = bundle_of(&dir, &IMAGE_FILES);
    let task_report = taskscope(&[
        "export",
        bundle.to_str().unwrap(),
        "--task",
        T1,
        "--format",
        "md",
    ]);
    let text = String::from_utf8_lossy(&task_report.stdout);
    assert!(task_report.status.success(), "{text}");
    assert!(text.contains("## Images"), "{text}");
    assert!(
        text.contains("| app | CVE-2026-41077 | jinja2 | 3.1.2 | 3.1.6 | yes |"),
        "{text}"
    );
    assert!(text.contains("critical vulnerability CVE-2026-41077 with a known exploit"));
    let incident_report = taskscope(&["report", bundle.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&incident_report.stdout);
    assert!(text.contains("### Images"), "{text}");
    assert!(text.contains("no signature found"), "{text}");
}

#[test]
fn hostile_strings_in_image_records_are_escaped_in_the_reports() {
    let dir = TempDir::new().unwrap();
    let hostile = dir.path().join("describe_images.json");
    let document = serde_json::json!({"imageDetails": [{
        "registryId": "111122223333",
        "repositoryName": "checkout-api",
        "imageDigest": "sha256:139e2f2fea44898ac4610125ca1680dbedc9e7bc9e8390d70f226bc3bc45b5e4",
        "imageTags": ["v41\u{1b}[2J\u{1b}]52;c;cm0gLXJmIH4=\u{7}|<b>"],
        "imagePushedAt": 1_795_230_000.0
    }]});
    std::fs::write(&hostile, document.to_string()).unwrap();
    let bundle = dir.path().join("bundle");
    let out = taskscope(&[
        "import",
        demo_file("ecs_describe_tasks.json").to_str().unwrap(),
        hostile.to_str().unwrap(),
        "--out",
        bundle.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = taskscope(&[
        "export",
        bundle.to_str().unwrap(),
        "--task",
        T1,
        "--format",
        "md",
    ]);
    let text = String::from_utf8_lossy(&report.stdout);
    assert!(report.status.success(), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text}"
    );
    assert!(text.contains("\\x1b[2J"), "{text}");
    // The tag cannot break the table or inject HTML.
    assert!(!text.contains("|<b>"), "{text}");
}
