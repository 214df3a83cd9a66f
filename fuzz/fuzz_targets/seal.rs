//! The seal readers: any bytes as `seal.json.sig` (an armored SSHSIG), as
//! `seal.json` and, when text, as an allowed signers file. A signature that
//! reads names a supported key and can be checked without a panic; a seal
//! document that reads has the root digest of its entries and reads back
//! the same after being written again.

#![no_main]

use libfuzzer_sys::fuzz_target;
use taskscope::bundle::seal::allowed_signers::AllowedSigners;
use taskscope::bundle::seal::digest::root_digest;
use taskscope::bundle::seal::document::SealDocument;
use taskscope::bundle::seal::signature;

fuzz_target!(|data: &[u8]| {
    if let Ok(signed) = signature::parse(data) {
        assert!(signature::supported(&signed.public_key().algorithm()));
        let _ = signature::verify(&signed, data);
        assert!(signature::fingerprint(&signed).starts_with("SHA256:"));
    }
    if let Ok(document) = SealDocument::parse(data) {
        assert_eq!(root_digest(&document.entries), document.root_digest);
        let written = document.to_bytes().expect("a parsed seal encodes");
        assert_eq!(SealDocument::parse(&written).as_ref(), Ok(&document));
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = AllowedSigners::parse(text);
    }
});
