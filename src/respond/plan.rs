//! A response plan: the exact API calls an action will make, step by step,
//! shown before anything changes and printed as JSON by `--dry-run`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a plan does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionKind {
    /// Contain one task.
    Isolate,
    /// Return a service to an earlier task definition.
    Rollback,
    /// Reverse the calls of an earlier action recorded in a bundle.
    Undo,
}

impl ActionKind {
    /// The lower-case name used in plans, audit records and on screen.
    pub fn name(self) -> &'static str {
        match self {
            ActionKind::Isolate => "isolate",
            ActionKind::Rollback => "rollback",
            ActionKind::Undo => "undo",
        }
    }
}

/// What a plan acts on, and as whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The region called.
    pub region: String,
    /// The account, from STS GetCallerIdentity.
    pub account: String,
    /// The identity that will make the calls: the caller's ARN from STS
    /// GetCallerIdentity (a user, or an assumed role's session).
    #[serde(default)]
    pub caller: String,
    /// The cluster, as given.
    pub cluster: String,
    /// The task's ARN (isolate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_arn: Option<String>,
    /// The service's name (rollback; isolate when the task belongs to one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
}

/// The steps of an isolation, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepId {
    /// Collect the task's evidence into a sealed bundle.
    Preserve,
    /// UpdateTaskProtection: no scale-in or deployment replaces the task.
    Protect,
    /// Deregister the task's IP from its load balancer target groups.
    Detach,
    /// Deny the task's IP in the network ACLs of its VPC's other subnets.
    ContainNacl,
    /// Remove every rule of a security group only this task uses.
    ContainGroup,
    /// Move the service's network configuration to a quarantine group.
    Quarantine,
    /// Deny the task role's sessions issued before now.
    Revoke,
    /// Stop the task.
    Stop,
    /// UpdateService to the target task definition, or stop the deployment
    /// in progress with ROLLBACK.
    Rollback,
    /// Follow the deployment until it is steady or has failed.
    Follow,
}

impl StepId {
    /// The name used on the command line (`--steps`) and in records.
    pub fn name(self) -> &'static str {
        match self {
            StepId::Preserve => "preserve",
            StepId::Protect => "protect",
            StepId::Detach => "detach",
            StepId::ContainNacl => "contain-nacl",
            StepId::ContainGroup => "contain-group",
            StepId::Quarantine => "quarantine",
            StepId::Revoke => "revoke",
            StepId::Stop => "stop",
            StepId::Rollback => "rollback",
            StepId::Follow => "follow",
        }
    }

    /// Parses a name given to `--steps`.
    pub fn parse(name: &str) -> Option<StepId> {
        ALL_STEPS.into_iter().find(|step| step.name() == name)
    }

    /// The steps this one needs: when one of them fails or does not run,
    /// this one does not run either. Following a deployment needs the
    /// rollback that starts it. The isolation steps need nothing: each
    /// contains on its own, so stopping the task still runs when preserving
    /// its evidence or detaching it failed.
    pub fn needs(self) -> &'static [StepId] {
        match self {
            StepId::Follow => &[StepId::Rollback],
            _ => &[],
        }
    }
}

/// Every step, for parsing and help texts.
pub const ALL_STEPS: [StepId; 10] = [
    StepId::Preserve,
    StepId::Protect,
    StepId::Detach,
    StepId::ContainNacl,
    StepId::ContainGroup,
    StepId::Quarantine,
    StepId::Revoke,
    StepId::Stop,
    StepId::Rollback,
    StepId::Follow,
];

/// One API call of a step, with the parameters it will be sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    /// `service:Operation`, as in IAM (`ecs:StopTask`); `taskscope:collect`
    /// and `taskscope:follow` stand for read-only sequences.
    pub operation: String,
    /// The request parameters, in the API's own names.
    pub parameters: Value,
    /// The state this call changes, as read before it (the rules a revoke
    /// removes, a service's previous network configuration or task
    /// definition): what `taskscope undo` restores. Null when the call
    /// replaces nothing (a new deny entry) or cannot be undone.
    #[serde(skip_serializing_if = "Value::is_null", default)]
    pub prior: Value,
}

impl Call {
    /// A call of `operation` with `parameters`.
    pub fn new(operation: &str, parameters: Value) -> Call {
        Call {
            operation: operation.to_string(),
            parameters,
            prior: Value::Null,
        }
    }

    /// The same call, with the state it changes.
    pub fn with_prior(self, prior: Value) -> Call {
        Call { prior, ..self }
    }

    /// True when the call changes AWS state (every call but taskscope's own
    /// read-only sequences).
    pub fn is_mutating(&self) -> bool {
        !self.operation.starts_with("taskscope:")
    }
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Which step.
    pub id: StepId,
    /// One line saying what it does.
    pub title: String,
    /// Whether it will run. The user may change this before confirming.
    pub selected: bool,
    /// The calls, in order.
    pub calls: Vec<Call>,
    /// What else it affects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blast_radius: Option<String>,
    /// Why the step has nothing to do (already done: re-running is safe), or
    /// cannot run here; such a step is never run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
    /// The steps it needs ([`StepId::needs`]): when one of them fails or
    /// does not run, this one does not run.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub needs: Vec<StepId>,
}

impl Step {
    /// A runnable step, selected.
    pub fn new(id: StepId, title: impl Into<String>, calls: Vec<Call>) -> Step {
        Step {
            id,
            title: title.into(),
            selected: true,
            calls,
            blast_radius: None,
            unavailable: None,
            needs: id.needs().to_vec(),
        }
    }

    /// A step with nothing to do, and why.
    pub fn unavailable(id: StepId, title: impl Into<String>, why: impl Into<String>) -> Step {
        Step {
            selected: false,
            unavailable: Some(why.into()),
            ..Step::new(id, title, Vec::new())
        }
    }

    /// The same step, offered but not selected by default.
    pub fn deselected(self) -> Step {
        Step {
            selected: false,
            ..self
        }
    }

    /// The same step, with what else it affects.
    pub fn with_blast_radius(self, text: impl Into<String>) -> Step {
        Step {
            blast_radius: Some(text.into()),
            ..self
        }
    }

    /// True when the step will run: selected and available.
    pub fn will_run(&self) -> bool {
        self.selected && self.unavailable.is_none()
    }
}

/// One line of a task definition comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    /// What is compared (`app image`, `task role`, ...).
    pub field: String,
    /// The current value.
    pub current: String,
    /// The target's value.
    pub target: String,
}

impl DiffLine {
    /// True when the two sides differ.
    pub fn changed(&self) -> bool {
        self.current != self.target
    }
}

/// A plan, complete: what will be called, and why it is safe (or not).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The action.
    pub action: ActionKind,
    /// A unique ID for the audit log ([`plan_id`]).
    pub id: String,
    /// When it was made, RFC 3339 UTC.
    pub created: String,
    /// What it acts on.
    pub target: Target,
    /// What must be typed to confirm it in the console: the task's short ID,
    /// or the service's name.
    pub confirm_with: String,
    /// The steps.
    pub steps: Vec<Step>,
    /// What the responder must know before confirming.
    pub warnings: Vec<String>,
    /// Why the plan must not run as it is (a rollback to the image digest
    /// under suspicion); a refused plan makes no call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    /// The task definition comparison of a rollback.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub diff: Vec<DiffLine>,
    /// The state read before planning (task or service).
    pub before: Value,
}

impl Plan {
    /// What its audit records name as their target: the task's ARN, else
    /// the service's name.
    pub fn audit_target(&self) -> String {
        self.target
            .task_arn
            .clone()
            .or_else(|| self.target.service.clone())
            .unwrap_or_default()
    }

    /// The mutating calls the selected steps will make.
    pub fn mutating_calls(&self) -> usize {
        self.steps
            .iter()
            .filter(|step| step.will_run())
            .flat_map(|step| &step.calls)
            .filter(|call| call.is_mutating())
            .count()
    }

    /// Keeps only the steps named in `wanted` selected (among those
    /// available). Fails on a step the plan does not have.
    pub fn select_only(&mut self, wanted: &[StepId]) -> Result<(), String> {
        for id in wanted {
            if !self.steps.iter().any(|step| step.id == *id) {
                let offered: Vec<&str> = self.steps.iter().map(|s| s.id.name()).collect();
                return Err(format!(
                    "this {} plan has no step {}; its steps are {}",
                    self.action.name(),
                    id.name(),
                    offered.join(", ")
                ));
            }
        }
        for step in &mut self.steps {
            step.selected = wanted.contains(&step.id) && step.unavailable.is_none();
        }
        Ok(())
    }
}

/// A new plan ID: the action, what it acts on (a short task ID, a service
/// name), the UTC time to the millisecond and six hex digits that differ
/// between any two calls (`isolate-3f9c2d7e-20261120T142938.417Z-5c0e1a`),
/// so two plans made at the same moment, by one process or two, differ.
pub fn plan_id(action: ActionKind, subject: &str, now: &chrono::DateTime<chrono::Utc>) -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static MADE: AtomicU64 = AtomicU64::new(0);
    // RandomState's keys are random per process; the count and the process
    // ID keep two IDs of one process, or of two, apart.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(MADE.fetch_add(1, Ordering::Relaxed));
    hasher.write_u32(std::process::id());
    format!(
        "{}-{subject}-{}-{:06x}",
        action.name(),
        now.format("%Y%m%dT%H%M%S%.3fZ"),
        hasher.finish() & 0xff_ffff
    )
}

/// The plan as text for a terminal: target, steps with their calls, blast
/// radius and why a step will not run, warnings, the comparison's changed
/// lines, and the refusal. Every value from AWS is escaped.
pub fn render_text(plan: &Plan) -> String {
    use crate::render::sanitize::escape;
    let mut out = format!(
        "{} plan {} ({} {} {})\n",
        plan.action.name(),
        escape(&plan.id),
        escape(&plan.target.account),
        escape(&plan.target.region),
        escape(&plan.target.cluster)
    );
    out.push_str(&format!("  as       {}\n", escape(&plan.target.caller)));
    if let Some(task) = &plan.target.task_arn {
        out.push_str(&format!("  task     {}\n", escape(task)));
    }
    if let Some(service) = &plan.target.service {
        out.push_str(&format!("  service  {}\n", escape(service)));
    }
    let changed: Vec<&DiffLine> = plan.diff.iter().filter(|l| l.changed()).collect();
    if !plan.diff.is_empty() {
        out.push_str(&format!("task definition changes ({}):\n", changed.len()));
        for line in changed {
            out.push_str(&format!(
                "  {}: {} -> {}\n",
                escape(&line.field),
                escape(&line.current),
                escape(&line.target)
            ));
        }
    }
    out.push_str("steps:\n");
    for step in &plan.steps {
        let mark = match (&step.unavailable, step.selected) {
            (Some(_), _) => "[-]",
            (None, true) => "[x]",
            (None, false) => "[ ]",
        };
        out.push_str(&format!(
            "  {mark} {:<13} {}\n",
            step.id.name(),
            escape(&step.title)
        ));
        if let Some(why) = &step.unavailable {
            out.push_str(&format!("        not run: {}\n", escape(why)));
            continue;
        }
        for call in &step.calls {
            out.push_str(&format!(
                "        {} {}\n",
                escape(&call.operation),
                escape(&call.parameters.to_string())
            ));
        }
        if let Some(radius) = &step.blast_radius {
            out.push_str(&format!("        blast radius: {}\n", escape(radius)));
        }
        if !step.needs.is_empty() {
            let needs: Vec<&str> = step.needs.iter().map(|id| id.name()).collect();
            out.push_str(&format!(
                "        needs: {} (not run if it fails)\n",
                needs.join(", ")
            ));
        }
    }
    for warning in &plan.warnings {
        out.push_str(&format!("warning: {}\n", escape(warning)));
    }
    if let Some(refusal) = &plan.refused {
        out.push_str(&format!("REFUSED: {}\n", escape(refusal)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plan() -> Plan {
        Plan {
            action: ActionKind::Isolate,
            id: "isolate-abcd1234-20261123T100000Z".into(),
            created: "2026-11-23T10:00:00Z".into(),
            target: Target {
                region: "us-east-1".into(),
                account: "123456789012".into(),
                caller: "arn:aws:sts::123456789012:assumed-role/ir/alice".into(),
                cluster: "prod".into(),
                task_arn: Some("arn:aws:ecs:us-east-1:123456789012:task/prod/abcd".into()),
                service: None,
            },
            confirm_with: "abcd1234".into(),
            steps: vec![
                Step::new(
                    StepId::Preserve,
                    "preserve",
                    vec![Call::new("taskscope:collect", json!({}))],
                ),
                Step::new(
                    StepId::Stop,
                    "stop",
                    vec![Call::new("ecs:StopTask", json!({"task": "abcd"}))],
                ),
                Step::unavailable(StepId::Protect, "protect", "standalone task"),
            ],
            warnings: Vec::new(),
            refused: None,
            diff: Vec::new(),
            before: Value::Null,
        }
    }

    #[test]
    fn only_selected_available_steps_count_as_mutating() {
        let mut plan = plan();
        assert_eq!(plan.mutating_calls(), 1);
        plan.select_only(&[StepId::Preserve, StepId::Protect])
            .unwrap();
        assert_eq!(plan.mutating_calls(), 0);
        assert!(!plan.steps[2].selected, "an unavailable step stays off");
    }

    #[test]
    fn selecting_a_step_the_plan_lacks_names_the_steps_it_has() {
        let error = plan().select_only(&[StepId::Follow]).unwrap_err();
        assert!(error.contains("no step follow"), "{error}");
        assert!(error.contains("preserve, stop, protect"), "{error}");
    }

    #[test]
    fn two_plans_made_at_the_same_moment_have_different_ids() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-23T10:00:00.250Z")
            .unwrap()
            .to_utc();
        let first = plan_id(ActionKind::Isolate, "abcd1234", &now);
        let second = plan_id(ActionKind::Isolate, "abcd1234", &now);
        assert_ne!(first, second);
        assert!(
            first.starts_with("isolate-abcd1234-20261123T100000.250Z-"),
            "{first}"
        );
        assert_eq!(first.len(), second.len(), "{first} {second}");
    }

    #[test]
    fn follow_needs_the_rollback_and_the_plan_text_says_so() {
        let follow = Step::new(StepId::Follow, "follow", Vec::new());
        assert_eq!(follow.needs, [StepId::Rollback]);
        assert!(Step::new(StepId::Stop, "stop", Vec::new()).needs.is_empty());
        let mut plan = plan();
        plan.steps.push(follow);
        assert!(render_text(&plan).contains("needs: rollback (not run if it fails)"));
        let json = serde_json::to_value(&plan).unwrap();
        assert_eq!(json["steps"][3]["needs"], json!(["rollback"]));
        assert!(json["steps"][1].get("needs").is_none(), "empty: left out");
    }

    #[test]
    fn the_text_plan_names_who_acts() {
        let text = render_text(&plan());
        assert!(
            text.contains("\n  as       arn:aws:sts::123456789012:assumed-role/ir/alice\n"),
            "{text}"
        );
    }

    #[test]
    fn step_names_round_trip() {
        for step in ALL_STEPS {
            assert_eq!(StepId::parse(step.name()), Some(step));
            let json = serde_json::to_value(step).unwrap();
            assert_eq!(json, json!(step.name()));
        }
    }
}
