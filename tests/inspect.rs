//! The console's detail and context panes, through the public API only: a
//! bundle on disk, a raw reader, key facts and JSON trees for every event of
//! the sample incident, and the context of every task.

use taskscope::bundle::build::import_to_bundle;
use taskscope::bundle::Bundle;
use taskscope::inspect::{key_facts, summarize_coverage, task_context, ContextIndex, JsonTree};
use taskscope::raw::RawReader;

#[test]
fn every_sample_event_has_key_facts_and_a_tree() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("incident");
    import_to_bundle(taskscope::demo::inputs(), &root).expect("sample bundle");
    let bundle = Bundle::open(&root).expect("opens");
    let (incident, problems) = bundle.incident();
    assert!(problems.is_empty(), "{problems:?}");
    let mut reader = RawReader::for_bundle(&bundle);

    for event in &incident.events {
        let record = reader.record(&event.raw[0]).expect("raw record");
        let facts = key_facts(event, &record);
        assert!(
            !facts.is_empty(),
            "{} {} ({}) has no key facts",
            event.source,
            event.kind,
            event.raw[0].locator
        );
        let tree = JsonTree::new(&record);
        assert_eq!(tree.lines().first().map(|l| l.text.as_str()), Some("{"));
    }

    // Terminal escapes in evidence come back raw: escaping is the UI's job.
    let miner = incident
        .events
        .iter()
        .find(|e| e.kind == "Impact:Runtime/CryptoMinerExecuted")
        .expect("miner finding");
    let facts = key_facts(miner, &reader.record(&miner.raw[0]).expect("raw"));
    let command = facts
        .iter()
        .find(|f| f.label == "command line")
        .expect("command line");
    assert!(command.value.contains("\u{1b}]0;pwned\u{7}"));

    let index = ContextIndex::new(&incident, &mut reader);
    let compromised = incident
        .find_task(taskscope::demo::COMPROMISED_TASK)
        .expect("compromised task");
    for task in 0..incident.tasks.len() {
        let context = task_context(&incident, &index, task);
        assert_eq!(context.coverage.entries.len(), 5);
        assert!(context.posture.is_some() != context.posture_unavailable.is_some());
        if task == compromised {
            let line = summarize_coverage(&context);
            assert!(line.contains("cloudtrail ok"), "{line}");
            assert!(!context.blast_radius.is_empty());
        }
    }
}
