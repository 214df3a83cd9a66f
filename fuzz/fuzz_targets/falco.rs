//! One Falco JSON alert, alone or from a sidecar's log stream.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use taskscope::correlate::Incident;
use taskscope::import::{falco, Sink};
use taskscope::model::Key;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let mut sink = Sink::new(0);
    let raw = sink.raw(String::new());
    falco::import_alert(&value, raw.clone(), None, &mut sink);
    let stream = Key::LogStream("0123456789abcdef0123456789abcdef".into());
    falco::import_alert(&value, raw, Some(stream), &mut sink);
    Incident::build(sink.out.events, sink.out.tasks);
});
