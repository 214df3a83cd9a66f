//! Decoding a file: gzip with its size caps, then the split into one JSON
//! document or JSON lines.

#![no_main]

use libfuzzer_sys::fuzz_target;
use taskscope::import::decode::{decompress, split_documents, MAX_DECOMPRESSED_BYTES};

fuzz_target!(|data: &[u8]| {
    let Ok(content) = decompress(data) else {
        return;
    };
    assert!(content.len() as u64 <= MAX_DECOMPRESSED_BYTES);
    if let Ok(documents) = split_documents(&content) {
        for document in &documents.documents {
            assert!(!document.raw.get().is_empty());
        }
    }
});
