//! Hash chains over a bundle's append-only journals (`annotations.jsonl`,
//! `audit.jsonl`, `custody.jsonl`): every line carries, in its `prev`
//! member, the link value of the line before it, so an edited, removed,
//! inserted or reordered line breaks the chain at a line that can be named.
//!
//! The rule (docs/bundle-format.md, "Chained journals"):
//! - the value before the first line, the *genesis*, is the SHA-256 (lower-case
//!   hex) of `taskscope-chain-v1\n<file name>\n<manifest created_at>`, which
//!   binds the chain to its file and its bundle;
//! - a chained line is a JSON object whose `prev` member is the value before
//!   it; the value after it is the SHA-256 of the line's exact bytes (without
//!   its newline);
//! - lines written before taskscope chained its journals have no `prev`; they
//!   may only come before the first chained line, and the value after one is
//!   the SHA-256 of the value before it, a newline and the line's bytes, so
//!   the head still covers them (an edit among them cannot be named, though);
//! - the *head* is the value after the last line (the genesis for an empty
//!   journal): signing the head and the line count covers the whole journal.

use super::manifest::Manifest;
use super::write::sha256_hex;
use super::Bundle;
use serde::Deserialize;
use std::fmt;

/// Names the chain rule in every genesis value.
const GENESIS_DOMAIN: &str = "taskscope-chain-v1";

/// The member of a chained line holding the value before it.
pub const PREV_FIELD: &str = "prev";

/// The value before the first line of the journal `file` in the bundle
/// whose manifest is `manifest`.
pub fn genesis(manifest: &Manifest, file: &str) -> String {
    sha256_hex(format!("{GENESIS_DOMAIN}\n{file}\n{}", manifest.created_at).as_bytes())
}

/// `line` (one JSON object, without its newline) with `"prev":"<prev>"` as
/// its first member: the line as a journal appends it.
pub fn link(line: &str, prev: &str) -> Result<String, String> {
    let Some(rest) = line.strip_prefix('{') else {
        return Err("a journal line must be a JSON object".into());
    };
    let separator = if rest.trim_start().starts_with('}') {
        ""
    } else {
        ","
    };
    Ok(format!("{{\"{PREV_FIELD}\":\"{prev}\"{separator}{rest}"))
}

/// Where a chain is broken: the first line that does not follow the one
/// before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The 1-based line number in the file.
    pub line: usize,
    /// What is wrong, naming the lines involved.
    pub reason: String,
}

impl fmt::Display for Break {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// What reading a journal's chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// Lines in the journal (blank lines before the chain began not counted).
    pub lines: usize,
    /// Of those, the lines written before taskscope chained its journals.
    pub unchained: usize,
    /// The value after the last line: what a signature over the journal covers.
    pub head: String,
    /// The first break, if the chain is broken.
    pub broken: Option<Break>,
}

impl Chain {
    /// True when no line breaks the chain (also for an unchained journal).
    pub fn is_intact(&self) -> bool {
        self.broken.is_none()
    }

    /// The chain's state in a few words: `chain intact`, `unchained (...)`,
    /// `chain intact after N unchained line(s) (...)` or `chain BROKEN` (the
    /// [`Break`] says where).
    pub fn state(&self) -> String {
        if self.broken.is_some() {
            return "chain BROKEN".to_string();
        }
        match self.unchained {
            0 => "chain intact".to_string(),
            n if n == self.lines => {
                "unchained (written before taskscope chained its logs; edits cannot be detected)"
                    .to_string()
            }
            n => format!(
                "chain intact after {n} unchained line(s) (written before taskscope chained its logs)"
            ),
        }
    }
}

/// The part of a line the chain reads.
#[derive(Deserialize)]
struct Link {
    #[serde(default)]
    prev: Option<String>,
}

/// Reads the chain of journal `content` (its committed bytes), whose
/// genesis is `genesis`. Never fails: a hostile file yields a break.
pub fn check(genesis: &str, content: &[u8]) -> Chain {
    let mut lines: Vec<&[u8]> = content.split(|&b| b == b'\n').collect();
    if lines.last().is_some_and(|last| last.is_empty()) {
        lines.pop();
    }
    let hashes: Vec<String> = lines.iter().map(|line| sha256_hex(line)).collect();
    let mut chain = Chain {
        lines: 0,
        unchained: 0,
        head: genesis.to_string(),
        broken: None,
    };
    let mut began = false;
    for (index, line) in lines.iter().enumerate() {
        let number = index + 1;
        let blank = line.iter().all(u8::is_ascii_whitespace);
        let parsed = serde_json::from_slice::<Link>(line).map(|link| link.prev);
        if !began {
            match (&parsed, blank) {
                (_, true) => continue,
                (Ok(Some(_)), false) => began = true,
                _ => {
                    chain.lines += 1;
                    chain.unchained += 1;
                    let mut folded = chain.head.clone().into_bytes();
                    folded.push(b'\n');
                    folded.extend_from_slice(line);
                    chain.head = sha256_hex(&folded);
                    continue;
                }
            }
        }
        chain.lines += 1;
        let expected = std::mem::replace(&mut chain.head, hashes[index].clone());
        if chain.broken.is_some() {
            continue;
        }
        let reason = match parsed {
            _ if blank => Some("a blank line inside the chain".to_string()),
            Err(error) => Some(format!(
                "not a JSON object with a `{PREV_FIELD}` string ({error})"
            )),
            Ok(None) => Some(format!(
                "no `{PREV_FIELD}` member: a chained line was edited, or a line added by hand"
            )),
            Ok(Some(prev)) if prev == expected => None,
            Ok(Some(prev)) => {
                let first = chain.lines == 1 + chain.unchained;
                Some(misplaced(
                    &prev,
                    number,
                    first.then_some(chain.unchained),
                    genesis,
                    &hashes,
                ))
            }
        };
        chain.broken = reason.map(|reason| Break {
            line: number,
            reason,
        });
    }
    chain
}

/// Why line `number`, whose `prev` is not the value before it, is there;
/// `unchained_before` is `Some(lines written before the chain)` when it is
/// the first chained line.
fn misplaced(
    prev: &str,
    number: usize,
    unchained_before: Option<usize>,
    genesis: &str,
    hashes: &[String],
) -> String {
    if prev == genesis {
        return "it claims to start the chain: lines were reordered, or added before it".into();
    }
    let follows = hashes.iter().position(|hash| hash == prev).map(|i| i + 1);
    // Naming the line before as the one it follows would explain nothing.
    match follows.filter(|&follows| follows + 1 != number) {
        Some(follows) if follows > number => {
            format!("it follows line {follows}, which comes after it: lines were reordered")
        }
        Some(follows) => format!(
            "it follows line {follows}, not line {}: lines were inserted or reordered",
            number - 1
        ),
        None => match unchained_before {
            Some(0) => "it does not start the chain: the lines before it were removed, or the \
                        file comes from another bundle"
                .into(),
            Some(unchained) => format!(
                "it does not follow the {unchained} unchained line(s) before it: one of them \
                 was edited, removed or reordered"
            ),
            None => format!(
                "it does not follow line {}: line {} was edited, or a line after it removed",
                number - 1,
                number - 1
            ),
        },
    }
}

/// The chain of the journal `file` of `bundle` as it lies, for `verify`:
/// the bytes up to the size the manifest records (an uncommitted tail is
/// not part of it), without requiring the manifest's hash to match (verify
/// reports that apart, and the chain then names the damaged line). `None`
/// when the manifest does not list the journal.
pub fn read(bundle: &Bundle, file: &str) -> Result<Option<Chain>, String> {
    let content = lying_bytes(bundle, file)?;
    Ok(content.map(|content| check(&genesis(&bundle.manifest, file), &content)))
}

/// The bytes of the journal `file` of `bundle` that [`read`] checks: up to
/// the size the manifest records, whatever their hash. `None` when the
/// manifest does not list the journal.
pub fn lying_bytes(bundle: &Bundle, file: &str) -> Result<Option<Vec<u8>>, String> {
    let Some(entry) = bundle.manifest.artifact(file) else {
        return Ok(None);
    };
    let mut content = bundle
        .read_artifact(file)
        .map_err(|e| format!("{file}: cannot read: {e}"))?;
    if let Ok(size) = usize::try_from(entry.size) {
        content.truncate(size);
    }
    Ok(Some(content))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENESIS: &str = "genesis";

    /// A chained journal of `n` lines, as a journal writes them.
    fn journal(n: usize) -> Vec<String> {
        let mut head = GENESIS.to_string();
        (0..n)
            .map(|i| {
                let line = link(&format!("{{\"n\":{i}}}"), &head).unwrap();
                head = sha256_hex(line.as_bytes());
                line
            })
            .collect()
    }

    fn text(lines: &[String]) -> Vec<u8> {
        lines
            .iter()
            .flat_map(|l| format!("{l}\n").into_bytes())
            .collect()
    }

    fn broken_at(lines: &[String]) -> Break {
        check(GENESIS, &text(lines)).broken.expect("a break")
    }

    #[test]
    fn link_puts_prev_first_also_in_an_empty_object() {
        assert_eq!(link("{\"a\":1}", "x").unwrap(), "{\"prev\":\"x\",\"a\":1}");
        assert_eq!(link("{}", "x").unwrap(), "{\"prev\":\"x\"}");
        assert!(link("[1]", "x").is_err());
    }

    #[test]
    fn an_intact_chain_counts_its_lines_and_ends_at_the_last_line() {
        let lines = journal(3);
        let chain = check(GENESIS, &text(&lines));
        assert_eq!(chain.state(), "chain intact");
        assert_eq!(chain.lines, 3);
        assert_eq!(chain.head, sha256_hex(lines[2].as_bytes()));
        let empty = check(GENESIS, b"");
        assert_eq!((empty.lines, empty.head.as_str()), (0, GENESIS));
    }

    #[test]
    fn an_edited_line_breaks_the_chain_at_the_next_one() {
        let mut lines = journal(4);
        lines[1] = lines[1].replace("\"n\":1", "\"n\":7");
        let broken = broken_at(&lines);
        assert_eq!(broken.line, 3);
        assert!(broken.reason.contains("line 2 was edited"), "{broken}");
    }

    #[test]
    fn a_removed_first_line_and_a_reordering_are_named() {
        let lines = journal(4);
        let broken = broken_at(&lines[1..]);
        assert_eq!(broken.line, 1);
        assert!(broken.reason.contains("removed"), "{broken}");
        let mut swapped = lines.clone();
        swapped.swap(1, 2);
        let broken = broken_at(&swapped);
        assert_eq!(broken.line, 2);
        assert!(broken.reason.contains("follows line 3"), "{broken}");
    }

    #[test]
    fn unchained_lines_before_the_chain_are_covered_by_the_head_only() {
        let old = ["{\"a\":1}".to_string(), String::new()];
        let chain = check(GENESIS, &text(&old));
        assert_eq!((chain.lines, chain.unchained), (1, 1));
        assert!(chain.state().starts_with("unchained"), "{}", chain.state());
        let next = link("{\"b\":2}", &chain.head).unwrap();
        let grown = check(GENESIS, &text(&[old[0].clone(), next]));
        assert!(grown.is_intact(), "{:?}", grown.broken);
        assert_eq!((grown.lines, grown.unchained), (2, 1));
        let edited = check(GENESIS, &text(&["{\"a\":2}".to_string()]));
        assert_ne!(edited.head, chain.head);
    }

    #[test]
    fn hostile_lines_are_breaks_not_panics() {
        let mut lines = journal(2);
        lines.push("{\"prev\":1}".into());
        lines.push("[[[[".into());
        assert_eq!(broken_at(&lines).line, 3);
        let mut lines = journal(2);
        lines.push(String::new());
        lines.push("not json".into());
        let broken = broken_at(&lines);
        assert_eq!(
            (broken.line, broken.reason.as_str()),
            (3, "a blank line inside the chain")
        );
    }
}
