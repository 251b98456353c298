//! One Apache installation: its layout, its control program, and the way every change
//! reaches it: written through the reverter as one checkpoint, configuration test (undone
//! with Apache's own message if it fails), graceful restart (undone, and Apache brought
//! back, if Apache does not survive it).

use super::ctl::{self, Ctl, CtlError, Restart, ServerInfo, running};
use super::error::InstallError;
use super::layout::{Layout, detect};
use super::load::load;
use super::plan::{Plan, WriteError};
use reverter::{Checkpoint, Kind, Reverter, UndoAction};
use std::path::{Path, PathBuf};

/// The layout and control program of one Apache.
#[derive(Debug, Clone)]
pub struct Apache {
    pub layout: Layout,
    pub ctl: Ctl,
}

#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Reverter(#[from] reverter::Error),
    #[error(
        "Apache rejects the changed configuration, so certsmith undid the change (your files are as they were):\n{output}"
    )]
    Rejected { output: String },
    #[error("{error}\ncertsmith undid the change{undo}")]
    Restart { error: CtlError, undo: String },
    #[error(transparent)]
    Ctl(#[from] CtlError),
}

/// What [`Apache::deploy`] did.
#[derive(Debug, Default)]
pub struct Deployed {
    /// `None` when there was nothing to change.
    pub checkpoint: Option<Checkpoint>,
    pub restart: Option<Restart>,
    /// Lines the configuration test prints now that it did not print before.
    pub new_warnings: Vec<String>,
}

impl Apache {
    /// Apache under `server_root` (`--apache-server-root`, else the distribution's place),
    /// run through `ctl` (`--apache-ctl`, else `apache2ctl`/`apachectl`).
    pub fn new(server_root: Option<&Path>, ctl: Option<&Path>) -> Result<Apache, InstallError> {
        let layout = detect(server_root)?;
        let ctl = Ctl::new(ctl, &layout);
        Ok(Apache { layout, ctl })
    }

    /// Apache whose main configuration file is `config_file` (what a `ReloadServer`
    /// record names): its server root is the directory holding `apache2.conf` or
    /// `httpd.conf`, or the one above `conf/httpd.conf`.
    pub fn of_config_file(config_file: &Path, ctl: Option<&Path>) -> Result<Apache, InstallError> {
        let dir = config_file.parent().unwrap_or(Path::new("/"));
        let root: PathBuf = match (dir.file_name(), config_file.file_name()) {
            (Some(d), Some(f)) if d == "conf" && f == "httpd.conf" => {
                dir.parent().unwrap_or(dir).to_path_buf()
            }
            _ => dir.to_path_buf(),
        };
        Apache::new(Some(&root), ctl)
    }

    /// The declarative "restart this Apache after undoing" record.
    pub fn reload_action(&self) -> UndoAction {
        UndoAction::ReloadServer {
            server: "apache".into(),
            config: self.layout.config_file.clone(),
        }
    }

    /// Ask Apache about itself; refuse when its configuration fails before anything was
    /// changed (certsmith must not be blamed for, or build on, a broken configuration).
    pub fn inspect(&self) -> Result<ServerInfo, InstallError> {
        self.ctl.inspect().map_err(|e| match e {
            CtlError::ConfigTest { output, .. } => InstallError::BrokenBefore { output },
            other => other.into(),
        })
    }

    /// Load the configuration as the running Apache reads it (its modules and defines
    /// decide which conditional sections count) into an empty plan.
    pub fn load(&self, info: &ServerInfo) -> Result<Plan, InstallError> {
        let mut options = self.layout.options()?;
        options.modules = Some(info.modules.clone());
        options.defines = info.run.defines.clone();
        if let Some(version) = info.version {
            options.version = version;
        }
        options.follow_server_root = false;
        Ok(Plan::new(self.layout.clone(), load(&options)?))
    }

    /// Write `plan` as one permanent checkpoint titled `title`, test the configuration
    /// (undo and fail with Apache's message if it fails), commit, restart gracefully
    /// (starting Apache if it was not running); if Apache does not survive the restart,
    /// undo the checkpoint and bring Apache back with the old configuration.
    pub fn deploy(
        &self,
        reverter: &mut Reverter,
        title: &str,
        plan: &Plan,
        info: &ServerInfo,
    ) -> Result<Deployed, DeployError> {
        if plan.is_empty() {
            return Ok(Deployed::default());
        }
        let pid_file = info.pid_file()?.to_path_buf();
        plan.check_writable()?;
        let mut tx = reverter.begin(Kind::Permanent, title)?;
        // The record first: whoever undoes any of the writes restarts Apache.
        tx.record(self.reload_action())?;
        plan.write(&mut tx)?;
        let wait = self.ctl.wait();
        let warnings = match self.ctl.test_on(&wait, || self.ctl.configtest()) {
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
        let was_running = running(&pid_file).is_some();
        // The restart record stays owed past the commit: a run killed
        // before the restart has the next start restart Apache.
        let checkpoint = tx.commit_keep_actions(&format!("{title}: restart owed"))?;
        let restarted = self.ctl.restart_on(&wait, || self.ctl.graceful(&pid_file));
        ctl::finish(wait, restarted.as_ref().copied(), true);
        if checkpoint.is_some() {
            // Restarted, or about to be undone below: the record goes.
            reverter.recover()?;
        }
        match restarted {
            Ok(restart) => Ok(Deployed {
                checkpoint,
                restart: Some(restart),
                new_warnings: warnings
                    .into_iter()
                    .filter(|w| !info.warnings.contains(w))
                    .collect(),
            }),
            Err(error) => {
                let undo = match reverter.rollback_latest() {
                    Ok(_) => match self.recover(&pid_file, was_running) {
                        Ok(()) => String::new(),
                        Err(e) => format!("; bringing Apache back failed too: {e}"),
                    },
                    Err(e) => format!(", but undoing failed: {e}"),
                };
                Err(DeployError::Restart { error, undo })
            }
        }
    }

    /// After files Apache reads were put back: restart gracefully if Apache runs, and
    /// start it again if it was running and did not survive the restart.
    fn recover(&self, pid_file: &Path, was_running: bool) -> Result<(), CtlError> {
        if running(pid_file).is_none() {
            return if was_running {
                self.ctl.start(pid_file)
            } else {
                Ok(())
            };
        }
        let wait = self.ctl.wait();
        let restarted = self
            .ctl
            .restart_on(&wait, || self.graceful_or_start(pid_file));
        ctl::finish(wait, restarted.as_ref().copied(), false);
        restarted.map(drop)
    }

    /// A graceful restart, and a start when Apache did not survive it.
    fn graceful_or_start(&self, pid_file: &Path) -> Result<Restart, CtlError> {
        match self.ctl.graceful(pid_file) {
            Err(CtlError::Died) => self.ctl.start(pid_file).map(|()| Restart::Started),
            other => other,
        }
    }

    /// Test and restart gracefully (start when not running): after certificate files
    /// changed (renewal), or after a change written elsewhere.
    pub fn restart(&self) -> Result<Restart, InstallError> {
        let wait = self.ctl.wait();
        let restarted = self
            .ctl
            .test_on(&wait, || self.ctl.inspect())
            .and_then(|info| {
                let pid_file = info.pid_file()?;
                self.ctl.restart_on(&wait, || self.ctl.graceful(pid_file))
            });
        ctl::finish(wait, restarted.as_ref().copied(), true);
        Ok(restarted?)
    }

    /// After `rollback` put files back: when Apache runs, test and restart it gracefully,
    /// and start it again if it did not survive that (rolling back `SSLStaplingCache`
    /// can stop Apache, AH00819). `None` when Apache was not running.
    pub fn after_rollback(&self) -> Result<Option<Restart>, InstallError> {
        let wait = self.ctl.wait();
        let info = self.ctl.test_on(&wait, || self.ctl.inspect())?;
        let pid_file = info.pid_file()?;
        if running(pid_file).is_none() {
            return Ok(None);
        }
        let restarted = self
            .ctl
            .restart_on(&wait, || self.graceful_or_start(pid_file));
        ctl::finish(wait, restarted.as_ref().copied(), true);
        Ok(Some(restarted?))
    }
}
