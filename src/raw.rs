//! Raw records back from a bundle: the JSON an event was read from, as sealed.
//!
//! A [`RawRef`] names an artifact and a locator inside it. The locator is a
//! document part followed by a path:
//!
//! - the part is empty for a whole-file JSON document, or `L<n>` for line `n`
//!   (1-based) of a JSON-lines file;
//! - the path is a JSON pointer (`/Records/3`, `/findings/0`, `/tasks/1`,
//!   `/services/0/deployments/0`, `/data/...` in cloud-custodian recordings).
//!
//! A path may run *into a string that holds JSON*: `/Events/2/CloudTrailEvent`
//! (LookupEvents), `/events/4/message` (a Falco alert or CloudTrail record
//! logged to CloudWatch Logs), `/events/1/message/detail` (an archived
//! EventBridge envelope). Such a string is parsed and the walk carries on
//! inside it; a target that is a string holding JSON is returned parsed. A
//! plain log event (`/events/4`) is returned as the log event object, its
//! `message` untouched.
//!
//! Evidence is attacker-controlled: every failure is a [`RawError`], never a panic.

use crate::bundle::write::sha256_hex;
use crate::bundle::Bundle;
use crate::import::decode;
use crate::model::RawRef;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::VecDeque;
use std::fmt;

/// How many strings holding JSON one locator may pass through.
const MAX_EMBEDDED_DOCUMENTS: usize = 4;
/// How many decoded artifacts a [`RawReader`] keeps.
const CACHED_ARTIFACTS: usize = 4;
/// Decoded bytes a [`RawReader`] keeps beyond the most recent artifact.
const CACHED_BYTES: usize = 512 << 20;

/// Why a raw record could not be returned.
#[derive(Debug, thiserror::Error)]
pub enum RawError {
    /// The reference names an artifact the manifest does not list.
    #[error("artifact #{index} is not in the manifest ({count} artifacts)")]
    UnknownArtifact {
        /// The artifact index asked for.
        index: usize,
        /// How many artifacts the manifest lists.
        count: usize,
    },
    /// The artifact file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// Bundle-relative artifact path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The artifact's size or hash differs from the manifest.
    #[error("{path}: {detail}; the artifact is not what the bundle sealed")]
    Altered {
        /// Bundle-relative artifact path.
        path: String,
        /// What differs.
        detail: String,
    },
    /// The artifact is damaged gzip, a decompression bomb, or not UTF-8.
    #[error("cannot decode the artifact: {0}")]
    Decode(String),
    /// The locator is not of a form importers produce.
    #[error("invalid locator {locator:?}: {reason}")]
    BadLocator {
        /// The locator as given.
        locator: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A JSON-lines locator names a line the artifact does not have.
    #[error("the artifact has no line {0}")]
    NoLine(usize),
    /// The JSON at a position could not be read.
    #[error("{at}: {message}")]
    Json {
        /// The path walked so far (`L3/Records/2`).
        at: String,
        /// The parser's message.
        message: String,
    },
    /// The path names a member or element that is not there.
    #[error("{at}: not found ({reason})")]
    NotFound {
        /// The path walked, including the missing step.
        at: String,
        /// Why the step failed.
        reason: String,
    },
}

/// Returns the record at `locator` in an artifact's bytes as received
/// (gzip is decompressed first).
pub fn resolve(artifact_bytes: &[u8], locator: &str) -> Result<Value, RawError> {
    let content = decode::decompress(artifact_bytes).map_err(|e| RawError::Decode(e.message))?;
    let text = std::str::from_utf8(&content)
        .map_err(|e| RawError::Decode(format!("not UTF-8 text at byte {}", e.valid_up_to())))?;
    resolve_in_text(strip_bom(text), locator, None)
}

/// Reads raw records from a bundle, keeping the last few decoded artifacts
/// so that records of the same big (gzip) file are decoded once.
pub struct RawReader {
    bundle: Bundle,
    cache: VecDeque<DecodedArtifact>,
}

/// One artifact, decompressed, checked and ready to walk.
struct DecodedArtifact {
    index: usize,
    text: String,
    /// Byte offset of each line's start, computed on the first `L<n>` locator.
    line_starts: Option<Vec<usize>>,
}

impl RawReader {
    /// A reader that owns its bundle.
    pub fn new(bundle: Bundle) -> RawReader {
        RawReader {
            bundle,
            cache: VecDeque::new(),
        }
    }

    /// A reader over a copy of an opened bundle's root and manifest.
    pub fn for_bundle(bundle: &Bundle) -> RawReader {
        RawReader::new(Bundle {
            root: bundle.root.clone(),
            manifest: bundle.manifest.clone(),
        })
    }

    /// The bundle being read.
    pub fn bundle(&self) -> &Bundle {
        &self.bundle
    }

    /// The raw record `raw` points at. The artifact's size and SHA-256 are
    /// checked against the manifest when it is first read.
    pub fn record(&mut self, raw: &RawRef) -> Result<Value, RawError> {
        let artifact = self.load(raw.artifact)?;
        let text = artifact.text.as_str();
        let starts = raw.locator.starts_with('L').then(|| {
            artifact
                .line_starts
                .get_or_insert_with(|| line_starts(text))
                .as_slice()
        });
        resolve_in_text(text, &raw.locator, starts)
    }

    /// The decoded artifact, from the cache or read now (and cached first).
    fn load(&mut self, index: usize) -> Result<&mut DecodedArtifact, RawError> {
        match self.cache.iter().position(|cached| cached.index == index) {
            Some(0) => {}
            Some(position) => {
                if let Some(hit) = self.cache.remove(position) {
                    self.cache.push_front(hit);
                }
            }
            None => {
                let decoded = self.decode(index)?;
                self.cache.push_front(decoded);
                self.evict();
            }
        }
        Ok(&mut self.cache[0])
    }

    /// Drops the least recently used artifacts beyond the count and size budgets,
    /// always keeping the most recent one.
    fn evict(&mut self) {
        let mut total: usize = self.cache.iter().map(|c| c.text.len()).sum();
        while self.cache.len() > 1 && (self.cache.len() > CACHED_ARTIFACTS || total > CACHED_BYTES)
        {
            if let Some(dropped) = self.cache.pop_back() {
                total -= dropped.text.len();
            }
        }
    }

    fn decode(&self, index: usize) -> Result<DecodedArtifact, RawError> {
        let artifacts = &self.bundle.manifest.artifacts;
        let artifact = artifacts.get(index).ok_or(RawError::UnknownArtifact {
            index,
            count: artifacts.len(),
        })?;
        let bytes = self
            .bundle
            .read_artifact(&artifact.path)
            .map_err(|source| RawError::Read {
                path: artifact.path.clone(),
                source,
            })?;
        let altered = |detail: String| RawError::Altered {
            path: artifact.path.clone(),
            detail,
        };
        if bytes.len() as u64 != artifact.size {
            return Err(altered(format!(
                "size {} differs from the manifest's {}",
                bytes.len(),
                artifact.size
            )));
        }
        if sha256_hex(&bytes) != artifact.sha256 {
            return Err(altered("SHA-256 differs from the manifest".into()));
        }
        let inflated = match decode::decompress(&bytes) {
            Ok(Cow::Owned(inflated)) => Some(inflated),
            Ok(Cow::Borrowed(_)) => None,
            Err(error) => return Err(RawError::Decode(error.message)),
        };
        let content = inflated.unwrap_or(bytes);
        let mut text = String::from_utf8(content).map_err(|e| {
            RawError::Decode(format!(
                "not UTF-8 text at byte {}",
                e.utf8_error().valid_up_to()
            ))
        })?;
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        Ok(DecodedArtifact {
            index,
            text,
            line_starts: None,
        })
    }
}

/// The text without a leading byte-order mark (importers skip it too).
fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Byte offsets where each line starts (line `n` starts at index `n - 1`).
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(at, _)| at + 1))
        .collect()
}

/// A locator split into its document part and path segments.
struct Locator {
    line: Option<usize>,
    segments: Vec<String>,
}

fn parse_locator(locator: &str) -> Result<Locator, RawError> {
    let bad = |reason: &str| RawError::BadLocator {
        locator: locator.to_string(),
        reason: reason.to_string(),
    };
    let (line, path) = match locator.strip_prefix('L') {
        Some(rest) => {
            let end = rest.find('/').unwrap_or(rest.len());
            let digits = &rest[..end];
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("`L` must be followed by a line number"));
            }
            let number: usize = digits
                .parse()
                .map_err(|_| bad("line number out of range"))?;
            if number == 0 {
                return Err(bad("line numbers start at 1"));
            }
            (Some(number), &rest[end..])
        }
        None => (None, locator),
    };
    let segments = match path.strip_prefix('/') {
        _ if path.is_empty() => Vec::new(),
        Some(pointer) => pointer
            .split('/')
            .map(|segment| segment.replace("~1", "/").replace("~0", "~"))
            .collect(),
        None => return Err(bad("the path must start with `/`")),
    };
    Ok(Locator { line, segments })
}

/// Resolves `locator` in decoded text; `starts` are precomputed line offsets.
fn resolve_in_text(text: &str, locator: &str, starts: Option<&[usize]>) -> Result<Value, RawError> {
    let parsed = parse_locator(locator)?;
    let (document, mut at) = match parsed.line {
        None => (text, String::new()),
        Some(number) => (
            line_at(text, number, starts).ok_or(RawError::NoLine(number))?,
            format!("L{number}"),
        ),
    };
    walk(document, &parsed.segments, 0, &mut at)
}

fn line_at<'t>(text: &'t str, number: usize, starts: Option<&[usize]>) -> Option<&'t str> {
    match starts {
        Some(starts) => {
            let start = *starts.get(number - 1)?;
            let end = starts.get(number).map_or(text.len(), |next| next - 1);
            text.get(start..end)
        }
        None => text.split('\n').nth(number - 1),
    }
}

/// Follows `segments` from the JSON text `current`; `at` tracks the path walked.
fn walk(
    mut current: &str,
    segments: &[String],
    embedded: usize,
    at: &mut String,
) -> Result<Value, RawError> {
    for (position, segment) in segments.iter().enumerate() {
        current = current.trim_start();
        if current.starts_with('"') {
            let inner = embedded_document(current, embedded, at)?;
            return walk(&inner, &segments[position..], embedded + 1, at);
        }
        at.push('/');
        at.push_str(segment);
        current = step(current, segment, at)?;
    }
    finish(current, at)
}

/// The text of a JSON string that is to be walked into as a document.
fn embedded_document(literal: &str, embedded: usize, at: &str) -> Result<String, RawError> {
    if embedded >= MAX_EMBEDDED_DOCUMENTS {
        return Err(RawError::NotFound {
            at: at.to_string(),
            reason: format!("more than {MAX_EMBEDDED_DOCUMENTS} nested JSON strings"),
        });
    }
    serde_json::from_str::<String>(literal).map_err(|e| json_error(at, &e))
}

/// One step of the path: an object member or an array element.
fn step<'t>(current: &'t str, segment: &str, at: &str) -> Result<&'t str, RawError> {
    let not_found = |reason: String| RawError::NotFound {
        at: at.to_string(),
        reason,
    };
    let found = match current.as_bytes().first() {
        Some(b'{') => select(current, Member(segment)),
        Some(b'[') => {
            let index = segment
                .parse::<usize>()
                .map_err(|_| not_found(format!("{segment:?} is not an array index")))?;
            select(current, Element(index))
        }
        _ => {
            return Err(not_found(
                "the value there is not an object or array".into(),
            ))
        }
    };
    match found {
        Ok(Some(raw)) => Ok(raw.get()),
        Ok(None) => Err(not_found("no such member or element".into())),
        Err(error) => Err(json_error(at, &error)),
    }
}

/// The value at the end of the path; a string holding JSON is returned parsed.
fn finish(current: &str, at: &str) -> Result<Value, RawError> {
    let current = current.trim_start();
    if current.starts_with('"') {
        let text = serde_json::from_str::<String>(current).map_err(|e| json_error(at, &e))?;
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            if let Ok(parsed) = serde_json::from_str::<Value>(trimmed) {
                return Ok(parsed);
            }
        }
        return Ok(Value::String(text));
    }
    serde_json::from_str::<Value>(current).map_err(|e| json_error(at, &e))
}

fn json_error(at: &str, error: &serde_json::Error) -> RawError {
    RawError::Json {
        at: if at.is_empty() { "/".into() } else { at.into() },
        message: error.to_string(),
    }
}

/// Runs a selecting seed over the JSON text and checks nothing follows it.
fn select<'t, S>(text: &'t str, seed: S) -> serde_json::Result<Option<&'t RawValue>>
where
    S: DeserializeSeed<'t, Value = Option<&'t RawValue>>,
{
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let found = seed.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(found)
}

/// Selects one member of an object without building the others
/// (the last one wins when a key repeats, as when parsing to a `Value`).
struct Member<'k>(&'k str);

impl<'de> DeserializeSeed<'de> for Member<'_> {
    type Value = Option<&'de RawValue>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Member<'_> {
    type Value = Option<&'de RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(matches) = map.next_key_seed(KeyIs(self.0))? {
            if matches {
                found = Some(map.next_value::<&'de RawValue>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// Compares an object key with the wanted one.
struct KeyIs<'k>(&'k str);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(key == self.0)
    }
}

/// Selects one element of an array, skipping the others unbuilt.
struct Element(usize);

impl<'de> DeserializeSeed<'de> for Element {
    type Value = Option<&'de RawValue>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Element {
    type Value = Option<&'de RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        let mut position = 0;
        loop {
            if position == self.0 {
                found = seq.next_element::<&'de RawValue>()?;
                if found.is_none() {
                    break;
                }
            } else if seq.next_element::<IgnoredAny>()?.is_none() {
                break;
            }
            position += 1;
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::build::import_to_bundle;
    use crate::correlate::Incident;
    use crate::import::json::path_str;
    use crate::model::Source;
    use flate2::{write::GzEncoder, Compression};
    use serde_json::json;
    use std::io::Write;

    fn demo_bundle() -> (tempfile::TempDir, Bundle, Incident) {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("bundle");
        import_to_bundle(crate::demo::inputs(), &root).expect("demo bundle written");
        let bundle = Bundle::open(&root).expect("demo bundle opens");
        let (incident, problems) = bundle.incident();
        assert!(problems.is_empty(), "{problems:?}");
        (dir, bundle, incident)
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(data).expect("gzip in memory");
        encoder.finish().expect("gzip in memory")
    }

    /// The record's own name for what happened, as the importer put it in `kind`.
    fn kind_in_record(source: Source, record: &Value) -> Option<String> {
        let text = |names: &[&str]| path_str(record, names).map(str::to_string);
        match source {
            Source::Cloudtrail => text(&["eventName"]),
            Source::Guardduty => text(&["type"]),
            Source::Falco => text(&["rule"]),
            Source::Logs => record.get("message").map(|_| "log".to_string()),
            Source::Ecs => {
                if record.get("taskArn").is_some() {
                    None // lifecycle milestones: checked through the task ARN instead
                } else if record.get("containerDefinitions").is_some() {
                    Some("RegisterTaskDefinition".into())
                } else if record.get("rolloutState").is_some() {
                    Some("DeploymentCreated".into())
                } else if record.get("eventName").is_some() {
                    text(&["eventName"])
                } else {
                    record.get("message").map(|_| "ServiceEvent".to_string())
                }
            }
        }
    }

    #[test]
    fn every_demo_event_resolves_to_its_own_record() {
        let (_dir, bundle, incident) = demo_bundle();
        let mut reader = RawReader::for_bundle(&bundle);
        let mut forms = std::collections::BTreeSet::new();
        for event in &incident.events {
            for raw in &event.raw {
                let record = reader
                    .record(raw)
                    .unwrap_or_else(|e| panic!("{}: {e}", raw.locator));
                assert!(record.is_object(), "{} is not an object", raw.locator);
                let shape: String = raw
                    .locator
                    .split('/')
                    .map(|s| {
                        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                            "N"
                        } else if s.starts_with('L') {
                            "L"
                        } else {
                            s
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("/");
                forms.insert(shape);
            }
            let record = reader.record(&event.raw[0]).expect("first raw ref");
            match kind_in_record(event.source, &record) {
                Some(kind) => assert_eq!(kind, event.kind, "{}", event.raw[0].locator),
                None => {
                    let arn = path_str(&record, &["taskArn"]).expect("task record");
                    let task = incident.find_task(arn).expect("task known");
                    assert!(event.link_to(task).is_some(), "{arn}");
                }
            }
        }
        for form in [
            "/Records/N",
            "/Events/N/CloudTrailEvent",
            "/Findings/N",
            "L/detail",
            "/events/N",
            "/events/N/message",
            "/events/N/message/detail",
            "/tasks/N",
            "/services/N/deployments/N",
            "/services/N/events/N",
            "/taskDefinition",
            "L",
        ] {
            assert!(
                forms.contains(form),
                "no demo locator of form {form}: {forms:?}"
            );
        }
    }

    #[test]
    fn lookup_events_string_is_parsed_and_log_messages_are_not() {
        let lookup = crate::demo::FILES
            .iter()
            .find(|(name, _)| *name == "cloudtrail_lookup_events.json")
            .expect("demo file")
            .1;
        let record = resolve(lookup, "/Events/0/CloudTrailEvent").expect("resolves");
        assert_eq!(record["eventName"], "ExecuteCommand");
        // Walking on into the embedded record works as well.
        let name = resolve(lookup, "/Events/0/CloudTrailEvent/eventName").expect("resolves");
        assert_eq!(name, json!("ExecuteCommand"));

        let logs =
            br#"{"events":[{"timestamp":1,"message":"{\"rule\":\"x\"}","logStreamName":"s"}]}"#;
        let log_event = resolve(logs, "/events/0").expect("resolves");
        assert_eq!(log_event["message"], json!("{\"rule\":\"x\"}"));
        let alert = resolve(logs, "/events/0/message").expect("resolves");
        assert_eq!(alert, json!({"rule": "x"}));
    }

    #[test]
    fn every_locator_the_importers_produce_for_real_fixtures_resolves() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
        let mut files = Vec::new();
        let mut pending = vec![root];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).expect("fixtures readable") {
                let path = entry.expect("fixture entry").path();
                if path.is_dir() {
                    pending.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        let mut checked = 0;
        let mut prefixes = std::collections::BTreeSet::new();
        for path in files {
            let bytes = std::fs::read(&path).expect("fixture readable");
            let imported = crate::import::import_bytes(&bytes, 0);
            for event in &imported.events {
                let raw = &event.raw[0];
                let record = resolve(&bytes, &raw.locator)
                    .unwrap_or_else(|e| panic!("{}#{}: {e}", path.display(), raw.locator));
                assert!(record.is_object(), "{}#{}", path.display(), raw.locator);
                if let Some(kind) = kind_in_record(event.source, &record) {
                    assert_eq!(kind, event.kind, "{}#{}", path.display(), raw.locator);
                }
                prefixes.insert(raw.locator.split('/').nth(1).unwrap_or("").to_string());
                checked += 1;
            }
        }
        assert!(checked > 2000, "only {checked} records checked");
        // Custodian `/data`, bare arrays `/N`, bare documents and the camelCase
        // findings list all occur among the real samples.
        for prefix in ["data", "0", "", "Records", "Events", "events", "task"] {
            assert!(
                prefixes.contains(prefix),
                "no locator under /{prefix}: {prefixes:?}"
            );
        }
    }

    #[test]
    fn gzip_and_json_lines_are_read() {
        let lines = b"{\"a\":1}\r\n\n{\"Records\":[{\"eventName\":\"X\"},{\"eventName\":\"Y\"}]}\n";
        let packed = gzip(lines);
        assert_eq!(resolve(&packed, "L1").expect("line 1"), json!({"a": 1}));
        assert_eq!(
            resolve(&packed, "L3/Records/1").expect("line 3"),
            json!({"eventName": "Y"})
        );
        let with_bom = "\u{feff}{\"x\":[true]}";
        assert_eq!(
            resolve(with_bom.as_bytes(), "/x/0").expect("bom"),
            json!(true)
        );
        assert_eq!(
            resolve(br#"{"a~b":{"c/d":2}}"#, "/a~0b/c~1d").expect("escaped"),
            json!(2)
        );
    }

    #[test]
    fn hostile_input_is_an_error_not_a_panic() {
        let document = br#"{"Records":[{"eventName":"X"}],"n":5,"s":"text"}"#;
        let cases: &[(&[u8], &str, &str)] = &[
            (document, "/Records/1", "not found"),
            (document, "/Records/x", "not an array index"),
            (document, "/Missing", "not found"),
            (document, "/n/0", "not an object or array"),
            (document, "/s/0", "not an object or array"),
            (document, "Records", "must start with"),
            (document, "L", "line number"),
            (document, "L0", "start at 1"),
            (document, "L+1", "line number"),
            (document, "L99999999999999999999999", "out of range"),
            (document, "L7", "no line 7"),
            (b"{\"Records\":[{\"eventName\":", "/Records/0", "EOF"),
            (b"{\"a\":1} trailing", "/a", "trailing"),
            (b"\xff\xfe{}", "", "UTF-8"),
            (b"\x1f\x8b\x08\x00garbage", "", "gzip"),
        ];
        for (bytes, locator, expected) in cases {
            let error = resolve(bytes, locator).expect_err(locator);
            assert!(
                error.to_string().contains(expected),
                "{locator}: {error} lacks {expected:?}"
            );
        }
        let truncated = gzip(&vec![b'{'; 50_000]);
        assert!(resolve(&truncated[..truncated.len() / 2], "").is_err());
        // Deep nesting hits serde_json's recursion limit instead of the stack.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(resolve(deep.as_bytes(), "").is_err());
        assert!(resolve(deep.as_bytes(), "/0/0").is_err());
        // A string holding a string holding ... is cut off.
        let mut nested = json!({"k": 1}).to_string();
        for _ in 0..6 {
            nested = Value::String(nested).to_string();
        }
        let error = resolve(format!("{{\"x\":{nested}}}").as_bytes(), "/x/k").expect_err("deep");
        assert!(error.to_string().contains("nested JSON strings"), "{error}");
    }

    #[test]
    fn reader_reuses_decoded_artifacts_and_checks_hashes() {
        let (_dir, bundle, incident) = demo_bundle();
        let mut reader = RawReader::for_bundle(&bundle);
        let event = incident
            .events
            .iter()
            .find(|e| e.source == Source::Cloudtrail && e.raw[0].locator.starts_with("/Records/"))
            .expect("a CloudTrail delivery record");
        let raw = &event.raw[0];
        let first = reader.record(raw).expect("first read");
        // Served from the cache: the file is no longer needed.
        let path = bundle
            .root
            .join(&bundle.manifest.artifacts[raw.artifact].path);
        let original = std::fs::read(&path).expect("artifact");
        std::fs::remove_file(&path).expect("remove artifact");
        for _ in 0..1000 {
            assert_eq!(reader.record(raw).expect("cached"), first);
        }
        // Other artifacts push it out; then the missing file shows.
        let others: Vec<usize> = (0..bundle.manifest.artifacts.len())
            .filter(|&i| i != raw.artifact)
            .take(CACHED_ARTIFACTS)
            .collect();
        for &other in &others {
            let any = incident
                .events
                .iter()
                .flat_map(|e| &e.raw)
                .find(|r| r.artifact == other)
                .expect("a record in every artifact");
            reader.record(any).expect("other artifact");
        }
        let error = reader.record(raw).expect_err("evicted and missing");
        assert!(matches!(error, RawError::Read { .. }), "{error}");
        // A tampered artifact is refused.
        let mut tampered = original.clone();
        tampered[10] ^= 1;
        std::fs::write(&path, &tampered).expect("write tampered");
        let error = reader.record(raw).expect_err("tampered");
        assert!(matches!(error, RawError::Altered { .. }), "{error}");
        std::fs::write(&path, &original).expect("restore");
        assert_eq!(reader.record(raw).expect("restored"), first);
        let unknown = RawRef {
            artifact: 999,
            locator: String::new(),
        };
        assert!(matches!(
            reader.record(&unknown),
            Err(RawError::UnknownArtifact { index: 999, .. })
        ));
    }
}
