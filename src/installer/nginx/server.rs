//! One nginx installation: its server root, its binary, and the way every
//! change reaches it: written through the reverter as one checkpoint,
//! `nginx -t`, undone if nginx rejects it, then nginx reloaded (started if
//! it was not running), undone if that fails.

use super::ctl::{self, Ctl, CtlError, Restart};
use super::error::InstallError;
use super::load::{LoadError, LoadOptions, NginxConfig};
use super::options::ExtraFile;
use reverter::{Checkpoint, Kind, NewFileMode, Reverter, Transaction, UndoAction};
use std::path::{Path, PathBuf};

/// The server root and the binary of one nginx.
#[derive(Debug, Clone)]
pub struct Nginx {
    pub root: PathBuf,
    pub ctl: Ctl,
}

#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error("{0}")]
    Reverter(#[from] reverter::Error),
    #[error("{}: cannot read it again before writing: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}: changed on disk while certsmith worked; nothing was written, run certsmith again", .0.display())]
    Changed(PathBuf),
    #[error(
        "nginx rejects the changed configuration, so certsmith undid the change (your files are as they were):\n{output}"
    )]
    Rejected { output: String },
    #[error("{error}\ncertsmith undid the change{undo}")]
    Restart { error: CtlError, undo: String },
    #[error("{0}")]
    Ctl(#[from] CtlError),
}

/// What [`Nginx::deploy`] did.
#[derive(Debug, Default)]
pub struct Deployed {
    /// `None` when there was nothing to change.
    pub checkpoint: Option<Checkpoint>,
    pub restart: Option<Restart>,
    /// Warnings `nginx -t` printed that it did not print before the change.
    pub new_warnings: Vec<String>,
}

impl Nginx {
    /// nginx with `ROOT/nginx.conf`, run as `binary`.
    pub fn new(root: &Path, binary: &Path) -> Nginx {
        let root = crate::installer::absolute(root);
        let conf = root.join("nginx.conf");
        Nginx {
            root,
            ctl: Ctl::new(binary, conf),
        }
    }

    pub fn conf(&self) -> &Path {
        &self.ctl.conf
    }

    pub fn load(&self) -> Result<NginxConfig, LoadError> {
        NginxConfig::load_with(&self.ctl.conf, &LoadOptions::default())
    }

    /// The declarative "reload this nginx after undoing" record.
    pub fn reload_action(&self) -> UndoAction {
        UndoAction::ReloadServer {
            server: "nginx".into(),
            config: self.ctl.conf.clone(),
        }
    }

    /// Refuse files that cannot be written (read-only mount, immutable
    /// file) before anything is changed anywhere.
    pub fn check_writable(&self, config: &NginxConfig) -> Result<(), InstallError> {
        for (path, _, _) in config.changed_files() {
            std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .map_err(|e| InstallError::Io(format!("{}: cannot write: {e}", path.display())))?;
        }
        Ok(())
    }

    /// Write the changed files of `config` and `extra` through `tx`.
    pub fn write(
        &self,
        tx: &mut Transaction<'_>,
        config: &NginxConfig,
        extra: &[ExtraFile],
    ) -> Result<(), DeployError> {
        for (path, before, after) in config.changed_files() {
            let now = std::fs::read(&path).map_err(|error| DeployError::Read {
                path: path.clone(),
                error,
            })?;
            if now != before {
                return Err(DeployError::Changed(path));
            }
            tx.write(&path, &after)?;
        }
        for f in extra {
            tx.write_with_mode(&f.path, &f.bytes, NewFileMode(f.mode))?;
        }
        Ok(())
    }

    /// The whole change as one permanent checkpoint: write, `nginx -t`
    /// (undo and fail with nginx's message if it fails), commit, reload or
    /// start nginx (undo, reload again and fail if that fails).
    pub fn deploy(
        &self,
        reverter: &mut Reverter,
        title: &str,
        config: &NginxConfig,
        extra: &[ExtraFile],
        warnings_before: &[String],
    ) -> Result<Deployed, DeployError> {
        if config.changed_files().is_empty() && extra.is_empty() {
            return Ok(Deployed::default());
        }
        let mut tx = reverter.begin(Kind::Permanent, title)?;
        // The record first: whoever undoes any of the writes reloads nginx.
        tx.record(self.reload_action())?;
        self.write(&mut tx, config, extra)?;
        let wait = self.ctl.wait();
        let warnings = match self.ctl.test_on(&wait) {
            Ok(w) => w,
            Err(e) => {
                ctl::finish(wait, Err(&e), true);
                tx.rollback()?;
                return Err(match e {
                    CtlError::ConfigTest { output, .. } => DeployError::Rejected { output },
                    e => e.into(),
                });
            }
        };
        // The reload record stays owed past the commit: a run killed
        // before the reload has the next start reload nginx.
        let checkpoint = tx.commit_keep_actions(&format!("{title}: reload owed"))?;
        let reloaded = self.ctl.reload_on(&wait, config);
        ctl::finish(wait, reloaded.as_ref().copied(), true);
        if checkpoint.is_some() {
            // Reloaded, or about to be undone below: the record goes.
            reverter.recover()?;
        }
        match reloaded {
            Ok(restart) => Ok(Deployed {
                checkpoint,
                restart: Some(restart),
                new_warnings: warnings
                    .into_iter()
                    .filter(|w| !warnings_before.contains(w))
                    .collect(),
            }),
            Err(error) => {
                let undo = match reverter.rollback_latest() {
                    Ok(_) => match self.reload_if_running() {
                        Ok(_) => String::new(),
                        Err(e) => format!("; reloading nginx after that failed too: {e}"),
                    },
                    Err(e) => format!(", but undoing failed: {e}"),
                };
                Err(DeployError::Restart { error, undo })
            }
        }
    }

    /// `nginx -t`, then reload (or start): what renewal runs after
    /// replacing certificate files.
    pub fn restart(&self) -> Result<Restart, InstallError> {
        let config = self.load()?;
        Ok(self.ctl.test_and_reload(&config)?)
    }

    /// `nginx -t` and reload when nginx runs (after undoing a change);
    /// start nothing. `Ok(false)`: not running.
    pub fn reload_if_running(&self) -> Result<bool, InstallError> {
        let config = self.load()?;
        let pid_file = self.ctl.pid_file(&config)?;
        if self.ctl.running(&pid_file).is_none() {
            return Ok(false);
        }
        self.ctl.test_and_reload(&config)?;
        Ok(true)
    }
}

/// Check nginx's configuration and reload it (or start it): the hook for
/// renewal, after a lineage's files changed.
pub fn reload(root: &Path, binary: &Path) -> Result<Restart, InstallError> {
    Nginx::new(root, binary).restart()
}
