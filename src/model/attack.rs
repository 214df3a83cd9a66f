//! MITRE ATT&CK on an event: the Enterprise tactics (the adversary's goal,
//! `TA0002` Execution) and technique IDs (`T1059`, `T1059.004`) the
//! evidence names. Importers fill it in from each source's own vocabulary
//! (crate::import::attack); docs/attack.md lists the rules.

use std::fmt;

/// Most labels kept as text per event: evidence cannot grow an event without bound.
pub const MAX_LABELS: usize = 16;
/// Longest label kept as text, in characters.
pub const MAX_LABEL_CHARS: usize = 120;

/// One of the 14 Enterprise ATT&CK tactics, in kill-chain order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tactic {
    /// TA0043.
    Reconnaissance,
    /// TA0042.
    ResourceDevelopment,
    /// TA0001.
    InitialAccess,
    /// TA0002.
    Execution,
    /// TA0003.
    Persistence,
    /// TA0004.
    PrivilegeEscalation,
    /// TA0005.
    DefenseEvasion,
    /// TA0006.
    CredentialAccess,
    /// TA0007.
    Discovery,
    /// TA0008.
    LateralMovement,
    /// TA0009.
    Collection,
    /// TA0011.
    CommandAndControl,
    /// TA0010.
    Exfiltration,
    /// TA0040.
    Impact,
}

impl Tactic {
    /// Every tactic, in kill-chain order.
    pub const ALL: [Tactic; 14] = [
        Tactic::Reconnaissance,
        Tactic::ResourceDevelopment,
        Tactic::InitialAccess,
        Tactic::Execution,
        Tactic::Persistence,
        Tactic::PrivilegeEscalation,
        Tactic::DefenseEvasion,
        Tactic::CredentialAccess,
        Tactic::Discovery,
        Tactic::LateralMovement,
        Tactic::Collection,
        Tactic::CommandAndControl,
        Tactic::Exfiltration,
        Tactic::Impact,
    ];

    /// The ATT&CK ID (`TA0002`).
    pub fn id(self) -> &'static str {
        match self {
            Tactic::Reconnaissance => "TA0043",
            Tactic::ResourceDevelopment => "TA0042",
            Tactic::InitialAccess => "TA0001",
            Tactic::Execution => "TA0002",
            Tactic::Persistence => "TA0003",
            Tactic::PrivilegeEscalation => "TA0004",
            Tactic::DefenseEvasion => "TA0005",
            Tactic::CredentialAccess => "TA0006",
            Tactic::Discovery => "TA0007",
            Tactic::LateralMovement => "TA0008",
            Tactic::Collection => "TA0009",
            Tactic::CommandAndControl => "TA0011",
            Tactic::Exfiltration => "TA0010",
            Tactic::Impact => "TA0040",
        }
    }

    /// The name ATT&CK gives it (`Command and Control`).
    pub fn name(self) -> &'static str {
        match self {
            Tactic::Reconnaissance => "Reconnaissance",
            Tactic::ResourceDevelopment => "Resource Development",
            Tactic::InitialAccess => "Initial Access",
            Tactic::Execution => "Execution",
            Tactic::Persistence => "Persistence",
            Tactic::PrivilegeEscalation => "Privilege Escalation",
            Tactic::DefenseEvasion => "Defense Evasion",
            Tactic::CredentialAccess => "Credential Access",
            Tactic::Discovery => "Discovery",
            Tactic::LateralMovement => "Lateral Movement",
            Tactic::Collection => "Collection",
            Tactic::CommandAndControl => "Command and Control",
            Tactic::Exfiltration => "Exfiltration",
            Tactic::Impact => "Impact",
        }
    }

    /// The short name ATT&CK uses in its data (`command-and-control`), and
    /// the word the `tactic:` filter takes.
    pub fn short_name(self) -> &'static str {
        match self {
            Tactic::Reconnaissance => "reconnaissance",
            Tactic::ResourceDevelopment => "resource-development",
            Tactic::InitialAccess => "initial-access",
            Tactic::Execution => "execution",
            Tactic::Persistence => "persistence",
            Tactic::PrivilegeEscalation => "privilege-escalation",
            Tactic::DefenseEvasion => "defense-evasion",
            Tactic::CredentialAccess => "credential-access",
            Tactic::Discovery => "discovery",
            Tactic::LateralMovement => "lateral-movement",
            Tactic::Collection => "collection",
            Tactic::CommandAndControl => "command-and-control",
            Tactic::Exfiltration => "exfiltration",
            Tactic::Impact => "impact",
        }
    }

    /// Reads a tactic written as its ID (`TA0002`), its name (`Command and
    /// Control`) or its short name in any case, with spaces, hyphens or
    /// underscores between the words (`command_and_control`). Anything
    /// else is not a tactic.
    pub fn parse(text: &str) -> Option<Tactic> {
        let text = text.trim();
        let wanted: String = text
            .chars()
            .map(|c| match c {
                ' ' | '_' => '-',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        Tactic::ALL
            .into_iter()
            .find(|tactic| tactic.id().eq_ignore_ascii_case(text) || tactic.short_name() == wanted)
    }

    /// The position of the tactic in [`Tactic::ALL`], a bit number for compact storage.
    pub fn ordinal(self) -> u32 {
        Tactic::ALL
            .iter()
            .position(|&tactic| tactic == self)
            .unwrap_or_default() as u32
    }
}

impl fmt::Display for Tactic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.id())
    }
}

/// An ATT&CK technique or sub-technique ID: `T` and four digits, and for a
/// sub-technique a dot and three more (`T1059.004`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Technique(String);

impl Technique {
    /// Reads an ID in either case (`t1059.004` becomes `T1059.004`); anything else is not one.
    pub fn parse(text: &str) -> Option<Technique> {
        let text = text.trim();
        let bytes = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| {
            bytes
                .get(range)
                .is_some_and(|part| part.iter().all(u8::is_ascii_digit))
        };
        let well_formed = matches!(bytes.first(), Some(b'T' | b't'))
            && digits(1..5)
            && match bytes.len() {
                5 => true,
                9 => bytes[5] == b'.' && digits(6..9),
                _ => false,
            };
        well_formed.then(|| Technique(text.to_ascii_uppercase()))
    }

    /// The ID as ATT&CK writes it.
    pub fn id(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Technique {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an event says about ATT&CK. Tactics and techniques are parsed and
/// safe to show; `labels` are ATT&CK-looking words from the evidence that
/// did not parse (an unknown `mitre_` tag, a technique given by name), kept
/// as text: attacker-controlled, escape before display.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attack {
    /// Tactics, in kill-chain order, each once.
    pub tactics: Vec<Tactic>,
    /// Technique IDs, in the order the evidence gave them, each once.
    pub techniques: Vec<Technique>,
    /// Unparsed labels, in evidence order, each once; at most [`MAX_LABELS`].
    pub labels: Vec<String>,
}

impl Attack {
    /// True when the evidence named nothing ATT&CK.
    pub fn is_empty(&self) -> bool {
        self.tactics.is_empty() && self.techniques.is_empty() && self.labels.is_empty()
    }

    /// Adds a tactic, keeping kill-chain order.
    pub fn add_tactic(&mut self, tactic: Tactic) {
        if let Err(position) = self.tactics.binary_search(&tactic) {
            self.tactics.insert(position, tactic);
        }
    }

    /// Adds a technique unless it is there already.
    pub fn add_technique(&mut self, technique: Technique) {
        if !self.techniques.contains(&technique) {
            self.techniques.push(technique);
        }
    }

    /// Keeps `label` as text (cut to [`MAX_LABEL_CHARS`]) unless it is
    /// empty, there already, or [`MAX_LABELS`] are kept.
    pub fn add_label(&mut self, label: &str) {
        let label: String = label.trim().chars().take(MAX_LABEL_CHARS).collect();
        if !label.is_empty() && self.labels.len() < MAX_LABELS && !self.labels.contains(&label) {
            self.labels.push(label);
        }
    }

    /// One line: tactics with their IDs, then techniques, then labels
    /// (`Execution (TA0002) · T1059.004`). Labels are raw evidence.
    pub fn describe(&self) -> String {
        let tactics: Vec<String> = self.tactics.iter().map(Tactic::to_string).collect();
        let mut parts = Vec::new();
        if !tactics.is_empty() {
            parts.push(tactics.join(", "));
        }
        parts.extend(self.techniques.iter().map(|t| t.id().to_string()));
        if !self.labels.is_empty() {
            parts.push(self.labels.join(", "));
        }
        parts.join(" · ")
    }

    /// The words the console filter matches: `tactic:<short name>` per
    /// tactic and `technique:<ID>` per technique, space-separated.
    pub fn filter_words(&self) -> String {
        let tactics = self
            .tactics
            .iter()
            .map(|t| format!("tactic:{}", t.short_name()));
        let techniques = self.techniques.iter().map(|t| format!("technique:{t}"));
        tactics.chain(techniques).collect::<Vec<_>>().join(" ")
    }

    /// Tags in the Sigma convention that Timesketch users search by:
    /// `attack.execution`, `attack.t1059.004`, lower case.
    pub fn tags(&self) -> Vec<String> {
        let tactics = self
            .tactics
            .iter()
            .map(|t| format!("attack.{}", t.short_name().replace('-', "_")));
        let techniques = self
            .techniques
            .iter()
            .map(|t| format!("attack.{}", t.id().to_ascii_lowercase()));
        tactics.chain(techniques).collect()
    }

    /// The tactics as a bit set, bit [`Tactic::ordinal`] per tactic.
    pub fn tactic_bits(&self) -> u32 {
        self.tactics
            .iter()
            .fold(0, |bits, tactic| bits | (1 << tactic.ordinal()))
    }

    /// The tactics of a bit set from [`Attack::tactic_bits`]; `None` when
    /// a bit names no tactic.
    pub fn tactics_from_bits(bits: u32) -> Option<Vec<Tactic>> {
        if bits >> Tactic::ALL.len() != 0 {
            return None;
        }
        Some(
            Tactic::ALL
                .into_iter()
                .filter(|tactic| bits & (1 << tactic.ordinal()) != 0)
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tactics_parse_from_ids_names_and_short_names() {
        assert_eq!(Tactic::parse("TA0010"), Some(Tactic::Exfiltration));
        assert_eq!(Tactic::parse("ta0011"), Some(Tactic::CommandAndControl));
        assert_eq!(
            Tactic::parse("Command and Control"),
            Some(Tactic::CommandAndControl)
        );
        assert_eq!(
            Tactic::parse("privilege_escalation"),
            Some(Tactic::PrivilegeEscalation)
        );
        assert_eq!(
            Tactic::parse("defense-evasion"),
            Some(Tactic::DefenseEvasion)
        );
        assert_eq!(Tactic::parse("remote_service"), None);
        assert_eq!(Tactic::parse("TA9999"), None);
        assert_eq!(Tactic::parse(""), None);
    }

    #[test]
    fn every_tactic_has_its_own_id_and_short_name() {
        let ids: std::collections::BTreeSet<&str> = Tactic::ALL.iter().map(|t| t.id()).collect();
        let names: std::collections::BTreeSet<&str> =
            Tactic::ALL.iter().map(|t| t.short_name()).collect();
        assert_eq!((ids.len(), names.len()), (14, 14));
        for tactic in Tactic::ALL {
            assert_eq!(Tactic::parse(tactic.id()), Some(tactic));
            assert_eq!(Tactic::parse(tactic.name()), Some(tactic));
            assert_eq!(Tactic::parse(tactic.short_name()), Some(tactic));
        }
    }

    #[test]
    fn techniques_need_the_exact_id_shape() {
        assert_eq!(Technique::parse("T1059").unwrap().id(), "T1059");
        assert_eq!(Technique::parse("t1059.004").unwrap().id(), "T1059.004");
        for bad in [
            "T105",
            "T10599",
            "T1059.04",
            "T1059-004",
            "X1059",
            "T1059.0041",
            "T１０５９",
        ] {
            assert_eq!(Technique::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn an_event_keeps_tactics_in_kill_chain_order_once() {
        let mut attack = Attack::default();
        attack.add_tactic(Tactic::Impact);
        attack.add_tactic(Tactic::Execution);
        attack.add_tactic(Tactic::Impact);
        attack.add_technique(Technique::parse("T1059.004").unwrap());
        attack.add_technique(Technique::parse("t1059.004").unwrap());
        attack.add_label("Resource Hijacking");
        assert_eq!(attack.tactics, vec![Tactic::Execution, Tactic::Impact]);
        assert_eq!(
            attack.describe(),
            "Execution (TA0002), Impact (TA0040) · T1059.004 · Resource Hijacking"
        );
        assert_eq!(
            attack.filter_words(),
            "tactic:execution tactic:impact technique:T1059.004"
        );
        assert_eq!(
            attack.tags(),
            vec!["attack.execution", "attack.impact", "attack.t1059.004"]
        );
    }

    #[test]
    fn tactic_bits_round_trip_and_refuse_unknown_bits() {
        let mut attack = Attack::default();
        attack.add_tactic(Tactic::Reconnaissance);
        attack.add_tactic(Tactic::CommandAndControl);
        let bits = attack.tactic_bits();
        assert_eq!(Attack::tactics_from_bits(bits), Some(attack.tactics));
        assert_eq!(Attack::tactics_from_bits(1 << 14), None);
    }

    #[test]
    fn labels_are_bounded_in_number_and_length() {
        let mut attack = Attack::default();
        for n in 0..40 {
            attack.add_label(&format!("mitre_unknown_{n}"));
        }
        attack.add_label(&"x".repeat(1000));
        assert_eq!(attack.labels.len(), MAX_LABELS);
        let mut long = Attack::default();
        long.add_label(&"y".repeat(1000));
        assert_eq!(long.labels[0].chars().count(), MAX_LABEL_CHARS);
    }
}
