//! Small file-system steps the lineage and account stores repeat, each
//! followed by a fail point (see [`fail_point`]).

use super::StorageError;
use std::fs;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;

/// Create `dir` (and parents) with `mode` if missing; an existing directory is left alone.
pub fn make_dir(dir: &Path, mode: u32) -> Result<(), StorageError> {
    if dir.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(mode)
        .create(dir)
        .map_err(|e| StorageError::io(dir, e))?;
    fail_point("make_dir: created", dir)?;
    // The umask may have narrowed the mode; set exactly what Certbot has.
    fs::set_permissions(dir, fs::Permissions::from_mode(mode))
        .map_err(|e| StorageError::io(dir, e))?;
    fail_point("make_dir: mode set", dir)
}

/// A numbered place after one step of a store's write, where the crash
/// tests kill the debug binary or inject an I/O error
/// (`CERTSMITH_FAILPOINT`, see `reverter/src/failpoint.rs`); nothing in a
/// release build.
pub fn fail_point(name: &str, path: &Path) -> Result<(), StorageError> {
    reverter::fail_point(name).map_err(|e| StorageError::io(path, e))
}

pub fn write_file(path: &Path, data: &[u8], mode: u32) -> Result<(), StorageError> {
    reverter::write_atomic(path, data, reverter::NewFileMode(mode))
        .map_err(|e| StorageError::io(path, e))?;
    Ok(())
}

/// Point `link` at `target` atomically: a temporary symlink beside it is
/// renamed over it, so readers see the old target or the new one, never none.
// TODO(reverter): move onto the reverter's symlink API when it exists.
pub fn replace_symlink(target: &Path, link: &Path) -> Result<(), StorageError> {
    let dir = link.parent().unwrap_or(Path::new("."));
    let name = link
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.certsmith-tmp.{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp).map_err(|e| StorageError::io(&tmp, e))?;
    let switched = fail_point("replace_symlink: temp link created", &tmp)
        .and_then(|()| fs::rename(&tmp, link).map_err(|e| StorageError::io(link, e)));
    if let Err(e) = switched {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    fail_point("replace_symlink: renamed", link)?;
    sync_dir(dir)
}

/// Make `dir`'s entries (renames, new files) durable.
pub fn sync_dir(dir: &Path) -> Result<(), StorageError> {
    reverter::atomic::sync_dir(dir).map_err(|e| StorageError::io(dir, e))?;
    fail_point("sync_dir: synced", dir)
}

/// Rename `from` to `to`, which must not exist (a file or directory someone
/// put there meanwhile is never replaced), and make it durable.
pub fn rename_new(from: &Path, to: &Path) -> Result<(), StorageError> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
        Ok(()) => {}
        // A file system without RENAME_NOREPLACE (NFS, some FUSE): the
        // caller checked under the config dir's lock that `to` is absent.
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS)
            if fs::symlink_metadata(to).is_err() =>
        {
            fs::rename(from, to).map_err(|e| StorageError::io(to, e))?;
        }
        Err(e) => return Err(StorageError::io(to, e.into())),
    }
    fail_point("rename_new: renamed", to)?;
    sync_dir(to.parent().unwrap_or(Path::new(".")))
}
