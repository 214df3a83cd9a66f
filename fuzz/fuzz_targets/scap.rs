//! A syscall capture: the streaming reader, the import of its exits and
//! summary, and the raw view of every block an event points at.

#![no_main]

use libfuzzer_sys::fuzz_target;
use taskscope::correlate::Incident;
use taskscope::import::scap::{self, Capture};
use taskscope::import::Sink;

/// Raw-view look-ups per input, at most.
const MAX_LOOKUPS: usize = 16;

fuzz_target!(|data: &[u8]| {
    if let Ok(mut capture) = Capture::open(data) {
        while let Ok(Some(_)) = capture.next_exit() {}
    }
    let mut sink = Sink::new(0);
    scap::import_capture(data, &mut sink);
    for raw in sink.out.events.iter().flat_map(|e| &e.raw).take(MAX_LOOKUPS) {
        let offset = raw.locator[1..].parse().expect("importer locators are B<offset>");
        // What the importer read, the raw view must find again.
        let found = scap::record::block_at(data, offset);
        assert!(found.is_ok(), "{}: {:?}", raw.locator, found.err());
    }
    Incident::build(sink.out.events, sink.out.tasks);
});
