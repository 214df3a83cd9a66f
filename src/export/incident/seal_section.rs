//! The report's last section: the bundle's root digest and its seal (who
//! sealed it, with which key, when) or `not sealed`, as `taskscope verify`
//! finds them without an allowed signers file.

use super::document::{Block, Cell, Section, Table};
use crate::bundle::seal::check::{check, Expectations, SealReport};
use crate::bundle::Bundle;

/// The root digest and the seal's state of `bundle`, checked now.
pub fn seal_state(bundle: &Bundle) -> (String, String) {
    let report = check(bundle, &Expectations::default());
    let digest = report
        .root_digest
        .clone()
        .unwrap_or_else(|| "unavailable".to_string());
    (digest, describe(&report))
}

/// The seal in one line: `sealed by ... at ...`, the same when it does not
/// hold with what is wrong, `not sealed`.
fn describe(report: &SealReport) -> String {
    match (&report.sealed_by, report.problems.as_slice()) {
        (Some(by), []) => format!(
            "sealed by {} ({}) at {}",
            by.identity, by.fingerprint, by.sealed_at
        ),
        (Some(by), problems) => format!(
            "sealed by {} ({}) at {}, but the seal does not hold: {}",
            by.identity,
            by.fingerprint,
            by.sealed_at,
            problems.join("; ")
        ),
        (None, []) => "not sealed".to_string(),
        (None, problems) => format!("not sealed: {}", problems.join("; ")),
    }
}

/// The section, from [`seal_state`]'s digest and state.
pub fn section(digest: &str, state: &str) -> Section {
    Section {
        heading: "Seal".into(),
        blocks: vec![
            Block::Paragraph(
                "The root digest covers every evidence artifact and its manifest entry \
                 (docs/bundle-format.md). A seal is an SSH signature over it and over the \
                 journals' heads; it is checked here for integrity only. To check who \
                 sealed it, run taskscope verify on the bundle with --allowed-signers, \
                 and --expect with the digest below."
                    .into(),
            ),
            Block::Table(Table {
                header: vec!["Field".into(), "Value".into()],
                rows: vec![
                    vec![
                        Cell::Text("Root digest".into()),
                        Cell::Code(digest.to_string()),
                    ],
                    vec![Cell::Text("Seal".into()), Cell::Text(state.to_string())],
                ],
            }),
        ],
    }
}
