//! Crash-safe file changes for certsmith.
//!
//! Every byte certsmith writes to a user's system goes through this crate:
//!
//! - [`write_atomic`]: one file, atomically (temp file, fsync, rename, fsync
//!   of the directory), through symlinks, keeping mode and owner;
//! - [`Reverter`] and [`Transaction`]: changes to many files (write, create,
//!   delete, symlink, declarative [`UndoAction`]s) kept or undone together,
//!   with a write-ahead manifest so a crash at any instant is undone by the
//!   next [`Reverter::open`];
//! - checkpoints: committed permanent transactions, listed by
//!   [`Reverter::checkpoints`] and undone, newest first, by
//!   [`Reverter::rollback`], byte for byte (content, mode, owner, mtime);
//! - [`lock::DirLock`]: one non-blocking lock per directory in use.
//!
//! ```no_run
//! # fn main() -> Result<(), reverter::Error> {
//! use reverter::{Kind, Reverter, UndoAction};
//! let mut reverter = Reverter::open("/var/lib/certsmith")?; // locks, recovers
//! let mut tx = reverter.begin(Kind::Permanent, "Deployed certificate for example.com")?;
//! tx.write("/etc/nginx/sites-available/default", b"server { ... }\n")?;
//! tx.create("/etc/nginx/snippets/ssl.conf", b"ssl_protocols TLSv1.3;\n", 0o644)?;
//! tx.symlink("/etc/apache2/mods-enabled/ssl.load", "../mods-available/ssl.load")?;
//! tx.record(UndoAction::ModuleEnabled { server: "apache".into(), module: "ssl".into() })?;
//! tx.commit()?;
//! let undone = reverter.rollback(1)?; // what was restored, for reloads
//! # Ok(()) }
//! ```
//!
//! This crate knows nothing about web-server configs or certificates.
#![forbid(unsafe_code)]

/// A numbered place between two steps of a durable change (see
/// `failpoint.rs`); debug builds only, nothing at all in release builds.
#[cfg(debug_assertions)]
macro_rules! failpoint {
    ($name:literal) => {
        crate::failpoint::hit($name)
    };
}
#[cfg(not(debug_assertions))]
macro_rules! failpoint {
    ($name:literal) => {
        ::std::io::Result::<()>::Ok(())
    };
}

/// A fail point of the caller's own (certsmith's stores use the same
/// numbering and `CERTSMITH_FAILPOINT` plan as this crate's): in a debug
/// build, `Err` when the plan injects an error here and no return when it
/// kills here; in a release build always `Ok` (see `failpoint.rs`).
#[inline(always)]
pub fn fail_point(name: &str) -> std::io::Result<()> {
    #[cfg(debug_assertions)]
    return failpoint::hit(name);
    #[cfg(not(debug_assertions))]
    {
        let _ = name;
        Ok(())
    }
}

pub mod atomic;
mod error;
#[cfg(debug_assertions)]
mod failpoint;
mod fsops;
pub mod lock;
mod manifest;
mod model;
mod state;
pub mod time;
mod transaction;
mod undo;
mod workdir;

#[cfg(test)]
mod crash_tests;
#[cfg(test)]
mod test_support;

pub use atomic::{NewFileMode, write_atomic};
pub use error::Error;
pub use lock::{DirLock, LockError, LockSet};
pub use model::{
    Change, Checkpoint, Interrupted, Kind, Node, Recovery, RollbackSummary, UndoAction,
};
pub use transaction::Transaction;
pub use workdir::{Pending, Reverter, Status, inspect};
