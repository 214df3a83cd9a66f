//! Opening a bundle's incident from what is derived where it is valid (the
//! index, or else the segments of a growing bundle) and from the raw
//! artifacts elsewhere: each imported artifact's events and task facts come
//! from its section when a valid one holds it, else from parsing its bytes.
//! Either way the incident is the same.

use super::index::section::{self, SectionContent};
use super::index::{self, segment};
use super::{audit, images, Bundle, OpenedIncident};
use crate::correlate::Incident;
use crate::import::parallel::{import_in_order, Job};
use std::collections::HashMap;

/// Where the imported artifacts of an opened incident were read from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Artifacts read from the derived index.
    pub from_index: usize,
    /// Artifacts read from index segments.
    pub from_segments: usize,
    /// Artifacts imported again from their raw bytes.
    pub from_raw: usize,
}

impl Bundle {
    /// [`Bundle::open_incident`], also telling where the imported artifacts
    /// were read from. The derived index is used when it is valid; else
    /// every valid segment, and the raw bytes of the artifacts none covers.
    /// A damaged index or segment is reported in the problems.
    pub fn open_incident_with_coverage(&self) -> (OpenedIncident, Coverage) {
        let mut problems = Vec::new();
        let mut coverage = Coverage::default();
        let (derived, indexed) = match self.index_sections() {
            Ok(sections) => {
                coverage.from_index = sections.len();
                (sections, true)
            }
            Err(unusable) => {
                if let index::Unusable::Damaged(_) = unusable {
                    problems.push(format!(
                        "{unusable}; opened from the raw evidence (run taskscope verify)"
                    ));
                }
                let wanted = index::imported_artifacts(&self.manifest, &mut Vec::new());
                let covered =
                    segment::read_all(&self.root, &self.manifest, &wanted, |at, bytes| {
                        section::decode(bytes, at)
                    });
                problems.extend(covered.problems);
                coverage.from_segments = covered.sections.len();
                (covered.sections, false)
            }
        };
        let (incident, more, from_raw) = self.incident_from_sections(derived);
        problems.extend(more);
        coverage.from_raw = from_raw;
        let opened = OpenedIncident {
            incident,
            problems,
            from_index: from_raw == 0 && (indexed || coverage.from_segments > 0),
        };
        (opened, coverage)
    }

    /// The derived index's sections by artifact position, when it is valid.
    pub(super) fn index_sections(&self) -> Result<HashMap<usize, SectionContent>, index::Unusable> {
        let sections = index::load(&self.root, &self.manifest)?;
        let wanted = index::imported_artifacts(&self.manifest, &mut Vec::new());
        Ok(wanted
            .into_iter()
            .map(|(position, _)| position)
            .zip(sections)
            .collect())
    }

    /// Correlates every input that was not rejected: from its section in
    /// `derived` (by artifact position) when there is one, else by
    /// importing its artifact on worker threads, in order. Inputs whose
    /// artifact cannot be read are reported and skipped; an artifact named
    /// by several inputs is taken once. Also returns how many artifacts
    /// were imported from their raw bytes.
    pub(super) fn incident_from_sections(
        &self,
        mut derived: HashMap<usize, SectionContent>,
    ) -> (Incident, Vec<String>, usize) {
        let mut problems = Vec::new();
        let imported = index::imported_artifacts(&self.manifest, &mut problems);
        let mut unreadable = Vec::new();
        let items = imported.into_iter().map(|(artifact, input)| {
            if let Some(content) = derived.remove(&artifact) {
                return (Some((artifact, input, content)), None);
            }
            match self.read_artifact(&input.artifact) {
                Ok(bytes) => {
                    let group = input.log_group();
                    (
                        None,
                        Some(Job {
                            bytes,
                            artifact,
                            group,
                        }),
                    )
                }
                Err(error) => {
                    unreadable.push(format!("{}: {error}", input.artifact));
                    (None, None)
                }
            }
        });
        let mut events = Vec::new();
        let mut tasks = Vec::new();
        let mut images = Vec::new();
        let mut image_problems = Vec::new();
        let mut from_raw = 0;
        import_in_order(
            items,
            |file| file,
            |sectioned, imported| {
                if let Some(imported) = imported {
                    from_raw += 1;
                    events.push(imported.events);
                    tasks.extend(imported.tasks);
                    images.extend(imported.images);
                } else if let Some((artifact, input, content)) = sectioned {
                    events.push(content.events);
                    tasks.extend(content.tasks);
                    // Sections hold no image facts: their few artifacts are read again.
                    images.extend(images::of(self, artifact, input, &mut image_problems));
                }
            },
        );
        problems.extend(unreadable);
        problems.extend(image_problems);
        let (actions, audit_problems) = audit::events(self);
        events.push(actions);
        problems.extend(audit_problems);
        let incident = Incident::build_from_parts(events, tasks).with_images(images);
        (incident, problems, from_raw)
    }
}
