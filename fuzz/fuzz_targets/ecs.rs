//! ECS descriptions: tasks, services (deployments and events), task
//! definitions, and the task IDs and deployments named in service messages.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use taskscope::correlate::Incident;
use taskscope::import::{ecs, Sink};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = ecs::task_ids_in_message(text);
        let _ = ecs::deployments_in_message(text).count();
        let _ = ecs::task_definition_fact_id(text);
    }
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let mut sink = Sink::new(0);
    ecs::import_tasks_document(&value, "", &mut sink);
    ecs::import_services_document(&value, "", &mut sink);
    ecs::import_task_definition_document(&value, "", &mut sink);
    Incident::build(sink.out.events, sink.out.tasks);
});
