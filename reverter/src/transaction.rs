//! A transaction: changes to many files that are kept or undone together.
//!
//! Write-ahead order for the first change to each path: back the original up
//! (fsynced), record it in the manifest (both copies, each atomic and
//! fsynced), and only then touch the live path. So at any instant every
//! change that may have reached a live file is in the manifest, with what is
//! needed to undo it.

use crate::atomic::{self, NewFileMode};
use crate::error::{Context, Error};
use crate::fsops::{self, Attrs};
use crate::manifest::{self, Entry, Manifest, Original};
use crate::model::{Checkpoint, Kind, RollbackSummary, UndoAction};
use crate::state::{self, key, lstat};
use crate::undo;
use crate::workdir::{self, Reverter};
use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// An open transaction. Commit it (permanent) or roll it back; dropping it
/// unfinished rolls it back, exactly as the next start would after a crash.
#[derive(Debug)]
pub struct Transaction<'r> {
    root: PathBuf,
    dir: PathBuf,
    manifest: Manifest,
    touched: HashSet<PathBuf>,
    next_backup: u32,
    done: bool,
    /// The reverter this transaction borrows; handed back by
    /// [`Transaction::rollback_release`].
    reverter: Option<&'r mut Reverter>,
}

impl<'r> Transaction<'r> {
    pub(crate) fn begin(
        reverter: &'r mut Reverter,
        root: PathBuf,
        kind: Kind,
        title: &str,
    ) -> Result<Self, Error> {
        let dir = root.join(workdir::IN_PROGRESS);
        if lstat(&dir)?.is_some() {
            return Err(Error::TransactionInProgress { dir });
        }
        fsops::make_dir(&dir, 0o700).at(&dir, "create transaction directory")?;
        let manifest = Manifest::new(kind, title);
        if let Err(e) = manifest::write(&dir, &manifest) {
            // Nothing was recorded, so nothing was changed: the directory
            // goes (or, if that fails too, the next start removes it).
            let _ = fs::remove_dir_all(&dir);
            return Err(e);
        }
        Ok(Transaction {
            root,
            dir,
            manifest,
            touched: HashSet::new(),
            next_backup: 0,
            done: false,
            reverter: Some(reverter),
        })
    }

    pub fn kind(&self) -> Kind {
        self.manifest.kind
    }

    pub fn title(&self) -> &str {
        &self.manifest.title
    }

    /// Every file, link and directory changed so far, as recorded (absolute,
    /// directories resolved).
    pub fn paths(&self) -> Vec<PathBuf> {
        self.manifest
            .entries
            .iter()
            .filter_map(|e| match e {
                Entry::Path { path, .. } | Entry::CreatedDir(path) => Some(path.clone()),
                Entry::Action(_) => None,
            })
            .collect()
    }

    /// Replace the content of `path`, following symbolic links to the real
    /// file, which keeps its mode and owner; a missing file is created (mode
    /// 0644, missing directories 0755). `Ok(false)` when the content is
    /// already `data` (nothing recorded). A link chain ending at a missing
    /// file is refused: [`Error::DanglingSymlink`].
    pub fn write(&mut self, path: impl AsRef<Path>, data: &[u8]) -> Result<bool, Error> {
        self.write_with_mode(path, data, NewFileMode::default())
    }

    /// [`Transaction::write`], giving the mode a missing file is created
    /// with (an existing file keeps its own).
    pub fn write_with_mode(
        &mut self,
        path: impl AsRef<Path>,
        data: &[u8],
        new_mode: NewFileMode,
    ) -> Result<bool, Error> {
        let path = path.as_ref();
        let target = resolve_for_write(path)?;
        if let Some(meta) = lstat(&target)? {
            state::check_supported(&target, &meta)?;
            if meta.len() == data.len() as u64 && fs::read(&target).at(&target, "read")? == data {
                return Ok(false);
            }
        }
        self.create_parents(&target)?;
        self.record_original(&target)?;
        atomic::write_atomic(&target, data, new_mode).at(&target, "write")?;
        Ok(true)
    }

    /// Create `path` with `data` and exactly `mode` (no umask); missing
    /// directories are created 0755. Refused when anything is at `path`.
    pub fn create(&mut self, path: impl AsRef<Path>, data: &[u8], mode: u32) -> Result<(), Error> {
        let path = key(path.as_ref())?;
        if lstat(&path)?.is_some() {
            return Err(Error::AlreadyExists { path });
        }
        self.create_parents(&path)?;
        self.record_original(&path)?;
        fsops::replace_file(&path, data, &Attrs::mode(mode)).at(&path, "create")
    }

    /// Delete the file or symbolic link at `path` (a link itself, not its
    /// target). `Ok(false)` when nothing is there.
    pub fn delete(&mut self, path: impl AsRef<Path>) -> Result<bool, Error> {
        let path = key(path.as_ref())?;
        let Some(meta) = lstat(&path)? else {
            return Ok(false);
        };
        state::check_supported(&path, &meta)?;
        self.record_original(&path)?;
        fsops::remove(&path).at(&path, "delete")?;
        Ok(true)
    }

    /// Make `link` a symbolic link to `target` (stored as given, relative or
    /// absolute), replacing a file or link there. `Ok(false)` when it already
    /// is exactly that link.
    pub fn symlink(
        &mut self,
        link: impl AsRef<Path>,
        target: impl AsRef<Path>,
    ) -> Result<bool, Error> {
        let link = key(link.as_ref())?;
        let target = target.as_ref();
        if let Some(meta) = lstat(&link)? {
            state::check_supported(&link, &meta)?;
            if meta.file_type().is_symlink()
                && fs::read_link(&link).at(&link, "read symbolic link")? == target
            {
                return Ok(false);
            }
        }
        self.create_parents(&link)?;
        self.record_original(&link)?;
        fsops::replace_symlink(&link, target, None).at(&link, "create symbolic link")?;
        Ok(true)
    }

    /// Create directory `path` (and missing parents) with `mode`; rollback
    /// removes each one it created if it is empty by then.
    pub fn create_dir(&mut self, path: impl AsRef<Path>, mode: u32) -> Result<bool, Error> {
        let path = key(path.as_ref())?;
        if let Some(meta) = lstat(&path)? {
            return match meta.is_dir() {
                true => Ok(false),
                false => Err(Error::AlreadyExists { path }),
            };
        }
        self.create_parents(&path)?;
        self.push(Entry::CreatedDir(path.clone()))?;
        fsops::make_dir(&path, mode).at(&path, "create directory")?;
        Ok(true)
    }

    /// Record a declarative action; rollback reports it as undone.
    pub fn record(&mut self, action: UndoAction) -> Result<(), Error> {
        self.push(Entry::Action(action))
    }

    /// Keep the changes as a new checkpoint. `Ok(None)` when nothing was
    /// changed (no checkpoint is made). A temporary transaction cannot be
    /// committed: it is rolled back and [`Error::TemporaryCommit`] returned.
    pub fn commit(mut self) -> Result<Option<Checkpoint>, Error> {
        if !self.ready_to_commit()? {
            return Ok(None);
        }
        self.commit_rename()
    }

    /// Commit as [`Transaction::commit`] does, but leave the transaction's
    /// undo actions pending, titled `title`, until the next
    /// [`Reverter::recover`]: for a server reload owed once the committed
    /// files are in place. The actions are first written to `owed/`, then
    /// the checkpoint is committed, then `owed/` becomes `in-progress/`; a
    /// crash at any instant leaves the whole transaction pending (the next
    /// start undoes it and reports its actions) or the checkpoint committed
    /// with its actions owed (the next start reports them), never the
    /// checkpoint with its reload forgotten.
    pub fn commit_keep_actions(mut self, title: &str) -> Result<Option<Checkpoint>, Error> {
        if !self.ready_to_commit()? {
            return Ok(None);
        }
        let owed = self.root.join(workdir::OWED);
        let mut actions = self.manifest.clone();
        actions.entries.retain(|e| matches!(e, Entry::Action(_)));
        actions.title = title.to_string();
        actions.committed = None;
        let staged = fsops::make_dir(&owed, 0o700)
            .at(&owed, "create directory")
            .and_then(|()| manifest::write(&owed, &actions));
        if let Err(e) = staged {
            let _ = fs::remove_dir_all(&owed);
            return Err(e);
        }
        let checkpoint = self.commit_rename()?;
        let in_progress = self.root.join(workdir::IN_PROGRESS);
        fsops::rename(&owed, &in_progress).at(&owed, "keep the actions owed")?;
        Ok(checkpoint)
    }

    /// Refuse a temporary transaction (rolled back) and drop an empty one;
    /// `true` when there is a checkpoint to commit.
    fn ready_to_commit(&mut self) -> Result<bool, Error> {
        if self.manifest.kind == Kind::Temporary {
            let title = self.manifest.title.clone();
            self.rollback_now()?;
            return Err(Error::TemporaryCommit { title });
        }
        if self.manifest.entries.is_empty() {
            self.rollback_now()?;
            return Ok(false);
        }
        Ok(true)
    }

    /// Record the files' final states and rename the transaction into
    /// place as the next checkpoint (the commit point).
    fn commit_rename(&mut self) -> Result<Option<Checkpoint>, Error> {
        for entry in &mut self.manifest.entries {
            if let Entry::Path { path, after, .. } = entry {
                *after = Some(state::after(path)?);
            }
        }
        self.manifest.committed = Some(std::time::SystemTime::now());
        manifest::write(&self.dir, &self.manifest)?;
        let (id, dest) = workdir::next_checkpoint(&self.root, &self.manifest)?;
        // The rename is the commit point.
        fs::rename(&self.dir, &dest).at(&self.dir, "commit checkpoint")?;
        self.done = true;
        failpoint!("commit: renamed").at(&dest, "commit checkpoint")?;
        fsops::sync_dir(&fsops::parent_dir(&dest)).at(&dest, "sync checkpoint directory")?;
        fsops::sync_dir(&self.root).at(&self.root, "sync directory")?;
        Ok(Some(workdir::checkpoint_of(id, dest, &self.manifest)))
    }

    /// Undo every change, newest first, and report what was done.
    pub fn rollback(mut self) -> Result<RollbackSummary, Error> {
        self.rollback_now()
    }

    /// [`Transaction::rollback`], then hand back the reverter the
    /// transaction borrowed, so that a caller keeping a transaction open
    /// across calls (a challenge solver: present, then cleanup) can begin
    /// another one later with the same borrow.
    pub fn rollback_release(mut self) -> (Result<RollbackSummary, Error>, &'r mut Reverter) {
        let result = self.rollback_now();
        let reverter = self
            .reverter
            .take()
            .expect("a transaction holds its reverter until released");
        (result, reverter)
    }

    /// Undo every change, as [`Transaction::rollback_release`] does, but leave
    /// the transaction pending with its undo actions alone, retitled `title`,
    /// and hand back the reverter. The files are as before; the next
    /// [`Reverter::recover`] (or the next start, after a crash) reports the
    /// actions and undoes nothing more, and until then no other transaction can
    /// begin. For an action still owed once the files are back, such as a
    /// server reload: at no instant is its record gone (before the manifest is
    /// rewritten the whole transaction is pending, after it the actions are).
    pub fn rollback_keep_actions(
        mut self,
        title: &str,
    ) -> (Result<RollbackSummary, Error>, &'r mut Reverter) {
        // Finished as an object either way: on failure the whole transaction
        // stays on disk for the next recovery.
        self.done = true;
        let result = undo::undo_keeping_actions(&self.dir, None, title);
        let reverter = self
            .reverter
            .take()
            .expect("a transaction holds its reverter until released");
        (result, reverter)
    }

    fn rollback_now(&mut self) -> Result<RollbackSummary, Error> {
        // Whatever happens, this object is finished: on failure the manifest
        // and backups stay for the next start to retry.
        self.done = true;
        match undo::undo_and_remove(&self.dir, None)? {
            Some((_, summary)) => Ok(summary),
            None => Err(Error::io(
                &self.dir,
                "roll back",
                io::Error::new(
                    io::ErrorKind::NotFound,
                    "the transaction's manifest is gone",
                ),
            )),
        }
    }

    /// Back up and record `path` the first time this transaction touches it.
    fn record_original(&mut self, path: &Path) -> Result<(), Error> {
        if self.touched.contains(path) {
            return Ok(());
        }
        let original = state::capture(path, &self.dir, self.next_backup)?;
        if matches!(original, Original::File(_)) {
            self.next_backup += 1;
        }
        self.push(Entry::Path {
            path: path.to_path_buf(),
            original,
            after: None,
        })?;
        self.touched.insert(path.to_path_buf());
        Ok(())
    }

    /// Record each missing ancestor of `path` as created, then create it.
    fn create_parents(&mut self, path: &Path) -> Result<(), Error> {
        let mut missing = Vec::new();
        let mut dir = path.parent();
        while let Some(d) = dir {
            if lstat(d)?.is_some() {
                break;
            }
            missing.push(d.to_path_buf());
            dir = d.parent();
        }
        for d in missing.into_iter().rev() {
            self.push(Entry::CreatedDir(d.clone()))?;
            fsops::make_dir(&d, 0o755).at(&d, "create directory")?;
        }
        Ok(())
    }

    /// Append an entry and make the manifest durable before anything else.
    fn push(&mut self, entry: Entry) -> Result<(), Error> {
        self.manifest.entries.push(entry);
        if let Err(e) = manifest::write(&self.dir, &self.manifest) {
            // The live path was not touched; forget the entry so a retry
            // records it again.
            self.manifest.entries.pop();
            return Err(e);
        }
        Ok(())
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.done {
            // Errors leave the transaction on disk: the next start retries.
            let _ = self.rollback_now();
        }
    }
}

/// The real file `path` names, through any chain of symbolic links.
fn resolve_for_write(path: &Path) -> Result<PathBuf, Error> {
    let named = key(path)?;
    let target = atomic::resolve_target(&named).map_err(|e| match e.raw_os_error() {
        Some(atomic::ELOOP) => Error::SymlinkLoop {
            path: path.to_path_buf(),
        },
        _ => Error::io(path, "resolve symbolic links", e),
    })?;
    if target == named {
        return Ok(named);
    }
    if lstat(&target)?.is_none() {
        return Err(Error::DanglingSymlink {
            link: path.to_path_buf(),
            target,
        });
    }
    key(&target)
}
