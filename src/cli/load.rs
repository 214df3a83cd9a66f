//! Opening a bundle for a command that reads it: the incident, the
//! annotations and `--task` references, with their problems as warnings.

use super::LOG_LINE_CHARS;
use crate::bundle::annotations::Annotations;
use crate::bundle::correlated::{self, CorrelatedIndex};
use crate::bundle::Bundle;
use crate::correlate::{resolve_task, Incident};
use crate::export::redact::log_text;
use crate::model::image::merge_images;
use crate::model::{ImageFacts, TaskFacts};
use crate::render::sanitize::escape;
use std::collections::BTreeMap;
use std::path::Path;

/// Opens a bundle and correlates its incident; what could not be read is
/// one warning line each on stderr.
pub fn load(path: &Path) -> anyhow::Result<(Incident, Bundle)> {
    let bundle = Bundle::open(path)?;
    Ok((incident(&bundle), bundle))
}

/// The bundle's correlated incident; what could not be read is one warning
/// line each on stderr.
pub fn incident(bundle: &Bundle) -> Incident {
    let (incident, problems) = bundle.incident();
    warn_all(&problems);
    incident
}

/// The correlated index that answers for the bundle: its own, or one
/// rebuilt from the raw evidence into the cache
/// ([`Bundle::correlated_or_rebuilt`]). Each notice is one warning line;
/// `None` means the caller answers from the incident.
pub fn correlated(bundle: &Bundle) -> Option<CorrelatedIndex> {
    let (index, notices) = bundle.correlated_or_rebuilt();
    warn_all(&notices);
    index
}

/// Another correlated index after `damaged`, the one that answered, was
/// found damaged while read ([`Bundle::correlated_rebuilt_after`]); the
/// notice is one warning line.
pub fn correlated_after(
    bundle: &Bundle,
    damaged: &CorrelatedIndex,
    damage: &correlated::Unusable,
) -> Option<CorrelatedIndex> {
    let (index, notices) = bundle.correlated_rebuilt_after(damaged, damage);
    warn_all(&notices);
    index
}

/// The image facts by digest, read from the bundle's image artifacts; what
/// could not be read is one warning line each.
pub fn images(bundle: &Bundle) -> BTreeMap<String, ImageFacts> {
    let mut problems = Vec::new();
    let images = merge_images(crate::bundle::images::read(bundle, &mut problems));
    warn_all(&problems);
    images
}

/// One warning line on stderr per problem, escaped and shortened.
pub fn warn_all(problems: &[String]) {
    for problem in problems {
        eprintln!("taskscope: warning: {}", log_text(problem, LOG_LINE_CHARS));
    }
}

/// One line on stderr when the bundle is partial, saying why.
pub fn warn_if_partial(bundle: &Bundle) {
    if let Some(reason) = bundle.manifest.collection.partial_reason() {
        eprintln!(
            "taskscope: warning: the bundle is partial: {}",
            log_text(&reason, LOG_LINE_CHARS)
        );
    }
}

/// Resolves a `--task` reference (see [`resolve_task`]).
pub fn find_task(incident: &Incident, reference: &str) -> anyhow::Result<usize> {
    find_task_in(&incident.tasks, reference)
}

/// Resolves a `--task` reference among `tasks`; the error is escaped.
fn find_task_in(tasks: &[TaskFacts], reference: &str) -> anyhow::Result<usize> {
    resolve_task(tasks, reference)
        .map_err(|error| anyhow::anyhow!("{}", escape(&error.to_string())))
}

/// Resolves an optional `--task` reference.
pub fn find_optional_task(
    incident: &Incident,
    reference: Option<&str>,
) -> anyhow::Result<Option<usize>> {
    find_optional_task_in(&incident.tasks, reference)
}

/// Resolves an optional `--task` reference among `tasks`.
pub fn find_optional_task_in(
    tasks: &[TaskFacts],
    reference: Option<&str>,
) -> anyhow::Result<Option<usize>> {
    reference
        .map(|reference| find_task_in(tasks, reference))
        .transpose()
}

/// Reads a bundle's annotations; unreadable lines are reported as warnings.
pub fn load_annotations(bundle: &Bundle) -> anyhow::Result<Annotations> {
    let annotations = Annotations::load(bundle)?;
    for problem in annotations.problems() {
        eprintln!("taskscope: warning: {}", log_text(problem, LOG_LINE_CHARS));
    }
    Ok(annotations)
}
