//! The incident report (`taskscope report`) of the sample incident and of a
//! generated one: complete (every task, finding and action), escaped
//! (hostile evidence and notes), self-contained HTML, and Markdown whose
//! structure holds.

mod binary;

use serde_json::json;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use taskscope::bundle::annotations::{event_anchor, Annotations};
use taskscope::bundle::audit::{self, Actor, CallStatus, Entry, Record, ResultStatus};
use taskscope::bundle::audit::{StepOutcome, StepStatus};
use taskscope::bundle::build::{import_to_bundle, InputFile};
use taskscope::bundle::Bundle;
use taskscope::correlate::Incident;
use taskscope::demo;
use taskscope::export::incident::html::html_text;
use taskscope::export::incident::{incident_report, ReportFormat};
use taskscope::render::markdown_cell;
use taskscope::render::sanitize::is_unsafe;
use tempfile::TempDir;

const ARN: &str =
    "arn:aws:ecs:us-east-1:111122223333:task/payments-prod/3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93";

/// A Falco alert from the compromised task whose rule and output try to
/// break a terminal, a Markdown table and an HTML page.
const HOSTILE_ALERT: &str = concat!(
    r#"{"output":"evil \u001b]0;pwned\u0007\u001b[2J | <script>alert(1)</script> \\| end \u202egpj.exe","#,
    r#""priority":"Critical","rule":"Hostile|rule <img src=x onerror='a()'> & \"q\"","time":"2026-11-20T14:10:00Z","#,
    r#""output_fields":{"container.id":"3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93-1837765126"}}"#,
    "\n"
);

/// A note that tries the same.
const HOSTILE_NOTE: &str = "# not a heading \u{1b}[31m red <b>bold</b> | \u{202e}txt.exe \u{2066}";

fn taskscope(args: &[&str]) -> Output {
    binary::command()
        .args(args)
        .env("TASKSCOPE_AUTHOR", "dana")
        .output()
        .expect("runs taskscope")
}

fn succeeds(args: &[&str]) -> String {
    let out = taskscope(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn hostile_corpus(name: &str) -> InputFile {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile")
        .join(name);
    InputFile {
        source_path: format!("hostile/{name}"),
        bytes: fs::read(path).expect("hostile corpus file"),
    }
}

/// The sample incident as a bundle, with hostile inputs added when asked.
fn sample_bundle(hostile: bool) -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let root = dir.path().join("bundle");
    let mut inputs = demo::inputs();
    if hostile {
        inputs.push(Ok(InputFile {
            source_path: "hostile/falco.ndjson".into(),
            bytes: HOSTILE_ALERT.as_bytes().to_vec(),
        }));
        for name in [
            "bidi_overrides_falco.ndjson",
            "terminal_escapes_cloudtrail.json",
            "nul_and_controls_cwlogs.json",
        ] {
            inputs.push(Ok(hostile_corpus(name)));
        }
    }
    import_to_bundle(inputs, &root).unwrap();
    (dir, root)
}

fn record(time: &str, entry: Entry) -> Record {
    Record {
        time: time.into(),
        plan_id: "isolate-3f9c2d7e-20261120T142938.417Z-5c0e1a".into(),
        action: "isolate".into(),
        actor: Actor {
            caller: "arn:aws:sts::111122223333:assumed-role/ir/dana".into(),
            user: "dana@ir-laptop".into(),
        },
        target: ARN.into(),
        task_definitions: Vec::new(),
        entry,
    }
}

/// Writes an isolation's audit records: the plan, a call that succeeded,
/// one that failed with a hostile error message, and the result.
fn record_isolation(root: &Path) -> Vec<Record> {
    let records = vec![
        record(
            "2026-11-20T14:29:40.1Z",
            Entry::Plan {
                plan: json!({"steps": [{"id": "protect", "selected": true}, {"id": "stop", "selected": true}]}),
                confirmed_by: "typed 3f9c2d7e".into(),
            },
        ),
        record(
            "2026-11-20T14:30:14.902661318Z",
            Entry::Call {
                step: "protect".into(),
                operation: "ecs:UpdateTaskProtection".into(),
                parameters: json!({"protectionEnabled": true}),
                prior: serde_json::Value::Null,
                request_id: Some("7e02c1d4-protect".into()),
                status: CallStatus::Ok,
                error: None,
                output: serde_json::Value::Null,
                attempts: Vec::new(),
            },
        ),
        record(
            "2026-11-20T14:30:15Z",
            Entry::Call {
                step: "stop".into(),
                operation: "ecs:StopTask".into(),
                parameters: json!({"task": ARN}),
                prior: serde_json::Value::Null,
                request_id: Some("9a11-stop".into()),
                status: CallStatus::Failed,
                error: Some("AccessDenied \u{1b}[2J <i>denied</i>".into()),
                output: serde_json::Value::Null,
                attempts: Vec::new(),
            },
        ),
        record(
            "2026-11-20T14:30:16.5Z",
            Entry::Result {
                status: ResultStatus::Failed,
                steps: vec![
                    StepOutcome::new("protect", StepStatus::Done),
                    StepOutcome::new("stop", StepStatus::Failed),
                ],
                error: Some("stop failed".into()),
                interrupted_by: None,
                in_flight: None,
                after: json!({"lastStatus": "RUNNING"}),
            },
        ),
    ];
    for record in &records {
        audit::append(root, record).unwrap();
    }
    records
}

fn opened(root: &Path) -> (Bundle, Incident, Annotations) {
    let bundle = Bundle::open(root).unwrap();
    let (incident, problems) = bundle.incident();
    assert!(problems.is_empty(), "{problems:?}");
    let annotations = Annotations::load(&bundle).unwrap();
    (bundle, incident, annotations)
}

fn generated_at() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-11-21T09:00:00Z")
        .unwrap()
        .into()
}

fn report(root: &Path, summary: Option<&str>, format: ReportFormat) -> String {
    let (bundle, incident, annotations) = opened(root);
    incident_report(
        &bundle,
        &incident,
        &annotations,
        summary,
        generated_at(),
        format,
    )
}

/// The `|` that separate cells: those not escaped by an odd run of backslashes.
fn cell_separators(line: &str) -> usize {
    let mut count = 0;
    let mut backslashes = 0;
    for c in line.chars() {
        match c {
            '\\' => backslashes += 1,
            '|' if backslashes % 2 == 0 => {
                count += 1;
                backslashes = 0;
            }
            _ => backslashes = 0,
        }
    }
    count
}

/// A structure lint: exactly one H1 and it comes first, no heading level
/// skipped, every table's rows with as many cells as its header, a
/// separator row under each header, and no raw HTML tag.
fn lint_markdown(text: &str) -> Result<(), String> {
    let mut level = 0;
    let mut h1 = 0;
    let mut table_columns: Option<usize> = None;
    let mut table_line = 0;
    for (number, line) in text.lines().enumerate() {
        let at = number + 1;
        if let Some(rest) = line.strip_prefix('#') {
            let depth = 1 + rest.chars().take_while(|&c| c == '#').count();
            if !rest[depth - 1..].starts_with(' ') {
                return Err(format!("line {at}: heading without a space: {line}"));
            }
            if depth == 1 {
                h1 += 1;
                if at != 1 {
                    return Err(format!("line {at}: an H1 that is not the title"));
                }
            } else if depth > level + 1 {
                return Err(format!("line {at}: H{depth} after H{level}"));
            }
            level = depth;
        }
        if line.starts_with('|') {
            let cells = cell_separators(line) - 1;
            match table_columns {
                None => {
                    table_columns = Some(cells);
                    table_line = 0;
                }
                Some(columns) if columns != cells => {
                    return Err(format!(
                        "line {at}: {cells} cells, the header has {columns}"
                    ));
                }
                Some(_) => {}
            }
            table_line += 1;
            if table_line == 2 && !line.starts_with("|---") {
                return Err(format!("line {at}: no separator under the header"));
            }
        } else {
            table_columns = None;
        }
        if line.contains('<') {
            return Err(format!("line {at}: a raw '<': {line}"));
        }
    }
    if h1 != 1 {
        return Err(format!("{h1} H1 headings"));
    }
    Ok(())
}

/// Elements with no end tag.
const VOID: [&str; 2] = ["meta", "br"];

/// Checks that every tag is closed in order, that `<` only opens a tag and
/// `&` only starts a character reference, and that nothing names an outside
/// resource or runs a script: no such element, no URL in any tag or in the
/// style sheet, links only within the page, and a policy that forbids fetching.
fn lint_html(text: &str) -> Result<(), String> {
    let body = text.strip_prefix("<!DOCTYPE html>\n").ok_or("no doctype")?;
    if !body.contains("Content-Security-Policy\" content=\"default-src 'none'") {
        return Err("no content security policy".into());
    }
    let style = body
        .split_once("<style>")
        .and_then(|(_, rest)| rest.split_once("</style>"))
        .map(|(style, _)| style.to_ascii_lowercase())
        .ok_or("no inline style")?;
    for banned in ["url(", "@import", "http", "//"] {
        if style.contains(banned) {
            return Err(format!("the style sheet holds {banned}"));
        }
    }
    let mut stack: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find(['<', '&']) {
        let after = &rest[open..];
        if after.starts_with('&') {
            let end = after.find(';').ok_or("an & without ;")?;
            let reference = &after[1..end];
            if !["amp", "lt", "gt", "quot", "#39"].contains(&reference) {
                return Err(format!("unknown reference &{reference};"));
            }
            rest = &after[end + 1..];
            continue;
        }
        let end = after.find('>').ok_or("a < without >")?;
        let tag = &after[1..end];
        let lower = tag.to_ascii_lowercase();
        for banned in ["src=", "http:", "https:", "url(", "javascript:", "on"] {
            let found = if banned == "on" {
                // Event handler attributes: ` onload=`, ` onerror=`...
                lower
                    .split_whitespace()
                    .skip(1)
                    .any(|a| a.starts_with("on"))
            } else {
                lower.contains(banned)
            };
            if found {
                return Err(format!("<{tag}> holds {banned}"));
            }
        }
        if let Some((_, target)) = lower.split_once("href=\"") {
            if !target.starts_with('#') {
                return Err(format!("<{tag}> links outside the page"));
            }
        }
        if let Some(name) = tag.strip_prefix('/') {
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
        } else {
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if !ALLOWED.contains(&name.as_str()) {
                return Err(format!("unexpected element <{tag}>"));
            }
            if !VOID.contains(&name.as_str()) {
                stack.push(name);
            }
        }
        rest = &after[end + 1..];
    }
    if !stack.is_empty() {
        return Err(format!("unclosed: {stack:?}"));
    }
    Ok(())
}

/// The elements a report may hold: no script, image, frame, object or link.
const ALLOWED: [&str; 22] = [
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "section", "table",
    "thead", "tbody", "tr", "th", "td", "a", "span", "code", "br", "em",
];

fn assert_no_raw_escapes(text: &str) {
    if let Some((at, c)) = text
        .char_indices()
        .find(|&(_, c)| c != '\n' && is_unsafe(c))
    {
        panic!(
            "raw U+{:04X} at byte {at}: {:?}",
            c as u32,
            &text[at.saturating_sub(60)..at]
        );
    }
}

/// The lines of the Markdown section `heading`, up to the next H2.
fn md_section<'a>(text: &'a str, heading: &str) -> Vec<&'a str> {
    text.lines()
        .skip_while(|line| *line != format!("## {heading}"))
        .skip(1)
        .take_while(|line| !line.starts_with("## "))
        .collect()
}

#[test]
fn the_sample_report_names_every_task_finding_and_action() {
    let (_dir, root) = sample_bundle(false);
    let records = record_isolation(&root);
    let (bundle, incident, _) = opened(&root);
    let md = report(&root, None, ReportFormat::Md);
    let html = report(&root, None, ReportFormat::Html);
    lint_markdown(&md).unwrap_or_else(|e| panic!("{e}\n{md}"));
    lint_html(&html).unwrap_or_else(|e| panic!("{e}\n{html}"));

    let tasks_section = md_section(&md, "Tasks in scope").join("\n");
    for task in &incident.tasks {
        assert!(tasks_section.contains(&task.id), "task {} missing", task.id);
        assert!(html.contains(&task.id));
    }
    let findings: Vec<_> = incident.events.iter().filter(|e| e.is_finding()).collect();
    assert!(findings.len() > 3);
    let key_findings = md_section(&md, "Key findings");
    // Header and separator, then one row per finding.
    let rows = key_findings.iter().filter(|l| l.starts_with('|')).count();
    assert_eq!(rows, findings.len() + 2);
    for finding in &findings {
        let kind = markdown_cell(&finding.kind);
        assert!(
            key_findings.iter().any(|l| l.contains(&kind)),
            "finding {kind} missing"
        );
        assert!(html.contains(&html_text(&finding.kind)));
        // Its anchor is in the appendix.
        let anchor = event_anchor(finding, &bundle.manifest);
        assert!(md.contains(&markdown_cell(&anchor)), "{anchor}");
    }
    let actions = md_section(&md, "Actions taken").join("\n");
    assert!(actions.contains("### isolate isolate-3f9c2d7e-20261120T142938.417Z-5c0e1a"));
    for record in &records {
        if let Entry::Call {
            operation,
            request_id,
            ..
        } = &record.entry
        {
            assert!(actions.contains(operation.as_str()), "{operation}");
            assert!(actions.contains(request_id.as_deref().unwrap()));
        }
    }
    assert_eq!(
        actions
            .lines()
            .filter(|l| l.starts_with("| 2026-11-20T14:"))
            .count(),
        records.len()
    );
    assert!(actions.contains("| Outcome | failed: protect done, stop FAILED; stop failed |"));
    // Times are to the millisecond, whatever the record's own precision.
    assert!(actions.contains("| 2026-11-20T14:30:14.902Z |"));
    assert!(actions.contains("| 2026-11-20T14:30:15.000Z |"));
    // The audit records are on the timeline too.
    let timeline = md_section(&md, "Timeline").join("\n");
    assert!(timeline.contains("ecs:StopTask FAILED"));

    let custody = md_section(&md, "Custody").join("\n");
    assert!(custody.contains("| Seal | not sealed |"));
    assert!(custody.contains("intact: "));
    let digest = sha256_of(&root.join("manifest.json"));
    assert!(custody.contains(&format!("`{digest}`")), "{custody}");
}

fn sha256_of(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    let bytes = fs::read(path).unwrap();
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn hostile_evidence_notes_and_summary_reach_neither_format_raw() {
    let (dir, root) = sample_bundle(true);
    let root_text = root.to_str().unwrap();
    succeeds(&[
        "annotate",
        root_text,
        "--bundle-wide",
        "--note",
        HOSTILE_NOTE,
    ]);
    succeeds(&["annotate", root_text, "--task", ARN, "--note", HOSTILE_NOTE]);
    let md = report(&root, None, ReportFormat::Md);
    let summary_file = dir.path().join("summary.txt");
    fs::write(
        &summary_file,
        format!("{HOSTILE_NOTE}\n\n<script>x</script>"),
    )
    .unwrap();
    let summary_path = summary_file.to_str().unwrap();
    let html = succeeds(&[
        "report",
        root_text,
        "--format",
        "html",
        "--summary",
        summary_path,
    ]);
    let md_with_summary = succeeds(&["report", root_text, "--summary", summary_path]);
    for text in [&md, &html, &md_with_summary] {
        assert_no_raw_escapes(text);
        assert!(text.contains("\\x1b"), "escapes are shown");
        assert!(text.contains("\\u{202e}"));
    }
    lint_markdown(&md).unwrap_or_else(|e| panic!("{e}"));
    lint_markdown(&md_with_summary).unwrap_or_else(|e| panic!("{e}"));
    lint_html(&html).unwrap_or_else(|e| panic!("{e}"));
    // The hostile rule is there, escaped.
    assert!(md.contains("Hostile\\|rule &lt;img src=x"));
    assert!(
        html.contains("Hostile|rule &lt;img src=x onerror=&#39;a()&#39;&gt; &amp; &quot;q&quot;")
    );
    // The note on the bundle is the summary; the file replaces it.
    assert!(md.contains("\\# not a heading") || md.contains("| # not a heading"));
    assert!(md_with_summary
        .contains("\n\\# not a heading \\\\x1b[31m red &lt;b>bold&lt;/b> \\| \\\\u{202e}txt.exe"));
    assert!(md_with_summary.contains("\n&lt;script>x&lt;/script>\n"));
    assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
}

#[test]
fn notes_and_tags_on_the_bundle_give_the_summary_and_the_incident_id() {
    let (_dir, root) = sample_bundle(false);
    let root_text = root.to_str().unwrap();
    let before = succeeds(&["report", root_text]);
    assert!(before.starts_with("# Incident report\n"));
    assert!(before.contains("No summary recorded."));
    succeeds(&["annotate", root_text, "--bundle-wide", "--tag", "IR-2211"]);
    succeeds(&[
        "annotate",
        root_text,
        "--bundle-wide",
        "--note",
        "Reverse shell, then a miner; task stopped.",
    ]);
    let notes = succeeds(&["notes", root_text]);
    assert!(notes.contains("bundle"), "{notes}");
    let after = succeeds(&["report", root_text]);
    assert!(after.starts_with("# Incident report: IR-2211\n"), "{after}");
    assert!(after.contains("| Incident ID | IR-2211 |"));
    let summary = md_section(&after, "Summary").join("\n");
    assert!(summary.contains("| dana | Reverse shell, then a miner; task stopped. |"));
}

#[test]
fn report_writes_a_file_and_replaces_one_only_with_force() {
    let (dir, root) = sample_bundle(false);
    let out = dir.path().join("IR-2211.html");
    let args = |force: bool| {
        let mut args = vec![
            "report".to_string(),
            root.to_str().unwrap().to_string(),
            "--format".into(),
            "html".into(),
            "--out".into(),
            out.to_str().unwrap().to_string(),
        ];
        if force {
            args.push("--force".into());
        }
        args
    };
    let run = |force: bool| {
        let args = args(force);
        taskscope(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    assert_eq!(run(false).status.code(), Some(0));
    let html = fs::read_to_string(&out).unwrap();
    lint_html(&html).unwrap();
    let again = run(false);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(run(true).status.code(), Some(0));
    let missing = taskscope(&[
        "report",
        root.to_str().unwrap(),
        "--summary",
        dir.path().join("nosuch.txt").to_str().unwrap(),
    ]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read --summary"));
}

#[test]
fn a_generated_incident_reports_every_task_and_finding() {
    let dir = TempDir::new().unwrap();
    let evidence = dir.path().join("evidence");
    let root = dir.path().join("bundle");
    succeeds(&[
        "gen",
        "--events",
        "1000",
        "--tasks",
        "4",
        "--out",
        evidence.to_str().unwrap(),
    ]);
    succeeds(&[
        "import",
        evidence.to_str().unwrap(),
        "--out",
        root.to_str().unwrap(),
    ]);
    let (_, incident, _) = opened(&root);
    let md = succeeds(&["report", root.to_str().unwrap()]);
    let html = succeeds(&["report", root.to_str().unwrap(), "--format", "html"]);
    lint_markdown(&md).unwrap_or_else(|e| panic!("{e}"));
    lint_html(&html).unwrap_or_else(|e| panic!("{e}"));
    assert_no_raw_escapes(&md);
    assert_no_raw_escapes(&html);
    assert_eq!(incident.tasks.len(), 4);
    let tasks_section = md_section(&md, "Tasks in scope").join("\n");
    for task in &incident.tasks {
        assert!(tasks_section.contains(&task.id));
    }
    let findings = incident.events.iter().filter(|e| e.is_finding()).count();
    assert!(findings > 0);
    let rows = md_section(&md, "Key findings")
        .iter()
        .filter(|l| l.starts_with('|'))
        .count();
    assert_eq!(rows, findings + 2);
    assert!(md.contains("No response action is recorded"));
}

#[test]
fn sample_markdown_report_snapshot() {
    let (_dir, root) = sample_bundle(false);
    let md = report(&root, None, ReportFormat::Md);
    let bundle = Bundle::open(&root).unwrap();
    // What changes from one run to the next: where the bundle is, when it
    // was written, and so the manifest's digest and the root digest.
    let root_digest = taskscope::bundle::seal::check::check(&bundle, &Default::default())
        .root_digest
        .expect("a root digest");
    let created = chrono::DateTime::parse_from_rfc3339(&bundle.manifest.created_at)
        .unwrap()
        .with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let stable = md
        .replace(root.to_str().unwrap(), "[BUNDLE]")
        .replace(
            &sha256_of(&root.join("manifest.json")),
            "[MANIFEST SHA-256]",
        )
        .replace(&created, "[MANIFEST TIME]")
        .replace(&root_digest, "[ROOT DIGEST]");
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("incident_report_sample_md", stable);
    });
}

#[test]
fn the_lints_catch_what_they_check() {
    assert!(lint_markdown("# A\n\n## B\n\n### C\n").is_ok());
    assert!(lint_markdown("# A\n\n### C\n").is_err(), "skipped level");
    assert!(lint_markdown("# A\n\n# B\n").is_err(), "two H1");
    assert!(lint_markdown("# A\n\n| a | b |\n|---|---|\n| 1 |\n").is_err());
    assert!(lint_markdown("# A\n\n| a | b |\n|---|---|\n| 1 \\| 2 | 3 |\n").is_ok());
    assert!(lint_markdown("# A\n\nx <b>\n").is_err(), "raw tag");
    let page = |body: &str| {
        format!(
            "<!DOCTYPE html>\n<html><head><meta http-equiv=\"Content-Security-Policy\" \
             content=\"default-src 'none'\"><style>p{{}}</style></head><body>{body}</body></html>"
        )
    };
    assert!(lint_html(&page("<p>a &amp; b <a href=\"#e1\">E1</a></p>")).is_ok());
    assert!(lint_html(&page("<p>a</td>")).is_err(), "unbalanced");
    assert!(lint_html(&page("<p>a & b</p>")).is_err(), "bare &");
    assert!(lint_html(&page("<script>x</script>")).is_err());
    assert!(lint_html(&page("<a href=\"https://x.example\">x</a>")).is_err());
    assert!(lint_html(&page("<p onclick=\"x()\">x</p>")).is_err());
    assert!(lint_html(&page("<span style=\"background:url(x)\">x</span>")).is_err());
}
