//! What a killed save of a new lineage (or a killed delete) leaves, and
//! removing it.
//!
//! [`super::create`] builds a lineage under temporary names and writes the
//! pending conf (`renewal/.NAME.conf.new`) before anything else; its
//! `renewal/NAME.conf` appears last. So after a kill:
//!
//! - `archive/.NAME.new`, `live/.NAME.new`: half-built, under names only
//!   certsmith uses: removed;
//! - `archive/NAME`, `live/NAME` with the pending conf and no `NAME.conf`:
//!   the unfinished save's (it refused to start while they existed): removed,
//!   so the retry gets `NAME` again rather than `NAME-0001`. The certificate
//!   in them was never part of a lineage: no tool listed, renewed or
//!   deployed it, just as when a save fails and removes what it made;
//! - the pending conf itself: removed last, so a kill during recovery
//!   leaves what still proves the rest unfinished.
//!
//! `Lineage::delete` withdraws a conf by renaming it to the pending name
//! first, so a killed delete leaves the same state and is finished the same
//! way.
//!
//! `archive/NAME` or `live/NAME` without any conf and without the pending
//! one (a crash of Certbot or of an older certsmith, or a conf deleted by
//! hand) is not ours to remove: [`super::preflight`] names it before an order.

use super::create::{Staging, TMP_SUFFIX};
use super::validate_name;
use crate::storage::StorageError;
use crate::storage::fsutil::{fail_point, sync_dir};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// What recovery removed for one lineage name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    pub name: String,
    pub removed: Vec<PathBuf>,
}

impl std::fmt::Display for Recovered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let paths: Vec<String> = self
            .removed
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        write!(
            f,
            "removed what an interrupted save or delete of certificate {:?} left ({})",
            self.name,
            paths.join(", ")
        )
    }
}

/// Remove the leftovers of every interrupted new-lineage save (or delete) under
/// `config_dir`. Call with the config dir locked.
pub fn recover_interrupted(config_dir: &Path) -> Result<Vec<Recovered>, StorageError> {
    let mut recovered = Vec::new();
    for name in interrupted_names(config_dir)? {
        let removed = recover(&Staging::new(config_dir, &name))?;
        if !removed.is_empty() {
            recovered.push(Recovered { name, removed });
        }
    }
    Ok(recovered)
}

/// Names with a temporary (`.NAME.new`, `.NAME.conf.new`) in `archive/`,
/// `live/` or `renewal/`.
fn interrupted_names(config_dir: &Path) -> Result<BTreeSet<String>, StorageError> {
    let conf_suffix = format!(".conf{TMP_SUFFIX}");
    let mut names = BTreeSet::new();
    for (sub, suffix) in [
        ("archive", TMP_SUFFIX),
        ("live", TMP_SUFFIX),
        ("renewal", conf_suffix.as_str()),
    ] {
        for file in dir_names(&config_dir.join(sub))? {
            let name = file
                .strip_prefix('.')
                .and_then(|rest| rest.strip_suffix(suffix));
            if let Some(name) = name.filter(|n| validate_name(n).is_ok()) {
                names.insert(name.to_string());
            }
        }
    }
    Ok(names)
}

fn dir_names(dir: &Path) -> Result<Vec<String>, StorageError> {
    match fs::read_dir(dir) {
        Ok(entries) => Ok(entries
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(StorageError::io(dir, e)),
    }
}

/// Recover one name; the paths removed.
fn recover(s: &Staging) -> Result<Vec<PathBuf>, StorageError> {
    let unfinished = present(&s.conf_tmp) && !present(&s.conf);
    let mut doomed: Vec<&Path> = Vec::new();
    if unfinished {
        doomed.extend([s.live.as_path(), s.archive.as_path()]);
    }
    doomed.extend(s.temporaries());
    let mut removed = Vec::new();
    for path in doomed {
        if remove_path(path)? {
            removed.push(path.to_path_buf());
        }
    }
    Ok(removed)
}

fn present(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Remove `path` (a directory with its contents, or a file or symlink,
/// never following a link) and make the removal durable; `false` when it
/// was not there.
pub(super) fn remove_path(path: &Path) -> Result<bool, StorageError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(StorageError::io(path, e)),
    };
    let result = if meta.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    };
    result.map_err(|e| StorageError::io(path, e))?;
    fail_point("remove_path: removed", path)?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))?;
    Ok(true)
}
