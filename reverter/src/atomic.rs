//! Atomic replacement of one file.
//!
//! The sequence is the classic one: resolve the real target through any
//! symlink chain, write a temp file in the target's directory, copy mode and
//! owner from the old file, fsync the temp file, rename it over the target,
//! fsync the directory. A reader sees either the whole old file or the whole
//! new one, and after a crash the same holds.
//!
//! A file with several hard links is replaced by a new inode: the other names
//! keep the old content (as with every rename-based editor).

use crate::fsops::{self, Attrs};
use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

pub use crate::fsops::sync_dir;

/// Permissions for a file that does not exist yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewFileMode(pub u32);

impl Default for NewFileMode {
    fn default() -> Self {
        NewFileMode(0o644)
    }
}

/// How many links a chain may have before it counts as a loop (as Linux).
const MAX_LINKS: usize = 40;
/// Linux's errno for a symlink loop; `io::ErrorKind::FilesystemLoop` is not
/// stable yet.
pub(crate) const ELOOP: i32 = 40;

/// Follow a symlink chain to the file that would really be written.
///
/// A dangling final link resolves to the path it points at (so writing
/// creates the file there, as `echo > link` would). Relative link targets are
/// taken relative to the link's directory. Loops are reported as an error of
/// `ELOOP` ("too many levels of symbolic links").
pub fn resolve_target(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::from_raw_os_error(ELOOP))
}

/// Atomically replace (or create) `path` with `data`.
///
/// Returns `Ok(false)` without touching anything when the file already holds
/// exactly `data`. An existing file keeps its mode and owner; a new file gets
/// `new_mode`.
pub fn write_atomic(path: &Path, data: &[u8], new_mode: NewFileMode) -> io::Result<bool> {
    let target = resolve_target(path)?;
    let old_meta = match fs::metadata(&target) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    if let Some(meta) = &old_meta
        && meta.is_file()
        && meta.len() == data.len() as u64
        && fs::read(&target)? == data
    {
        return Ok(false);
    }
    let attrs = match &old_meta {
        Some(meta) => Attrs {
            mode: meta.mode() & 0o7777,
            owner: Some((meta.uid(), meta.gid())),
            // Only root may give a file away; keep going when the owner is already us.
            owner_strict: false,
            mtime: None,
        },
        None => Attrs::mode(new_mode.0),
    };
    fsops::replace_file(&target, data, &attrs)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    use crate::test_support::support::Scratch;

    #[test]
    fn replaces_content_and_keeps_mode() {
        let scratch = Scratch::new("atomic-mode");
        let dir = &scratch.path;
        let file = dir.join("a.conf");
        fs::write(&file, b"old").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).unwrap();
        assert!(write_atomic(&file, b"new content", NewFileMode::default()).unwrap());
        assert_eq!(fs::read(&file).unwrap(), b"new content");
        assert_eq!(fs::metadata(&file).unwrap().mode() & 0o7777, 0o640);
        assert_eq!(fs::read_dir(dir).unwrap().count(), 1, "no temp file left");
    }

    #[test]
    fn identical_content_is_not_rewritten() {
        let scratch = Scratch::new("atomic-same");
        let dir = &scratch.path;
        let file = dir.join("a.conf");
        fs::write(&file, b"same").unwrap();
        let before = fs::metadata(&file).unwrap().ino();
        assert!(!write_atomic(&file, b"same", NewFileMode::default()).unwrap());
        assert_eq!(fs::metadata(&file).unwrap().ino(), before);
    }

    #[test]
    fn writes_through_symlink_chain_and_keeps_links() {
        let scratch = Scratch::new("atomic-link");
        let dir = &scratch.path;
        fs::write(dir.join("real"), b"x").unwrap();
        std::os::unix::fs::symlink("real", dir.join("l1")).unwrap();
        std::os::unix::fs::symlink(dir.join("l1"), dir.join("l2")).unwrap();
        write_atomic(&dir.join("l2"), b"through", NewFileMode::default()).unwrap();
        assert!(
            fs::symlink_metadata(dir.join("l2"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(
            fs::symlink_metadata(dir.join("l1"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(dir.join("real")).unwrap(), b"through");
    }

    #[test]
    fn new_file_gets_requested_mode() {
        let scratch = Scratch::new("atomic-new");
        let dir = &scratch.path;
        let file = dir.join("key.pem");
        write_atomic(&file, b"secret", NewFileMode(0o600)).unwrap();
        assert_eq!(fs::metadata(&file).unwrap().mode() & 0o7777, 0o600);
    }

    #[test]
    fn symlink_loop_is_an_error() {
        let scratch = Scratch::new("atomic-loop");
        let dir = &scratch.path;
        std::os::unix::fs::symlink("b", dir.join("a")).unwrap();
        std::os::unix::fs::symlink("a", dir.join("b")).unwrap();
        let err = write_atomic(&dir.join("a"), b"x", NewFileMode::default()).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(ELOOP));
    }

    #[test]
    fn keeps_owner_of_replaced_file() {
        if !crate::test_support::is_root() {
            eprintln!("skipped: needs root to give files away");
            return;
        }
        let scratch = Scratch::new("atomic-owner");
        let dir = &scratch.path;
        let file = dir.join("a.conf");
        fs::write(&file, b"old").unwrap();
        std::os::unix::fs::chown(&file, Some(4321), Some(8765)).unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o2750)).unwrap();
        write_atomic(&file, b"new", NewFileMode::default()).unwrap();
        let meta = fs::metadata(&file).unwrap();
        assert_eq!(
            (meta.uid(), meta.gid(), meta.mode() & 0o7777),
            (4321, 8765, 0o2750)
        );
    }
}
