//! Helpers for this crate's unit tests; the tree snapshots are shared with
//! the integration tests.

#[path = "../tests/reverter/support.rs"]
pub(crate) mod support;

pub(crate) use support::is_root;
