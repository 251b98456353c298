//! Atomic replacement of one file.
//!
//! The sequence is the classic one: resolve the real target through any
//! symlink chain, write a temp file in the target's directory, copy mode and
//! owner from the old file, fsync the temp file, rename it over the target,
//! fsync the directory. A reader sees either the whole old file or the whole
//! new one, and after a crash the same holds.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Permissions for a file that does not exist yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewFileMode(pub u32);

impl Default for NewFileMode {
    fn default() -> Self {
        NewFileMode(0o644)
    }
}

/// Follow a symlink chain to the file that would really be written.
///
/// A dangling final link resolves to the path it points at (so writing
/// creates the file there, as `echo > link` would). Relative link targets are
/// taken relative to the link's directory. Loops are reported as an error.
pub fn resolve_target(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
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
    Err(io::Error::other(format!(
        "too many levels of symbolic links at {}",
        path.display()
    )))
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
    if let Some(meta) = &old_meta {
        if meta.is_file() && meta.len() == data.len() as u64 && fs::read(&target)? == data {
            return Ok(false);
        }
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let (tmp_path, mut tmp) = create_temp_beside(&dir, &target)?;
    let result = (|| {
        tmp.write_all(data)?;
        match &old_meta {
            Some(meta) => {
                tmp.set_permissions(fs::Permissions::from_mode(meta.mode() & 0o7777))?;
                // Only root may give a file away; keep going when the owner is already us.
                if let Err(e) = std::os::unix::fs::fchown(&tmp, Some(meta.uid()), Some(meta.gid())) {
                    let me = fs::metadata(&tmp_path)?;
                    if me.uid() != meta.uid() || me.gid() != meta.gid() {
                        return Err(e);
                    }
                }
            }
            None => tmp.set_permissions(fs::Permissions::from_mode(new_mode.0))?,
        }
        tmp.sync_all()?;
        fs::rename(&tmp_path, &target)?;
        sync_dir(&dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp_path);
    }
    result.map(|()| true)
}

/// fsync a directory so a rename or create inside it is durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

fn create_temp_beside(dir: &Path, target: &Path) -> io::Result<(PathBuf, File)> {
    let stem = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let pid = std::process::id();
    for attempt in 0..1000u32 {
        let candidate = dir.join(format!(".{stem}.certsmith-tmp.{pid}.{attempt}"));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&candidate)
        {
            Ok(file) => return Ok((candidate, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!(
        "could not create a temporary file in {}",
        dir.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("reverter-atomic-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn replaces_content_and_keeps_mode() {
        let dir = scratch("mode");
        let file = dir.join("a.conf");
        fs::write(&file, b"old").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).unwrap();
        assert!(write_atomic(&file, b"new content", NewFileMode::default()).unwrap());
        assert_eq!(fs::read(&file).unwrap(), b"new content");
        assert_eq!(fs::metadata(&file).unwrap().mode() & 0o7777, 0o640);
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1, "no temp file left");
    }

    #[test]
    fn identical_content_is_not_rewritten() {
        let dir = scratch("same");
        let file = dir.join("a.conf");
        fs::write(&file, b"same").unwrap();
        let before = fs::metadata(&file).unwrap().ino();
        assert!(!write_atomic(&file, b"same", NewFileMode::default()).unwrap());
        assert_eq!(fs::metadata(&file).unwrap().ino(), before);
    }

    #[test]
    fn writes_through_symlink_chain_and_keeps_links() {
        let dir = scratch("link");
        fs::write(dir.join("real"), b"x").unwrap();
        std::os::unix::fs::symlink("real", dir.join("l1")).unwrap();
        std::os::unix::fs::symlink(dir.join("l1"), dir.join("l2")).unwrap();
        write_atomic(&dir.join("l2"), b"through", NewFileMode::default()).unwrap();
        assert!(fs::symlink_metadata(dir.join("l2")).unwrap().file_type().is_symlink());
        assert!(fs::symlink_metadata(dir.join("l1")).unwrap().file_type().is_symlink());
        assert_eq!(fs::read(dir.join("real")).unwrap(), b"through");
    }

    #[test]
    fn new_file_gets_requested_mode() {
        let dir = scratch("new");
        let file = dir.join("key.pem");
        write_atomic(&file, b"secret", NewFileMode(0o600)).unwrap();
        assert_eq!(fs::metadata(&file).unwrap().mode() & 0o7777, 0o600);
    }

    #[test]
    fn symlink_loop_is_an_error() {
        let dir = scratch("loop");
        std::os::unix::fs::symlink("b", dir.join("a")).unwrap();
        std::os::unix::fs::symlink("a", dir.join("b")).unwrap();
        assert!(write_atomic(&dir.join("a"), b"x", NewFileMode::default()).is_err());
    }
}
