//! Opening a bundle for a command that reads it: the incident, the
//! annotations and `--task` references, with their problems as warnings.

use super::LOG_LINE_CHARS;
use crate::bundle::annotations::Annotations;
use crate::bundle::Bundle;
use crate::correlate::Incident;
use crate::export::redact::log_text;
use crate::render::sanitize::escape;
use std::path::Path;

/// Opens a bundle and correlates its incident; what could not be read is
/// one warning line each on stderr.
pub fn load(path: &Path) -> anyhow::Result<(Incident, Bundle)> {
    let bundle = Bundle::open(path)?;
    let (incident, problems) = bundle.incident();
    for problem in problems {
        eprintln!("taskscope: warning: {}", log_text(&problem, LOG_LINE_CHARS));
    }
    Ok((incident, bundle))
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

/// Resolves a `--task` reference (see [`Incident::resolve_task`]).
pub fn find_task(incident: &Incident, reference: &str) -> anyhow::Result<usize> {
    incident
        .resolve_task(reference)
        .map_err(|error| anyhow::anyhow!("{}", escape(&error.to_string())))
}

/// Resolves an optional `--task` reference.
pub fn find_optional_task(
    incident: &Incident,
    reference: Option<&str>,
) -> anyhow::Result<Option<usize>> {
    reference
        .map(|reference| find_task(incident, reference))
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
