//! CloudWatch Logs `filter-log-events` / `get-log-events` output, whose
//! messages may hold Falco alerts, CloudTrail records or EventBridge events.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use taskscope::correlate::Incident;
use taskscope::import::{cwlogs, Sink};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let mut sink = Sink::new(0);
    cwlogs::import_log_events(&value, "", 1, &mut sink);
    Incident::build(sink.out.events, sink.out.tasks);
});
