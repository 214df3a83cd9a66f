//! The root digest: one SHA-256 over a canonical, sorted list of entries,
//! one per evidence artifact (its manifest entry: path, position, size,
//! SHA-256) and one per other member of the manifest (its canonical JSON).
//! The journals are left out: they grow after sealing, and a seal records
//! their heads instead ([`super::journals`]). The exact form is in
//! docs/bundle-format.md ("The root digest").

use super::JOURNALS;
use crate::bundle::manifest::MANIFEST_FILE;
use crate::bundle::write::sha256_hex;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// The first line of the digested text: names the rule.
const DIGEST_DOMAIN: &str = "taskscope-seal-digest-v1";
/// What a root digest starts with.
pub const DIGEST_PREFIX: &str = "sha256:";

/// One entry of the digested list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The artifact's path, or `manifest.json#MEMBER` for a member of the
    /// manifest other than `artifacts`.
    pub path: String,
    /// The artifact's position in the manifest's `artifacts` (events name
    /// artifacts by it); `None` for a manifest member.
    pub index: Option<u64>,
    /// The artifact's size as the manifest records it, or the byte length
    /// of the member's canonical JSON.
    pub size: u64,
    /// The artifact's SHA-256 as the manifest records it, or that of the
    /// member's canonical JSON; lower-case hex.
    pub sha256: String,
}

/// The entries of the manifest `manifest` (its JSON, as read), sorted by
/// path. Fails on a manifest whose artifacts lack a path, size or hash.
pub fn entries(manifest: &Value) -> Result<Vec<Entry>, String> {
    let Value::Object(members) = manifest else {
        return Err(format!("{MANIFEST_FILE} is not a JSON object"));
    };
    let mut entries = Vec::new();
    for (name, value) in members {
        if name == "artifacts" {
            continue;
        }
        let mut text = Vec::new();
        canonical_json(value, &mut text);
        entries.push(Entry {
            path: format!("{MANIFEST_FILE}#{name}"),
            index: None,
            size: text.len() as u64,
            sha256: sha256_hex(&text),
        });
    }
    let artifacts = match members.get("artifacts") {
        Some(Value::Array(artifacts)) => artifacts.as_slice(),
        _ => return Err(format!("{MANIFEST_FILE} has no `artifacts` list")),
    };
    for (index, artifact) in artifacts.iter().enumerate() {
        let field = |name: &str| artifact.get(name);
        let (Some(path), Some(size), Some(sha256)) = (
            field("path").and_then(Value::as_str),
            field("size").and_then(Value::as_u64),
            field("sha256").and_then(Value::as_str),
        ) else {
            return Err(format!(
                "{MANIFEST_FILE}: artifact {index} lacks a path, size or sha256"
            ));
        };
        if JOURNALS.contains(&path) {
            continue;
        }
        entries.push(Entry {
            path: path.to_string(),
            index: Some(index as u64),
            size,
            sha256: sha256.to_string(),
        });
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path).then(a.index.cmp(&b.index)));
    Ok(entries)
}

/// The text the root digest is the SHA-256 of: the line
/// `taskscope-seal-digest-v1`, then one line per entry in path order, the
/// canonical JSON array `[path,index,size,sha256]` (`null` index for a
/// manifest member); every line ends in `\n`.
pub fn canonical_text(entries: &[Entry]) -> Vec<u8> {
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path).then(a.index.cmp(&b.index)));
    let mut text = format!("{DIGEST_DOMAIN}\n").into_bytes();
    for entry in sorted {
        let line = Value::Array(vec![
            Value::from(entry.path.as_str()),
            entry.index.map_or(Value::Null, Value::from),
            Value::from(entry.size),
            Value::from(entry.sha256.as_str()),
        ]);
        canonical_json(&line, &mut text);
        text.push(b'\n');
    }
    text
}

/// The root digest of `entries`: `sha256:` and the lower-case hex SHA-256
/// of their [`canonical_text`].
pub fn root_digest(entries: &[Entry]) -> String {
    format!("{DIGEST_PREFIX}{}", sha256_hex(&canonical_text(entries)))
}

/// Canonical JSON: no whitespace, object members sorted by name (bytewise),
/// strings escaped only where JSON requires it (`\"`, `\\`, `\b`, `\f`,
/// `\n`, `\r`, `\t`, other control characters as `\u00xx`, lower-case), all
/// else as UTF-8; numbers as JSON writes them.
pub fn canonical_json(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(flag) => out.extend_from_slice(if *flag { b"true" } else { b"false" }),
        Value::Number(number) => out.extend_from_slice(number.to_string().as_bytes()),
        Value::String(text) => canonical_string(text, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical_json(item, out);
            }
            out.push(b']');
        }
        Value::Object(members) => {
            let mut sorted: Vec<(&String, &Value)> = members.iter().collect();
            sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (name, member)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical_string(name, out);
                out.push(b':');
                canonical_json(member, out);
            }
            out.push(b'}');
        }
    }
}

fn canonical_string(text: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in text.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes())
            }
            c => {
                let mut buffer = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// One way the bundle's entries differ from the sealed ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// Sealed, and now different.
    Changed {
        /// The entry's path.
        path: String,
        /// What differs, sealed value first.
        detail: String,
    },
    /// Not sealed: added since.
    Added(String),
    /// Sealed, and now gone.
    Removed(String),
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Changed { path, detail } => {
                write!(f, "changed since the seal: {path} ({detail})")
            }
            Difference::Added(path) => write!(f, "added since the seal: {path}"),
            Difference::Removed(path) => write!(f, "removed since the seal: {path}"),
        }
    }
}

/// The differences between the `sealed` entries and the `current` ones,
/// in path order.
pub fn compare(sealed: &[Entry], current: &[Entry]) -> Vec<Difference> {
    let by_path = |entries: &[Entry]| -> BTreeMap<String, Entry> {
        entries
            .iter()
            .map(|entry| (entry.path.clone(), entry.clone()))
            .collect()
    };
    let (sealed, current) = (by_path(sealed), by_path(current));
    let mut differences = Vec::new();
    for (path, then) in &sealed {
        let Some(now) = current.get(path) else {
            differences.push(Difference::Removed(path.clone()));
            continue;
        };
        let mut details = Vec::new();
        if then.size != now.size {
            details.push(format!("size {} sealed, {} now", then.size, now.size));
        }
        if then.sha256 != now.sha256 {
            details.push(format!("sha256 {} sealed, {} now", then.sha256, now.sha256));
        }
        if then.index != now.index {
            let at = |index: Option<u64>| index.map_or("none".to_string(), |i| i.to_string());
            details.push(format!(
                "position {} sealed, {} now",
                at(then.index),
                at(now.index)
            ));
        }
        if !details.is_empty() {
            differences.push(Difference::Changed {
                path: path.clone(),
                detail: details.join("; "),
            });
        }
    }
    for path in current.keys().filter(|path| !sealed.contains_key(*path)) {
        differences.push(Difference::Added(path.clone()));
    }
    differences.sort_by(|a, b| difference_path(a).cmp(difference_path(b)));
    differences
}

fn difference_path(difference: &Difference) -> &str {
    match difference {
        Difference::Changed { path, .. } | Difference::Added(path) | Difference::Removed(path) => {
            path
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn manifest() -> Value {
        json!({
            "format": "taskscope-bundle",
            "created_at": "2026-12-07T01:02:03.456789Z",
            "artifacts": [
                {"path": "raw/b.json", "sha256": "bb", "size": 2},
                {"path": "annotations.jsonl", "sha256": "cc", "size": 3},
                {"path": "raw/a.json", "sha256": "aa", "size": 1}
            ]
        })
    }

    #[test]
    fn the_canonical_text_is_sorted_and_leaves_the_journals_out() {
        let entries = entries(&manifest()).unwrap();
        let text = String::from_utf8(canonical_text(&entries)).unwrap();
        let created = "\"2026-12-07T01:02:03.456789Z\"";
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "taskscope-seal-digest-v1");
        assert_eq!(
            lines[1],
            format!(
                "[\"manifest.json#created_at\",null,{},\"{}\"]",
                created.len(),
                sha256_hex(created.as_bytes())
            )
        );
        assert_eq!(lines[3], "[\"raw/a.json\",2,1,\"aa\"]");
        assert_eq!(lines[4], "[\"raw/b.json\",0,2,\"bb\"]");
        assert_eq!(lines.len(), 5);
        assert!(!text.contains("annotations"));
        assert!(root_digest(&entries).starts_with("sha256:"));
    }

    #[test]
    fn a_journal_growing_leaves_the_digest_alone_and_anything_else_changes_it() {
        let before = root_digest(&entries(&manifest()).unwrap());
        let mut grown = manifest();
        grown["artifacts"][1]["size"] = json!(300);
        assert_eq!(root_digest(&entries(&grown).unwrap()), before);
        let mut edited = manifest();
        edited["created_at"] = json!("2026-12-07T01:02:03Z");
        assert_ne!(root_digest(&entries(&edited).unwrap()), before);
        let mut swapped = manifest();
        swapped["artifacts"].as_array_mut().unwrap().swap(0, 2);
        let differences = compare(&entries(&manifest()).unwrap(), &entries(&swapped).unwrap());
        assert_eq!(differences.len(), 2, "{differences:?}");
        assert!(differences[0]
            .to_string()
            .contains("position 2 sealed, 0 now"));
    }

    #[test]
    fn canonical_json_sorts_members_and_escapes_only_what_json_requires() {
        let mut out = Vec::new();
        canonical_json(
            &json!({"b": [1, true, null], "a": "é\"\\\n\u{1}"}),
            &mut out,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"a\":\"é\\\"\\\\\\n\\u0001\",\"b\":[1,true,null]}"
        );
    }

    #[test]
    fn differences_name_each_entry() {
        let sealed = entries(&manifest()).unwrap();
        let mut now = manifest();
        let artifacts = now["artifacts"].as_array_mut().unwrap();
        artifacts[0]["sha256"] = json!("b2");
        artifacts.remove(2);
        artifacts.push(json!({"path": "raw/c.json", "sha256": "dd", "size": 4}));
        let shown: Vec<String> = compare(&sealed, &entries(&now).unwrap())
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            shown,
            [
                "removed since the seal: raw/a.json",
                "changed since the seal: raw/b.json (sha256 bb sealed, b2 now)",
                "added since the seal: raw/c.json",
            ]
        );
    }
}
