//! Apache behind the one installer seam ([`crate::installer::Installer`]): asking Apache
//! about itself (a configuration that already fails is refused), names from the vhosts,
//! planning on a fresh load, and the deploy step (one checkpoint, configuration test,
//! graceful restart) with what it has to report.

use super::ctl::{Restart, ServerInfo};
use super::install::{InstallRequest, Settings, install};
use super::server::Apache;
use super::solver::ApacheSolver;
use super::vhost::VirtualHost;
use crate::acme::Solver;
use crate::installer::{Deployment, Error, Installer, Request, absolute, checkpoint_line};
use reverter::Reverter;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Asks which of several vhosts serving a name to use (`None`: none, fail).
pub type Asker = fn(&str, &[VirtualHost]) -> Option<usize>;

/// One Apache, as the verbs use it.
pub struct ApacheSite {
    pub apache: Apache,
    settings: Settings,
    /// The config dir: certsmith's TLS settings file goes there.
    config_dir: PathBuf,
    work_dir: PathBuf,
    quiet: bool,
    info: Option<ServerInfo>,
    /// A solver restarted Apache since `info` was read: ask again before deploying.
    info_stale: bool,
    ask: Option<Asker>,
    /// Answers to "which vhost?", asked once per name (the same plan is made twice: on
    /// a fresh load before ordering a certificate, then for real).
    answers: HashMap<String, Option<usize>>,
}

impl ApacheSite {
    /// `ask`: how to choose between vhosts (`None`: never ask, fail listing them).
    pub fn new(
        apache: Apache,
        settings: Settings,
        config_dir: &Path,
        work_dir: &Path,
        quiet: bool,
        ask: Option<Asker>,
    ) -> ApacheSite {
        ApacheSite {
            apache,
            settings,
            config_dir: absolute(config_dir),
            work_dir: absolute(work_dir),
            quiet,
            info: None,
            info_stale: false,
            ask,
            answers: HashMap::new(),
        }
    }

    fn info(&mut self) -> Result<ServerInfo, Error> {
        match &self.info {
            Some(info) if !self.info_stale => Ok(info.clone()),
            _ => {
                let info = self.apache.inspect()?;
                self.info = Some(info.clone());
                self.info_stale = false;
                Ok(info)
            }
        }
    }

    fn request(&self, request: &Request) -> InstallRequest {
        InstallRequest {
            names: request.names.clone(),
            cert: request.cert.clone(),
            enhance: request.enhance,
            config_dir: self.config_dir.clone(),
            settings: self.settings.clone(),
        }
    }

    fn plan(
        &mut self,
        info: &ServerInfo,
        request: &Request,
    ) -> Result<(super::Plan, super::Report), Error> {
        let mut plan = self.apache.load(info)?;
        let request = self.request(request);
        let (ask, answers) = (self.ask, &mut self.answers);
        let report = install(&mut plan, &request, &mut |name, candidates| {
            if let Some(a) = answers.get(name) {
                return *a;
            }
            let answer = ask.and_then(|ask| ask(name, candidates));
            answers.insert(name.to_string(), answer);
            answer
        })?;
        Ok((plan, report))
    }
}

impl Installer for ApacheSite {
    fn label(&self) -> &'static str {
        "Apache"
    }

    fn location(&self) -> PathBuf {
        self.apache.layout.server_root.clone()
    }

    fn root(&self) -> PathBuf {
        self.apache.layout.server_root.clone()
    }

    fn open(&mut self) -> Result<(), Error> {
        self.info = Some(self.apache.inspect()?);
        Ok(())
    }

    fn offered_names(&self) -> Result<(Vec<String>, &'static str), Error> {
        let Some(info) = &self.info else {
            return Err(Error::Internal("Apache used before it was opened"));
        };
        let plan = self.apache.load(info)?;
        let mut offered: Vec<String> = Vec::new();
        for v in plan.loaded.vhosts().iter().filter(|v| v.active) {
            for n in v.names() {
                if !offered.contains(&n) {
                    offered.push(n);
                }
            }
        }
        Ok((offered, "ServerName or ServerAlias"))
    }

    fn check(&mut self, request: &Request) -> Result<(), Error> {
        let info = self.info()?;
        let (plan, _) = self.plan(&info, request)?;
        plan.check_writable()?;
        Ok(())
    }

    fn deploy(
        &mut self,
        reverter: Option<&mut Reverter>,
        request: &Request,
        title: &str,
        dry_run: bool,
    ) -> Result<Deployment, Error> {
        let info = self.info()?;
        let (plan, report) = self.plan(&info, request)?;
        let mut out = Deployment::default();
        for note in &report.notes {
            out.warnings.push(format!("Note: {note}"));
        }
        if dry_run {
            for line in &report.done {
                out.lines.push(format!("  would: {line}"));
            }
            if plan.is_empty() {
                out.lines
                    .push("Dry run: Apache already has all of this; nothing would change.".into());
            }
            out.diff = plan.diff();
            out.diff
                .extend_from_slice(b"Dry run: nothing was written and Apache was not restarted.\n");
            return Ok(out);
        }
        let Some(reverter) = reverter else {
            return Err(Error::Internal("a deploy without the work dir's reverter"));
        };
        let deployed = self.apache.deploy(reverter, title, &plan, &info)?;
        for w in &deployed.new_warnings {
            out.warnings
                .push(format!("Warning from apache2ctl -t: {w}"));
        }
        match &deployed.checkpoint {
            None => out
                .lines
                .push("Apache already has all of this: nothing changed.".into()),
            Some(cp) => {
                for line in &report.done {
                    out.lines.push(format!("  {line}"));
                }
                let how = match deployed.restart {
                    Some(Restart::Started) => "Apache was not running: started it",
                    _ => "Apache restarted gracefully",
                };
                out.lines
                    .push(checkpoint_line("Configuration test", how, cp.id));
            }
        }
        out.changed = deployed.checkpoint.is_some();
        Ok(out)
    }

    fn solver<'r>(&mut self, reverter: &'r mut Reverter) -> Result<Box<dyn Solver + 'r>, Error> {
        let info = self.info()?;
        // The solver restarts Apache: a later deploy asks it about itself again.
        self.info_stale = true;
        Ok(Box::new(ApacheSolver::new(
            self.apache.clone(),
            info,
            self.settings.clone(),
            &self.work_dir,
            reverter,
            self.quiet,
        )))
    }

    fn restart(&self) -> Result<String, Error> {
        self.apache.restart()?;
        Ok("Configuration test: ok; Apache restarted gracefully".into())
    }
}

/// After `rollback` (or the start-up recovery) undid changes to the Apache whose main
/// file is `conf`: restart it gracefully if it runs (started again if that stopped it).
/// One line saying what was done; `Err`: the line saying what failed.
pub fn after_rollback(ctl: Option<&Path>, conf: &Path) -> Result<String, String> {
    let done = Apache::of_config_file(conf, ctl).and_then(|apache| apache.after_rollback());
    match done {
        Ok(Some(Restart::Started)) => Ok(format!(
            "Apache ({}) stopped during the restart: started it again.",
            conf.display()
        )),
        Ok(Some(Restart::Restarted)) => Ok(format!(
            "Configuration test: ok; Apache ({}) restarted gracefully.",
            conf.display()
        )),
        Ok(None) => Ok(format!(
            "Apache ({}) is not running: nothing to restart.",
            conf.display()
        )),
        Err(e) => Err(format!(
            "restarting Apache ({}) failed: {:#}",
            conf.display(),
            Error::from(e)
        )),
    }
}
