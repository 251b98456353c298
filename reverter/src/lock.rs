//! One lock per directory in use, so two certsmith processes never change
//! the same files at once.
//!
//! The lock is `flock` (std `File::try_lock`) on `DIR/.certsmith.lock`,
//! never waited for: a second process fails at once with an error naming the
//! directory and the pid holding it (the holder writes its pid into the lock
//! file after locking). The kernel drops the lock when the holder exits,
//! however it exits (SIGKILL included), so no stale lock can remain.
//!
//! Lock files are removed on release, with the protocol Certbot uses for its
//! own lock so that no `.certsmith.lock` stays behind in `/etc/nginx` or the
//! config dir: the holder unlinks the file while it still holds the lock, and
//! a process that locked a file checks afterwards that the path still names
//! the inode it locked (else the previous holder removed it in between, and
//! the lock guards nothing: it opens the path again).
//!
//! The directories locked may be writable by other users (a server root), so
//! the lock file is opened with `O_NOFOLLOW` and must be a regular file with
//! one link, owned by us: a planted symlink, FIFO, hard link or another
//! user's file is refused, never followed, truncated or written.
//!
//! A directory that does not exist yet is created (mode 0755) and then
//! locked: locking its parent instead would make unrelated tools (`/etc`,
//! `/var/lib`) share a lock.

use std::fs::{self, DirBuilder, File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use rustix::fs::OFlags;

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
        // The previous holder may unlink the file between our open and our
        // lock; each retry means another process released meanwhile, so a
        // few are plenty before calling the directory busy.
        for _ in 0..10 {
            let mut file = open_lock_file(&path).map_err(io_err("open lock file"))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    let pid = read_pid(&mut file);
                    return Err(LockError::Held { dir, pid });
                }
                Err(TryLockError::Error(e)) => return Err(io_err("lock")(e)),
            }
            if !names_file(&path, &file) {
                continue;
            }
            // The pid only improves a loser's message: a full disk must not
            // stop a rollback, so failing to write it is not an error.
            let _ = write_pid(&mut file);
            return Ok(DirLock { dir, file });
        }
        Err(LockError::Held { dir, pid: None })
    }

    /// The locked directory, canonical.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        // Unlink while still holding the lock (a process that locks the old
        // inode after this sees that the path no longer names it), and only
        // the file we locked: never a file someone put in its place.
        let path = self.dir.join(LOCK_FILE);
        if names_file(&path, &self.file) {
            let _ = fs::remove_file(&path);
        }
        let _ = self.file.unlock();
    }
}

/// Open (creating if missing) the lock file at `path`, refusing anything but
/// a regular, singly linked file of ours; never follows a symlink, never
/// blocks on a FIFO and never truncates.
pub fn open_lock_file(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o644)
        .custom_flags((OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC).bits() as i32)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(code) if code == rustix::io::Errno::LOOP.raw_os_error() => io::Error::new(
                io::ErrorKind::InvalidInput,
                "it is a symbolic link; refusing to follow it (remove it if it is not yours)",
            ),
            _ => e,
        })?;
    let meta = file.metadata()?;
    let refuse = |why: String| Err(io::Error::new(io::ErrorKind::InvalidInput, why));
    if !meta.file_type().is_file() {
        return refuse("it is not a regular file; refusing to use it".into());
    }
    if meta.nlink() != 1 {
        return refuse(format!(
            "it has {} hard links; refusing to write to it (remove it if it is not yours)",
            meta.nlink()
        ));
    }
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        return refuse(format!(
            "it belongs to uid {}, not to this process (uid {me}); remove it if it is stale",
            meta.uid()
        ));
    }
    Ok(file)
}

/// Whether `path` still names `file` (same device and inode): false once the
/// holder before us has unlinked it, or someone replaced it.
pub fn names_file(path: &Path, file: &File) -> bool {
    match (fs::symlink_metadata(path), file.metadata()) {
        (Ok(now), Ok(ours)) => now.ino() == ours.ino() && now.dev() == ours.dev(),
        _ => false,
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
        drop(again);
        assert!(
            !dir.join(LOCK_FILE).exists(),
            "released locks leave no file"
        );
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

    #[test]
    fn a_lock_taken_on_a_removed_file_is_retaken_on_the_new_one() {
        let scratch = Scratch::new("lock-unlinked");
        let dir = scratch.path.join("d");
        let first = DirLock::acquire(&dir).unwrap();
        // A second process opened the file just before the first released it.
        let late = open_lock_file(&dir.join(LOCK_FILE)).unwrap();
        drop(first);
        late.try_lock().expect("the old inode is free");
        assert!(!names_file(&dir.join(LOCK_FILE), &late));
        // So it must not count as holding the directory: a third process
        // locks the path's new file even while the stale inode is locked.
        let third = DirLock::acquire(&dir).expect("the stale inode guards nothing");
        assert!(names_file(&dir.join(LOCK_FILE), &third.file));
    }

    #[test]
    fn a_planted_symlink_is_refused_and_its_target_untouched() {
        let scratch = Scratch::new("lock-symlink");
        let dir = scratch.path.join("d");
        fs::create_dir_all(&dir).unwrap();
        let victim = scratch.path.join("victim");
        fs::write(&victim, b"precious\n").unwrap();
        std::os::unix::fs::symlink(&victim, dir.join(LOCK_FILE)).unwrap();
        let err = DirLock::acquire(&dir).unwrap_err().to_string();
        assert!(err.contains("symbolic link"), "{err}");
        assert_eq!(fs::read(&victim).unwrap(), b"precious\n");
        assert!(
            fs::symlink_metadata(dir.join(LOCK_FILE))
                .unwrap()
                .is_symlink()
        );
    }

    #[test]
    fn a_planted_fifo_or_hard_link_is_refused_without_blocking() {
        let scratch = Scratch::new("lock-fifo");
        let dir = scratch.path.join("d");
        fs::create_dir_all(&dir).unwrap();
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            dir.join(LOCK_FILE),
            rustix::fs::Mode::from_raw_mode(0o644),
        )
        .unwrap();
        let err = DirLock::acquire(&dir).unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");

        let other = scratch.path.join("e");
        fs::create_dir_all(&other).unwrap();
        let victim = scratch.path.join("victim");
        fs::write(&victim, b"precious\n").unwrap();
        fs::hard_link(&victim, other.join(LOCK_FILE)).unwrap();
        let err = DirLock::acquire(&other).unwrap_err().to_string();
        assert!(err.contains("hard links"), "{err}");
        assert_eq!(fs::read(&victim).unwrap(), b"precious\n");
    }

    #[test]
    fn another_users_lock_file_is_refused_untouched() {
        if !rustix::process::geteuid().is_root() {
            panic!("this test needs root (it gives a file to another user); CI runs as root");
        }
        let scratch = Scratch::new("lock-owner");
        let dir = scratch.path.join("d");
        fs::create_dir_all(&dir).unwrap();
        let planted = dir.join(LOCK_FILE);
        fs::write(&planted, b"not yours\n").unwrap();
        std::os::unix::fs::chown(&planted, Some(65534), Some(65534)).unwrap();
        let err = DirLock::acquire(&dir).unwrap_err().to_string();
        assert!(err.contains("uid 65534"), "{err}");
        assert_eq!(fs::read(&planted).unwrap(), b"not yours\n");
    }
}
