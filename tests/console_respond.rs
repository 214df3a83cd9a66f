//! Response actions in the console, driven by keys against a scripted
//! responder: the read-only state, the typed confirmation, the steps handed
//! to the responder, refusals, escaping, and snapshots of every screen (the
//! plan, the confirmation, progress and the result) at 80x24 and 120x40.

#[path = "support/responder.rs"]
mod responder;
#[allow(dead_code)]
mod support;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use responder::*;
use serde_json::json;
use std::path::Path;
use support::{console, demo_bundle, render};
use taskscope::bundle::audit::{self, Actor, Entry, Record, ResultStatus};
use taskscope::bundle::build::{import_to_bundle, InputFile};
use taskscope::demo::COMPROMISED_TASK;
use taskscope::model::time::parse_time_str;
use taskscope::model::Source;
use taskscope::respond::outcome::Progress;
use taskscope::respond::plan::{Call, DiffLine, Step, StepId};
use taskscope::respond::request::ActionRequest;
use taskscope::tui::app::App;
use taskscope::tui::effect::Effect;
use taskscope::tui::keys::Action;
use taskscope::tui::load;
use taskscope::tui::popups::palette::Command;
use taskscope::tui::popups::Popup;
use taskscope::tui::respond::flow::Stage;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, text);
    });
}

fn press(app: &mut App, code: KeyCode) -> Option<Effect> {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// The demo console with the compromised task selected in the tasks view,
/// and actions through `fake` when given.
fn console_on_compromised(dir: &Path, fake: Option<&Fake>) -> App {
    let mut app = console(&demo_bundle(dir));
    if let Some(fake) = fake {
        app.enable_actions(fake.access());
    }
    let task = app
        .data
        .as_ref()
        .unwrap()
        .incident
        .find_task(COMPROMISED_TASK)
        .unwrap();
    assert!(app.tasks.list.select_item(task as u32));
    app
}

fn status(app: &App) -> String {
    app.status
        .as_ref()
        .map(|(s, _)| s.clone())
        .unwrap_or_default()
}

fn confirm_notice(app: &App) -> Option<String> {
    match stage(app) {
        Some(Stage::Confirm { notice, .. }) => notice.clone(),
        other => panic!("not confirming: {other:?}"),
    }
}

#[test]
fn with_actions_off_the_keys_say_how_to_enable_them_and_nothing_is_asked() {
    let dir = tempfile::TempDir::new().unwrap();
    let fake = Fake::new(
        script(isolate_plan(), isolate_outcome(ResultStatus::Completed)),
        false,
    );
    let mut app = console_on_compromised(dir.path(), None);
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains(" READ-ONLY ") && !screen.contains("ACTIONS ON"),
        "{screen}"
    );
    for key in ['i', 'r'] {
        press(&mut app, KeyCode::Char(key));
        assert!(app.popup.is_none(), "no popup with actions off");
        assert!(status(&app).contains("--allow-actions"), "{}", status(&app));
        assert!(status(&app).contains("allow_profiles"), "{}", status(&app));
        let screen = render(&mut app, 120, 40);
        assert!(
            screen.contains("actions are off: restart with --allow-actions"),
            "{screen}"
        );
    }
    assert_eq!(fake.calls().connects, 0);
    assert!(fake.calls().planned.is_empty() && fake.calls().applied.is_empty());

    let other = tempfile::TempDir::new().unwrap();
    let mut app = console_on_compromised(other.path(), Some(&fake));
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains(" ACTIONS ON ") && !screen.contains("READ-ONLY"),
        "{screen}"
    );
}

#[test]
fn aws_is_reached_only_when_the_first_action_is_asked_for() {
    let dir = tempfile::TempDir::new().unwrap();
    let fake = Fake::new(
        script(isolate_plan(), isolate_outcome(ResultStatus::Completed)),
        false,
    );
    let mut app = console_on_compromised(dir.path(), Some(&fake));
    render(&mut app, 80, 24);
    assert_eq!(
        fake.calls().connects,
        0,
        "opening the console connects to nothing"
    );
    press(&mut app, KeyCode::Char('i'));
    wait_for_plan(&mut app);
    press(&mut app, KeyCode::Esc);
    assert!(app.popup.is_none());
    press(&mut app, KeyCode::Char('i'));
    wait_for_plan(&mut app);
    assert_eq!(fake.calls().connects, 1, "one responder for the session");
    assert_eq!(fake.calls().planned.len(), 2);
}

#[test]
fn isolating_asks_for_the_selected_task_with_the_console_defaults() {
    let dir = tempfile::TempDir::new().unwrap();
    let fake = Fake::new(
        script(isolate_plan(), isolate_outcome(ResultStatus::Completed)),
        false,
    );
    let mut app = console_on_compromised(dir.path(), Some(&fake));
    let bundle = app.data.as_ref().unwrap().bundle.root.clone();
    press(&mut app, KeyCode::Char('i'));
    wait_for_plan(&mut app);
    let calls = fake.calls();
    let ActionRequest::Isolate(request) = &calls.planned[0] else {
        panic!("not an isolation: {:?}", calls.planned);
    };
    assert_eq!(
        request.cluster,
        "arn:aws:ecs:us-east-1:111122223333:cluster/payments-prod"
    );
    assert_eq!(request.task, TASK_ARN);
    assert_eq!(request.protect_minutes, 120);
    assert_eq!(
        (
            request.incident.as_deref(),
            request.quarantine_group.as_deref()
        ),
        (None, None)
    );
    assert_eq!(request.preserve_out.parent(), bundle.parent());
    let name = request.preserve_out.file_name().unwrap().to_string_lossy();
    assert!(name.starts_with("demo.preserve-3f9c2d7e-"), "{name}");
    // An hour before the task was created (13:01:31.204).
    assert_eq!(
        request.since,
        parse_time_str("2026-11-20T12:01:31.204Z").unwrap()
    );
}

#[test]
fn rolling_back_asks_for_the_task_s_service_from_its_timeline() {
    let dir = tempfile::TempDir::new().unwrap();
    let fake = Fake::new(
        script(rollback_plan(), isolate_outcome(ResultStatus::Completed)),
        false,
    );
    let mut app = console_on_compromised(dir.path(), Some(&fake));
    app.perform(Action::Open);
    press(&mut app, KeyCode::Char('r'));
    wait_for_plan(&mut app);
    let calls = fake.calls();
    let ActionRequest::Rollback(request) = &calls.planned[0] else {
        panic!("not a rollback: {:?}", calls.planned);
    };
    assert_eq!(request.service, "checkout-api");
    assert_eq!(request.to, None);
    assert!(!request.allow_same_digest);
    assert_eq!(request.follow_timeout.as_secs(), 600);
}

#[test]
fn rolling_back_hands_the_bundle_s_earlier_rollbacks_to_the_plan() {
    let dir = tempfile::TempDir::new().unwrap();
    let fake = Fake::new(
        script(rollback_plan(), isolate_outcome(ResultStatus::Completed)),
        false,
    );
    let mut app = console_on_compromised(dir.path(), Some(&fake));
    // An earlier rollback of the service, confirmed into the open bundle.
    let earlier = rollback_plan();
    let record = Record {
        time: "2026-11-20T15:00:00Z".into(),
        plan_id: earlier.id.clone(),
        action: "rollback".into(),
        actor: Actor {
            caller: "arn:aws:sts::111122223333:assumed-role/ir/tester".into(),
            user: "tester".into(),
        },
        target: "checkout-api".into(),
        task_definitions: Vec::new(),
        entry: Entry::Plan {
            plan: serde_json::to_value(&earlier).unwrap(),
            confirmed_by: "--yes".into(),
        },
    };
    let root = app.data.as_ref().unwrap().bundle.root.clone();
    audit::append(&root, &record).unwrap();
    app.perform(Action::Open);
    press(&mut app, KeyCode::Char('r'));
    wait_for_plan(&mut app);
    let calls = fake.calls();
    let ActionRequest::Rollback(request) = &calls.planned[0] else {
        panic!("not a rollback: {:?}", calls.planned);
    };
    let known = &request.history.earlier;
    assert_eq!(known.len(), 1, "{known:?}");
    assert_eq!(known[0].plan_id, earlier.id);
    assert_eq!(
        known[0].revisions,
        [earlier.before["taskDefinition"]
            .as_str()
            .unwrap()
            .to_string()]
        .into(),
        "the revision it rolled away from"
    );
}

#[test]
fn rolling_back_a_task_outside_a_service_says_so_and_asks_nothing() {
    let dir = tempfile::TempDir::new().unwrap();
    let described = json!({"tasks": [{
        "taskArn": "arn:aws:ecs:us-east-1:111122223333:task/payments-prod/0a1b2c3d4e5f40718293a4b5c6d7e8f9",
        "clusterArn": "arn:aws:ecs:us-east-1:111122223333:cluster/payments-prod",
        "group": "family:nightly-report",
        "lastStatus": "RUNNING",
        "createdAt": "2026-11-20T13:00:00Z",
        "containers": []
    }], "failures": []});
    let path = dir.path().join("standalone");
    let input = InputFile {
        source_path: "describe-tasks.json".into(),
        bytes: serde_json::to_vec(&described).unwrap(),
    };
    import_to_bundle(vec![Ok(input)], &path).unwrap();
    let fake = Fake::new(
        script(rollback_plan(), isolate_outcome(ResultStatus::Completed)),
        false,
    );
    let mut app = console(&path);
    app.enable_actions(fake.access());
    assert_eq!(app.data.as_ref().unwrap().incident.tasks.len(), 1);
    press(&mut app, KeyCode::Char('r'));
    assert!(app.popup.is_none());
    assert!(
        status(&app).contains("0a1b2c3d is not part of a service"),
        "{}",
        status(&app)
    );
    assert_eq!(fake.calls().connects, 0);
}

#[test]
fn a_wrong_confirmation_runs_nothing() {
    let dir = tempfile::TempDir::new().unwrap();
    let fake = Fake::new(
        script(isolate_plan(), isolate_outcome(ResultStatus::Completed)),
        false,
    );
    let mut app = console_on_compromised(dir.path(), Some(&fake));
    press(&mut app, KeyCode::Char('i'));
    wait_for_plan(&mut app);
    press(&mut app, KeyCode::Enter);
    assert_eq!(confirm_notice(&app), None);
    // A prefix, a trailing space, another case (\u{8} stands for Backspace).
    for typed in ["3f9c2d7", "e ", "\u{8}\u{8}E"] {
        for c in typed.chars() {
            let code = match c {
                '\u{8}' => KeyCode::Backspace,
                c => KeyCode::Char(c),
            };
            press(&mut app, code);
        }
        press(&mut app, KeyCode::Enter);
        let notice = confirm_notice(&app).expect("a notice");
        assert!(notice.contains("that is not 3f9c2d7e"), "{notice}");
    }
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("that is not 3f9c2d7e"), "{screen}");
    press(&mut app, KeyCode::Esc);
    match stage(&app) {
        Some(Stage::Plan(review)) => {
            assert_eq!(review.notice.as_deref(), Some("not confirmed: nothing ran"))
        }
        other => panic!("not back on the plan: {other:?}"),
    }
    assert_eq!(press(&mut app, KeyCode::Esc), None, "no reload");
    assert!(app.popup.is_none());
    std::thread::sleep(std::time::Duration::from_millis(50));
    app.poll_actions();
    assert!(fake.calls().applied.is_empty(), "nothing was applied");
}

#[test]
fn the_exact_text_runs_the_plan_once_and_the_bundle_is_read_again() {
    let dir = tempfile::TempDir::new().unwrap();
    let fake = Fake::new(
        script(isolate_plan(), isolate_outcome(ResultStatus::Completed)),
        false,
    );
    let mut app = console_on_compromised(dir.path(), Some(&fake));
    let bundle = app.data.as_ref().unwrap().bundle.root.clone();
    press(&mut app, KeyCode::Char('i'));
    wait_for_plan(&mut app);
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "3f9c2d7e");
    press(&mut app, KeyCode::Enter);
    wait_for_result(&mut app);
    // Keys on the result screen do not run anything again.
    assert_eq!(press(&mut app, KeyCode::Char('j')), None);
    assert_eq!(
        press(&mut app, KeyCode::Enter),
        Some(Effect::Reload),
        "closing the result reads the bundle again"
    );
    assert!(app.popup.is_none());
    press(&mut app, KeyCode::Enter);
    {
        let calls = fake.calls();
        assert_eq!(calls.applied.len(), 1);
        assert_eq!(calls.applied[0].confirmed_by, "typed 3f9c2d7e");
        assert_eq!(calls.applied[0].bundle, bundle);
        assert_eq!(calls.applied[0].plan, isolate_plan());
    }
    // What the event loop does: read the bundle again. The action's records
    // are on the task's timeline, and the source filter reaches them.
    app.set_data(load(&bundle).unwrap());
    app.perform(Action::Open);
    let mut sources = Vec::new();
    while sources.last() != Some(&Source::Response) {
        app.perform(Action::CycleSource);
        let source = app
            .timeline
            .source
            .expect("the cycle reaches response actions");
        sources.push(source);
    }
    assert_eq!(app.timeline.list.len(), 2, "the plan and result records");
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("ACT"), "{screen}");
    assert!(screen.contains("typed 3f9c2d7e"), "{screen}");
}

#[test]
fn a_signal_while_a_plan_runs_interrupts_it_and_waits_for_its_result() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut fake = Fake::new(
        script(isolate_plan(), isolate_outcome(ResultStatus::Completed)),
        true,
    );
    let mut app = console_on_compromised(dir.path(), Some(&fake));
    assert!(app.terminate("SIGTERM"), "nothing runs: leave at once");
    press(&mut app, KeyCode::Char('i'));
    wait_for_plan(&mut app);
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "3f9c2d7e");
    press(&mut app, KeyCode::Enter);
    wait_until(&mut app, "held", |_| fake.calls().holding);
    assert!(
        !app.terminate("SIGTERM"),
        "a running plan keeps the console"
    );
    assert!(!app.should_leave());
    assert!(
        status(&app).contains("SIGTERM: stopping the action"),
        "{}",
        status(&app)
    );
    // The call in flight returns; the worker reports the recorded outcome.
    fake.release();
    wait_for_result(&mut app);
    assert!(app.should_leave(), "the result is in: leave now");
    assert_eq!(fake.calls().interrupted_by.as_deref(), Some("SIGTERM"));
}

#[test]
fn the_steps_chosen_on_screen_are_the_steps_applied() {
    let dir = tempfile::TempDir::new().unwrap();
    let fake = Fake::new(
        script(isolate_plan(), isolate_outcome(ResultStatus::Completed)),
        false,
    );
    let mut app = console_on_compromised(dir.path(), Some(&fake));
    press(&mut app, KeyCode::Char('i'));
    wait_for_plan(&mut app);
    press(&mut app, KeyCode::Char('j')); // protect
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Down); // detach: unavailable
    press(&mut app, KeyCode::Char(' '));
    match stage(&app) {
        Some(Stage::Plan(review)) => {
            let notice = review.notice.as_deref().unwrap_or_default();
            assert!(
                notice.contains("detach will not run: no target group"),
                "{notice}"
            );
        }
        other => panic!("not on the plan: {other:?}"),
    }
    press(&mut app, KeyCode::Char('j')); // contain-nacl
    press(&mut app, KeyCode::Char('j')); // contain-group: offered, not selected
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "3f9c2d7e");
    press(&mut app, KeyCode::Enter);
    wait_for_result(&mut app);
    let applied = fake.calls().applied[0].plan.clone();
    let selected = |id: StepId| applied.steps.iter().find(|s| s.id == id).unwrap().selected;
    assert!(!selected(StepId::Protect), "deselected on screen");
    assert!(
        !selected(StepId::Detach),
        "an unavailable step cannot be selected"
    );
    assert!(selected(StepId::ContainGroup), "selected on screen");
    assert!(selected(StepId::Preserve) && selected(StepId::Stop));
}

#[test]
fn a_refused_plan_cannot_be_confirmed() {
    let dir = tempfile::TempDir::new().unwrap();
    let fake = Fake::new(
        script(
            refused_rollback_plan(),
            isolate_outcome(ResultStatus::Completed),
        ),
        false,
    );
    let mut app = console_on_compromised(dir.path(), Some(&fake));
    press(&mut app, KeyCode::Char('r'));
    wait_for_plan(&mut app);
    for _ in 0..2 {
        press(&mut app, KeyCode::Enter);
        type_text(&mut app, "checkout-api");
        press(&mut app, KeyCode::Enter);
        match stage(&app) {
            Some(Stage::Plan(_)) => {}
            other => panic!("left the plan: {other:?}"),
        }
    }
    press(&mut app, KeyCode::Enter);
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("REFUSED, it cannot run"), "{screen}");
    std::thread::sleep(std::time::Duration::from_millis(50));
    app.poll_actions();
    assert!(fake.calls().applied.is_empty());
}

#[test]
fn a_planning_error_is_shown_escaped_and_nothing_runs() {
    let dir = tempfile::TempDir::new().unwrap();
    let fake = Fake::new(
        Script {
            plan: Err("task is not in cluster \u{1b}]0;pwned\u{7} (us-east-1)".into()),
            progress: Vec::new(),
            outcome: isolate_outcome(ResultStatus::Completed),
        },
        false,
    );
    let mut app = console_on_compromised(dir.path(), Some(&fake));
    press(&mut app, KeyCode::Char('i'));
    wait_until(&mut app, "showed the error", |app| {
        matches!(stage(app), Some(Stage::Failed { .. }))
    });
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("cannot plan: task is not in cluster \\x1b]0;pwned\\x07"),
        "{screen}"
    );
    assert!(
        !screen.contains('\u{1b}') && !screen.contains('\u{7}'),
        "{screen}"
    );
    assert_eq!(press(&mut app, KeyCode::Enter), None, "no reload");
    assert!(app.popup.is_none());
    assert!(fake.calls().applied.is_empty());
}

#[test]
fn both_actions_are_in_the_palette() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut app = console_on_compromised(dir.path(), None);
    for (query, action) in [("isolate", Action::Isolate), ("rollback", Action::Rollback)] {
        app.perform(Action::Palette);
        type_text(&mut app, query);
        match &app.popup {
            Some(Popup::Palette(palette)) => {
                assert_eq!(palette.chosen(), Some(Command::Action(action)))
            }
            _ => panic!("no palette"),
        }
        press(&mut app, KeyCode::Enter);
        assert!(status(&app).contains("--allow-actions"), "{}", status(&app));
    }
}

/// Strings that try to take over the terminal: escape and OSC sequences,
/// BEL, a C1 control, bidi overrides.
const EVIL: &str = "\u{1b}[2J\u{1b}]52;c;cm0gLXJm\u{7} \u{9b}1;1H \u{202e}exe.txt \u{2066}x";

/// [`EVIL`] as the screen must show it. ratatui drops control and
/// zero-width characters by itself, so only the visible escapes tell an
/// escaped value from one that was not.
const SHOWN: &str = r"\x1b[2J\x1b]52;c;cm0gLXJm\x07 \x9b1;1H \u{202e}exe.txt \u{2066}x";

fn hostile_plan() -> taskscope::respond::Plan {
    let mut plan = rollback_plan();
    plan.id = format!("rollback-{EVIL}");
    plan.target.cluster = format!("prod{EVIL}");
    plan.target.service = Some(format!("svc{EVIL}"));
    plan.confirm_with = format!("svc{EVIL}");
    plan.warnings.push(format!("warning {EVIL}"));
    plan.diff.push(DiffLine {
        field: format!("field {EVIL}"),
        current: format!("current {EVIL}"),
        target: format!("target {EVIL}"),
    });
    plan.steps[0].title = format!("title {EVIL}");
    plan.steps[0].blast_radius = Some(format!("radius {EVIL}"));
    plan.steps[0]
        .calls
        .push(Call::new(&format!("ecs:Op{EVIL}"), json!({})));
    plan.steps[0].calls.push(Call::new(
        "ecs:TagResource",
        json!({"v": "\u{9b}x\u{202e}y"}),
    ));
    plan.steps.push(Step::unavailable(
        StepId::Stop,
        format!("stop {EVIL}"),
        format!("because {EVIL}"),
    ));
    plan
}

/// No unsafe character is on `screen`, and each of `shown` is.
fn assert_escaped(screen: &str, what: &str, shown: &[String]) {
    for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}', '\u{2066}'] {
        assert!(
            !screen.contains(bad),
            "{what}: {bad:?} reached the screen:\n{screen}"
        );
    }
    for text in shown {
        assert!(
            screen.contains(text.as_str()),
            "{what}: {text} is not shown:\n{screen}"
        );
    }
}

/// `prefix` followed by [`SHOWN`], for each prefix.
fn escaped_after(prefixes: &[&str]) -> Vec<String> {
    prefixes.iter().map(|p| format!("{p}{SHOWN}")).collect()
}

#[test]
fn hostile_strings_in_a_plan_and_its_run_never_reach_the_screen() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut outcome = isolate_outcome(ResultStatus::Failed);
    outcome.error = Some(format!("step failed: {EVIL}"));
    outcome.after = json!({"stoppedReason": EVIL});
    outcome.bundle = format!("/cases/{EVIL}").into();
    let mut fake = Fake::new(
        Script {
            plan: Ok(hostile_plan()),
            progress: vec![
                Progress::Step(StepId::Rollback),
                Progress::Call {
                    step: StepId::Rollback,
                    operation: "ecs:UpdateService".into(),
                    status: taskscope::bundle::audit::CallStatus::Failed,
                    detail: format!("denied {EVIL}"),
                },
                Progress::ServiceEvent(format!("(service svc) event {EVIL}")),
            ],
            outcome,
        },
        true,
    );
    let mut app = console_on_compromised(dir.path(), Some(&fake));
    press(&mut app, KeyCode::Char('r'));
    wait_for_plan(&mut app);
    let mut shown = escaped_after(&[
        "cluster  prod",
        "service  svc",
        "plan     rollback-",
        "warning  warning ",
        "now     current ",
        "target  target ",
        "title ",
        "blast radius: radius ",
        "ecs:Op",
        "stop ",
        "not run: because ",
    ]);
    shown.push(r#"ecs:TagResource {"v":"\x9bx\u{202e}y"}"#.into());
    // Field names are cut at 60 characters.
    shown.push(r"~ field \x1b[2J\x1b]52;c;cm0gLXJm\x07 \x9b1;1H \u{202e}exe.tx…".into());
    assert_escaped(&render(&mut app, 120, 40), "the whole plan", &shown);
    // The plan scrolls on small screens: look at it with the cursor on every step.
    for step in 0..hostile_plan().steps.len() {
        assert_escaped(
            &render(&mut app, 80, 24),
            &format!("plan, step {step}"),
            &[],
        );
        press(&mut app, KeyCode::Char('j'));
    }
    press(&mut app, KeyCode::Enter);
    // What cannot be typed cannot confirm.
    type_text(&mut app, &format!("svc{EVIL}"));
    press(&mut app, KeyCode::Enter);
    assert!(confirm_notice(&app).is_some());
    let shown = [
        r"type svc\x1b[2J\x1b]52;c;cm0gLXJm\x07".to_string(),
        r"that is not svc\x1b[2J\x1b]52;c;cm0gLXJm\x07".to_string(),
        r"> svc[2J]52;c;cm0gLXJm 1;1H \u{202e}exe.txt".to_string(),
    ];
    assert_escaped(&render(&mut app, 120, 40), "confirm", &shown);
    assert_escaped(&render(&mut app, 80, 24), "confirm", &[]);
    press(&mut app, KeyCode::Esc);
    // Run it as if it had been typed, to see progress and result.
    let Some(Popup::Action(flow)) = &mut app.popup else {
        panic!("no action popup");
    };
    let Stage::Plan(review) = &mut flow.stage else {
        panic!("not on the plan");
    };
    review.plan.confirm_with = "svc".into();
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "svc");
    press(&mut app, KeyCode::Enter);
    wait_until(&mut app, "held", |_| fake.calls().holding);
    app.poll_actions();
    let shown = escaped_after(&[
        "running rollback-",
        "FAILED denied ",
        "(service svc) event ",
    ]);
    assert_escaped(&render(&mut app, 120, 40), "progress", &shown);
    assert_escaped(&render(&mut app, 80, 24), "progress", &[]);
    fake.release();
    wait_for_result(&mut app);
    let mut shown = escaped_after(&["rollback-", "step failed: ", "recorded in /cases/"]);
    shown.push(r#"\u0007 \x9b1;1H \u{202e}exe.txt \u{2066}x"}"#.into());
    assert_escaped(&render(&mut app, 120, 40), "result", &shown);
    assert_escaped(&render(&mut app, 80, 24), "result", &[]);
}

#[test]
fn snapshots_of_the_plans() {
    let plans = [
        ("isolate", 'i', isolate_plan()),
        ("rollback", 'r', rollback_plan()),
        ("refused", 'r', refused_rollback_plan()),
    ];
    for (name, key, plan) in plans {
        let dir = tempfile::TempDir::new().unwrap();
        let fake = Fake::new(
            script(plan, isolate_outcome(ResultStatus::Completed)),
            false,
        );
        let mut app = console_on_compromised(dir.path(), Some(&fake));
        press(&mut app, KeyCode::Char(key));
        wait_for_plan(&mut app);
        if name == "refused" {
            press(&mut app, KeyCode::Enter);
        }
        for (width, height) in SIZES {
            let screen = render(&mut app, width, height);
            snapshot(&format!("respond_plan_{name}_{width}x{height}"), &screen);
        }
    }
}

#[test]
fn snapshots_of_confirmation_progress_and_result() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut fake = Fake::new(
        script(isolate_plan(), isolate_outcome(ResultStatus::Completed)),
        true,
    );
    let mut app = console_on_compromised(dir.path(), Some(&fake));
    press(&mut app, KeyCode::Char('i'));
    wait_for_plan(&mut app);
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "3f9c2d7");
    press(&mut app, KeyCode::Enter);
    for (width, height) in SIZES {
        let screen = render(&mut app, width, height);
        snapshot(&format!("respond_confirm_{width}x{height}"), &screen);
    }
    type_text(&mut app, "e");
    press(&mut app, KeyCode::Enter);
    wait_until(&mut app, "held", |_| fake.calls().holding);
    app.poll_actions();
    for (width, height) in SIZES {
        let screen = render(&mut app, width, height);
        snapshot(&format!("respond_progress_{width}x{height}"), &screen);
    }
    fake.release();
    wait_for_result(&mut app);
    for (width, height) in SIZES {
        let screen = render(&mut app, width, height);
        snapshot(
            &format!("respond_result_completed_{width}x{height}"),
            &screen,
        );
    }
}

#[test]
fn snapshots_of_a_failed_result() {
    let dir = tempfile::TempDir::new().unwrap();
    let fake = Fake::new(
        script(isolate_plan(), isolate_outcome(ResultStatus::Failed)),
        false,
    );
    let mut app = console_on_compromised(dir.path(), Some(&fake));
    press(&mut app, KeyCode::Char('i'));
    wait_for_plan(&mut app);
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "3f9c2d7e");
    press(&mut app, KeyCode::Enter);
    wait_for_result(&mut app);
    for (width, height) in SIZES {
        let screen = render(&mut app, width, height);
        snapshot(&format!("respond_result_failed_{width}x{height}"), &screen);
    }
}
