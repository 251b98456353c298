//! [`Plan`]: one change to an Apache configuration, built in memory and written as one
//! reverter transaction: edits to loaded files (and files created, added to the same
//! [`Loaded`] so later steps see their virtual hosts), whole files of certsmith's own
//! (TLS settings, challenge tokens), symbolic links (Debian's `mods-enabled`,
//! `sites-enabled`) and the undo actions that describe them.

use super::layout::Layout;
use super::loaded::{FileId, Loaded};
use crate::syntax::apache::Document;
use reverter::{NewFileMode, Transaction, UndoAction};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A whole file certsmith writes (not a user's configuration file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    pub mode: u32,
}

/// A symbolic link to create (`link` -> `target`, stored as given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub link: PathBuf,
    pub target: PathBuf,
}

/// One change to write.
#[derive(Debug, Clone)]
pub struct Plan {
    pub layout: Layout,
    pub loaded: Loaded,
    created: BTreeSet<FileId>,
    pub extra: Vec<ExtraFile>,
    pub links: Vec<Link>,
    pub actions: Vec<UndoAction>,
    /// What the user should know about the planned change.
    pub notes: Vec<String>,
}

/// Why a plan could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Reverter(#[from] reverter::Error),
    #[error("{}: cannot read it again before writing: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "{}: changed on disk while certsmith worked; nothing was written, run certsmith again",
        .0.display()
    )]
    Changed(PathBuf),
    #[error("{}: cannot write there: {error}", path.display())]
    NotWritable {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl Plan {
    pub fn new(layout: Layout, loaded: Loaded) -> Plan {
        Plan {
            layout,
            loaded,
            created: BTreeSet::new(),
            extra: Vec::new(),
            links: Vec::new(),
            actions: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// A configuration file to create, added to [`Plan::loaded`].
    pub fn create_file(&mut self, path: PathBuf, tree: Document) -> FileId {
        let id = self.loaded.add_file(path, tree);
        self.created.insert(id);
        id
    }

    pub fn is_created(&self, file: FileId) -> bool {
        self.created.contains(&file)
    }

    /// Is a path already planned (created, written, or a link)?
    pub fn plans_path(&self, path: &Path) -> bool {
        self.created
            .iter()
            .filter_map(|&f| self.loaded.file(f))
            .any(|f| f.path == path)
            || self.extra.iter().any(|e| e.path == path)
            || self.links.iter().any(|l| l.link == path)
    }

    pub fn add_link(&mut self, link: PathBuf, target: PathBuf) {
        if !self.links.iter().any(|l| l.link == link) {
            self.links.push(Link { link, target });
        }
    }

    pub fn add_action(&mut self, action: UndoAction) {
        if !self.actions.contains(&action) {
            self.actions.push(action);
        }
    }

    /// Nothing to write.
    pub fn is_empty(&self) -> bool {
        self.extra.is_empty() && self.links.is_empty() && self.file_changes().is_empty()
    }

    /// Configuration files whose bytes change: (path, before (`None`: created), after).
    pub fn file_changes(&self) -> Vec<(PathBuf, Option<Vec<u8>>, Vec<u8>)> {
        self.loaded
            .files()
            .iter()
            .enumerate()
            .filter_map(|(id, f)| {
                let now = f.tree.print();
                if self.created.contains(&id) {
                    Some((f.path.clone(), None, now))
                } else {
                    (now != f.original).then(|| (f.path.clone(), Some(f.original.clone()), now))
                }
            })
            .collect()
    }

    /// Every path this plan writes (files, certsmith's own files, links).
    pub fn paths(&self) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = self.file_changes().into_iter().map(|c| c.0).collect();
        out.extend(self.extra.iter().map(|e| e.path.clone()));
        out.extend(self.links.iter().map(|l| l.link.clone()));
        out
    }

    /// Refuse up front when a file or directory cannot be written (read-only mount,
    /// immutable file), so that the usual failure is reported before anything changed.
    /// (The transaction would undo a failure half-way anyway.)
    pub fn check_writable(&self) -> Result<(), WriteError> {
        for path in self.paths() {
            let target = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            let result = if target.symlink_metadata().is_ok_and(|m| m.is_file()) {
                std::fs::OpenOptions::new()
                    .append(true)
                    .open(&target)
                    .map(drop)
            } else {
                writable_dir(&target)
            };
            result.map_err(|error| WriteError::NotWritable {
                path: path.clone(),
                error,
            })?;
        }
        Ok(())
    }

    /// Write everything through `tx`. Files read at load time must still hold what was
    /// read (another program may have changed them since).
    pub fn write(&self, tx: &mut Transaction<'_>) -> Result<(), WriteError> {
        for (path, before, after) in self.file_changes() {
            match before {
                Some(before) => {
                    let now = std::fs::read(&path).map_err(|error| WriteError::Read {
                        path: path.clone(),
                        error,
                    })?;
                    if now != before {
                        return Err(WriteError::Changed(path));
                    }
                    tx.write(&path, &after)?;
                }
                None => tx.create(&path, &after, 0o644)?,
            }
        }
        for f in &self.extra {
            tx.write_with_mode(&f.path, &f.bytes, NewFileMode(f.mode))?;
        }
        for l in &self.links {
            tx.symlink(&l.link, &l.target)?;
        }
        for a in &self.actions {
            tx.record(a.clone())?;
        }
        Ok(())
    }

    /// What would change, as unified diffs plus one line per link (for `--dry-run` and
    /// the golden tests). Paths are shown as Apache names them.
    pub fn diff(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (path, before, after) in self.file_changes() {
            out.extend(crate::diff::unified(
                &path,
                before.as_deref().unwrap_or_default(),
                &after,
            ));
        }
        for l in &self.links {
            out.extend(format!("symlink {} -> {}\n", l.link.display(), l.target.display()).bytes());
        }
        out
    }
}

/// The nearest existing directory at or above `path` accepts new entries.
fn writable_dir(path: &Path) -> std::io::Result<()> {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d.is_dir() {
            return rustix::fs::access(d, rustix::fs::Access::WRITE_OK).map_err(Into::into);
        }
        dir = d.parent();
    }
    Ok(())
}
