//! Undoing a transaction directory: replay its manifest backwards, putting
//! every path back as it was, then delete the directory.
//!
//! The same code serves `Transaction::rollback`, a dropped transaction,
//! start-up recovery and checkpoint rollback, and it is idempotent: each step
//! first checks whether the path is already as it was, so replaying after a
//! crash half-way (or twice) gives the same result.

use crate::error::{Context, Error};
use crate::fsops::{self, Attrs, DirRemoval, Fnv};
use crate::manifest::{self, Entry, FileBackup, Manifest, Original};
use crate::model::RollbackSummary;
use crate::state::{self, lstat};
use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Undone transaction directories are renamed to `discard.*` beside
/// `in-progress/` before being deleted, so a crash while deleting never
/// leaves a half-deleted transaction to replay.
const DISCARD_PREFIX: &str = "discard.";

/// Undo the transaction in `dir`, then remove `dir`. `Ok(None)` when `dir`
/// held no manifest (a transaction that crashed before its first record,
/// or whose clean-up was interrupted): it is removed.
///
/// On failure `dir` is kept whole (manifest and backups) for the next try.
pub(crate) fn undo_and_remove(
    dir: &Path,
    id: Option<u64>,
) -> Result<Option<(Manifest, RollbackSummary)>, Error> {
    let Some(done) = undo_in_place(dir, id)? else {
        discard_without_manifest(dir)?;
        return Ok(None);
    };
    discard(dir)?;
    Ok(Some(done))
}

/// Undo the file changes of the transaction in `dir`, then leave it in place
/// holding only its undo actions, titled `title`: the manifest is rewritten
/// (both copies, each atomically), so a crash at any instant leaves either the
/// whole transaction or its actions alone for the next recovery, which undoes
/// what is left and reports the actions. On failure `dir` is kept whole.
pub(crate) fn undo_keeping_actions(
    dir: &Path,
    id: Option<u64>,
    title: &str,
) -> Result<RollbackSummary, Error> {
    let Some((mut m, summary)) = undo_in_place(dir, id)? else {
        return Err(Error::io(
            dir,
            "roll back",
            io::Error::new(
                io::ErrorKind::NotFound,
                "the transaction's manifest is gone",
            ),
        ));
    };
    m.entries.retain(|e| matches!(e, Entry::Action(_)));
    m.title = title.to_string();
    manifest::write(dir, &m)?;
    Ok(summary)
}

/// Undo every record of the transaction in `dir`, newest first; the directory
/// stays. `Ok(None)`: no manifest.
fn undo_in_place(
    dir: &Path,
    id: Option<u64>,
) -> Result<Option<(Manifest, RollbackSummary)>, Error> {
    let Some(loaded) = manifest::read(dir)? else {
        return Ok(None);
    };
    let m = loaded.manifest;
    let mut summary = RollbackSummary {
        id,
        title: m.title.clone(),
        kind: m.kind,
        started: m.started,
        committed: m.committed,
        restored: vec![],
        removed: vec![],
        removed_dirs: vec![],
        kept_dirs: vec![],
        actions: vec![],
        notes: loaded.notes,
    };
    let mut failures = Vec::new();
    remove_stale_temps(&m, &mut summary, &mut failures);
    for entry in m.entries.iter().rev() {
        if let Err(e) = undo_entry(entry, dir, &mut summary) {
            failures.push(e);
        }
    }
    if !failures.is_empty() {
        return Err(Error::Incomplete {
            dir: dir.to_path_buf(),
            failures,
        });
    }
    Ok(Some((m, summary)))
}

/// A killed writer leaves its temp file beside the target: remove those of
/// every path the transaction touched (before directories are removed).
fn remove_stale_temps(m: &Manifest, summary: &mut RollbackSummary, failures: &mut Vec<Error>) {
    for entry in &m.entries {
        if let Entry::Path { path, .. } = entry {
            match fsops::remove_stale_temps(path) {
                Ok(0) => {}
                Ok(n) => summary.notes.push(format!(
                    "removed {n} temporary file(s) an interrupted write left beside {}",
                    path.display()
                )),
                Err(e) => failures.push(Error::io(path, "remove temporary files beside", e)),
            }
        }
    }
}

fn undo_entry(entry: &Entry, dir: &Path, summary: &mut RollbackSummary) -> Result<(), Error> {
    match entry {
        Entry::Action(action) => summary.actions.push(action.clone()),
        Entry::CreatedDir(dir) => match fsops::remove_empty_dir(dir).at(dir, "remove directory")? {
            DirRemoval::Removed => summary.removed_dirs.push(dir.clone()),
            DirRemoval::NotEmpty => summary.kept_dirs.push(dir.clone()),
            DirRemoval::Absent => {}
        },
        Entry::Path { path, original, .. } => match restore(path, original, dir)? {
            Outcome::Restored => summary.restored.push(path.clone()),
            Outcome::Removed => summary.removed.push(path.clone()),
            Outcome::Unchanged => {}
        },
    }
    Ok(())
}

enum Outcome {
    Restored,
    Removed,
    Unchanged,
}

fn restore(path: &Path, original: &Original, dir: &Path) -> Result<Outcome, Error> {
    let current = lstat(path)?;
    if let Some(meta) = &current
        && meta.is_dir()
    {
        // Never delete or replace a directory someone put there since.
        return Err(Error::Unsupported {
            path: path.to_path_buf(),
            what: "now a directory (it was not when the change was made); it was left alone",
        });
    }
    match original {
        Original::Absent => match current {
            None => Ok(Outcome::Unchanged),
            Some(_) => {
                fsops::remove(path).at(path, "remove")?;
                Ok(Outcome::Removed)
            }
        },
        Original::Link { target, uid, gid } => {
            if let Some(meta) = &current {
                let same = meta.file_type().is_symlink()
                    && (meta.uid(), meta.gid()) == (*uid, *gid)
                    && fs::read_link(path).at(path, "read symbolic link")? == *target;
                if same {
                    return Ok(Outcome::Unchanged);
                }
            }
            fsops::replace_symlink(path, target, Some((*uid, *gid)))
                .at(path, "restore symbolic link")?;
            Ok(Outcome::Restored)
        }
        Original::File(backup) => restore_file(path, current.as_ref(), backup, dir),
    }
}

fn restore_file(
    path: &Path,
    current: Option<&fs::Metadata>,
    b: &FileBackup,
    dir: &Path,
) -> Result<Outcome, Error> {
    let mtime = fsops::system_time(b.mtime.0, b.mtime.1);
    if let Some(meta) = current {
        let same_meta = meta.is_file()
            && meta.len() == b.len
            && meta.mode() & 0o7777 == b.mode
            && (meta.uid(), meta.gid()) == (b.uid, b.gid);
        if same_meta && fsops::hash_file(path).at(path, "read")? == (b.len, b.hash) {
            // Content as it was (never replaced, or already restored): at
            // most the time stamp needs putting back.
            if fsops::mtime_of(meta) != b.mtime {
                fsops::set_mtime(path, mtime).at(path, "restore modification time")?;
            }
            return Ok(Outcome::Unchanged);
        }
    }
    let backup_path = backup_file(dir, b.id);
    let data = fs::read(&backup_path).at(&backup_path, "read backup")?;
    if data.len() as u64 != b.len || Fnv::of(&data) != b.hash {
        return Err(Error::CorruptBackup {
            backup: backup_path,
            original: path.to_path_buf(),
        });
    }
    let attrs = Attrs {
        mode: b.mode,
        owner: Some((b.uid, b.gid)),
        owner_strict: false,
        mtime: Some(mtime),
    };
    fsops::replace_file(path, &data, &attrs).at(path, "restore file")?;
    Ok(Outcome::Restored)
}

/// Where a transaction keeps the backup numbered `id`.
pub(crate) fn backup_file(dir: &Path, id: u32) -> PathBuf {
    dir.join(format!("backup.{id}"))
}

/// Finish with an undone transaction directory: one rename takes it out of
/// the way (the point after which nothing is replayed), then it is deleted.
fn discard(dir: &Path) -> Result<(), Error> {
    let parent = fsops::parent_dir(dir);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let trash = parent.join(format!("{DISCARD_PREFIX}{}.{nanos}", std::process::id()));
    fsops::rename(dir, &trash).at(dir, "retire transaction directory")?;
    // Left over if this fails or is interrupted; the next start deletes it.
    let _ = fs::remove_dir_all(&trash);
    Ok(())
}

/// Delete retired transaction directories a crash left behind.
pub(crate) fn remove_discarded(root: &Path) -> Result<(), Error> {
    let entries = match fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(root, "list", e)),
    };
    for entry in entries {
        let entry = entry.at(root, "list")?;
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(DISCARD_PREFIX)
        {
            fs::remove_dir_all(entry.path())
                .at(entry.path(), "remove retired transaction directory")?;
        }
    }
    Ok(())
}

/// A transaction directory without a manifest holds nothing that was ever
/// relied on (a crash came before the first manifest), unless it holds
/// backups: then it was tampered with; keep it and say so.
fn discard_without_manifest(dir: &Path) -> Result<(), Error> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(dir, "list", e)),
    };
    for entry in entries {
        let entry = entry.at(dir, "list")?;
        if entry.file_name().to_string_lossy().starts_with("backup.") {
            return Err(Error::OrphanedBackups {
                dir: dir.to_path_buf(),
            });
        }
    }
    discard(dir)
}

/// What a manifest says a transaction changed, for listings.
pub(crate) fn changes(m: &Manifest) -> Vec<crate::model::Change> {
    use crate::model::{Change, Node};
    m.entries
        .iter()
        .filter_map(|e| match e {
            Entry::Path {
                path,
                original,
                after,
            } => {
                let before = state::node_before(original);
                let after = after.as_ref().map_or(Node::File, state::node_after);
                (before != Node::Absent || after != Node::Absent).then(|| Change {
                    path: path.clone(),
                    before,
                    after,
                })
            }
            Entry::CreatedDir(path) => Some(Change {
                path: path.clone(),
                before: Node::Absent,
                after: Node::Directory,
            }),
            Entry::Action(_) => None,
        })
        .collect()
}
