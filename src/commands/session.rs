//! What every command does before its own work: take the locks of the
//! directories it uses and recover whatever an interrupted run left behind
//! (saying so on stderr), or, for commands that only read, warn about it.

use crate::commands::Config;
use anyhow::{Context, Result};
use reverter::{LockSet, Reverter};
use std::path::{Path, PathBuf};

/// Locks held and the work dir's reverter, for the whole command.
pub struct Session {
    reverter: Option<Reverter>,
    locks: LockSet,
}

/// How a command uses the directories.
#[derive(Debug, PartialEq, Eq)]
pub enum Access {
    /// Changes nothing: no lock, no recovery (a pending transaction is
    /// reported, left for the next command that writes).
    Read,
    /// Changes files: lock these directories and the work dir, recover.
    Write(Vec<PathBuf>),
}

/// Which directories `config`'s verb uses. Certbot's rule: a command that
/// may write locks the config, work and logs dirs; `conf set|rm` edit only
/// server configs, so they lock the work dir (for recovery) here and the
/// server root once they know it, as the installers do.
pub fn access(config: &Config) -> Access {
    let sub = config.positionals.first().map(String::as_str);
    match (config.verb, sub) {
        ("certificates" | "checkpoints" | "plugins", _) => Access::Read,
        ("conf", Some("get" | "match" | "check" | "print")) => Access::Read,
        ("conf" | "rollback", _) if config.dry_run => Access::Read,
        // A dry run leaves the config dir byte for byte as it was, so it
        // writes no pid into a lock file there; Certbot's lock (taken by
        // `renew`, contentless) still keeps writers out meanwhile.
        ("renew", _) if config.dry_run => Access::Write(vec![config.paths.logs_dir.clone()]),
        ("conf", _) => Access::Write(vec![]),
        _ => Access::Write(vec![
            config.paths.config_dir.clone(),
            config.paths.logs_dir.clone(),
        ]),
    }
}

impl Session {
    pub fn start(config: &Config) -> Result<Session> {
        let Access::Write(dirs) = access(config) else {
            warn_pending(config);
            return Ok(Session {
                reverter: None,
                locks: LockSet::new(),
            });
        };
        let mut locks = LockSet::new();
        for dir in dirs.iter().chain([&config.paths.work_dir]) {
            locks.acquire(dir)?;
        }
        let work_lock = locks.take(&config.paths.work_dir).with_context(|| {
            format!(
                "{}: the work dir's lock went missing",
                config.paths.work_dir.display()
            )
        })?;
        let reverter = Reverter::open_locked(work_lock)?;
        if let Some(recovery) = reverter.recovery() {
            // Always shown, even with --quiet: files were just changed.
            eprint!("certsmith: {recovery}");
            // A server that read the undone files (challenge edits, say)
            // is reloaded now, as the record asks.
            let (done, failed) = super::rollback::reload_servers(config, &recovery.summary.actions);
            for line in done.iter().chain(&failed) {
                eprintln!("certsmith: {line}");
            }
            clear_stale_locks(&recovery.summary.actions);
        }
        Ok(Session {
            reverter: Some(reverter),
            locks,
        })
    }

    /// Lock one more directory for the rest of the command (an installer's
    /// server root). A directory already locked, by name or through another
    /// name, is not locked twice.
    pub fn lock(&mut self, dir: &Path) -> Result<()> {
        let already = match (&self.reverter, std::fs::canonicalize(dir)) {
            (Some(r), Ok(canonical)) => canonical == r.work_dir(),
            _ => false,
        };
        if !already {
            self.locks.acquire(dir)?;
        }
        Ok(())
    }

    /// The work dir's reverter (commands that write only).
    pub fn reverter(&mut self) -> Result<&mut Reverter> {
        self.reverter
            .as_mut()
            .context("internal error: this command was started read-only")
    }
}

/// A killed run could not remove the lock files of the server roots it had
/// locked. Taking and releasing each such lock (the normal protocol) removes
/// the file, so the root is left as it was before that run; a root another
/// process holds now is left alone.
fn clear_stale_locks(actions: &[reverter::UndoAction]) {
    for action in actions {
        if let reverter::UndoAction::ReloadServer { config, .. } = action
            && let Some(root) = config.parent().filter(|d| d.is_dir())
        {
            drop(reverter::DirLock::acquire(root));
        }
    }
}

fn warn_pending(config: &Config) {
    match reverter::inspect(&config.paths.work_dir) {
        Ok(status) => {
            if let Some(p) = status.pending {
                eprintln!(
                    "certsmith: warning: an interrupted run left changes in place (\"{}\", started {}, in {}); the next certsmith command that changes files will undo them",
                    p.title,
                    reverter::time::iso8601(p.started),
                    p.dir.display()
                );
            }
        }
        Err(e) => eprintln!("certsmith: warning: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(words: &[&str], root: &Path) -> Config<'static> {
        let mut argv: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        for (flag, dir) in [
            ("--work-dir", "work"),
            ("--config-dir", "config"),
            ("--logs-dir", "logs"),
        ] {
            argv.push(flag.into());
            argv.push(root.join(dir).display().to_string());
        }
        static REGISTRY: std::sync::LazyLock<crate::plugins::Registry> =
            std::sync::LazyLock::new(crate::plugins::Registry::builtin);
        Config {
            options: crate::cli::load(argv).unwrap(),
            registry: &REGISTRY,
        }
    }

    #[test]
    fn which_verbs_write() {
        let root = Path::new("/nonexistent");
        let reads = |words: &[&str]| access(&config(words, root)) == Access::Read;
        assert!(reads(&["checkpoints"]));
        assert!(reads(&["certificates"]));
        assert!(reads(&["conf", "get", "x"]));
        assert!(reads(&["conf", "set", "--dry-run", "x", "y"]));
        assert!(reads(&["rollback", "--dry-run"]));
        assert_eq!(
            access(&config(&["conf", "set", "x", "y"], root)),
            Access::Write(vec![])
        );
        let full = access(&config(&["rollback"], root));
        assert_eq!(
            full,
            Access::Write(vec![root.join("config"), root.join("logs")])
        );
    }

    #[test]
    fn a_session_locks_its_directories_once_each() {
        let tmp_root = tempfile::tempdir().unwrap();
        let root = tmp_root.path().to_path_buf();
        let config = config(&["rollback"], &root);
        let mut session = Session::start(&config).unwrap();
        for dir in ["config", "logs", "work"] {
            let err = reverter::DirLock::acquire(root.join(dir))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("in use by another certsmith process"),
                "{dir}: {err}"
            );
        }
        session.lock(&root.join("work")).unwrap();
        session.lock(&root.join("server")).unwrap();
        session.lock(&root.join("server/../server")).unwrap();
        assert!(reverter::DirLock::acquire(root.join("server")).is_err());
        drop(session);
        for dir in ["config", "logs", "work", "server"] {
            drop(reverter::DirLock::acquire(root.join(dir)).unwrap());
        }
    }
}
