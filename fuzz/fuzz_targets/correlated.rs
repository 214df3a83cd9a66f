//! Reading the correlated index (`derived/correlated.bin`): any bytes give
//! a footer or an error, and any bytes decode as an event record or fail;
//! a record that decodes encodes back to one that decodes the same.

#![no_main]

use libfuzzer_sys::fuzz_target;
use taskscope::bundle::correlated::layout::read_footer;
use taskscope::bundle::correlated::record::{decode, encode};

fuzz_target!(|data: &[u8]| {
    if let Ok(footer) = read_footer(data) {
        for entry in &footer.parts {
            assert!(entry.range.end <= data.len(), "a part outside the file");
        }
    }
    let Ok(event) = decode(data, 4) else {
        return;
    };
    assert_eq!(decode(&encode(&event), 4).ok(), Some(event));
});
