//! Importing several files at once. Files are parsed on worker threads (one
//! per core, at most four) while the caller's thread reads and stores the
//! next ones; results come back in input order, so artifact indices, event
//! order and manifests do not depend on scheduling. At most a few files are in
//! flight, so memory stays flat however many files there are.

use super::{import_bytes_from, FileImport};
use crate::model::provenance::LogGroup;
use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;

/// Most worker threads.
const MAX_WORKERS: usize = 4;

/// One file to parse: its bytes and the index of the artifact holding them.
pub struct Job {
    /// The file's bytes as received.
    pub bytes: Vec<u8>,
    /// The manifest index of its artifact.
    pub artifact: usize,
    /// What is known about the log group it was read from.
    pub group: LogGroup,
}

/// Runs `import_bytes` over `items` on worker threads, turns each result
/// into what the caller keeps with `reduce` (on the worker, so whatever is
/// dropped is freed by the thread that allocated it), and calls `consume`
/// with each item's tag and reduced result, in the order of `items`. Items
/// without a job pass straight through with `None`.
pub fn import_in_order<T: Send, R: Send>(
    items: impl IntoIterator<Item = (T, Option<Job>)>,
    reduce: impl Fn(FileImport) -> R + Sync,
    mut consume: impl FnMut(T, Option<R>),
) {
    let workers = thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_WORKERS);
    thread::scope(|scope| {
        let (jobs, queue) = mpsc::sync_channel::<(usize, Job)>(workers);
        let queue = Arc::new(Mutex::new(queue));
        let (results, done) = mpsc::channel::<(usize, R)>();
        let reduce = &reduce;
        for _ in 0..workers {
            let queue = Arc::clone(&queue);
            let results = results.clone();
            scope.spawn(move || loop {
                let next = match queue.lock() {
                    Ok(queue) => queue.recv(),
                    Err(_) => return,
                };
                let Ok((slot, job)) = next else {
                    return;
                };
                let imported = reduce(import_bytes_from(&job.bytes, job.artifact, job.group));
                if results.send((slot, imported)).is_err() {
                    return;
                }
            });
        }
        drop(results);
        // Tags wait here until their result, and every earlier one, is in.
        let mut tags: BTreeMap<usize, T> = BTreeMap::new();
        let mut finished: BTreeMap<usize, Option<R>> = BTreeMap::new();
        let mut next = 0;
        let mut hand_over =
            |tags: &mut BTreeMap<usize, T>, finished: &mut BTreeMap<usize, Option<R>>| {
                while let Some(result) = finished.remove(&next) {
                    if let Some(tag) = tags.remove(&next) {
                        consume(tag, result);
                    }
                    next += 1;
                }
            };
        for (slot, (tag, job)) in items.into_iter().enumerate() {
            tags.insert(slot, tag);
            match job {
                Some(job) => {
                    if jobs.send((slot, job)).is_err() {
                        break;
                    }
                }
                None => {
                    finished.insert(slot, None);
                }
            }
            while let Ok((slot, imported)) = done.try_recv() {
                finished.insert(slot, Some(imported));
            }
            hand_over(&mut tags, &mut finished);
        }
        drop(jobs);
        for (slot, imported) in done {
            finished.insert(slot, Some(imported));
            hand_over(&mut tags, &mut finished);
        }
        hand_over(&mut tags, &mut finished);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_input_order() {
        let line = |n: usize| {
            format!(
                r#"{{"time":"2026-11-20T13:00:{:02}Z","rule":"r{n}","priority":"Notice","output":"o","output_fields":{{}}}}"#,
                n % 60
            )
        };
        let items: Vec<(usize, Option<Job>)> = (0..40)
            .map(|n| {
                let job = (n % 7 != 3).then(|| Job {
                    // Larger files first, so later ones tend to finish earlier.
                    bytes: (0..(40 - n) * 50)
                        .map(|_| line(n))
                        .collect::<Vec<_>>()
                        .join("\n")
                        .into_bytes(),
                    artifact: n,
                    group: LogGroup::Unknown,
                });
                (n, job)
            })
            .collect();
        let mut seen = Vec::new();
        import_in_order(
            items,
            |file| file,
            |tag, imported: Option<FileImport>| {
                match &imported {
                    Some(file) => {
                        assert_eq!(file.records, (40 - tag) * 50);
                        assert!(file.events.iter().all(|e| e.raw[0].artifact == tag));
                    }
                    None => assert_eq!(tag % 7, 3),
                }
                seen.push(tag);
            },
        );
        assert_eq!(seen, (0..40).collect::<Vec<_>>());
    }
}
