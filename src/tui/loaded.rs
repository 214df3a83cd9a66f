//! Loading a bundle for the console, on a worker thread: open it, read its
//! incident (from the derived index when valid), its annotations, and the
//! task-context index; what comes out is handed to the UI as [`Loaded`].

use super::data::Data;
use crate::bundle::annotations::Annotations;
use crate::bundle::correlated;
use crate::bundle::{Bundle, OpenedIncident};
use crate::correlate::EventList;
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
    /// How long loading took.
    pub timings: LoadTimings,
}

/// Where loading time went.
#[derive(Debug, Clone, Copy)]
pub struct LoadTimings {
    /// Opening the correlated index, or reading the derived index (or
    /// re-importing the bundle's artifacts) and correlating.
    pub import: Duration,
    /// Whether a derived index was used.
    pub from_index: bool,
    /// Annotations, the views' lists and, for events in memory, the
    /// task-context index (the filter text, and the task-context index of
    /// stored events, are built later, on workers).
    pub index: Duration,
}

/// Opens, correlates and indexes a bundle (run on a worker thread): read in
/// place from its correlated index when that can answer, else from its
/// derived index when that is valid, else from the raw artifacts.
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
        open_incident(&bundle)
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
    let stored = matches!(incident.events, EventList::Stored(_));
    let data = Data::new(bundle, incident, problems);
    if !stored {
        data.gather_context_index();
    }
    Ok(Loaded {
        data,
        annotations,
        problems: annotation_problems,
        timings: LoadTimings {
            import: imported,
            from_index,
            index: started.elapsed() - imported,
        },
    })
}

/// The bundle's incident: its events left in the correlated index when one
/// answers (the bundle's own, or one rebuilt into the cache: see
/// [`Bundle::correlated_or_rebuilt`], whose notices come first among the
/// problems), else as [`Bundle::open_incident`] gives it.
fn open_incident(bundle: &Bundle) -> OpenedIncident {
    let (index, mut notices) = bundle.correlated_or_rebuilt();
    if let Some(index) = index {
        match correlated::incident::incident(bundle, index) {
            Ok((incident, mut problems)) => {
                notices.append(&mut problems);
                return OpenedIncident {
                    incident,
                    problems: notices,
                    from_index: true,
                };
            }
            Err(unusable) => notices.push(format!(
                "{unusable}; opened without it (run taskscope verify)"
            )),
        }
    }
    let mut opened = bundle.open_incident();
    notices.append(&mut opened.problems);
    opened.problems = notices;
    opened
}
