//! Certbot's lock on a shared config dir.
//!
//! Certbot takes a POSIX record lock (`fcntl` F_SETLK, via Python's
//! `fcntl.lockf`) on `<dir>/.certbot.lock` while it works. certsmith takes the
//! same lock while it writes to the config dir, so the two never write at once.
//! Classic POSIX locks (not flock, not OFD) are what conflict with Certbot's.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

pub const CERTBOT_LOCK: &str = ".certbot.lock";

/// Held until dropped (closing the file releases the record lock).
#[derive(Debug)]
pub struct CertbotLock {
    file: File,
    pub path: PathBuf,
}

impl Drop for CertbotLock {
    /// Certbot's release: unlink the file while still holding the lock (a
    /// process that locked the old inode meanwhile sees it is gone), then
    /// close. Only the file we locked is removed.
    fn drop(&mut self) {
        if reverter::lock::names_file(&self.path, &self.file) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another instance of certsmith or Certbot is already using {0} (lock {1} is held)")]
    Busy(PathBuf, PathBuf),
    #[error("cannot lock {0}: {1}")]
    Io(PathBuf, io::Error),
}

impl CertbotLock {
    /// Lock `dir` (which must exist) without waiting.
    pub fn acquire(dir: &Path) -> Result<CertbotLock, LockError> {
        let path = dir.join(CERTBOT_LOCK);
        // Certbot removes its lock file on release; if it did so between our
        // open and our lock, the lock we got guards nothing: open again.
        for _ in 0..10 {
            // No symlink followed, nothing truncated: the same checks as
            // certsmith's own lock files.
            let file = reverter::lock::open_lock_file(&path)
                .map_err(|e| LockError::Io(path.clone(), e))?;
            match rustix::fs::fcntl_lock(
                &file,
                rustix::fs::FlockOperation::NonBlockingLockExclusive,
            ) {
                Ok(()) => {}
                Err(e) if e == rustix::io::Errno::AGAIN || e == rustix::io::Errno::ACCESS => {
                    return Err(LockError::Busy(dir.to_path_buf(), path));
                }
                Err(e) => return Err(LockError::Io(path, e.into())),
            }
            if reverter::lock::names_file(&path, &file) {
                return Ok(CertbotLock { file, path });
            }
        }
        Err(LockError::Busy(dir.to_path_buf(), path))
    }
}
