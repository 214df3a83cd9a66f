//! Decoding one section of the derived index (`derived/index.bin`): any
//! bytes decode or fail, and what decodes encodes back to a section that
//! decodes to the same content.

#![no_main]

use libfuzzer_sys::fuzz_target;
use taskscope::bundle::index::section::{decode, encode};

fuzz_target!(|data: &[u8]| {
    let Ok(content) = decode(data, 7) else {
        return;
    };
    let again = encode(&content.events, &content.tasks);
    assert_eq!(decode(&again, 7).ok(), Some(content));
});
