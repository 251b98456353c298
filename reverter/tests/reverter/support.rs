//! Shared by the integration tests and the crate's unit tests (std and
//! `tempfile`): scratch directories, tree snapshots, mounts, child processes.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Temp dirs, the PRNG and the root check are the ones every test binary
/// of the workspace shares.
#[path = "../../../tests/support/common.rs"]
mod common;
#[allow(unused_imports)] // the unit tests use some of them, the integration tests others
pub use common::{Rng, TempDir, is_root, require_root};

/// A fresh, empty directory under the system temp dir, removed on drop.
pub struct Scratch {
    pub path: PathBuf,
    dir: TempDir,
}

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = TempDir::new(&format!("reverter-{name}"));
        Scratch {
            path: dir.path().to_path_buf(),
            dir,
        }
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.path.join(rel)
    }
}

/// Everything observable about one path.
#[derive(Clone, PartialEq, Eq)]
pub enum Item {
    File {
        content: Vec<u8>,
        mode: u32,
        uid: u32,
        gid: u32,
        mtime: (i64, i64),
    },
    Link {
        target: PathBuf,
        uid: u32,
        gid: u32,
    },
    Dir {
        mode: u32,
        uid: u32,
        gid: u32,
    },
    /// A device, socket or pipe (never opened: a FIFO would block).
    Special {
        mode: u32,
    },
}

impl Item {
    /// The same file ignoring its time stamp (what "wholly old or wholly
    /// new" compares while a transaction is under way).
    pub fn same_content(&self, other: &Item) -> bool {
        match (self, other) {
            (
                Item::File {
                    content,
                    mode,
                    uid,
                    gid,
                    ..
                },
                Item::File {
                    content: c2,
                    mode: m2,
                    uid: u2,
                    gid: g2,
                    ..
                },
            ) => (content, mode, uid, gid) == (c2, m2, u2, g2),
            _ => self == other,
        }
    }
}

impl std::fmt::Debug for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Item::File {
                content,
                mode,
                uid,
                gid,
                mtime,
            } => write!(
                f,
                "file {:?} mode {mode:o} owner {uid}:{gid} mtime {}.{:09}",
                String::from_utf8_lossy(content),
                mtime.0,
                mtime.1
            ),
            Item::Link { target, uid, gid } => {
                write!(f, "link -> {} owner {uid}:{gid}", target.display())
            }
            Item::Dir { mode, uid, gid } => write!(f, "dir mode {mode:o} owner {uid}:{gid}"),
            Item::Special { mode } => write!(f, "special file mode {mode:o}"),
        }
    }
}

pub type Tree = BTreeMap<PathBuf, Item>;

/// Every path under `root` (relative), not following symlinks.
pub fn snapshot(root: &Path) -> Tree {
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut Tree) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let meta = fs::symlink_metadata(&path).expect("lstat");
        let rel = path.strip_prefix(root).expect("under root").to_path_buf();
        let item = if meta.file_type().is_symlink() {
            Item::Link {
                target: fs::read_link(&path).expect("readlink"),
                uid: meta.uid(),
                gid: meta.gid(),
            }
        } else if meta.is_dir() {
            walk(root, &path, out);
            Item::Dir {
                mode: meta.permissions().mode() & 0o7777,
                uid: meta.uid(),
                gid: meta.gid(),
            }
        } else if !meta.is_file() {
            Item::Special { mode: meta.mode() }
        } else {
            Item::File {
                content: fs::read(&path).expect("read"),
                mode: meta.permissions().mode() & 0o7777,
                uid: meta.uid(),
                gid: meta.gid(),
                mtime: (meta.mtime(), meta.mtime_nsec()),
            }
        };
        out.insert(rel, item);
    }
}

/// Describe how two trees differ (empty when equal).
pub fn diff(expected: &Tree, actual: &Tree) -> Vec<String> {
    let mut out = Vec::new();
    for (path, item) in expected {
        match actual.get(path) {
            None => out.push(format!("{}: missing (expected {item:?})", path.display())),
            Some(other) if other != item => out.push(format!(
                "{}: expected {item:?}\n      found {other:?}",
                path.display()
            )),
            Some(_) => {}
        }
    }
    for (path, item) in actual {
        if !expected.contains_key(path) {
            out.push(format!("{}: unexpected {item:?}", path.display()));
        }
    }
    out
}

/// A file system mounted for one test; unmounted on drop.
pub struct Mount {
    pub dir: PathBuf,
}

impl Mount {
    /// `mount -t tmpfs -o OPTIONS tmpfs DIR`
    pub fn tmpfs(dir: &Path, options: &str) -> Mount {
        fs::create_dir_all(dir).expect("mount point");
        run(
            "mount",
            &[
                "-t",
                "tmpfs",
                "-o",
                options,
                "tmpfs",
                &dir.display().to_string(),
            ],
        );
        Mount {
            dir: dir.to_path_buf(),
        }
    }

    pub fn remount(&self, options: &str) {
        run(
            "mount",
            &[
                "-o",
                &format!("remount,{options}"),
                &self.dir.display().to_string(),
            ],
        );
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let dir = self.dir.display().to_string();
        if !Command::new("umount")
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success())
        {
            let _ = Command::new("umount").args(["-l", &dir]).status();
        }
    }
}

/// Run a command that must succeed.
pub fn run(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().expect("spawn");
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
