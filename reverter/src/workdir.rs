//! The reverter's state under the work dir:
//!
//! ```text
//! WORK/.certsmith.lock            the work dir's lock (see `lock`)
//! WORK/reverter/                  0700: backups may hold private keys
//!     in-progress/                the open (or interrupted) transaction
//!         manifest, manifest.mirror
//!         backup.0, backup.1 ...    originals of regular files (0600)
//!     checkpoints/
//!         000001-20251129T090300Z/   a committed permanent transaction
//!             manifest, manifest.mirror, backup.N ...
//!     discard.PID.NANOS/          an undone transaction being deleted
//! ```
//!
//! At most one transaction is open per work dir. Rolling back a checkpoint
//! first renames it to `in-progress/`, so an interrupted rollback is
//! finished by the same recovery that rolls back an interrupted transaction.

use crate::error::{Context, Error};
use crate::fsops;
use crate::lock::DirLock;
use crate::manifest::{self, Manifest};
use crate::model::{Checkpoint, Interrupted, Kind, Recovery, RollbackSummary};
use crate::state::lstat;
use crate::transaction::Transaction;
use crate::undo;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub(crate) const ROOT: &str = "reverter";
pub(crate) const IN_PROGRESS: &str = "in-progress";
pub(crate) const CHECKPOINTS: &str = "checkpoints";
/// The undo actions a [`Transaction::commit_keep_actions`] keeps owed,
/// staged here while the checkpoint is committed.
pub(crate) const OWED: &str = "owed";

/// The reverter of one work dir, holding that directory's lock.
#[derive(Debug)]
pub struct Reverter {
    _lock: DirLock,
    work_dir: PathBuf,
    root: PathBuf,
    recovery: Option<Recovery>,
}

impl Reverter {
    /// Lock `work_dir` (created if missing) and recover whatever an earlier
    /// run left unfinished, before anything else. See [`Reverter::recovery`].
    pub fn open(work_dir: impl AsRef<Path>) -> Result<Reverter, Error> {
        Reverter::open_locked(DirLock::acquire(work_dir)?)
    }

    /// As [`Reverter::open`], with the work dir's lock already held (taken
    /// from a [`crate::lock::LockSet`]).
    pub fn open_locked(lock: DirLock) -> Result<Reverter, Error> {
        let work_dir = lock.dir().to_path_buf();
        let root = work_dir.join(ROOT);
        ensure_private_dir(&root)?;
        let mut reverter = Reverter {
            _lock: lock,
            work_dir,
            root,
            recovery: None,
        };
        reverter.recovery = reverter.recover()?;
        Ok(reverter)
    }

    /// What opening recovered, if anything: print it, the user should know.
    pub fn recovery(&self) -> Option<&Recovery> {
        self.recovery.as_ref()
    }

    /// The work dir, canonical.
    pub fn work_dir(&self) -> &Path {
        &self.work_dir
    }

    /// Undo an interrupted transaction, temporary checkpoint or rollback.
    /// [`Reverter::open`] calls this; call it again after a failed rollback
    /// once the cause (a full disk, say) is fixed.
    pub fn recover(&mut self) -> Result<Option<Recovery>, Error> {
        undo::remove_discarded(&self.root)?;
        let dir = self.root.join(IN_PROGRESS);
        settle_owed(&self.root, &dir)?;
        if lstat(&dir)?.is_none() {
            return Ok(None);
        }
        Ok(
            undo::undo_and_remove(&dir, None)?.map(|(m, summary)| Recovery {
                interrupted: interrupted(&m),
                summary,
            }),
        )
    }

    /// Start a transaction. Only one may be open per work dir.
    pub fn begin(&mut self, kind: Kind, title: &str) -> Result<Transaction<'_>, Error> {
        let root = self.root.clone();
        Transaction::begin(self, root, kind, title)
    }

    /// Committed checkpoints, newest first.
    pub fn checkpoints(&self) -> Result<Vec<Checkpoint>, Error> {
        list_checkpoints(&self.root)
    }

    /// Undo the newest checkpoint. `Ok(None)` when there is none.
    pub fn rollback_latest(&mut self) -> Result<Option<RollbackSummary>, Error> {
        let Some((id, in_progress)) = self.start_rollback()? else {
            return Ok(None);
        };
        Ok(undo::undo_and_remove(&in_progress, Some(id))?.map(|(_, summary)| summary))
    }

    /// Undo the newest checkpoint as [`Reverter::rollback_latest`] does, but
    /// leave its undo actions pending, titled `title`, until the next
    /// [`Reverter::recover`]: for a server reload owed once the files are
    /// back. A process killed before it has reloaded loses nothing: the
    /// next start reports the actions again (the caller reloads, then calls
    /// `recover`). Until then no transaction or rollback can begin.
    pub fn rollback_latest_keep_actions(
        &mut self,
        title: &str,
    ) -> Result<Option<RollbackSummary>, Error> {
        let Some((id, in_progress)) = self.start_rollback()? else {
            return Ok(None);
        };
        undo::undo_keeping_actions(&in_progress, Some(id), title).map(Some)
    }

    /// Move the newest checkpoint to `in-progress/` to be undone there:
    /// its number and the new place, or `None` when there is none.
    fn start_rollback(&mut self) -> Result<Option<(u64, PathBuf)>, Error> {
        let in_progress = self.root.join(IN_PROGRESS);
        if lstat(&in_progress)?.is_some() {
            return Err(Error::TransactionInProgress { dir: in_progress });
        }
        let Some((id, dir)) = checkpoint_dirs(&self.root)?.pop() else {
            return Ok(None);
        };
        // A checkpoint whose manifest cannot be read stays where it is.
        if manifest::read(&dir)?.is_none() {
            return Err(missing_manifest(&dir));
        }
        fsops::rename(&dir, &in_progress).at(&dir, "start rolling back checkpoint")?;
        Ok(Some((id, in_progress)))
    }

    /// Undo the newest `n` checkpoints, newest first (fewer if fewer exist).
    /// On error, those already undone stay undone; the rest are untouched.
    pub fn rollback(&mut self, n: usize) -> Result<Vec<RollbackSummary>, Error> {
        let mut done = Vec::new();
        for _ in 0..n {
            match self.rollback_latest()? {
                Some(summary) => done.push(summary),
                None => break,
            }
        }
        Ok(done)
    }
}

/// A commit that keeps its actions owed was interrupted: with the
/// transaction still in `in-progress/`, it never committed (undoing it
/// reports the same actions), so the staged copy goes; without, the
/// checkpoint is committed and the staged actions become the pending
/// transaction.
fn settle_owed(root: &Path, in_progress: &Path) -> Result<(), Error> {
    let owed = root.join(OWED);
    if lstat(&owed)?.is_none() {
        return Ok(());
    }
    if lstat(in_progress)?.is_some() {
        fs::remove_dir_all(&owed).at(&owed, "remove staged actions")?;
        return fsops::sync_dir(root).at(root, "sync directory");
    }
    fsops::rename(&owed, in_progress).at(&owed, "keep the actions owed")
}

/// A transaction left unfinished, as [`inspect`] sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub interrupted: Interrupted,
    pub title: String,
    pub started: SystemTime,
    pub dir: PathBuf,
}

/// The reverter's state, read without locking or changing anything (for
/// listings while another process may be working).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// Newest first.
    pub checkpoints: Vec<Checkpoint>,
    /// An unfinished transaction the next `Reverter::open` will undo.
    pub pending: Option<Pending>,
}

/// Read the state of `work_dir` without locking or recovering.
pub fn inspect(work_dir: impl AsRef<Path>) -> Result<Status, Error> {
    let root = work_dir.as_ref().join(ROOT);
    let dir = root.join(IN_PROGRESS);
    let pending = match lstat(&dir)? {
        None => None,
        Some(_) => manifest::read(&dir)?.map(|loaded| Pending {
            interrupted: interrupted(&loaded.manifest),
            title: loaded.manifest.title,
            started: loaded.manifest.started,
            dir: dir.clone(),
        }),
    };
    Ok(Status {
        checkpoints: list_checkpoints(&root)?,
        pending,
    })
}

fn interrupted(m: &Manifest) -> Interrupted {
    match (m.committed, m.kind) {
        (Some(_), _) => Interrupted::Rollback,
        (None, Kind::Temporary) => Interrupted::Temporary,
        (None, Kind::Permanent) => Interrupted::Transaction,
    }
}

fn missing_manifest(dir: &Path) -> Error {
    Error::CorruptManifest {
        path: dir.join(manifest::MANIFEST),
        line: 0,
        reason: "missing (and so is its mirror)".into(),
    }
}

fn ensure_private_dir(dir: &Path) -> Result<(), Error> {
    match lstat(dir)? {
        Some(meta) if meta.is_dir() => Ok(()),
        Some(_) => Err(Error::io(
            dir,
            "use as a directory",
            io::Error::from(io::ErrorKind::NotADirectory),
        )),
        None => fsops::make_dir(dir, 0o700).at(dir, "create directory"),
    }
}

/// Checkpoint directories with their numbers, oldest first.
fn checkpoint_dirs(root: &Path) -> Result<Vec<(u64, PathBuf)>, Error> {
    let dir = root.join(CHECKPOINTS);
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(Error::io(&dir, "list checkpoints", e)),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.at(&dir, "list checkpoints")?;
        let name = entry.file_name();
        let id = name
            .to_str()
            .and_then(|n| n.split('-').next())
            .and_then(|n| n.parse::<u64>().ok());
        if let Some(id) = id {
            found.push((id, entry.path()));
        }
    }
    found.sort();
    Ok(found)
}

fn list_checkpoints(root: &Path) -> Result<Vec<Checkpoint>, Error> {
    let mut out = Vec::new();
    for (id, dir) in checkpoint_dirs(root)?.into_iter().rev() {
        let loaded = manifest::read(&dir)?.ok_or_else(|| missing_manifest(&dir))?;
        out.push(checkpoint_of(id, dir, &loaded.manifest));
    }
    Ok(out)
}

/// Where the next checkpoint goes (the directory `checkpoints/` is created).
pub(crate) fn next_checkpoint(root: &Path, m: &Manifest) -> Result<(u64, PathBuf), Error> {
    let dir = root.join(CHECKPOINTS);
    ensure_private_dir(&dir)?;
    let id = checkpoint_dirs(root)?.last().map_or(1, |(id, _)| id + 1);
    let when = m.committed.unwrap_or(m.started);
    Ok((
        id,
        dir.join(format!("{id:06}-{}", crate::time::compact(when))),
    ))
}

pub(crate) fn checkpoint_of(id: u64, dir: PathBuf, m: &Manifest) -> Checkpoint {
    Checkpoint {
        id,
        title: m.title.clone(),
        started: m.started,
        committed: m.committed.unwrap_or(m.started),
        changes: undo::changes(m),
        actions: m
            .entries
            .iter()
            .filter_map(|e| match e {
                manifest::Entry::Action(a) => Some(a.clone()),
                _ => None,
            })
            .collect(),
        dir,
    }
}
