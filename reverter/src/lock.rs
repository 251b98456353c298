//! One lock per directory in use, so two certsmith processes never change
//! the same files at once.
//!
//! The lock is `flock` (std `File::try_lock`) on `DIR/.certsmith.lock`,
//! never waited for: a second process fails at once with an error naming the
//! directory and the pid holding it (the holder writes its pid into the lock
//! file after locking). The kernel drops the lock when the holder exits,
//! however it exits (SIGKILL included), so no stale lock can remain. Lock
//! files are never deleted: deleting one would let a third process lock a new
//! file while a second still waits on the old inode.
//!
//! A directory that does not exist yet is created (mode 0755) and then
//! locked: locking its parent instead would make unrelated tools (`/etc`,
//! `/var/lib`) share a lock.

use std::fs::{self, DirBuilder, File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The lock file's name inside each locked directory.
pub const LOCK_FILE: &str = ".certsmith.lock";

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process (or another lock in this one) holds the directory.
    #[error("{}: in use by another certsmith process ({}); try again when it has finished", dir.display(), Holder(*pid))]
    Held { dir: PathBuf, pid: Option<u32> },
    #[error("{}: cannot lock: {action}: {error}", dir.display())]
    Io {
        dir: PathBuf,
        action: &'static str,
        error: io::Error,
    },
}

struct Holder(Option<u32>);

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(pid) => write!(f, "pid {pid}"),
            None => f.write_str("pid unknown"),
        }
    }
}

/// A held directory lock; released when dropped.
#[derive(Debug)]
pub struct DirLock {
    dir: PathBuf,
    file: File,
}

impl DirLock {
    /// Lock `dir` (created with mode 0755 if missing) without waiting.
    pub fn acquire(dir: impl AsRef<Path>) -> Result<DirLock, LockError> {
        let dir = dir.as_ref();
        let io_err = |action| {
            move |error| LockError::Io {
                dir: dir.to_path_buf(),
                action,
                error,
            }
        };
        if !dir.is_dir() {
            DirBuilder::new()
                .recursive(true)
                .mode(0o755)
                .create(dir)
                .map_err(io_err("create directory"))?;
        }
        let dir = fs::canonicalize(dir).map_err(io_err("resolve directory"))?;
        let path = dir.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o644)
            .open(&path)
            .map_err(io_err("open lock file"))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let pid = read_pid(&mut file);
                return Err(LockError::Held { dir, pid });
            }
            Err(TryLockError::Error(e)) => return Err(io_err("lock")(e)),
        }
        // The pid only improves a loser's message: a full disk must not
        // stop a rollback, so failing to write it is not an error.
        let _ = write_pid(&mut file);
        Ok(DirLock { dir, file })
    }

    /// The locked directory, canonical.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        // Clear the pid so a reader never blames a finished process; the lock
        // itself goes with the file descriptor.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

fn write_pid(file: &mut File) -> io::Result<()> {
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(format!("{}\n", std::process::id()).as_bytes())
}

/// The holder writes its pid just after locking: a loser racing that write
/// reads an empty file, so look twice before giving up on the pid.
fn read_pid(file: &mut File) -> Option<u32> {
    for attempt in 0..2 {
        let mut text = String::new();
        if file.seek(SeekFrom::Start(0)).is_ok()
            && file.read_to_string(&mut text).is_ok()
            && let Ok(pid) = text.trim().parse()
        {
            return Some(pid);
        }
        if attempt == 0 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
    None
}

/// Locks on several directories, each locked once however many names it has
/// (`--work-dir` and `--logs-dir` may be the same directory).
#[derive(Debug, Default)]
pub struct LockSet {
    locks: Vec<DirLock>,
}

impl LockSet {
    pub fn new() -> LockSet {
        LockSet::default()
    }

    /// Lock `dir` unless a lock in this set already covers it.
    pub fn acquire(&mut self, dir: impl AsRef<Path>) -> Result<&DirLock, LockError> {
        let dir = dir.as_ref();
        let index = match self.position(dir) {
            Some(i) => i,
            None => {
                self.locks.push(DirLock::acquire(dir)?);
                self.locks.len() - 1
            }
        };
        Ok(&self.locks[index])
    }

    /// Move the lock covering `dir` out of the set (to hand it to
    /// [`crate::Reverter::open_locked`]).
    pub fn take(&mut self, dir: impl AsRef<Path>) -> Option<DirLock> {
        let index = self.position(dir.as_ref())?;
        Some(self.locks.remove(index))
    }

    /// The directories locked, canonical.
    pub fn dirs(&self) -> impl Iterator<Item = &Path> {
        self.locks.iter().map(DirLock::dir)
    }

    fn position(&self, dir: &Path) -> Option<usize> {
        let canonical = fs::canonicalize(dir).ok()?;
        self.locks.iter().position(|l| l.dir == canonical)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::support::Scratch;

    #[test]
    fn second_lock_fails_naming_directory_and_pid() {
        let scratch = Scratch::new("lock-twice");
        let dir = scratch.path.join("d");
        let held = DirLock::acquire(&dir).unwrap();
        let err = DirLock::acquire(&dir).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(&held.dir().display().to_string()), "{text}");
        assert!(
            text.contains(&format!("pid {}", std::process::id())),
            "{text}"
        );
        drop(held);
        let again = DirLock::acquire(&dir).unwrap();
        assert!(dir.join(LOCK_FILE).exists(), "lock files are kept");
        drop(again);
    }

    #[test]
    fn missing_directory_is_created_0755() {
        use std::os::unix::fs::PermissionsExt;
        let scratch = Scratch::new("lock-create");
        let dir = scratch.path.join("d").join("a/b");
        let lock = DirLock::acquire(&dir).unwrap();
        let mode = fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o755, 0o755);
        assert_eq!(lock.dir(), fs::canonicalize(&dir).unwrap());
    }

    #[test]
    fn lock_set_locks_each_directory_once() {
        let scratch = Scratch::new("lock-set");
        let dir = scratch.path.join("d");
        fs::create_dir_all(dir.join("x")).unwrap();
        let mut set = LockSet::new();
        set.acquire(&dir).unwrap();
        set.acquire(dir.join("x/..")).unwrap();
        set.acquire(dir.join("x")).unwrap();
        assert_eq!(set.dirs().count(), 2);
        let taken = set.take(&dir).unwrap();
        assert_eq!(taken.dir(), fs::canonicalize(&dir).unwrap());
        assert_eq!(set.dirs().count(), 1);
    }

    #[test]
    fn a_file_in_the_way_is_a_clear_error() {
        let scratch = Scratch::new("lock-file");
        let dir = scratch.path.join("d");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("f"), b"").unwrap();
        let err = DirLock::acquire(dir.join("f")).unwrap_err().to_string();
        assert!(err.contains("/f: cannot lock"), "{err}");
    }
}
