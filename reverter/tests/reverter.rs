//! Integration tests of the reverter crate (one binary; modules by theme).
//! The crash tests with fail points are unit tests (`src/crash_tests.rs`):
//! fail points exist only in the crate's own test build.

mod reverter {
    pub mod api;
    pub mod bad_input;
    pub mod lock;
    pub mod property;
    pub mod support;
}

/// Entry point for child processes some tests start (this binary, re-run
/// with `--exact child --ignored`); what it does comes from the environment.
#[test]
#[ignore = "entry point of child processes started by the tests"]
fn child() {
    reverter::lock::child_main();
}
