//! Crash-safe file changes for certsmith.
//!
//! Every byte certsmith writes to a user's system goes through this crate:
//! atomic single-file writes ([`atomic`]), and (to come) transactions,
//! checkpoints, rollback, crash recovery and directory locks.
//!
//! This crate knows nothing about web-server configs or certificates.
#![forbid(unsafe_code)]

pub mod atomic;

pub use atomic::{write_atomic, NewFileMode};
