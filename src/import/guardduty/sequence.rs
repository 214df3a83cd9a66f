//! The signals of a GuardDuty attack sequence finding
//! (`service.detection.sequence.signals[]`, either casing): what each one
//! is, when it was seen, how severe and how often, and for a signal that is
//! itself a GuardDuty finding, that finding's ID. The console shows them as
//! sub-rows under the sequence (docs/attack.md) and lists them among the
//! sequence's key facts. Every string is evidence: escape it before display.

use crate::import::json::{owned, path, path_array, path_time};
use crate::model::{Severity, Timestamp};
use serde_json::Value;

/// One signal of an attack sequence.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SequenceSignal {
    /// Its unique identifier (for a finding, the finding's ARN).
    pub uid: Option<String>,
    /// What kind of signal: `FINDING`, `CLOUD_TRAIL`, `S3_DATA_EVENTS`, ...
    pub kind: Option<String>,
    /// Its name (for a finding, the finding type).
    pub name: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// When it was first seen.
    pub first_seen: Option<Timestamp>,
    /// When it was last seen.
    pub last_seen: Option<Timestamp>,
    /// Its GuardDuty severity score, as written.
    pub score: Option<f64>,
    /// How many times it was seen.
    pub count: Option<u64>,
    /// The ID of the GuardDuty finding it is, when it is one.
    pub finding_id: Option<String>,
    /// The resources it involves (`resourceUids`), as written.
    pub resources: Vec<String>,
}

impl SequenceSignal {
    /// What the signal is called on screen: its name, else its type, else its uid.
    pub fn title(&self) -> &str {
        self.name
            .as_deref()
            .or(self.kind.as_deref())
            .or(self.uid.as_deref())
            .unwrap_or("signal")
    }

    /// Its severity on the console's scale.
    pub fn severity(&self) -> Severity {
        self.score.map_or(Severity::Info, Severity::from_guardduty)
    }

    /// The event fact ID its finding has when imported (`guardduty:<id>`).
    pub fn fact_id(&self) -> Option<String> {
        self.finding_id.as_ref().map(|id| format!("guardduty:{id}"))
    }
}

/// The signals of an attack sequence finding, in the order written; none
/// for any other finding. A signal with no field at all is left out.
pub fn sequence_signals(finding: &Value) -> Vec<SequenceSignal> {
    path_array(finding, &["service", "detection", "sequence", "signals"])
        .iter()
        .filter(|signal| signal.is_object())
        .map(signal)
        .filter(|signal| *signal != SequenceSignal::default())
        .collect()
}

/// One signal object.
fn signal(value: &Value) -> SequenceSignal {
    let uid = owned(value, &["uid"]);
    let kind = owned(value, &["type"]);
    let finding_id = uid
        .as_deref()
        .and_then(|uid| finding_id(uid, kind.as_deref()));
    SequenceSignal {
        finding_id,
        name: owned(value, &["name"]),
        description: owned(value, &["description"]),
        first_seen: path_time(value, &["firstSeenAt"]),
        last_seen: path_time(value, &["lastSeenAt"]),
        score: path(value, &["severity"]).and_then(Value::as_f64),
        count: path(value, &["count"]).and_then(Value::as_u64),
        resources: path_array(value, &["resourceUids"])
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        uid,
        kind,
    }
}

/// The finding ID a signal's uid names: the part after `/finding/` of a
/// finding ARN, or the uid itself for a `FINDING` signal that is no ARN.
fn finding_id(uid: &str, kind: Option<&str>) -> Option<String> {
    if let Some((_, id)) = uid.rsplit_once("/finding/") {
        return (!id.is_empty()).then(|| id.to_string());
    }
    let is_finding = kind.is_some_and(|k| k.eq_ignore_ascii_case("FINDING"));
    (is_finding && !uid.starts_with("arn:")).then(|| uid.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The demo incident's attack sequence, as EventBridge delivered it.
    fn demo_sequence() -> Value {
        let lines = include_str!("../../demo/incident/guardduty_eventbridge.jsonl");
        let line = lines
            .lines()
            .find(|l| l.contains("AttackSequence:ECS/CompromisedCluster"))
            .unwrap();
        let event: Value = serde_json::from_str(line).unwrap();
        event["detail"].clone()
    }

    #[test]
    fn reads_every_signal_of_a_sequence() {
        let signals = sequence_signals(&demo_sequence());
        assert_eq!(signals.len(), 3);
        let first = &signals[0];
        assert_eq!(first.title(), "Execution:Runtime/ReverseShell");
        assert_eq!(first.kind.as_deref(), Some("FINDING"));
        assert_eq!(
            first.finding_id.as_deref(),
            Some("e6c1f0a2b3d44c5e8f7a9b0c1d2e3f40")
        );
        assert_eq!(
            first.fact_id().as_deref(),
            Some("guardduty:e6c1f0a2b3d44c5e8f7a9b0c1d2e3f40")
        );
        assert_eq!(first.severity(), Severity::High);
        assert_eq!(first.count, Some(1));
        let seen = path_time(&json!({"t": "2026-11-20T13:47:12.000Z"}), &["t"]);
        assert!(seen.is_some());
        assert_eq!(first.first_seen, seen);
        assert_eq!(first.last_seen, seen);
        assert_eq!(first.resources.len(), 1);
        assert!(first.resources[0].ends_with("3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93"));
        assert_eq!(signals[2].title(), "Impact:Runtime/CryptoMinerExecuted");
    }

    #[test]
    fn reads_the_cli_casing_and_signals_that_are_no_finding() {
        let finding = json!({"Type": "AttackSequence:S3/CompromisedData",
        "Service": {"Detection": {"Sequence": {"Signals": [
            {"Uid": "ct-1", "Type": "CLOUD_TRAIL", "Name": "GetObject",
             "Severity": 2.0, "Count": 42},
            {"Uid": "abc123", "Type": "FINDING", "Description": "a finding"},
            {},
            "not an object"
        ]}}}});
        let signals = sequence_signals(&finding);
        assert_eq!(signals.len(), 2);
        assert_eq!(signals[0].title(), "GetObject");
        assert_eq!(signals[0].finding_id, None);
        assert_eq!(signals[0].count, Some(42));
        assert_eq!(signals[0].severity(), Severity::Low);
        assert_eq!(signals[1].title(), "FINDING");
        assert_eq!(signals[1].finding_id.as_deref(), Some("abc123"));
    }

    #[test]
    fn other_findings_have_none() {
        let finding = json!({"type": "Execution:Runtime/ReverseShell", "service": {}});
        assert!(sequence_signals(&finding).is_empty());
    }
}
