//! The public vocabulary: kinds of transaction, declarative undo actions,
//! checkpoints as listed, and what a rollback or a recovery did.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What becomes of a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Committed into a dated, titled checkpoint that `rollback` can undo.
    Permanent,
    /// Challenge-time edits: always rolled back, also at the next start if a
    /// crash left them in place.
    Temporary,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Permanent => "permanent",
            Kind::Temporary => "temporary",
        })
    }
}

/// A declarative record of something a transaction did beyond its file
/// changes, reported back when it is undone (never a command to run).
///
/// The file changes that implement it (a module's symlinks, say) are made
/// through the same transaction and restored by rollback; the action tells
/// callers what that meant, e.g. that a server needs a restart rather than
/// a reload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UndoAction {
    /// Free text, shown as "undone: TEXT".
    Note(String),
    /// A server module was enabled (Apache `mods-enabled/` links).
    ModuleEnabled { server: String, module: String },
    /// A site was enabled (`sites-enabled/` link).
    SiteEnabled { server: String, site: String },
    /// The server `server` (e.g. `nginx`) whose main config file is
    /// `config` reads the files changed: whoever undoes the transaction
    /// should check and reload that server afterwards. The reverter itself
    /// runs nothing.
    ReloadServer { server: String, config: PathBuf },
}

impl fmt::Display for UndoAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UndoAction::Note(text) => f.write_str(text),
            UndoAction::ModuleEnabled { server, module } => {
                write!(f, "enabled {server} module {module}")
            }
            UndoAction::SiteEnabled { server, site } => write!(f, "enabled {server} site {site}"),
            UndoAction::ReloadServer { server, config } => {
                write!(f, "{server} ({}) to reload when undone", config.display())
            }
        }
    }
}

impl UndoAction {
    /// What undoing it means, for rollback reports.
    pub fn undone(&self) -> String {
        match self {
            UndoAction::Note(text) => format!("undone: {text}"),
            UndoAction::ModuleEnabled { server, module } => {
                format!("disabled {server} module {module}")
            }
            UndoAction::SiteEnabled { server, site } => format!("disabled {server} site {site}"),
            UndoAction::ReloadServer { server, config } => {
                format!("{server} ({}) needs a reload", config.display())
            }
        }
    }
}

/// What stands at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    Absent,
    File,
    Symlink,
    Directory,
}

/// One path a checkpoint changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub path: PathBuf,
    pub before: Node,
    pub after: Node,
}

impl Change {
    /// "created", "deleted", "modified" or "replaced".
    pub fn verb(&self) -> &'static str {
        match (self.before, self.after) {
            (Node::Absent, _) => "created",
            (_, Node::Absent) => "deleted",
            (a, b) if a == b => "modified",
            _ => "replaced",
        }
    }
}

/// A committed permanent transaction, as `certsmith checkpoints` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Sequence number: higher is newer.
    pub id: u64,
    pub title: String,
    pub started: SystemTime,
    pub committed: SystemTime,
    pub changes: Vec<Change>,
    pub actions: Vec<UndoAction>,
    /// Where its manifest and backups live.
    pub dir: PathBuf,
}

impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:>4}  {}  {}",
            self.id,
            crate::time::iso8601(self.committed),
            self.title
        )?;
        for change in &self.changes {
            writeln!(f, "        {:<9} {}", change.verb(), change.path.display())?;
        }
        for action in &self.actions {
            writeln!(f, "        {:<9} {action}", "action")?;
        }
        Ok(())
    }
}

/// What undoing one transaction or checkpoint did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollbackSummary {
    /// The checkpoint's number; `None` for a transaction never committed.
    pub id: Option<u64>,
    pub title: String,
    pub kind: Kind,
    pub started: SystemTime,
    /// When it was committed (a checkpoint); `None` for a transaction never
    /// committed.
    pub committed: Option<SystemTime>,
    /// Files and links put back as they were (content, mode, owner).
    pub restored: Vec<PathBuf>,
    /// Files and links the transaction had created, removed.
    pub removed: Vec<PathBuf>,
    /// Directories the transaction had created, removed.
    pub removed_dirs: Vec<PathBuf>,
    /// Directories the transaction had created, kept because something else
    /// was put in them since.
    pub kept_dirs: Vec<PathBuf>,
    /// Undo actions, newest first.
    pub actions: Vec<UndoAction>,
    /// Anything odd met on the way (a damaged manifest copy, stray temp files).
    pub notes: Vec<String>,
}

impl RollbackSummary {
    /// Every file or link whose state changed: what a caller reloads a
    /// server for.
    pub fn changed_files(&self) -> impl Iterator<Item = &Path> {
        self.restored
            .iter()
            .chain(&self.removed)
            .map(PathBuf::as_path)
    }

    /// True when nothing on disk changed.
    pub fn is_empty(&self) -> bool {
        self.restored.is_empty() && self.removed.is_empty() && self.removed_dirs.is_empty()
    }
}

impl fmt::Display for RollbackSummary {
    /// One line per change, indented, for the command line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.restored {
            writeln!(f, "  restored  {}", p.display())?;
        }
        for p in &self.removed {
            writeln!(f, "  removed   {}", p.display())?;
        }
        for p in &self.removed_dirs {
            writeln!(
                f,
                "  removed   {}/ (empty directory it had created)",
                p.display()
            )?;
        }
        for p in &self.kept_dirs {
            writeln!(
                f,
                "  kept      {}/ (it had created it, but it is not empty)",
                p.display()
            )?;
        }
        for a in &self.actions {
            writeln!(f, "  {}", a.undone())?;
        }
        for n in &self.notes {
            writeln!(f, "  note: {n}")?;
        }
        Ok(())
    }
}

/// What the start-up recovery found and undid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    pub interrupted: Interrupted,
    pub summary: RollbackSummary,
}

/// What a crash (or a dropped transaction) interrupted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupted {
    /// A permanent transaction that never committed: rolled back.
    Transaction,
    /// A temporary checkpoint (challenge edits): rolled back.
    Temporary,
    /// A rollback of a checkpoint: finished.
    Rollback,
}

impl fmt::Display for Recovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.summary;
        let started = crate::time::iso8601(s.started);
        match self.interrupted {
            Interrupted::Transaction => writeln!(
                f,
                "recovered from an interrupted run: rolled back the unfinished transaction \"{}\" (started {started})",
                s.title
            )?,
            Interrupted::Temporary => writeln!(
                f,
                "recovered from an interrupted run: rolled back the temporary checkpoint \"{}\" (started {started})",
                s.title
            )?,
            Interrupted::Rollback => writeln!(
                f,
                "recovered from an interrupted run: finished rolling back checkpoint \"{}\"",
                s.title
            )?,
        }
        write!(f, "{s}")
    }
}
