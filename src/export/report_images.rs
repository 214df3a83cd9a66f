//! The report's "Images" section: per container, its ECR facts, the
//! vulnerabilities the bundle holds (Inspector, else ECR's basic scan),
//! the top critical ones, the signature and the flags. Evidence strings go
//! into cells through `markdown_cell`.

use crate::inspect::context::ContainerImage;
use crate::model::time::format_time;
use crate::render::{markdown_cell, markdown_table as table};
use std::fmt::Write;

/// Writes the section for the task's images.
pub(crate) fn images_section(out: &mut String, images: &[ContainerImage]) {
    out.push_str("## Images\n\n");
    if images.is_empty() {
        out.push_str("No container details in the evidence.\n\n");
        return;
    }
    let rows: Vec<Vec<String>> = images
        .iter()
        .map(|image| {
            vec![
                markdown_cell(&image.container),
                image
                    .digest
                    .as_deref()
                    .map_or_else(|| "-".to_string(), markdown_cell),
                image.ecr.as_ref().map_or_else(
                    || "-".to_string(),
                    |ecr| markdown_cell(&format!("{} ({})", ecr.repository, ecr.account)),
                ),
                markdown_cell(&image.tags.join(", ")),
                image
                    .pushed_at
                    .map_or_else(|| "-".to_string(), |t| format_time(&t)),
                markdown_cell(&image.scan_text()),
                image.exploit_text().to_string(),
                markdown_cell(&format!(
                    "{}: {}",
                    image.signature.state(),
                    image.signature.detail()
                )),
                if image.flags.is_empty() {
                    "-".to_string()
                } else {
                    format!("**{}**", markdown_cell(&image.flags_text()))
                },
            ]
        })
        .collect();
    table(
        out,
        &[
            "Container",
            "Digest",
            "ECR repository",
            "Tags",
            "Pushed",
            "Vulnerabilities",
            "Exploit known",
            "Signature",
            "Flags",
        ],
        &rows,
    );
    let critical: Vec<Vec<String>> = images
        .iter()
        .flat_map(|image| image.top_critical.iter().map(move |v| (image, v)))
        .map(|(image, vulnerability)| {
            let package = vulnerability.packages.first();
            vec![
                markdown_cell(&image.container),
                markdown_cell(&vulnerability.id),
                package.map_or_else(|| "-".to_string(), |p| markdown_cell(&p.name)),
                package
                    .and_then(|p| p.version.as_deref())
                    .map_or_else(|| "-".to_string(), markdown_cell),
                package
                    .and_then(|p| p.fixed_in.as_deref())
                    .map_or_else(|| "no fix known".to_string(), markdown_cell),
                match vulnerability.exploit_available {
                    Some(true) => "yes",
                    Some(false) => "no",
                    None => "not reported",
                }
                .to_string(),
            ]
        })
        .collect();
    if !critical.is_empty() {
        let _ = writeln!(out, "### Critical vulnerabilities\n");
        table(
            out,
            &[
                "Container",
                "Vulnerability",
                "Package",
                "Installed",
                "Fixed in",
                "Exploit known",
            ],
            &critical,
        );
    }
}
