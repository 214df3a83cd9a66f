//! The whole import path on one file's bytes: decode, classify, every
//! importer, correlation, then the headless renderings in every format,
//! which must never let an unsafe character through.

#![no_main]

use libfuzzer_sys::fuzz_target;
use taskscope::bundle::build::{import_in_memory, InputFile};
use taskscope::render::{self, sanitize::is_unsafe, Format};

fuzz_target!(|data: &[u8]| {
    let input = InputFile {
        source_path: "fuzz.json".into(),
        bytes: data.to_vec(),
    };
    let (manifest, incident) = import_in_memory(vec![Ok(input)]);
    let task_rows = render::tasks::rows(&incident);
    let first_task = (!incident.tasks.is_empty()).then_some(0);
    for task in [None, first_task] {
        let rows = render::timeline::rows(&incident, &manifest, task);
        for format in [Format::Table, Format::Csv, Format::Md, Format::Json] {
            let timeline = render::timeline::render(&rows, format).expect("timeline renders");
            let tasks = render::tasks::render(&task_rows, format).expect("tasks render");
            for text in [timeline, tasks] {
                let leak = text.chars().find(|&c| is_unsafe(c) && c != '\n');
                assert!(leak.is_none(), "{format:?} output holds {leak:?}");
            }
        }
    }
});
