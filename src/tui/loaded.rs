//! Loading a bundle for the console, on a worker thread: open it, read its
//! incident (from the derived index when valid), its annotations, and the
//! task-context index; what comes out is handed to the UI as [`Loaded`].

use super::data::Data;
use crate::bundle::annotations::Annotations;
use crate::bundle::{Bundle, OpenedIncident};
use crate::inspect::context::ContextIndex;
use crate::raw::RawReader;
use std::path::Path;
use std::time::{Duration, Instant};

/// What the loader hands to the UI.
pub struct Loaded {
    /// Everything derived from the bundle.
    pub data: Data,
    /// Its marks, tags and notes.
    pub annotations: Annotations,
    /// Annotation lines that could not be read.
    pub problems: Vec<String>,
    /// Incident-wide facts for task contexts.
    pub context_index: ContextIndex,
    /// How long loading took.
    pub timings: LoadTimings,
}

/// Where loading time went.
#[derive(Debug, Clone, Copy)]
pub struct LoadTimings {
    /// Reading the derived index (or re-importing the bundle's artifacts)
    /// and correlating.
    pub import: Duration,
    /// Whether the derived index was used.
    pub from_index: bool,
    /// Annotations, task-context index and the views' lists (the filter
    /// text is built later, on a worker).
    pub index: Duration,
}

/// Opens, correlates and indexes a bundle (run on a worker thread), from
/// its derived index when that is valid.
pub fn load(path: &Path) -> Result<Loaded, String> {
    load_with(path, true)
}

/// [`load`], with `use_index` false to import the raw artifacts again
/// whatever the index holds (as a bundle without one opens).
pub fn load_with(path: &Path, use_index: bool) -> Result<Loaded, String> {
    let started = Instant::now();
    let bundle = Bundle::open(path).map_err(|e| e.to_string())?;
    let OpenedIncident {
        incident,
        problems,
        from_index,
    } = if use_index {
        bundle.open_incident()
    } else {
        let (incident, problems) = bundle.incident_from_raw();
        OpenedIncident {
            incident,
            problems,
            from_index: false,
        }
    };
    let imported = started.elapsed();
    let annotations = Annotations::load(&bundle).map_err(|e| e.to_string())?;
    let annotation_problems = annotations.problems().to_vec();
    let context_index = ContextIndex::new(&incident, &mut RawReader::for_bundle(&bundle));
    let data = Data::new(bundle, incident, problems);
    Ok(Loaded {
        data,
        annotations,
        problems: annotation_problems,
        context_index,
        timings: LoadTimings {
            import: imported,
            from_index,
            index: started.elapsed() - imported,
        },
    })
}
