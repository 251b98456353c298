//! nginx behind the one installer seam ([`crate::installer::Installer`]): the checks
//! before anything changes (`nginx -t` of the configuration as it is, run while it is
//! loaded), names from `server_name`, planning on a copy, and the deploy step (one
//! checkpoint, `nginx -t`, reload) with what it has to report.

use super::ctl::{CtlError, PendingTest, Restart};
use super::install::{InstallRequest, Report, install};
use super::load::NginxConfig;
use super::names::ServerName;
use super::server::Nginx;
use super::solver::NginxSolver;
use crate::acme::Solver;
use crate::installer::{Deployment, Error, Installer, Request, absolute, checkpoint_line};
use reverter::Reverter;
use std::path::{Path, PathBuf};

/// What shapes an nginx installation (from its plugin's options).
#[derive(Debug, Clone)]
pub struct Settings {
    pub server_root: PathBuf,
    pub ctl: PathBuf,
    pub http_port: u16,
    pub https_port: u16,
    /// The config dir: certsmith's TLS settings file goes there.
    pub config_dir: PathBuf,
    pub quiet: bool,
    /// `-v`: also say what was left alone and why.
    pub verbose: bool,
}

/// One nginx, as the verbs use it.
pub struct NginxSite {
    pub nginx: Nginx,
    settings: Settings,
    loaded: Option<NginxConfig>,
    /// `nginx -t` of the configuration as it was, still running.
    test: Option<PendingTest>,
    /// Its warnings, once finished (a deploy reports only new ones).
    warnings_before: Vec<String>,
    /// [`Installer::owe_challenge_reload`] was asked.
    owe_reload: bool,
}

fn broken_before(output: String) -> Error {
    Error::BrokenBefore {
        test: "nginx -t",
        output,
    }
}

impl NginxSite {
    pub fn new(settings: Settings) -> NginxSite {
        NginxSite {
            nginx: Nginx::new(&settings.server_root, &settings.ctl),
            settings,
            loaded: None,
            test: None,
            warnings_before: Vec::new(),
            owe_reload: false,
        }
    }

    /// The verdict of `nginx -t` on the configuration as it was before any change.
    fn preflight(&mut self) -> Result<(), Error> {
        let Some(test) = self.test.take() else {
            return Ok(());
        };
        match test.finish() {
            Ok(w) => {
                self.warnings_before = w;
                Ok(())
            }
            Err(CtlError::ConfigTest { output, .. }) => Err(broken_before(output)),
            Err(e) => Err(e.into()),
        }
    }

    fn loaded(&self) -> Result<&NginxConfig, Error> {
        match &self.loaded {
            Some(l) => Ok(l),
            None => Err(Error::Internal("nginx used before it was opened")),
        }
    }

    fn request(&self, request: &Request) -> InstallRequest {
        InstallRequest {
            names: request.names.clone(),
            chain: request.chain.clone(),
            options: request
                .cert
                .as_ref()
                .map(|_| absolute(&self.settings.config_dir).join(super::OPTIONS_FILE)),
            cert: request.cert.clone(),
            https_port: self.settings.https_port,
            http_port: self.settings.http_port,
            enhance: request.enhance,
        }
    }

    /// `--dry-run`: what would change, as unified diffs; nothing is written.
    fn preview(&self, loaded: &NginxConfig, report: &Report) -> Deployment {
        let mut out = Deployment::default();
        for line in &report.lines {
            out.lines.push(format!("  would: {line}"));
        }
        let changed = loaded.changed_files();
        if changed.is_empty() {
            out.lines
                .push("Dry run: nginx already has all of this; nothing would change.".into());
        }
        for (path, before, after) in &changed {
            out.diff.extend(crate::diff::unified(path, before, after));
        }
        out.diff
            .extend_from_slice(b"Dry run: nothing was written and nginx was not reloaded.\n");
        out
    }

    /// certsmith's TLS settings file, when a changed file now includes it.
    fn extra_files(
        &self,
        loaded: &NginxConfig,
        request: &InstallRequest,
        out: &mut Deployment,
    ) -> Result<Vec<super::ExtraFile>, Error> {
        let Some(options) = &request.options else {
            return Ok(Vec::new());
        };
        let named = options.as_os_str().as_encoded_bytes();
        let included = loaded
            .changed_files()
            .iter()
            .any(|(_, _, after)| after.windows(named.len()).any(|w| w == named));
        if !included {
            return Ok(Vec::new());
        }
        let plan = super::tls_options(&absolute(&self.settings.config_dir))?;
        if let Some(note) = &plan.note {
            out.warnings.push(format!("Note: {note}"));
        }
        Ok(plan.files)
    }
}

impl Installer for NginxSite {
    fn label(&self) -> &'static str {
        "nginx"
    }

    fn location(&self) -> PathBuf {
        self.nginx.conf().to_path_buf()
    }

    fn root(&self) -> PathBuf {
        self.nginx.root.clone()
    }

    /// Start `nginx -t` on the configuration as it is and load it meanwhile.
    fn open(&mut self) -> Result<(), Error> {
        if !self.nginx.conf().is_file() {
            return Err(Error::NoMainFile {
                flag: "--nginx-server-root",
                root: self.nginx.root.clone(),
                file: "nginx.conf",
            });
        }
        let test = self.nginx.ctl.spawn_configtest()?;
        match self.nginx.load() {
            Ok(l) => self.loaded = Some(l),
            Err(e) => {
                // nginx's own verdict first: it names the same problem its way.
                if let Err(CtlError::ConfigTest { output, .. }) = test.finish() {
                    return Err(broken_before(output));
                }
                return Err(e.into());
            }
        }
        self.test = Some(test);
        Ok(())
    }

    fn prepare(&mut self) -> Result<(), Error> {
        self.open()?;
        self.preflight()
    }

    fn offered_names(&self) -> Result<(Vec<String>, &'static str), Error> {
        let mut offered: Vec<String> = Vec::new();
        for server in self.loaded()?.servers() {
            for n in &server.names {
                if let ServerName::Exact(e) = n
                    && !offered.contains(e)
                {
                    offered.push(e.clone());
                }
            }
        }
        Ok((offered, "server_name"))
    }

    /// Dry-run the installation on a copy while `nginx -t` runs; a failing `nginx -t`
    /// is reported first, since it may be the cause.
    fn check(&mut self, request: &Request) -> Result<(), Error> {
        let planned = (|| {
            if request.names.is_empty() {
                return Err(Error::NoNames);
            }
            let mut copy = self.loaded()?.clone();
            install(&mut copy, &self.request(request))?;
            self.nginx.check_writable(&copy)?;
            Ok(())
        })();
        self.preflight()?;
        planned
    }

    fn deploy(
        &mut self,
        reverter: Option<&mut Reverter>,
        request: &Request,
        title: &str,
        dry_run: bool,
    ) -> Result<Deployment, Error> {
        self.preflight()?;
        let request = self.request(request);
        let mut loaded = self.nginx.load()?;
        let report = install(&mut loaded, &request)?;
        if dry_run {
            return Ok(self.preview(&loaded, &report));
        }
        let mut out = Deployment::default();
        let extra = self.extra_files(&loaded, &request, &mut out)?;
        self.nginx.check_writable(&loaded)?;
        for w in &report.warnings {
            out.warnings.push(format!("Warning: {w}"));
        }
        let Some(reverter) = reverter else {
            return Err(Error::Internal("a deploy without the work dir's reverter"));
        };
        let deployed =
            self.nginx
                .deploy(reverter, title, &loaded, &extra, &self.warnings_before)?;
        for line in &report.lines {
            out.lines.push(format!("  {line}"));
        }
        if self.settings.verbose {
            for n in &report.notes {
                out.lines.push(format!("  ({n})"));
            }
        }
        for w in &deployed.new_warnings {
            out.warnings.push(format!("Warning from nginx -t: {w}"));
        }
        match (&deployed.checkpoint, deployed.restart) {
            (None, _) => {
                out.lines
                    .push("nginx already has all of this: nothing changed.".into());
                for n in &report.notes {
                    out.lines.push(format!("  {n}"));
                }
            }
            (Some(cp), restart) => {
                let how = match restart {
                    Some(Restart::Started) => "nginx was not running: started it",
                    _ => "nginx reloaded",
                };
                out.lines.push(checkpoint_line("nginx -t", how, cp.id));
            }
        }
        out.changed = deployed.checkpoint.is_some();
        Ok(out)
    }

    fn solver<'r>(&mut self, reverter: &'r mut Reverter) -> Result<Box<dyn Solver + 'r>, Error> {
        // A configuration nginx already rejects is refused before the CA is asked.
        self.preflight()?;
        let solver = NginxSolver::new(
            self.nginx.clone(),
            self.settings.http_port,
            reverter,
            self.settings.quiet,
        );
        Ok(Box::new(if self.owe_reload {
            solver.owing_reload()
        } else {
            solver
        }))
    }

    fn owe_challenge_reload(&mut self) {
        self.owe_reload = true;
    }

    fn restart(&self) -> Result<String, Error> {
        self.nginx.restart()?;
        Ok("nginx -t: ok; nginx reloaded".into())
    }
}

/// After `rollback` (or the start-up recovery) undid changes to the nginx whose main
/// file is `conf`: `nginx -t` and reload when it runs (nothing is started). One line
/// saying what was done; `Err`: the line saying what failed.
pub fn after_rollback(ctl: &Path, conf: &Path) -> Result<String, String> {
    let Some(root) = conf.parent() else {
        return Err(format!("{}: not a file in a directory", conf.display()));
    };
    let mut nginx = Nginx::new(root, ctl);
    nginx.ctl.conf = conf.to_path_buf();
    match nginx.reload_if_running() {
        Ok(true) => Ok(format!(
            "nginx -t: ok; nginx ({}) reloaded.",
            conf.display()
        )),
        Ok(false) => Ok(format!(
            "nginx ({}) is not running: nothing to reload.",
            conf.display()
        )),
        Err(e) => Err(format!("reloading nginx ({}) failed: {e}", conf.display())),
    }
}
