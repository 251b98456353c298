//! What `run`, `install`, `enhance` and `certonly --nginx` share for nginx:
//! flags, the checks before anything changes, names from `server_name`,
//! and the deploy step (one checkpoint, `nginx -t`, reload) with its report.

use super::acme_args::check_name;
use super::session::Session;
use crate::cli::Config;
use crate::installer::absolute;
use crate::installer::nginx::{
    CertFiles, CtlError, Enhancements, InstallRequest, Nginx, NginxConfig, PendingTest, Restart,
    ServerName, install, tls_options,
};
use crate::storage::RenewalParams;
use anyhow::{Result, bail};
use std::io::Write;
use std::path::PathBuf;

pub const DEFAULT_ROOT: &str = "/etc/nginx";
pub const DEFAULT_CTL: &str = "nginx";

/// `--nginx-server-root` and `--nginx-ctl`.
pub fn nginx(config: &Config) -> Nginx {
    let root = config
        .args
        .path("nginx-server-root")
        .unwrap_or_else(|| PathBuf::from(DEFAULT_ROOT));
    let ctl = config
        .args
        .path("nginx-ctl")
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CTL));
    Nginx::new(&root, &ctl)
}

/// The renewal conf values that let renewal find this nginx again (paths
/// made absolute: renewal runs from another directory).
pub fn renewal_params(config: &Config, params: &mut RenewalParams) {
    if let Some(root) = config.args.path("nginx-server-root") {
        params.set("nginx_server_root", absolute(&root).display().to_string());
    }
    if let Some(ctl) = config.args.path("nginx-ctl") {
        // A bare name is looked up in PATH; a relative path is not.
        let ctl = if ctl.components().count() > 1 {
            absolute(&ctl)
        } else {
            ctl
        };
        params.set("nginx_ctl", ctl.display().to_string());
    }
}

/// Renewal's reload hook for lineages installed into nginx (the `Reload`
/// of `commands::renew::plugins`; `config` carries the lineage's stored
/// `--nginx-server-root`/`--nginx-ctl`): `nginx -t`, then reload, or start
/// nginx when it is not running. Nothing is reinstalled.
pub fn reload_for_renewal(config: &Config) -> Result<()> {
    nginx(config).restart()?;
    Ok(())
}

/// The nginx authenticator (for `run`, `certonly` and renewal): the solver,
/// which needs the session's reverter for its temporary challenge edits,
/// and the renewal values that let renewal build it again.
pub fn solver<'r>(
    config: &Config,
    reverter: &'r mut reverter::Reverter,
) -> Result<(crate::installer::nginx::NginxSolver<'r>, RenewalParams)> {
    let mut params = RenewalParams::default();
    params.set("authenticator", "nginx");
    renewal_params(config, &mut params);
    let solver = crate::installer::nginx::NginxSolver::new(
        nginx(config),
        http_port(config)?,
        reverter,
        config.quiet,
    );
    Ok((solver, params))
}

pub fn https_port(config: &Config) -> Result<u16> {
    Ok(config.args.parsed::<u16>("https-port")?.unwrap_or(443))
}

pub fn http_port(config: &Config) -> Result<u16> {
    Ok(config.args.parsed::<u16>("http-01-port")?.unwrap_or(80))
}

/// The configuration as loaded, and the `nginx -t` of it still running.
pub struct Opened {
    pub loaded: NginxConfig,
    test: PendingTest,
}

impl Opened {
    /// The verdict of `nginx -t` on the configuration as it was before any
    /// change: its warnings, or a refusal (nothing was changed).
    pub fn preflight(self) -> Result<(NginxConfig, Vec<String>)> {
        match self.test.finish() {
            Ok(w) => Ok((self.loaded, w)),
            Err(CtlError::ConfigTest { output, .. }) => bail!(
                "nginx -t already fails, before certsmith changed anything (nothing was changed); fix this first:\n{output}"
            ),
            Err(e) => bail!(e),
        }
    }

    /// Run `work` (planning: reads only) while `nginx -t` runs; a failing
    /// `nginx -t` is reported first, since it may be the cause.
    pub fn preflight_with<T>(
        self,
        work: impl FnOnce(&NginxConfig) -> Result<T>,
    ) -> Result<(NginxConfig, Vec<String>, T)> {
        let result = work(&self.loaded);
        let (loaded, warnings) = self.preflight()?;
        Ok((loaded, warnings, result?))
    }
}

/// Lock the server root, start `nginx -t` on the configuration as it is
/// (see [`Opened::preflight`]: certsmith refuses to change a configuration
/// nginx already rejects), and load it meanwhile.
pub fn open(session: &mut Session, nginx: &Nginx) -> Result<Opened> {
    if !nginx.conf().is_file() {
        bail!(
            "--nginx-server-root {}: no nginx.conf there (give the directory holding nginx.conf)",
            nginx.root.display()
        );
    }
    session.lock(&nginx.root)?;
    let test = nginx.ctl.spawn_configtest()?;
    let loaded = match nginx.load() {
        Ok(l) => l,
        Err(e) => {
            // nginx's own verdict first: it names the same problem its way.
            if let Err(CtlError::ConfigTest { output, .. }) = test.finish() {
                bail!(
                    "nginx -t already fails, before certsmith changed anything (nothing was changed); fix this first:\n{output}"
                );
            }
            bail!(e);
        }
    };
    Ok(Opened { loaded, test })
}

/// `-d` names, or (interactive) the names nginx serves to choose from.
pub fn names(config: &Config, loaded: &NginxConfig) -> Result<Vec<String>> {
    let given = super::acme_args::names(config)?;
    if !given.is_empty() {
        return Ok(given);
    }
    let mut offered: Vec<String> = Vec::new();
    for server in loaded.servers() {
        for n in &server.names {
            if let ServerName::Exact(e) = n
                && let Ok(name) = check_name(e)
                && !offered.contains(&name)
            {
                offered.push(name);
            }
        }
    }
    super::prompt::choose_names(config, "nginx", "server_name", offered)
}

/// The enhancements asked for. `redirect_default`: what `--redirect`
/// defaults to when neither it nor `--no-redirect` is given (`run` and
/// `install`: ask, or yes under `-n`, as Certbot does; `enhance`: no).
pub fn enhancements(config: &Config, redirect_default: bool) -> Result<Enhancements> {
    let redirect = super::prompt::redirect(config, redirect_default)?;
    Ok(Enhancements {
        redirect,
        hsts: config.args.flag("hsts"),
        uir: config.args.flag("uir"),
        staple: config.args.flag("staple-ocsp"),
    })
}

pub fn request(
    config: &Config,
    names: Vec<String>,
    cert: Option<CertFiles>,
    chain: Option<PathBuf>,
    enhance: Enhancements,
) -> Result<InstallRequest> {
    Ok(InstallRequest {
        names,
        chain,
        options: cert
            .as_ref()
            .map(|_| absolute(&config.config_dir).join(crate::installer::nginx::OPTIONS_FILE)),
        cert,
        https_port: https_port(config)?,
        http_port: http_port(config)?,
        enhance,
    })
}

/// Dry-run the installation on a copy (errors such as "no block serves
/// this name" show before a certificate is ordered), and check the files
/// it would change can be written.
pub fn check_plan(nginx: &Nginx, loaded: &NginxConfig, request: &InstallRequest) -> Result<()> {
    if request.names.is_empty() {
        bail!("no names to install the certificate for");
    }
    let mut copy = loaded.clone();
    install(&mut copy, request)?;
    nginx.check_writable(&copy)?;
    Ok(())
}

/// Install `request` into nginx as one checkpoint, test, reload; print
/// what was done. `Ok(false)`: nothing needed changing.
pub fn deploy(
    config: &Config,
    session: &mut Session,
    nginx: &Nginx,
    request: &InstallRequest,
    title: &str,
    warnings_before: &[String],
) -> Result<bool> {
    let mut loaded = nginx.load()?;
    let report = install(&mut loaded, request)?;
    if config.dry_run {
        return preview(config, &loaded, &report);
    }
    // certsmith's TLS settings file, when a changed file now includes it.
    let mut extra = Vec::new();
    if let Some(options) = &request.options {
        let named = options.as_os_str().as_encoded_bytes();
        let included = loaded
            .changed_files()
            .iter()
            .any(|(_, _, after)| after.windows(named.len()).any(|w| w == named));
        if included {
            let plan = tls_options(&absolute(&config.config_dir))?;
            if let Some(note) = &plan.note {
                eprintln!("Note: {note}");
            }
            extra = plan.files;
        }
    }
    nginx.check_writable(&loaded)?;
    let say = |s: &str| {
        if !config.quiet {
            println!("{s}");
        }
    };
    for w in &report.warnings {
        eprintln!("Warning: {w}");
    }
    let reverter = session.reverter()?;
    let deployed = nginx.deploy(reverter, title, &loaded, &extra, warnings_before)?;
    for line in &report.lines {
        say(&format!("  {line}"));
    }
    if config.verbosity > 0 {
        for n in &report.notes {
            say(&format!("  ({n})"));
        }
    }
    for w in &deployed.new_warnings {
        eprintln!("Warning from nginx -t: {w}");
    }
    match (&deployed.checkpoint, deployed.restart) {
        (None, _) => {
            say("nginx already has all of this: nothing changed.");
            for n in &report.notes {
                say(&format!("  {n}"));
            }
        }
        (Some(cp), restart) => {
            let how = match restart {
                Some(Restart::Started) => "nginx was not running: started it",
                _ => "nginx reloaded",
            };
            say(&format!(
                "nginx -t: ok; {how}. Checkpoint {} (`certsmith rollback` undoes it).",
                cp.id
            ));
        }
    }
    Ok(deployed.checkpoint.is_some())
}

/// `--dry-run`: what would change, as unified diffs; nothing is written.
fn preview(
    config: &Config,
    loaded: &NginxConfig,
    report: &crate::installer::nginx::Report,
) -> Result<bool> {
    let changed = loaded.changed_files();
    if config.quiet {
        return Ok(false);
    }
    for line in &report.lines {
        println!("  would: {line}");
    }
    if changed.is_empty() {
        println!("Dry run: nginx already has all of this; nothing would change.");
    }
    let mut out = std::io::stdout().lock();
    for (path, before, after) in &changed {
        out.write_all(&crate::diff::unified(path, before, after))?;
    }
    println!("Dry run: nothing was written and nginx was not reloaded.");
    Ok(false)
}
