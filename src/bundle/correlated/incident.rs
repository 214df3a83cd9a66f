//! An incident read in place from the correlated index: the tasks and
//! their timelines in memory, the events left in the file until asked for.

use super::{CorrelatedIndex, Unusable};
use crate::bundle::{images, Bundle};
use crate::correlate::{EventList, Incident};

/// The incident of `bundle` from its correlated index `index`, with what
/// could not be read of the image artifacts (read again: the index holds
/// no image facts).
pub fn incident(
    bundle: &Bundle,
    index: CorrelatedIndex,
) -> Result<(Incident, Vec<String>), Unusable> {
    let tasks = index.tasks().to_vec();
    let timelines = (0..tasks.len())
        .map(|task| index.timeline(task))
        .collect::<Result<Vec<_>, _>>()?;
    // Checked now, so that a damaged column is found before any view reads it.
    index.findings()?;
    if !index.is_empty() {
        index.time(0)?;
        index.source(0)?;
    }
    let mut problems = Vec::new();
    let images = images::read(bundle, &mut problems);
    let incident = Incident {
        tasks,
        events: EventList::stored(Box::new(index)),
        timelines,
        images: Default::default(),
    }
    .with_images(images);
    Ok((incident, problems))
}
