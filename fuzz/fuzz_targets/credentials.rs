//! Fuzz target `credentials`: see `checks::credentials` (shared with the regression replay in
//! `tests/fuzz_regressions.rs`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::credentials(data));
