//! Any input: parsing never panics; when it parses, printing gives the
//! input back byte for byte, and edits (remove, comment, insert) on a sample
//! of directives give documents that parse again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    certsmith::syntax::nginx::check_roundtrip(data);
});
