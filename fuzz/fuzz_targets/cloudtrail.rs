//! The CloudTrail importer's entry points: a trail's `Records` file, a
//! single record, LookupEvents output (records inside JSON strings).

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::value::RawValue;
use serde_json::Value;
use taskscope::correlate::Incident;
use taskscope::import::{cloudtrail, Sink};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sink = Sink::new(0);
    if let Ok(raw) = serde_json::from_str::<&RawValue>(text) {
        cloudtrail::import_records_document(raw, "", 1, &mut sink);
        cloudtrail::import_single_record(raw, "", 1, &mut sink);
    }
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        cloudtrail::import_lookup_events(&value, "", 1, &mut sink);
        let raw = sink.raw(String::new());
        cloudtrail::import_record_value(&value, raw, &mut sink);
    }
    Incident::build(sink.out.events, sink.out.tasks);
});
