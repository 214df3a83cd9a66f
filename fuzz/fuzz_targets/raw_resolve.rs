//! Reading a raw record back: a locator resolved in an artifact's bytes.
//! The input is a locator line followed by the artifact; the locators the
//! importers produce for the same bytes are resolved too.

#![no_main]

use libfuzzer_sys::fuzz_target;
use taskscope::import::import_bytes;
use taskscope::raw::resolve;

/// Importer locators tried per input, at most.
const MAX_IMPORTED_LOCATORS: usize = 16;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let artifact = data.get(split + 1..).unwrap_or_default();
    if let Ok(locator) = std::str::from_utf8(&data[..split]) {
        let _ = resolve(artifact, locator);
    }
    let imported = import_bytes(artifact, 0);
    let locators = imported.events.iter().flat_map(|event| &event.raw);
    for raw in locators.take(MAX_IMPORTED_LOCATORS) {
        // What the importer read, the reader must find again.
        let found = resolve(artifact, &raw.locator);
        assert!(found.is_ok(), "{:?}: {:?}", raw.locator, found.err());
    }
});
