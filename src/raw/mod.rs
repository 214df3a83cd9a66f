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
//! A syscall capture's locator is `B<offset>`: the byte offset of a block in
//! the (decompressed) capture, returned decoded with its bytes in hex.
//!
//! A lone UTF-16 surrogate escape (`\ud800` with no other half), which the
//! importers skip in fields they do not read, is shown as U+FFFD.
//!
//! Evidence is attacker-controlled: every failure is a [`RawError`], never a panic.

use crate::import::scap;
use artifact::{capture_block, DecodedArtifact};
use serde_json::Value;

mod artifact;
mod error;
mod reader;
mod surrogates;
mod walk;

pub use error::RawError;
pub use reader::RawReader;

/// Returns the record at `locator` in an artifact's bytes as received
/// (gzip is decompressed first).
pub fn resolve(artifact_bytes: &[u8], locator: &str) -> Result<Value, RawError> {
    if let Some(offset) = capture_block(locator) {
        return scap::record::block_at(artifact_bytes, offset).map_err(RawError::Decode);
    }
    DecodedArtifact::decode(0, artifact_bytes.to_vec())?.resolve(locator)
}

#[cfg(test)]
mod tests {
    use super::reader::CACHED_ARTIFACTS;
    use super::*;
    use crate::bundle::build::import_to_bundle;
    use crate::bundle::Bundle;
    use crate::correlate::Incident;
    use crate::import::json::path_str;
    use crate::model::{RawRef, Source};
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
            Source::Response | Source::Scap => None,
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
            let Ok(mut artifact) = DecodedArtifact::decode(0, bytes.clone()) else {
                // Binary syscall captures: each block is read back by its offset.
                for event in &imported.events {
                    let raw = &event.raw[0];
                    let record = resolve(&bytes, &raw.locator)
                        .unwrap_or_else(|e| panic!("{}#{}: {e}", path.display(), raw.locator));
                    assert!(record.is_object(), "{}#{}", path.display(), raw.locator);
                }
                assert!(!imported.events.is_empty(), "{}", path.display());
                continue;
            };
            // serde_json's own pointer lookup, over the fully parsed document,
            // is the reference for locators that stay in one JSON document.
            let whole: Option<Value> = serde_json::from_slice(&bytes).ok();
            for event in &imported.events {
                let raw = &event.raw[0];
                let record = artifact
                    .resolve(&raw.locator)
                    .unwrap_or_else(|e| panic!("{}#{}: {e}", path.display(), raw.locator));
                let plain =
                    !raw.locator.contains("CloudTrailEvent") && !raw.locator.contains("/message");
                if let (Some(whole), true) = (&whole, plain) {
                    assert_eq!(
                        whole.pointer(&raw.locator),
                        Some(&record),
                        "{}",
                        raw.locator
                    );
                }
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
    fn lone_surrogates_read_as_replacement_characters_at_every_level() {
        // The importer reads this record, skipping the member with half a pair.
        let trail = br#"{"Records":[{"eventVersion":"1.09","eventTime":"2026-11-20T13:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":{"key\ud800":"\udc00"}}]}"#;
        let imported = crate::import::import_bytes(trail, 0);
        assert_eq!(imported.events.len(), 1, "{:?}", imported.errors);
        let record = resolve(trail, &imported.events[0].raw[0].locator).expect("resolves");
        assert_eq!(
            record["requestParameters"],
            json!({"key\u{fffd}": "\u{fffd}"})
        );

        // Inside a string that holds JSON: returned parsed, and walked into.
        let lookup = br#"{"Events":[{"CloudTrailEvent":"{\"eventName\":\"GetObject\",\"x\":\"\\ud800\"}"}]}"#;
        let embedded = resolve(lookup, "/Events/0/CloudTrailEvent").expect("resolves");
        assert_eq!(embedded, json!({"eventName": "GetObject", "x": "\u{fffd}"}));
        let member = resolve(lookup, "/Events/0/CloudTrailEvent/x").expect("resolves");
        assert_eq!(member, json!("\u{fffd}"));

        // A string that is not JSON keeps its text, escape and all.
        let plain = br#"{"m":"{not json \\ud800"}"#;
        let text = resolve(plain, "/m").expect("resolves");
        assert_eq!(text, json!("{not json \\ud800"));
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
    fn large_documents_read_the_same_through_their_index() {
        let records: Vec<Value> = (0..3000)
            .map(|i| json!({"i": i, "pad": "x".repeat(40), "nested": {"list": [i, {"deep": i}]}}))
            .collect();
        let document = json!({"Records": records, "after": {"k": "v"}}).to_string();
        assert!(document.len() > 2 * (64 << 10));
        let mut artifact = DecodedArtifact::decode(0, document.clone().into_bytes()).expect("text");
        for i in [0, 1, 1500, 2999, 7, 1500] {
            let record = artifact.resolve(&format!("/Records/{i}")).expect("record");
            assert_eq!(record, records_at(&document, i));
            let deep = artifact
                .resolve(&format!("/Records/{i}/nested/list/1/deep"))
                .expect("deep");
            assert_eq!(deep, json!(i));
        }
        assert_eq!(artifact.resolve("/after/k").expect("member"), json!("v"));
        for (locator, expected) in [
            ("/Records/3000", "no such member or element"),
            ("/Records/x", "not an array index"),
            ("/Missing", "no such member"),
            ("/Records/-1", "not an array index"),
        ] {
            let error = artifact.resolve(locator).expect_err(locator);
            assert!(error.to_string().contains(expected), "{locator}: {error}");
        }
        // A broken large document is an error on the indexed path too.
        let broken = format!("{}]", &document[..document.len() - 40]);
        let mut artifact = DecodedArtifact::decode(0, broken.into_bytes()).expect("text");
        assert!(artifact.resolve("/Records/5").is_err());
    }

    fn records_at(document: &str, index: usize) -> Value {
        let whole: Value = serde_json::from_str(document).expect("json");
        whole["Records"][index].clone()
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
