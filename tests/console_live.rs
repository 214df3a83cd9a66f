//! The console over a bundle that live collection is filling: reading it
//! again as responses arrive renumbers tasks and events, and the console
//! must keep the user where they were.

// Each test file uses part of the shared helpers.
#[allow(dead_code)]
mod support;

use std::path::Path;
use support::{console, wait_for_filter};
use taskscope::bundle::annotations::event_anchor;
use taskscope::bundle::growing::{GrowingBundle, Response};
use taskscope::bundle::manifest::{CollectRequest, Origin};
use taskscope::tui::app::App;
use taskscope::tui::keys::Action;
use taskscope::tui::live::LiveStatus;
use taskscope::tui::load;
use taskscope::tui::screens::View;

/// A DescribeTasks response for one stopped task created at `created` (epoch
/// seconds): four milestones on its timeline.
fn describe_tasks(id: &str, created: u64) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "tasks": [{
            "taskArn": format!("arn:aws:ecs:us-east-1:123456789012:task/prod/{id}"),
            "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
            "group": "service:web",
            "lastStatus": "STOPPED",
            "createdAt": created,
            "startedAt": created + 10,
            "stoppingAt": created + 100,
            "stoppedAt": created + 110,
            "stoppedReason": "scaled in",
            "containers": []
        }],
        "failures": []
    }))
    .unwrap()
}

fn store(bundle: &mut GrowingBundle, body: &[u8]) {
    let origin = Origin {
        service: "ECS".into(),
        operation: "DescribeTasks".into(),
        account: String::new(),
        region: "us-east-1".into(),
        request_id: None,
        received_at: "2026-11-23T10:00:00Z".into(),
        eventbridge_archive: false,
    };
    bundle.store(Response { origin, body }).unwrap();
}

const WATCHED: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/// The selected event of the view in focus, by anchor.
fn selected_anchor(app: &App) -> String {
    let data = app.data.as_ref().unwrap();
    let event = app.selected_event().expect("an event is selected");
    event_anchor(&data.incident.events[event as usize], &data.bundle.manifest)
}

fn reload(app: &mut App, path: &Path) {
    app.set_data(load(path).unwrap());
}

#[test]
fn a_reload_keeps_the_open_timeline_and_the_selected_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live");
    let mut bundle = GrowingBundle::create(&path, CollectRequest::default()).unwrap();
    store(&mut bundle, &describe_tasks(WATCHED, 1_795_000_000));
    let mut app = console(&path);
    let watched = app.data.as_ref().unwrap().incident.find_task(WATCHED);
    app.show_timeline(watched);
    app.perform(Action::MoveDown);
    app.perform(Action::MoveDown);
    let before = selected_anchor(&app);
    let index_before = app.selected_event();

    // An earlier task arrives: it sorts first, and its events come first.
    store(
        &mut bundle,
        &describe_tasks("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1_794_990_000),
    );
    reload(&mut app, &path);

    let data = app.data.clone().unwrap();
    assert_eq!(data.incident.tasks.len(), 2);
    assert_eq!(app.view, View::Timeline);
    let open = app.timeline.task.expect("a task's timeline is open");
    assert_eq!(data.incident.tasks[open].id, WATCHED);
    assert_ne!(app.timeline.task, watched, "the task was renumbered");
    assert_eq!(selected_anchor(&app), before);
    assert_ne!(
        app.selected_event(),
        index_before,
        "the event was renumbered"
    );
    assert_eq!(app.detail.event, app.selected_event(), "the detail follows");

    // Back on the tasks view, the watched task is still the one selected.
    app.perform(Action::TasksView);
    assert_eq!(app.selected_task(), Some(open));
}

#[test]
fn a_reload_runs_the_filter_again_and_reselects_the_match() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live");
    let mut bundle = GrowingBundle::create(&path, CollectRequest::default()).unwrap();
    store(&mut bundle, &describe_tasks(WATCHED, 1_795_000_000));
    let mut app = console(&path);
    let watched = app.data.as_ref().unwrap().incident.find_task(WATCHED);
    app.show_timeline(watched);
    app.apply_filter("stopp".into());
    wait_for_filter(&mut app);
    assert!(app.timeline.list.len() >= 2, "STOPPING and STOPPED match");
    app.perform(Action::Bottom);
    let before = selected_anchor(&app);
    assert!(before.ends_with("@STOPPED"), "{before}");

    store(
        &mut bundle,
        &describe_tasks("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1_794_990_000),
    );
    reload(&mut app, &path);
    wait_for_filter(&mut app);

    assert_eq!(app.timeline.list.query(), "stopp");
    assert_eq!(selected_anchor(&app), before);
}

#[test]
fn the_task_asked_for_opens_once_collection_has_stored_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live");
    let mut bundle = GrowingBundle::create(&path, CollectRequest::default()).unwrap();
    store(
        &mut bundle,
        &describe_tasks("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1_794_990_000),
    );
    let mut app = console(&path);
    app.set_live(LiveStatus::new(1, &[], false));
    app.open_task = Some(WATCHED.into());
    reload(&mut app, &path);
    assert_eq!(app.view, View::Tasks, "not there yet");
    assert!(
        app.status
            .as_ref()
            .is_none_or(|(line, _)| !line.starts_with("no task")),
        "no error while it may still come: {:?}",
        app.status
    );

    store(&mut bundle, &describe_tasks(WATCHED, 1_795_000_000));
    app.set_live(LiveStatus::new(2, &[], false));
    reload(&mut app, &path);
    assert_eq!(app.view, View::Timeline);
    let open = app.timeline.task.expect("its timeline is open");
    assert_eq!(app.data.as_ref().unwrap().incident.tasks[open].id, WATCHED);

    // A task that never comes is reported once collection has ended.
    app.open_task = Some("cccccccccccccccccccccccccccccccc".into());
    app.set_live(LiveStatus::new(2, &[], true));
    let (line, _) = app.status.clone().expect("an error on the status line");
    assert!(line.starts_with("no task cccc"), "{line}");
}
