//! The bundle reader: a manifest and artifacts laid out in a temporary
//! directory, then opened, verified, re-imported and correlated, with its
//! annotations, raw records and the console's loader.
//!
//! Input: a flags byte, then chunks separated by the line `%%`: the
//! manifest, `annotations.jsonl`, then the artifacts, written to the paths
//! the manifest lists in order (safe paths only; the rest go to
//! `raw/extra-N`). Flag bit 0 rewrites the manifest's sizes and hashes to
//! match the files written, so that inputs get past the hash checks.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::fs;
use std::path::Path;
use std::sync::OnceLock;
use taskscope::bundle::annotations::Annotations;
use taskscope::bundle::paths::resolve;
use taskscope::bundle::write::sha256_hex;
use taskscope::bundle::{verify::verify, Bundle};
use taskscope::raw::RawReader;

/// Raw records read back per input, at most.
const MAX_RECORDS: usize = 32;
const SEPARATOR: &[u8] = b"\n%%\n";

fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::TempDir::new().expect("temp dir"))
        .path()
}

fn chunks(mut data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while let Some(at) = data.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
        out.push(&data[..at]);
        data = &data[at + SEPARATOR.len()..];
    }
    out.push(data);
    out
}

/// The artifact paths the manifest lists, in order, when it parses as JSON.
fn listed_paths(manifest: &Value) -> Vec<String> {
    manifest
        .get("artifacts")
        .and_then(Value::as_array)
        .map(|artifacts| {
            artifacts
                .iter()
                .filter_map(|a| a.get("path")?.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Sets every listed artifact's size and SHA-256 to those of the file written.
fn fix_hashes(manifest: &mut Value, written: &[(String, &[u8])]) {
    let Some(artifacts) = manifest.get_mut("artifacts").and_then(Value::as_array_mut) else {
        return;
    };
    for artifact in artifacts {
        let path = artifact
            .get("path")
            .and_then(Value::as_str)
            .map(str::to_string);
        let Some((_, bytes)) = written.iter().find(|(p, _)| Some(p) == path.as_ref()) else {
            continue;
        };
        if let Some(entry) = artifact.as_object_mut() {
            entry.insert("sha256".into(), sha256_hex(bytes).into());
            entry.insert("size".into(), bytes.len().into());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let root = scratch().join("bundle");
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(&root).expect("bundle dir");
    let parts = chunks(rest);
    let manifest_bytes = parts[0];
    let mut manifest: Option<Value> = serde_json::from_slice(manifest_bytes).ok();
    let listed = manifest.as_ref().map(listed_paths).unwrap_or_default();
    let mut written: Vec<(String, &[u8])> = Vec::new();
    if let Some(annotations) = parts.get(1) {
        written.push(("annotations.jsonl".into(), annotations));
    }
    for (index, bytes) in parts.iter().skip(2).enumerate() {
        let path = listed
            .get(index)
            .filter(|p| resolve(&root, p).is_ok() && p.as_str() != "manifest.json")
            .cloned()
            .unwrap_or_else(|| format!("raw/extra-{index}"));
        written.push((path, bytes));
    }
    for (path, bytes) in &written {
        let full = root.join(path);
        if let Some(parent) = full.parent() {
            let _ = fs::create_dir_all(parent);
        }
        let _ = fs::write(&full, bytes);
    }
    let manifest_text = match manifest.as_mut() {
        Some(value) if flags & 1 == 1 => {
            fix_hashes(value, &written);
            serde_json::to_vec(value).expect("manifest encodes")
        }
        _ => manifest_bytes.to_vec(),
    };
    fs::write(root.join("manifest.json"), manifest_text).expect("manifest written");

    if let Ok(bundle) = Bundle::open(&root) {
        let _ = verify(&bundle);
        let (incident, _) = bundle.incident();
        let _ = Annotations::load(&bundle);
        let mut reader = RawReader::for_bundle(&bundle);
        let raws = incident.events.iter().flat_map(|event| &event.raw);
        for raw in raws.take(MAX_RECORDS) {
            let _ = reader.record(raw);
        }
    }
    let _ = taskscope::tui::load(&root);
});
