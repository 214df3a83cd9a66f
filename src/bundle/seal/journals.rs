//! The journals in a seal: their heads when sealed, and, when verifying,
//! whether the lines sealed are still there unchanged and how many came
//! after them.

use super::document::JournalHead;
use super::JOURNALS;
use crate::bundle::audit::{self, AUDIT_FILE};
use crate::bundle::chain::{check, genesis, lying_bytes};
use crate::bundle::journal_head;
use crate::bundle::Bundle;
use std::collections::{BTreeMap, BTreeSet};

/// The heads of the journals of `bundle` to seal: their committed lines,
/// which must match the manifest and chain unbroken.
pub fn heads(bundle: &Bundle) -> Result<BTreeMap<String, JournalHead>, String> {
    JOURNALS
        .iter()
        .map(|file| {
            let head = journal_head::head(bundle, file).map_err(|e| e.to_string())?;
            Ok((
                file.to_string(),
                JournalHead {
                    lines: head.lines,
                    head: head.hash,
                },
            ))
        })
        .collect()
}

/// What the journals hold beyond what was sealed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AfterSeal {
    /// Lines added after the seal, by journal.
    pub lines: BTreeMap<String, usize>,
    /// Actions (distinct plans) with audit records after the seal.
    pub actions: usize,
    /// Sealed lines no longer as they were: verification failures.
    pub problems: Vec<String>,
}

/// Checks each journal of `bundle` against the head `sealed` records: the
/// line the seal ended at must still end the same chain value.
pub fn after_seal(bundle: &Bundle, sealed: &BTreeMap<String, JournalHead>) -> AfterSeal {
    let mut after = AfterSeal::default();
    for file in JOURNALS {
        let Some(head) = sealed.get(file) else {
            after
                .problems
                .push(format!("{file}: the seal records no head for it"));
            continue;
        };
        let content = match lying_bytes(bundle, file) {
            Ok(content) => content.unwrap_or_default(),
            Err(problem) => {
                after.problems.push(problem);
                continue;
            }
        };
        match lines_after(&genesis(&bundle.manifest, file), &content, head) {
            Ok(added) => {
                after.lines.insert(file.to_string(), added);
            }
            Err(problem) => after.problems.push(format!("{file}: {problem}")),
        }
    }
    let sealed_audit = sealed.get(AUDIT_FILE).map_or(0, |head| head.lines);
    let (records, _) = audit::load(bundle);
    let plans: BTreeSet<&str> = records
        .iter()
        .filter(|(line, _)| *line > sealed_audit)
        .map(|(_, record)| record.plan_id.as_str())
        .collect();
    after.actions = plans.len();
    after
}

/// How many lines of the journal `content` follow the `sealed` head, or why
/// the sealed lines are not there as they were.
fn lines_after(genesis: &str, content: &[u8], sealed: &JournalHead) -> Result<usize, String> {
    let total = check(genesis, content).lines;
    if total < sealed.lines {
        return Err(format!(
            "{total} line(s), the seal recorded {}: sealed lines were removed",
            sealed.lines
        ));
    }
    let ends: Vec<usize> = content
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .map(|(i, _)| i + 1)
        .chain((content.last() != Some(&b'\n')).then_some(content.len()))
        .collect();
    // The shortest prefix holding the sealed number of lines (the count
    // only grows with the prefix).
    let prefix_lines = |end: usize| check(genesis, &content[..end]);
    let at = ends.partition_point(|&end| prefix_lines(end).lines < sealed.lines);
    let head = match ends.get(at) {
        Some(&end) if sealed.lines > 0 => prefix_lines(end).head,
        _ => genesis.to_string(),
    };
    if head != sealed.head {
        return Err(format!(
            "line {} does not end the chain the seal recorded: sealed lines were edited, \
             removed or reordered",
            sealed.lines
        ));
    }
    Ok(total - sealed.lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::chain::link;
    use crate::bundle::write::sha256_hex;

    fn journal(texts: &[&str]) -> (Vec<u8>, Vec<String>) {
        let mut head = "g".to_string();
        let mut heads = Vec::new();
        let mut bytes = Vec::new();
        for text in texts {
            let line = link(&format!("{{\"t\":\"{text}\"}}"), &head).unwrap();
            head = sha256_hex(line.as_bytes());
            heads.push(head.clone());
            bytes.extend_from_slice(format!("{line}\n").as_bytes());
        }
        (bytes, heads)
    }

    #[test]
    fn lines_after_the_seal_are_counted_and_a_rewritten_one_is_caught() {
        let (bytes, heads) = journal(&["a", "b", "c"]);
        let sealed = |lines: usize, head: &str| JournalHead {
            lines,
            head: head.to_string(),
        };
        assert_eq!(lines_after("g", &bytes, &sealed(2, &heads[1])), Ok(1));
        assert_eq!(lines_after("g", &bytes, &sealed(0, "g")), Ok(3));
        assert_eq!(lines_after("g", &bytes, &sealed(3, &heads[2])), Ok(0));
        let (rewritten, _) = journal(&["a", "B", "c"]);
        let error = lines_after("g", &rewritten, &sealed(2, &heads[1])).unwrap_err();
        assert!(error.contains("line 2 does not end"), "{error}");
        let short = lines_after("g", &bytes, &sealed(4, "x")).unwrap_err();
        assert!(short.contains("sealed lines were removed"), "{short}");
    }
}
