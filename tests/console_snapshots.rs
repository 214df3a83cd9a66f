//! Every console view rendered through ratatui's TestBackend at 80x24 and
//! 160x48, for the demo bundle, an empty bundle and a bundle full of hostile
//! strings. Snapshots live in snapshots/ (review changes with `cargo insta review`).

mod support;

use std::path::Path;
use support::{console, demo_bundle, render, wait_for_filter};
use taskscope::bundle::build::{import_to_bundle, InputFile};
use taskscope::bundle::manifest::{SourceReport, SourceStatus};
use taskscope::demo;
use taskscope::tui::app::App;
use taskscope::tui::keys::Action;
use taskscope::tui::live::LiveStatus;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, text);
    });
}

/// Renders the tasks, timeline and findings views and the help overlay at both sizes.
fn snapshot_every_view(prefix: &str, app: &mut App) {
    for (width, height) in SIZES {
        let size = format!("{width}x{height}");
        app.perform(Action::TasksView);
        snapshot(
            &format!("{prefix}_tasks_{size}"),
            &render(app, width, height),
        );
        app.perform(Action::TimelineView);
        snapshot(
            &format!("{prefix}_timeline_{size}"),
            &render(app, width, height),
        );
        app.perform(Action::FindingsView);
        snapshot(
            &format!("{prefix}_findings_{size}"),
            &render(app, width, height),
        );
        app.perform(Action::Help);
        snapshot(
            &format!("{prefix}_help_{size}"),
            &render(app, width, height),
        );
        app.popup = None;
    }
}

#[test]
fn demo_bundle_views() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&demo_bundle(dir.path()));
    snapshot_every_view("demo", &mut app);

    // The compromised task's timeline with its detail pane, time since start.
    app.show_timeline(
        app.data
            .as_ref()
            .unwrap()
            .incident
            .find_task(demo::COMPROMISED_TASK),
    );
    app.perform(Action::NextFinding);
    app.perform(Action::ToggleTime);
    for (width, height) in SIZES {
        snapshot(
            &format!("demo_task_timeline_{width}x{height}"),
            &render(&mut app, width, height),
        );
    }
}

#[test]
fn demo_filter_and_palette() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&demo_bundle(dir.path()));
    app.show_timeline(None);
    app.apply_filter("secret".into());
    wait_for_filter(&mut app);
    let screen = render(&mut app, 160, 48);
    assert!(screen.contains("GetSecretValue"), "{screen}");
    snapshot("demo_filtered_160x48", &screen);
    app.perform(Action::Palette);
    snapshot("demo_palette_80x24", &render(&mut app, 80, 24));
}

#[test]
fn empty_bundle_views() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("empty");
    let input = InputFile {
        source_path: "notes.txt".into(),
        bytes: b"not evidence".to_vec(),
    };
    import_to_bundle(vec![Ok(input)], &path).unwrap();
    let mut app = console(&path);
    snapshot_every_view("empty", &mut app);
}

/// Evidence whose strings try to take over the terminal: escape sequences
/// (colour, OSC 52 clipboard write, title change, cursor moves), bidi
/// overrides, NUL and other controls, in every field the console shows.
fn hostile_bundle(dir: &Path) -> std::path::PathBuf {
    let task = "0badc0de0badc0de0badc0de0badc0de";
    let arn = format!("arn:aws:ecs:us-east-1:111122223333:task/prod\u{1b}[2J/{task}");
    let evil = "\u{1b}[31mred\u{1b}[0m \u{1b}]52;c;cm0gLXJmIC8=\u{7} \u{1b}]0;pwned\u{7} \u{202e}txt.exe\u{0} \u{1b}[H\u{9b}1;1H";
    let trail = serde_json::json!({"Records": [{
        "eventVersion": "1.09",
        "eventTime": "2026-11-20T13:00:00Z",
        "eventSource": "ecs.amazonaws.com",
        "eventName": format!("StopTask{evil}"),
        "awsRegion": "us-east-1",
        "sourceIPAddress": evil,
        "userAgent": evil,
        "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::111122223333:user/{evil}")},
        "requestParameters": {"task": arn, "reason": evil},
        "responseElements": null,
        "eventID": "11111111-2222-3333-4444-555555555555",
        "readOnly": false,
        "eventType": "AwsApiCall",
        "recipientAccountId": "111122223333"
    }]});
    let falco = serde_json::json!({
        "time": "2026-11-20T13:00:05.000000000Z",
        "rule": format!("Terminal shell {evil}"),
        "priority": "Critical",
        "output": format!("shell spawned {evil}"),
        "output_fields": {"proc.cmdline": evil, "container.id": "0badc0de0bad", "ecs.task": task}
    });
    let inputs = vec![
        Ok(InputFile {
            source_path: format!("trail{evil}.json"),
            bytes: serde_json::to_vec(&trail).unwrap(),
        }),
        Ok(InputFile {
            source_path: "falco.ndjson".into(),
            bytes: serde_json::to_vec(&falco).unwrap(),
        }),
    ];
    let path = dir.join("hostile");
    import_to_bundle(inputs, &path).unwrap();
    path
}

#[test]
fn hostile_bundle_views_show_escapes_not_sequences() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&hostile_bundle(dir.path()));
    assert!(!app.data.as_ref().unwrap().incident.events.is_empty());
    snapshot_every_view("hostile", &mut app);
    for view in [
        Action::TasksView,
        Action::TimelineView,
        Action::FindingsView,
    ] {
        app.perform(view);
        app.perform(Action::NextPane);
        let screen = render(&mut app, 160, 48);
        for bad in ['\u{1b}', '\u{7}', '\u{0}', '\u{202e}', '\u{9b}'] {
            assert!(
                !screen.contains(bad),
                "{bad:?} reached the screen:\n{screen}"
            );
        }
        assert!(
            screen.contains("\\x1b"),
            "escapes are shown visibly:\n{screen}"
        );
    }
}

/// Two tasks of the same service in two accounts (ECS DescribeTasks
/// responses, as collected from each), one with a CloudTrail call.
fn two_account_bundle(dir: &Path) -> std::path::PathBuf {
    let task = |account: &str, id: &str| {
        serde_json::json!({"tasks": [{
            "taskArn": format!("arn:aws:ecs:eu-west-1:{account}:task/prod/{id}"),
            "clusterArn": format!("arn:aws:ecs:eu-west-1:{account}:cluster/prod"),
            "group": "service:web",
            "launchType": "FARGATE",
            "lastStatus": "RUNNING",
            "createdAt": "2026-11-20T13:00:00Z",
            "startedAt": "2026-11-20T13:00:30Z",
            "containers": []
        }], "failures": []})
    };
    let inputs = [
        ("111111111111", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
        ("222222222222", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
    ]
    .into_iter()
    .map(|(account, id)| {
        Ok(InputFile {
            source_path: format!("{account}/describe-tasks.json"),
            bytes: serde_json::to_vec(&task(account, id)).unwrap(),
        })
    })
    .collect::<Vec<taskscope::bundle::build::InputResult>>();
    let path = dir.join("two-accounts");
    import_to_bundle(inputs, &path).unwrap();
    path
}

#[test]
fn a_bundle_over_two_accounts_names_each_tasks_account() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&two_account_bundle(dir.path()));
    app.perform(Action::TasksView);
    let screen = render(&mut app, 160, 48);
    assert!(screen.contains("ACCOUNT"), "{screen}");
    snapshot("accounts_tasks_160x48", &screen);

    // The filter selects by account.
    app.apply_filter("account:222222222222".into());
    wait_for_filter(&mut app);
    let screen = render(&mut app, 160, 48);
    assert!(screen.contains("bbbbbbbb"), "{screen}");
    assert!(!screen.contains("aaaaaaaa"), "{screen}");

    // The timeline's header names the task's account and region.
    let data = app.data.as_ref().unwrap();
    let task = data.incident.find_task("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    app.show_timeline(task);
    let screen = render(&mut app, 160, 48);
    assert!(screen.contains("222222222222 eu-west-1"), "{screen}");
    snapshot("accounts_task_timeline_160x48", &screen);
}

fn source_report(source: &str, status: SourceStatus, error: Option<&str>) -> SourceReport {
    SourceReport {
        source: source.into(),
        account: String::new(),
        region: "us-east-1".into(),
        status,
        calls: [("Call".to_string(), 12)].into_iter().collect(),
        errors: error.into_iter().map(String::from).collect(),
        notes: Vec::new(),
    }
}

#[test]
fn live_title_and_status_show_each_source_and_a_failure() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&demo_bundle(dir.path()));
    // The failure line comes from AWS: it must be escaped on the way to the screen.
    let failure = "guardduty:ListFindings failed in us-east-1: HTTP 404 \u{1b}]0;pwned\u{7}";
    let reports = [
        source_report("guardduty", SourceStatus::Failed, Some(failure)),
        source_report("ecs", SourceStatus::Complete, None),
        source_report("cloudtrail", SourceStatus::Running, None),
        source_report("cloudwatch-logs", SourceStatus::Complete, None),
    ];
    assert!(app.set_live(LiveStatus::new(41, &reports, false)));
    let (width, height) = (160, 48);
    let screen = render(&mut app, width, height);
    let lines: Vec<&str> = screen.lines().collect();
    let (title, status) = (lines[0], lines[height as usize - 1]);
    assert!(title.contains(" LIVE "), "{title}");
    assert!(
        title.contains("guardduty ✗ ecs ✓ cloudtrail … logs ✓ · 48 calls · 41 responses"),
        "{title}"
    );
    assert!(
        !title.contains("PARTIAL"),
        "not partial while collecting: {title}"
    );
    assert!(status.contains("guardduty us-east-1 failed: guardduty:ListFindings"));
    assert!(status.contains("\\x1b]0;pwned\\x07"), "{status}");
    assert!(!screen.contains('\u{1b}') && !screen.contains('\u{7}'));
    snapshot(
        "live_failed_source_title_status_160x48",
        &format!("{title}\n{status}\n"),
    );

    // When collection ends, the badge says so and the bundle is partial.
    assert!(!app.set_live(LiveStatus::new(41, &reports[..2], true)));
    let screen = render(&mut app, width, height);
    let title = screen.lines().next().unwrap();
    assert!(
        title.contains(" COLLECTED ") && title.contains(" PARTIAL "),
        "{title}"
    );
}

/// The last line of a rendered screen: the status bar with the key hints.
fn footer(screen: &str) -> String {
    screen
        .lines()
        .last()
        .unwrap_or_default()
        .trim_end()
        .to_string()
}

#[test]
fn footer_hints_follow_the_keymap_in_force() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&demo_bundle(dir.path()));
    let overrides = std::collections::BTreeMap::from([
        ("quit".to_string(), vec!["ctrl-q".to_string()]),
        ("note".to_string(), vec![]),
    ]);
    app.keymap = taskscope::tui::keymap::Keymap::with_overrides(&overrides).unwrap();
    let line = footer(&render(&mut app, 160, 48));
    assert!(line.contains("ctrl-q quit"), "{line}");
    assert!(
        !line.contains(" q quit") && !line.contains("note"),
        "{line}"
    );
    snapshot("footer_ctrl_q_no_note_160x48", &line);
}

#[test]
fn group_headings_are_shown_whole() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&demo_bundle(dir.path()));
    app.perform(Action::TasksView);
    // none -> cluster -> service
    app.perform(Action::Group);
    app.perform(Action::Group);
    for (width, height) in SIZES {
        let screen = render(&mut app, width, height);
        assert!(screen.contains("▸ service:checkout-api"), "{screen}");
        assert!(screen.contains("▸ service:batch-reports"), "{screen}");
        snapshot(&format!("demo_tasks_by_service_{width}x{height}"), &screen);
    }
}

#[test]
fn a_task_of_unknown_status_shows_a_question_mark() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console(&demo_bundle(dir.path()));
    app.perform(Action::TasksView);
    let screen = render(&mut app, 80, 24);
    // Task e25a7c0f is known only from a service event: no ECS status, no stop time.
    let row = screen
        .lines()
        .find(|line| line.contains("e25a7c0f"))
        .expect("the task is listed");
    assert!(row.starts_with("│?      e25a7c0f"), "{row}");
    let running = screen
        .lines()
        .find(|line| line.contains("7b0e1c2d"))
        .expect("a running task");
    assert!(running.starts_with("│● RUN  7b0e1c2d"), "{running}");
    snapshot("unknown_status_row_80x24", row);
}
