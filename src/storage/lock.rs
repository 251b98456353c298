//! Certbot's lock on a shared config dir.
//!
//! Certbot takes a POSIX record lock (`fcntl` F_SETLK, via Python's
//! `fcntl.lockf`) on `<dir>/.certbot.lock` while it works. certsmith takes the
//! same lock while it writes to the config dir, so the two never write at once.
//! Classic POSIX locks (not flock, not OFD) are what conflict with Certbot's.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

pub const CERTBOT_LOCK: &str = ".certbot.lock";

/// Held until dropped (closing the file releases the record lock).
#[derive(Debug)]
pub struct CertbotLock {
    _file: File,
    pub path: PathBuf,
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
            let file = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(&path)
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
            let ours = file
                .metadata()
                .map_err(|e| LockError::Io(path.clone(), e))?;
            match std::fs::metadata(&path) {
                Ok(now) if now.ino() == ours.ino() && now.dev() == ours.dev() => {
                    return Ok(CertbotLock { _file: file, path });
                }
                _ => continue,
            }
        }
        Err(LockError::Busy(dir.to_path_buf(), path))
    }
}
