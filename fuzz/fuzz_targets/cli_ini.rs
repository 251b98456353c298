//! Fuzz target `cli_ini`: see `checks::cli_ini` (shared with the regression replay in
//! `tests/fuzz_regressions.rs`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::cli_ini(data));
