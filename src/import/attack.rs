//! Reading ATT&CK from each source's own vocabulary: Falco rule tags
//! (`mitre_execution`, `T1059`), the threat purpose that opens a GuardDuty
//! finding type (`Execution:Runtime/ReverseShell`), and the ATTACK_TACTIC
//! and ATTACK_TECHNIQUE indicators of an attack sequence. docs/attack.md
//! gives the rules and says which threat purposes map to no tactic.

use super::json::{path_array, path_str};
use crate::model::{Attack, Tactic, Technique};
use serde_json::Value;

/// Falco tags: `mitre_<tactic>` or a tactic ID (`TA0003`) gives a tactic,
/// and a technique ID a technique. A `mitre_` tag naming no tactic, or a `T` and digits that is
/// no technique ID, is kept as a label; other tags (`container`, `shell`)
/// are not ATT&CK and are left out.
pub fn from_falco_tags(tags: &[Value]) -> Attack {
    let mut attack = Attack::default();
    for tag in tags.iter().filter_map(Value::as_str) {
        let lower = tag.trim().to_ascii_lowercase();
        if let Some(name) = lower.strip_prefix("mitre_") {
            match Tactic::parse(name) {
                Some(tactic) => attack.add_tactic(tactic),
                None => attack.add_label(tag),
            }
        } else if let Some(tactic) = lower
            .starts_with("ta")
            .then(|| Tactic::parse(tag))
            .flatten()
        {
            attack.add_tactic(tactic);
        } else if let Some(technique) = Technique::parse(tag) {
            attack.add_technique(technique);
        } else if looks_like_attack_id(&lower) {
            attack.add_label(tag);
        }
    }
    attack
}

/// `t` or `ta` followed by a digit: meant as a technique or tactic ID,
/// whether or not it is one.
fn looks_like_attack_id(lower: &str) -> bool {
    let rest = lower.strip_prefix("ta").or_else(|| lower.strip_prefix('t'));
    rest.is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
}

/// The tactic of a GuardDuty finding type's threat purpose (the part before
/// the colon), compared without regard to case. Purposes that name no
/// single ATT&CK tactic (Behavior, PenTest, Policy, Trojan,
/// UnauthorizedAccess, AttackSequence, and any not documented) give none.
pub fn guardduty_purpose_tactic(finding_type: &str) -> Option<Tactic> {
    let (purpose, _) = finding_type.split_once(':')?;
    let tactic = match purpose.trim().to_ascii_lowercase().as_str() {
        "backdoor" => Tactic::CommandAndControl,
        "credentialaccess" => Tactic::CredentialAccess,
        "cryptocurrency" => Tactic::Impact,
        "defenseevasion" | "stealth" => Tactic::DefenseEvasion,
        "discovery" => Tactic::Discovery,
        "execution" => Tactic::Execution,
        "exfiltration" => Tactic::Exfiltration,
        "impact" => Tactic::Impact,
        "initialaccess" => Tactic::InitialAccess,
        "persistence" => Tactic::Persistence,
        "privilegeescalation" => Tactic::PrivilegeEscalation,
        "recon" => Tactic::Reconnaissance,
        _ => return None,
    };
    Some(tactic)
}

/// What a GuardDuty finding names: the tactic of its type's threat purpose,
/// and for an attack sequence the values of its `ATTACK_TACTIC` and
/// `ATTACK_TECHNIQUE` sequence indicators. A tactic value that does not
/// parse, and a technique given by name, are kept as labels; a technique
/// value that opens with an ID (`T1078.004 - Cloud Accounts`) gives the ID.
pub fn from_guardduty(finding_type: &str, finding: &Value) -> Attack {
    let mut attack = Attack::default();
    if let Some(tactic) = guardduty_purpose_tactic(finding_type) {
        attack.add_tactic(tactic);
    }
    let indicators = path_array(
        finding,
        &["service", "detection", "sequence", "sequenceIndicators"],
    );
    for indicator in indicators {
        let key = path_str(indicator, &["key"]).unwrap_or("");
        let values = path_array(indicator, &["values"])
            .iter()
            .filter_map(Value::as_str);
        match key {
            "ATTACK_TACTIC" => {
                for value in values {
                    match Tactic::parse(value) {
                        Some(tactic) => attack.add_tactic(tactic),
                        None => attack.add_label(value),
                    }
                }
            }
            "ATTACK_TECHNIQUE" => {
                for value in values {
                    match leading_technique(value) {
                        Some(technique) => attack.add_technique(technique),
                        None => attack.add_label(value),
                    }
                }
            }
            _ => {}
        }
    }
    attack
}

/// The technique ID a value opens with (`T1078`, `T1078.004: Cloud Accounts`).
fn leading_technique(value: &str) -> Option<Technique> {
    let first = value
        .trim()
        .split(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | '(' | ')'))
        .next()?;
    Technique::parse(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn falco_mitre_tags_become_tactics_and_ids_techniques() {
        let tags = json!([
            "maturity_stable",
            "container",
            "shell",
            "mitre_execution",
            "T1059.004",
            "MITRE_Exfiltration",
            "mitre_remote_service",
            "T99",
            "t1611",
            "TA0003",
            "TA9999",
            "impact"
        ]);
        let attack = from_falco_tags(tags.as_array().unwrap());
        assert_eq!(
            attack.tactics,
            vec![Tactic::Execution, Tactic::Persistence, Tactic::Exfiltration]
        );
        let ids: Vec<&str> = attack.techniques.iter().map(Technique::id).collect();
        assert_eq!(ids, vec!["T1059.004", "T1611"]);
        assert_eq!(attack.labels, vec!["mitre_remote_service", "T99", "TA9999"]);
    }

    #[test]
    fn falco_tags_that_are_not_strings_or_not_attack_give_nothing() {
        let tags = json!(["filesystem", "process", "testing", 7, null]);
        assert!(from_falco_tags(tags.as_array().unwrap()).is_empty());
    }

    #[test]
    fn each_documented_threat_purpose_maps_to_its_tactic_or_none() {
        let cases = [
            (
                "Backdoor:Runtime/C&CActivity.B",
                Some(Tactic::CommandAndControl),
            ),
            ("Behavior:EC2/TrafficVolumeUnusual", None),
            (
                "CredentialAccess:IAMUser/AnomalousBehavior",
                Some(Tactic::CredentialAccess),
            ),
            ("CryptoCurrency:Runtime/BitcoinTool.B", Some(Tactic::Impact)),
            (
                "DefenseEvasion:Runtime/FilelessExecution",
                Some(Tactic::DefenseEvasion),
            ),
            ("Discovery:S3/MaliciousIPCaller", Some(Tactic::Discovery)),
            ("Execution:Runtime/ReverseShell", Some(Tactic::Execution)),
            (
                "Exfiltration:S3/AnomalousBehavior",
                Some(Tactic::Exfiltration),
            ),
            ("Impact:Runtime/CryptoMinerExecuted", Some(Tactic::Impact)),
            (
                "InitialAccess:IAMUser/AnomalousBehavior",
                Some(Tactic::InitialAccess),
            ),
            ("PenTest:IAMUser/KaliLinux", None),
            (
                "Persistence:IAMUser/AnomalousBehavior",
                Some(Tactic::Persistence),
            ),
            ("Policy:S3/BucketBlockPublicAccessDisabled", None),
            (
                "PrivilegeEscalation:Runtime/DockerSocketAccessed",
                Some(Tactic::PrivilegeEscalation),
            ),
            (
                "Recon:IAMUser/UserPermissions",
                Some(Tactic::Reconnaissance),
            ),
            (
                "Stealth:IAMUser/CloudTrailLoggingDisabled",
                Some(Tactic::DefenseEvasion),
            ),
            ("Trojan:Runtime/DropPoint", None),
            ("UnauthorizedAccess:Runtime/TorClient", None),
            ("AttackSequence:ECS/CompromisedCluster", None),
            ("Execution", None),
        ];
        for (finding_type, tactic) in cases {
            assert_eq!(
                guardduty_purpose_tactic(finding_type),
                tactic,
                "{finding_type}"
            );
        }
    }

    #[test]
    fn sequence_indicators_add_tactics_techniques_and_labels() {
        let finding = json!({"service": {"detection": {"sequence": {"sequenceIndicators": [
            {"key": "ATTACK_TACTIC", "values": ["Execution", "Impact", "Mischief"]},
            {"key": "ATTACK_TECHNIQUE", "values": [
                "Command and Scripting Interpreter", "T1078.004 - Cloud Accounts", "T1496"
            ]},
            {"key": "MALICIOUS_IP", "values": ["203.0.113.66"]}
        ]}}}});
        let attack = from_guardduty("AttackSequence:ECS/CompromisedCluster", &finding);
        assert_eq!(attack.tactics, vec![Tactic::Execution, Tactic::Impact]);
        let ids: Vec<&str> = attack.techniques.iter().map(Technique::id).collect();
        assert_eq!(ids, vec!["T1078.004", "T1496"]);
        assert_eq!(
            attack.labels,
            vec!["Mischief", "Command and Scripting Interpreter"]
        );
    }

    #[test]
    fn cli_output_casing_is_read_too() {
        let finding = json!({"Service": {"Detection": {"Sequence": {"SequenceIndicators": [
            {"Key": "ATTACK_TACTIC", "Values": ["Exfiltration"]}
        ]}}}});
        let attack = from_guardduty("Execution:Runtime/ReverseShell", &finding);
        assert_eq!(
            attack.tactics,
            vec![Tactic::Execution, Tactic::Exfiltration]
        );
    }
}
