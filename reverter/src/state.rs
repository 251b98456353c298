//! What stands at a path: how it is recorded before a change (with a durable
//! backup of a regular file) and compared after.

use crate::error::{Context, Error};
use crate::fsops;
use crate::manifest::{After, FileBackup, Original};
use crate::model::Node;
use std::fs::{self, File};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The absolute path recorded for `path`: its directory fully resolved
/// (symlinks, `.`, `..`), its last component kept as it is, so a final
/// symlink names the link itself. Directories that do not exist yet are
/// appended to their nearest existing ancestor.
pub(crate) fn key(path: &Path) -> Result<PathBuf, Error> {
    let abs = std::path::absolute(path).at(path, "make the path absolute")?;
    let Some(name) = abs.file_name() else {
        return Err(Error::BadPath {
            path: path.to_path_buf(),
            reason: "does not name a file",
        });
    };
    let parent = abs.parent().unwrap_or(Path::new("/"));
    Ok(canonical_dir(parent, path)?.join(name))
}

fn canonical_dir(dir: &Path, original: &Path) -> Result<PathBuf, Error> {
    let mut existing = dir;
    let mut missing = Vec::new();
    loop {
        match fs::canonicalize(existing) {
            Ok(mut resolved) => {
                resolved.extend(missing.iter().rev());
                return Ok(resolved);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let (Some(name), Some(up)) = (existing.file_name(), existing.parent()) else {
                    return Err(Error::BadPath {
                        path: original.to_path_buf(),
                        reason: "has `..` after a missing directory",
                    });
                };
                missing.push(name);
                existing = up;
            }
            Err(e) => return Err(Error::io(existing, "resolve directory", e)),
        }
    }
}

/// The current metadata of `path` itself, `None` when nothing is there.
pub(crate) fn lstat(path: &Path) -> Result<Option<fs::Metadata>, Error> {
    match fs::symlink_metadata(path) {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, "inspect", e)),
    }
}

/// Refuse what the reverter cannot back up and restore.
pub(crate) fn check_supported(path: &Path, meta: &fs::Metadata) -> Result<(), Error> {
    let ft = meta.file_type();
    if ft.is_dir() {
        return Err(Error::Unsupported {
            path: path.to_path_buf(),
            what: "a directory",
        });
    }
    if !ft.is_file() && !ft.is_symlink() {
        return Err(Error::Unsupported {
            path: path.to_path_buf(),
            what: "a special file (device, socket or pipe)",
        });
    }
    Ok(())
}

/// Record what `path` is now; a regular file is copied to `DIR/backup.ID`
/// and the copy fsynced before this returns.
pub(crate) fn capture(path: &Path, dir: &Path, id: u32) -> Result<Original, Error> {
    let Some(meta) = lstat(path)? else {
        return Ok(Original::Absent);
    };
    check_supported(path, &meta)?;
    if meta.file_type().is_symlink() {
        let target = fs::read_link(path).at(path, "read symbolic link")?;
        return Ok(Original::Link {
            target,
            uid: meta.uid(),
            gid: meta.gid(),
        });
    }
    let mut file = File::open(path).at(path, "open for backup")?;
    let opened = file.metadata().at(path, "inspect")?;
    if (opened.dev(), opened.ino()) != (meta.dev(), meta.ino()) {
        return Err(Error::io(
            path,
            "back up",
            io::Error::other("the file was replaced while being backed up"),
        ));
    }
    let dest = crate::undo::backup_file(dir, id);
    let (len, hash) = fsops::copy_durable(&mut file, &dest).at(&dest, "write backup")?;
    Ok(Original::File(FileBackup {
        id,
        len,
        hash,
        mode: opened.mode() & 0o7777,
        uid: opened.uid(),
        gid: opened.gid(),
        mtime: fsops::mtime_of(&opened),
    }))
}

/// What a transaction left at `path`, recorded at commit.
pub(crate) fn after(path: &Path) -> Result<After, Error> {
    let Some(meta) = lstat(path)? else {
        return Ok(After::Absent);
    };
    let ft = meta.file_type();
    if ft.is_symlink() {
        return Ok(After::Link(
            fs::read_link(path).at(path, "read symbolic link")?,
        ));
    }
    if ft.is_file() {
        let (len, hash) = fsops::hash_file(path).at(path, "read")?;
        return Ok(After::File { len, hash });
    }
    Ok(After::Other)
}

pub(crate) fn node_before(original: &Original) -> Node {
    match original {
        Original::Absent => Node::Absent,
        Original::File(_) => Node::File,
        Original::Link { .. } => Node::Symlink,
    }
}

pub(crate) fn node_after(after: &After) -> Node {
    match after {
        After::Absent => Node::Absent,
        After::File { .. } => Node::File,
        After::Link(_) => Node::Symlink,
        After::Other => Node::Directory,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_resolves_directories_but_not_the_last_component() {
        let scratch = crate::test_support::support::Scratch::new("key");
        let dir = &scratch.path;
        fs::create_dir_all(dir.join("real")).unwrap();
        std::os::unix::fs::symlink("real", dir.join("alias")).unwrap();
        std::os::unix::fs::symlink("elsewhere", dir.join("real/link")).unwrap();
        let canonical = fs::canonicalize(dir).unwrap();
        assert_eq!(
            key(&dir.join("alias/link")).unwrap(),
            canonical.join("real/link")
        );
        assert_eq!(
            key(&dir.join("real/../real/x")).unwrap(),
            canonical.join("real/x")
        );
        assert_eq!(
            key(&dir.join("alias/new/deeper/f")).unwrap(),
            canonical.join("real/new/deeper/f")
        );
        assert!(matches!(
            key(&dir.join("missing/../f")),
            Err(Error::BadPath { .. })
        ));
        assert!(matches!(key(Path::new("/")), Err(Error::BadPath { .. })));
    }
}
