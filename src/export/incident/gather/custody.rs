//! The "Custody" section: what identifies the bundle and whether it was
//! intact when the report was made.

use super::blocks::field_table;
use crate::bundle::manifest::MANIFEST_FILE;
use crate::bundle::paths::read_regular_file;
use crate::bundle::verify::verify;
use crate::bundle::write::sha256_hex;
use crate::bundle::Bundle;
use crate::export::incident::document::{Block, Cell, Section};
use crate::model::time::{format_time_millis, parse_time_str};

/// The bundle's digest, writer, state, verification and seal.
pub(super) fn custody_section(bundle: &Bundle, seal: &str) -> Section {
    let manifest = &bundle.manifest;
    let digest = match read_regular_file(&bundle.root.join(MANIFEST_FILE), MANIFEST_FILE) {
        Ok(bytes) => Cell::Code(sha256_hex(&bytes)),
        Err(refusal) => Cell::text(format!("{MANIFEST_FILE} cannot be read: {refusal}")),
    };
    let problems: Vec<String> = verify(bundle)
        .iter()
        .filter(|p| p.is_failure())
        .map(ToString::to_string)
        .collect();
    let verification = if problems.is_empty() {
        format!(
            "intact: {} artifacts match the manifest",
            manifest.artifacts.len()
        )
    } else {
        format!(
            "FAILED: {} problem(s): {}",
            problems.len(),
            problems.join("; ")
        )
    };
    let created = parse_time_str(&manifest.created_at).map_or_else(
        || manifest.created_at.clone(),
        |time| format_time_millis(&time),
    );
    let state = match manifest.collection.state {
        Some(state) => format!("{state:?}").to_lowercase(),
        None => format!("{}, written in one step", manifest.collection.method),
    };
    Section {
        heading: "Custody".into(),
        blocks: vec![
            field_table(vec![
                ("Bundle", Cell::text(bundle.root.display().to_string())),
                ("Bundle digest (SHA-256 of manifest.json)", digest),
                ("Manifest written", Cell::text(created)),
                (
                    "Written by",
                    Cell::text(format!("{} {}", manifest.tool.name, manifest.tool.version)),
                ),
                ("Collection", Cell::text(state)),
                (
                    "Artifacts",
                    Cell::text(manifest.artifacts.len().to_string()),
                ),
                (
                    "Verification when this report was made",
                    Cell::text(verification),
                ),
                ("Seal", Cell::text(seal)),
            ]),
            Block::Paragraph(
                "The manifest records the SHA-256 and size of every artifact, so its digest \
                 stands for the whole bundle. To check the bundle later, run taskscope verify \
                 on its directory and compare the SHA-256 of its manifest.json with the \
                 digest above."
                    .into(),
            ),
        ],
    }
}
