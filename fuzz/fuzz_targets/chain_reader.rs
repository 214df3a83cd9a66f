//! The chain reader: any bytes as a journal, checked against a fixed
//! genesis; then a line linked to the head found is appended and the
//! journal checked again, which must keep an intact chain intact.

#![no_main]

use libfuzzer_sys::fuzz_target;
use taskscope::bundle::chain::{check, link};
use taskscope::bundle::write::sha256_hex;

const GENESIS: &str = "4f1ad2c9d6b0e3a7c85f2e91b7d4a063e8f5c2b1a9d7e6f4c3b2a1908f7e6d5c";

fuzz_target!(|data: &[u8]| {
    let chain = check(GENESIS, data);
    assert!(chain.unchained <= chain.lines);
    assert!(chain.lines <= data.split(|&b| b == b'\n').count());
    assert!(chain.broken.as_ref().is_none_or(|at| at.line >= 1));

    let mut grown = data.to_vec();
    if grown.last().is_some_and(|&b| b != b'\n') {
        grown.push(b'\n');
    }
    let line = link("{\"n\":1}", &chain.head).expect("an object links");
    grown.extend_from_slice(line.as_bytes());
    grown.push(b'\n');
    let after = check(GENESIS, &grown);
    assert_eq!(after.lines, chain.lines + 1);
    assert_eq!(after.head, sha256_hex(line.as_bytes()));
    if chain.is_intact() {
        assert!(after.is_intact(), "{:?}", after.broken);
    }
});
