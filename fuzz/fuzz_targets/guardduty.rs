//! GuardDuty findings: `get-findings` lists, single findings, and
//! EventBridge "GuardDuty Finding" envelopes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use taskscope::correlate::Incident;
use taskscope::import::{eventbridge, guardduty, Sink};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let mut sink = Sink::new(0);
    guardduty::import_findings_list(&value, "", 1, &mut sink);
    let raw = sink.raw(String::new());
    guardduty::import_finding(&value, raw, &mut sink);
    eventbridge::import_envelope(&value, "", &mut sink);
    Incident::build(sink.out.events, sink.out.tasks);
});
