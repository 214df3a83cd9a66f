//! The built-in sample incident: synthetic evidence in documented AWS shapes,
//! compiled into the binary so `taskscope demo` works with no AWS account.
//! src/demo/incident/README.md describes the story and the expected links.

use crate::bundle::build::{import_in_memory, import_to_bundle, InputFile, InputResult};
use crate::correlate::Incident;
use crate::output::UsageError;
use crate::render::sanitize::escape;
use crate::render::{self, Format};
use crate::theme::{Theme, ThemeError};
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The task the sample incident is about (a reverse shell, then a miner).
pub const COMPROMISED_TASK: &str = "3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93";

macro_rules! sample_files {
    ($($name:literal),* $(,)?) => {
        /// The sample evidence files: name and bytes.
        pub const FILES: &[(&str, &[u8])] = &[
            $(($name, include_bytes!(concat!("incident/", $name)))),*
        ];
    };
}

sample_files!(
    "ecs_describe_tasks.json",
    "ecs_describe_services.json",
    "ecs_describe_task_definition_40.json",
    "ecs_describe_task_definition_41.json",
    "ecs_deployment_events.jsonl",
    "guardduty_get_findings.json",
    "guardduty_eventbridge.jsonl",
    "cloudtrail_s3_delivery.json",
    "cloudtrail_lookup_events.json",
    "cwlogs_filter_app.json",
    "cwlogs_task_state_archive.json",
    "falco_alerts.ndjson",
    "inspector2_list_findings.json",
    "ecr_describe_images.json",
    "ecr_describe_image_signing_status.json",
    "ecr_describe_image_scan_findings.json",
);

/// The sample files as import inputs, named `sample-incident/<file>`.
pub fn inputs() -> Vec<InputResult> {
    FILES
        .iter()
        .map(|(name, bytes)| {
            Ok(InputFile {
                source_path: format!("sample-incident/{name}"),
                bytes: bytes.to_vec(),
            })
        })
        .collect()
}

/// Writes the sample incident as a bundle at `out`, or in a new folder of the
/// temp directory, and returns its path.
pub fn write_bundle(out: Option<&Path>) -> anyhow::Result<PathBuf> {
    let path = match out {
        Some(out) => out.to_path_buf(),
        None => {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            std::env::temp_dir().join(format!("taskscope-demo-{}-{nanos}", std::process::id()))
        }
    };
    import_to_bundle(inputs(), &path)
        .with_context(|| format!("cannot write bundle {}", path.display()))?;
    Ok(path)
}

/// The sample task `reference` names (ID or ARN; the compromised task when
/// `None`), or a usage error listing the sample's task IDs.
fn sample_task(incident: &Incident, reference: Option<&str>) -> anyhow::Result<usize> {
    let reference = reference.unwrap_or(COMPROMISED_TASK);
    incident.find_task(reference).ok_or_else(|| {
        let ids: Vec<&str> = incident.tasks.iter().map(|task| task.id.as_str()).collect();
        UsageError(format!(
            "no task {} in the sample incident; its tasks are {}",
            escape(reference),
            ids.join(", ")
        ))
        .into()
    })
}

/// Checks `--task` and `--theme` before anything is written: an unknown
/// task or theme is a usage error that lists the choices.
pub fn check_options(task: Option<&str>, theme: Option<&str>) -> anyhow::Result<()> {
    let (_, incident) = import_in_memory(inputs());
    sample_task(&incident, task)?;
    if let Some(theme) = theme {
        match Theme::load(theme) {
            Err(error @ ThemeError::NotFound { .. }) => {
                return Err(UsageError(error.to_string()).into())
            }
            other => {
                other?;
            }
        }
    }
    Ok(())
}

/// `taskscope demo --print`: prints the task list and the timeline of `task`
/// (the compromised task when `None`); with `out`, also writes the sample as
/// a bundle to explore with other commands.
pub fn run(out: Option<&Path>, task: Option<&str>) -> anyhow::Result<ExitCode> {
    if let Some(out) = out {
        write_bundle(Some(out))?;
        eprintln!("sample incident written to {}", out.display());
    }
    let (manifest, incident) = import_in_memory(inputs());
    let task = sample_task(&incident, task)?;
    let mut text = String::from(
        "taskscope demo: a SYNTHETIC sample incident (no AWS account involved)\n\nTasks\n",
    );
    text.push_str(&render::tasks::render(
        &render::tasks::rows(&incident),
        Format::Table,
    )?);
    text.push_str(&format!("\nTimeline of task {}\n", incident.tasks[task].id));
    let rows = render::timeline::rows(&incident, &manifest, Some(task));
    text.push_str(&render::timeline::render(&rows, Format::Table)?);
    crate::output::print(&text)
}
