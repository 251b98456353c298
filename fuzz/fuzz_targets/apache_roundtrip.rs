//! Any bytes: the Apache parser never panics, and whatever it accepts prints back byte for
//! byte and re-parses to the same tree (`certsmith::syntax::apache::check_roundtrip`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = certsmith::syntax::apache::check_roundtrip(data) {
        panic!("{e}");
    }
});
