//! Task contexts of the demo incident and of hand-made ones.

use super::deployment::service_locator;
use super::*;
use crate::bundle::build::import_to_bundle;
use crate::bundle::Bundle;
use crate::model::time::format_time;
use crate::model::Source;
use crate::raw::RawReader;
use serde_json::Value;

const T0: &str = "c41b7a9e2d5f4e80b3a6c9d1e7f20b58";
const T1: &str = "3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93";
const T2: &str = "8d2e6f1a0b9c47d3a5e2f8c1b6d4a790";
const T3: &str = "e25a7c0f9b3d4e61a8c2f0d7b5e9a134";
const T9: &str = "7b0e1c2d-3f4a-4b5c-8d6e-9f0a1b2c3d4e";

struct Demo {
    _dir: tempfile::TempDir,
    incident: Incident,
    index: ContextIndex,
}

impl Demo {
    fn new() -> Demo {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("bundle");
        import_to_bundle(crate::demo::inputs(), &root).expect("demo bundle");
        let bundle = Bundle::open(&root).expect("opens");
        let (incident, problems) = bundle.incident();
        assert!(problems.is_empty(), "{problems:?}");
        let mut reader = RawReader::new(bundle);
        let index = ContextIndex::new(&incident, &mut reader);
        Demo {
            _dir: dir,
            incident,
            index,
        }
    }

    fn task(&self, id: &str) -> usize {
        self.incident.find_task(id).expect("demo task")
    }

    fn context(&self, id: &str) -> TaskContext {
        task_context(&self.incident, &self.index, self.task(id))
    }
}

#[test]
fn posture_of_the_compromised_task() {
    let demo = Demo::new();
    let context = demo.context(T1);
    let posture = context.posture.expect("checkout-api:41 is in the bundle");
    assert_eq!(context.posture_unavailable, None);
    assert_eq!(posture.task_definition, "checkout-api:41");
    assert_eq!(posture.network_mode.as_deref(), Some("awsvpc"));
    assert_eq!(
        posture.task_role_arn.as_deref(),
        Some("arn:aws:iam::111122223333:role/checkout-api-task")
    );
    assert_eq!(
        posture.execution_role_arn.as_deref(),
        Some("arn:aws:iam::111122223333:role/checkout-api-execution")
    );
    let names: Vec<&str> = posture.containers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["app", "log-router", "falco"]);
    let app = &posture.containers[0];
    assert_eq!(app.user.as_deref(), Some("0"));
    assert_eq!(app.privileged, Some(false));
    assert_eq!(app.readonly_root_filesystem, Some(false));
    assert_eq!(app.essential, Some(true));
    assert_eq!(
        app.environment_names,
        [
            "APP_ENV",
            "PORT",
            "PAYMENTS_GATEWAY_URL",
            "RECEIPT_TEMPLATES",
            "AWS_REGION"
        ]
    );
    assert_eq!(app.secret_names, ["DB_PASSWORD", "STRIPE_API_KEY"]);
    assert_eq!(
        app.log,
        Some(LogSetup {
            driver: "awslogs".into(),
            group: Some("/ecs/checkout-api".into()),
            stream_prefix: Some("ecs".into()),
            mode: None,
        })
    );
    assert_eq!(posture.containers[2].capabilities_added, ["SYS_PTRACE"]);
    assert_eq!(posture.containers[1].readonly_root_filesystem, None);
}

#[test]
fn posture_never_holds_environment_or_secret_values() {
    let demo = Demo::new();
    let posture = demo.context(T1).posture.expect("posture");
    let shown = format!("{posture:?}");
    let (_, definition) = crate::demo::FILES
        .iter()
        .find(|(name, _)| *name == "ecs_describe_task_definition_41.json")
        .expect("demo file");
    let mut document: Value = serde_json::from_slice(definition).expect("json");
    let mut values = Vec::new();
    let containers = document["taskDefinition"]["containerDefinitions"]
        .as_array_mut()
        .expect("containers");
    for container in containers {
        let Some(fields) = container.as_object_mut() else {
            continue;
        };
        for (list, field) in [("environment", "value"), ("secrets", "valueFrom")] {
            if let Some(Value::Array(items)) = fields.remove(list) {
                values.extend(
                    items
                        .iter()
                        .filter_map(|item| item[field].as_str().map(str::to_string)),
                );
            }
        }
    }
    // Values that also appear outside environment and secrets (the region
    // in image URIs, say) may show up legitimately; every other must not.
    let elsewhere = document.to_string();
    let private: Vec<&String> = values
        .iter()
        .filter(|v| !elsewhere.contains(v.as_str()))
        .collect();
    assert!(private.len() >= 5, "{private:?}");
    for value in private {
        assert!(
            !shown.contains(value.as_str()),
            "{value} leaked into {shown}"
        );
    }
}

#[test]
fn missing_task_definitions_say_why() {
    let demo = Demo::new();
    let t9 = demo.context(T9);
    assert_eq!(t9.posture, None);
    assert_eq!(
        t9.posture_unavailable.as_deref(),
        Some("task definition batch-reports:12 is not in the bundle")
    );
    let t3 = demo.context(T3);
    assert_eq!(t3.posture, None);
    assert!(t3
        .posture_unavailable
        .is_some_and(|r| r.contains("not known")));
    let t0 = demo.context(T0);
    assert_eq!(
        t0.posture.expect("revision 40").task_definition,
        "checkout-api:40"
    );
}

#[test]
fn deployment_that_started_the_task() {
    let demo = Demo::new();
    let deployment = demo.context(T1).deployment.expect("service task");
    assert_eq!(deployment.id, "ecs-svc/4417230311982341122");
    assert_eq!(deployment.status.as_deref(), Some("PRIMARY"));
    // describe-services (14:32) is fresher than the UpdateService response (IN_PROGRESS).
    assert_eq!(deployment.rollout_state.as_deref(), Some("COMPLETED"));
    assert!(deployment
        .task_definition
        .is_some_and(|d| d.ends_with("checkout-api:41")));
    assert_eq!(
        deployment.created_at.map(|t| format_time(&t)).as_deref(),
        Some("2026-11-20T12:55:00.433Z")
    );
    assert_eq!(
        deployment.latest_notice.as_deref(),
        Some("SERVICE_DEPLOYMENT_COMPLETED at 2026-11-20T13:06:00.012Z")
    );
    let previous = deployment
        .previous
        .expect("UpdateService lists the old deployment");
    assert_eq!(previous.id, "ecs-svc/2250671834409127745");
    assert!(previous
        .task_definition
        .is_some_and(|d| d.ends_with("checkout-api:40")));
    // T0's deployment is known only from that response; T3 was started by no known deployment.
    let t0 = demo.context(T0).deployment.expect("service task");
    assert_eq!(t0.status.as_deref(), Some("ACTIVE"));
    assert_eq!(demo.context(T3).deployment, None);
}

#[test]
fn blast_radius_follows_digests_roles_and_security_groups() {
    let demo = Demo::new();
    let radius = demo.context(T1).blast_radius;
    let tasks: Vec<&str> = radius
        .iter()
        .map(|link| demo.incident.tasks[link.task].id.as_str())
        .collect();
    assert_eq!(tasks, [T2, T0], "{radius:?}");
    let t2 = &radius[0].shared;
    assert!(t2.contains(&Shared::ImageDigest(
        "sha256:139e2f2fea44898ac4610125ca1680dbedc9e7bc9e8390d70f226bc3bc45b5e4".into()
    )));
    assert!(t2.contains(&Shared::TaskRole(
        "arn:aws:iam::111122223333:role/checkout-api-task".into()
    )));
    assert!(t2.contains(&Shared::SecurityGroup("sg-0e7d6c5b4a3928170".into())));
    assert_eq!(t2.len(), 5, "three digests, the role and the group: {t2:?}");
    // T0 ran the good build: only the log router image, the role and the group.
    let t0 = &radius[1].shared;
    assert_eq!(t0.len(), 3, "{t0:?}");
    assert!(!t0.contains(&Shared::ImageDigest(
        "sha256:139e2f2fea44898ac4610125ca1680dbedc9e7bc9e8390d70f226bc3bc45b5e4".into()
    )));
    // Another service's task shares nothing, in either direction.
    assert!(demo.context(T9).blast_radius.is_empty());
    assert!(demo.context(T3).blast_radius.is_empty());
}

fn states(context: &TaskContext) -> Vec<(&'static str, CoverageState)> {
    context
        .coverage
        .entries
        .iter()
        .map(|e| (e.source, e.state))
        .collect()
}

#[test]
fn coverage_tells_no_evidence_from_no_data() {
    use CoverageState::*;
    let demo = Demo::new();
    assert_eq!(
        states(&demo.context(T1)),
        [
            ("guardduty-agent", Data),
            ("awslogs", Data),
            ("falco", Data),
            ("cloudtrail", Data),
            ("ecs-task", Data),
        ]
    );
    // T0 stopped before the sample's CloudTrail begins in earnest, ran no
    // Falco sidecar, and logged to awslogs without a single exported line.
    assert_eq!(
        states(&demo.context(T0)),
        [
            ("guardduty-agent", NoData),
            ("awslogs", NoEvidence),
            ("falco", NoData),
            ("cloudtrail", Partial),
            ("ecs-task", Data),
        ]
    );
    let t3 = demo.context(T3);
    assert_eq!(
        summarize_coverage(&t3),
        "guardduty-agent none(containers unknown)  awslogs none(no logs)  \
         falco none(containers unknown)  cloudtrail quiet(lifetime unknown)  \
         ecs-task none(not described)"
    );
    let t9 = demo.context(T9);
    assert_eq!(t9.coverage.entry("awslogs").map(|e| e.state), Some(NoData));
    let line = summarize_coverage(&demo.context(T0));
    assert_eq!(
        line,
        "guardduty-agent none(no agent)  awslogs quiet(log lines may have been dropped)  \
         falco none(no sidecar)  cloudtrail partial(12:30-14:31)  ecs-task ok"
    );
    assert!(line.is_ascii());
}

#[test]
fn coverage_of_agent_sidecars_and_running_tasks() {
    let demo = Demo::new();
    let mut incident = crate::inspect::test_support::demo();
    let t2 = incident.find_task(T2).expect("T2");
    // A running task with the GuardDuty agent and no finding: quiet, not "no data".
    incident.timelines[t2].retain(|&e| incident.events[e].source != Source::Guardduty);
    incident.tasks[t2].containers.push(crate::model::Container {
        name: "aws-guardduty-agent-AbCdE".into(),
        ..Default::default()
    });
    let context = task_context(&incident, &demo.index, t2);
    let guardduty = context.coverage.entry("guardduty-agent").expect("entry");
    assert_eq!(guardduty.state, CoverageState::NoEvidence);
    // Still running: its lifetime runs to the bundle's last event, within CloudTrail's reach.
    assert!(incident.tasks[t2].stopped_at.is_none());
    let cloudtrail = context.coverage.entry("cloudtrail").expect("entry");
    assert_eq!(
        cloudtrail.state,
        CoverageState::Data,
        "{}",
        cloudtrail.detail
    );
    // Without its Falco alerts, the sidecar still shows as present and quiet.
    incident.timelines[t2].retain(|&e| incident.events[e].source != Source::Falco);
    let context = task_context(&incident, &demo.index, t2);
    let falco = context.coverage.entry("falco").expect("entry");
    assert_eq!(falco.state, CoverageState::NoEvidence);
}

#[test]
fn service_locators_are_found_in_deployment_and_event_locators() {
    assert_eq!(
        service_locator("/services/0/deployments/1").as_deref(),
        Some("/services/0")
    );
    assert_eq!(
        service_locator("/data/services/12/events/3").as_deref(),
        Some("/data/services/12")
    );
    assert_eq!(
        service_locator("/service/events/0").as_deref(),
        Some("/service")
    );
    assert_eq!(service_locator("/events/3"), None);
    assert_eq!(service_locator("/Records/2"), None);
}
