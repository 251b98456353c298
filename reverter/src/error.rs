//! The crate's error type. Every message names the path it is about, so a
//! caller can print it as it is.

use crate::lock::LockError;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Why a reverter operation failed. When an operation fails, nothing is lost:
/// the live files are as they were before the step that failed, or restorable
/// from the transaction's backups by the next start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file-system call failed. `action` says what certsmith was doing.
    #[error("{}: {action}: {error}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        error: io::Error,
    },
    /// The path is a symbolic link whose chain ends at a missing file; writing
    /// through it would create a file the user never named.
    #[error(
        "{}: is a dangling symbolic link (it points to {}, which does not exist)",
        link.display(),
        target.display()
    )]
    DanglingSymlink { link: PathBuf, target: PathBuf },
    /// A symbolic link chain that never ends.
    #[error("{}: too many levels of symbolic links", path.display())]
    SymlinkLoop { path: PathBuf },
    /// Only regular files and symbolic links are managed.
    #[error("{}: is {what}; only regular files and symbolic links can be changed", path.display())]
    Unsupported { path: PathBuf, what: &'static str },
    /// `create` on a path that exists.
    #[error("{}: already exists", path.display())]
    AlreadyExists { path: PathBuf },
    /// A path that cannot name a file (`/`, `..`, empty).
    #[error("{}: {reason}", path.display())]
    BadPath { path: PathBuf, reason: &'static str },
    /// A manifest (and its mirror, when it has one) cannot be read back.
    #[error("{}:{line}: corrupt manifest: {reason}", path.display())]
    CorruptManifest {
        path: PathBuf,
        line: usize,
        reason: String,
    },
    /// A backup no longer matches the length and checksum recorded for it.
    #[error(
        "{}: the backup of {} does not match its recorded checksum; it was not restored",
        backup.display(),
        original.display()
    )]
    CorruptBackup { backup: PathBuf, original: PathBuf },
    /// A transaction directory holds backups but no manifest: certsmith cannot
    /// tell where they belong, so it touches nothing.
    #[error(
        "{}: holds backups (backup.N) but no manifest; nothing was changed. Restore the files from them by hand, then move the directory away",
        dir.display()
    )]
    OrphanedBackups { dir: PathBuf },
    /// A transaction is already open in this work dir (or an unfinished one
    /// is waiting to be recovered).
    #[error("{}: another transaction is in progress; it must finish or be recovered first", dir.display())]
    TransactionInProgress { dir: PathBuf },
    /// Temporary transactions are always rolled back.
    #[error("\"{title}\": a temporary transaction cannot be committed; it was rolled back")]
    TemporaryCommit { title: String },
    /// Undoing a transaction or checkpoint left some files unrestored. Its
    /// manifest and backups are kept; the next start tries again.
    #[error("{}: {}", dir.display(), Failures(failures))]
    Incomplete { dir: PathBuf, failures: Vec<Error> },
    #[error(transparent)]
    Lock(#[from] LockError),
}

impl Error {
    pub(crate) fn io(path: impl AsRef<Path>, action: &'static str, error: io::Error) -> Error {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            action,
            error,
        }
    }
}

struct Failures<'a>(&'a [Error]);

impl fmt::Display for Failures<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not undo every change ({} failed); the backups are kept and the next certsmith command will try again",
            self.0.len()
        )?;
        for error in self.0 {
            write!(f, "\n  {error}")?;
        }
        Ok(())
    }
}

/// Add the path to an `io::Result`.
pub(crate) trait Context<T> {
    fn at(self, path: impl AsRef<Path>, action: &'static str) -> Result<T, Error>;
}

impl<T> Context<T> for io::Result<T> {
    fn at(self, path: impl AsRef<Path>, action: &'static str) -> Result<T, Error> {
        self.map_err(|e| Error::io(path, action, e))
    }
}
