//! The Apache side of `run`, `certonly`, `install` and `enhance` (`--apache`): flags, the
//! checks before anything changes, names from the vhosts, the Apache authenticator, and
//! the deploy step (one checkpoint, configuration test, graceful restart) with its report.

use super::acme_args::{self, check_name, non_interactive};
use super::session::Session;
use crate::cli::Config;
use crate::installer::absolute;
use crate::installer::apache::{
    Apache, ApacheSolver, CertFiles, Enhancements, FileNaming, InstallRequest, Restart, ServerInfo,
    Settings, VirtualHost, choose, install,
};
use crate::storage::RenewalParams;
use anyhow::{Result, bail};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

mod verbs;

pub use verbs::{certonly, enhance_verb, install_verb, obtain, run};

/// `--apache-server-root` and `--apache-ctl`.
pub fn apache(config: &Config) -> Result<Apache> {
    let root = config.args.path("apache-server-root");
    let ctl = config.args.path("apache-ctl");
    Ok(Apache::new(root.as_deref(), ctl.as_deref())?)
}

fn flag_bool(config: &Config, flag: &str, default: bool) -> Result<bool> {
    match config.args.value(flag) {
        None => Ok(default),
        Some(v) => match v.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok(true),
            "false" | "no" | "off" | "0" => Ok(false),
            _ => bail!("--{flag} {v:?}: say true or false"),
        },
    }
}

/// The Apache flags that shape an install.
pub fn settings(config: &Config) -> Result<Settings> {
    let mut naming = FileNaming {
        vhost_root: config.args.path("apache-vhost-root").map(|p| absolute(&p)),
        ..FileNaming::default()
    };
    if let Some(ext) = config.args.value("apache-le-vhost-ext") {
        if ext.contains('/') || ext.is_empty() {
            bail!("--apache-le-vhost-ext {ext:?}: a file name suffix, such as -le-ssl.conf");
        }
        naming.ssl_ext = ext.to_string();
    }
    Ok(Settings {
        naming,
        handle_modules: flag_bool(config, "apache-handle-modules", true)?,
        handle_sites: flag_bool(config, "apache-handle-sites", true)?,
        http_port: config.args.parsed::<u16>("http-01-port")?.unwrap_or(80),
        https_port: config.args.parsed::<u16>("https-port")?.unwrap_or(443),
    })
}

/// The renewal conf values that let renewal find this Apache again (Certbot's keys;
/// paths made absolute: renewal runs from another directory).
pub fn renewal_params(config: &Config, params: &mut RenewalParams) {
    for flag in ["apache-server-root", "apache-vhost-root"] {
        if let Some(p) = config.args.path(flag) {
            params.set(&flag.replace('-', "_"), absolute(&p).display().to_string());
        }
    }
    if let Some(ctl) = config.args.path("apache-ctl") {
        // A bare name is looked up in PATH; a relative path is not.
        let ctl = if ctl.components().count() > 1 {
            absolute(&ctl)
        } else {
            ctl
        };
        params.set("apache_ctl", ctl.display().to_string());
    }
    for (flag, key) in [
        ("apache-le-vhost-ext", "apache_le_vhost_ext"),
        ("apache-handle-modules", "apache_handle_modules"),
        ("apache-handle-sites", "apache_handle_sites"),
        ("http-01-port", "http01_port"),
        ("https-port", "https_port"),
    ] {
        if let Some(v) = config.args.value(flag) {
            params.set(key, v);
        }
    }
}

/// The Apache authenticator (for `run`, `certonly` and renewal): the solver, which needs
/// the session's reverter for its temporary challenge edits, and the renewal values that
/// let renewal build it again. `info`: from an earlier [`Apache::inspect`], else asked now.
pub fn solver<'r>(
    config: &Config,
    info: Option<ServerInfo>,
    reverter: &'r mut reverter::Reverter,
) -> Result<(ApacheSolver<'r>, RenewalParams)> {
    let mut params = RenewalParams::default();
    params.set("authenticator", "apache");
    renewal_params(config, &mut params);
    let apache = apache(config)?;
    let info = match info {
        Some(i) => i,
        None => apache.inspect()?,
    };
    let solver = ApacheSolver::new(
        apache,
        info,
        settings(config)?,
        &absolute(&config.work_dir),
        reverter,
        config.quiet,
    );
    Ok((solver, params))
}

/// Lock the server root, ask Apache about itself (refusing a configuration that already
/// fails: nothing is changed).
pub fn open(session: &mut Session, apache: &Apache) -> Result<ServerInfo> {
    session.lock(&apache.layout.server_root)?;
    Ok(apache.inspect()?)
}

/// `-d` names, or (interactive) the names the vhosts serve to choose from.
pub fn names(config: &Config, apache: &Apache, info: &ServerInfo) -> Result<Vec<String>> {
    let given = acme_args::names(config)?;
    if !given.is_empty() {
        return Ok(given);
    }
    let plan = apache.load(info)?;
    let mut offered: Vec<String> = Vec::new();
    for v in plan.loaded.vhosts().iter().filter(|v| v.active) {
        for n in v.names() {
            if let Ok(name) = check_name(&n)
                && !name.starts_with("*.")
                && !offered.contains(&name)
            {
                offered.push(name);
            }
        }
    }
    super::prompt::choose_names(config, "Apache", "ServerName or ServerAlias", offered)
}

/// The enhancements asked for. `redirect_default`: what `--redirect` means when neither
/// it nor `--no-redirect` is given (`run`, `install`: ask, or yes under `-n`, as Certbot;
/// `enhance`: no).
pub fn enhancements(config: &Config, redirect_default: bool) -> Result<Enhancements> {
    let redirect = super::prompt::redirect(config, redirect_default)?;
    Ok(Enhancements {
        redirect,
        hsts: config.args.flag("hsts"),
        uir: config.args.flag("uir"),
        staple_ocsp: config.args.flag("staple-ocsp"),
    })
}

/// Answers to "which vhost?", asked once per name (the same plan is made twice: on a copy
/// before ordering a certificate, then for real).
#[derive(Default)]
pub struct Chooser {
    interactive: bool,
    answers: HashMap<String, Option<usize>>,
}

impl Chooser {
    pub fn new(config: &Config) -> Chooser {
        Chooser {
            interactive: !non_interactive(config),
            answers: HashMap::new(),
        }
    }

    pub fn choose(&mut self, name: &str, candidates: &[VirtualHost]) -> Option<usize> {
        if let Some(a) = self.answers.get(name) {
            return *a;
        }
        let answer = self
            .interactive
            .then(|| prompt_vhost(name, candidates))
            .flatten();
        self.answers.insert(name.to_string(), answer);
        answer
    }
}

fn prompt_vhost(name: &str, candidates: &[VirtualHost]) -> Option<usize> {
    println!("Several virtual hosts serve {name}:");
    for (i, v) in candidates.iter().enumerate() {
        println!("  {}: {}", i + 1, choose::describe(v));
    }
    let answer = super::prompt::ask("Number of the one to use (c: cancel): ").ok()?;
    let i: usize = answer.trim().parse().ok()?;
    (1..=candidates.len()).contains(&i).then(|| i - 1)
}

pub fn request(
    config: &Config,
    names: Vec<String>,
    cert: Option<CertFiles>,
    enhance: Enhancements,
) -> Result<InstallRequest> {
    Ok(InstallRequest {
        names,
        cert,
        enhance,
        config_dir: absolute(&config.config_dir),
        settings: settings(config)?,
    })
}

/// Plan the installation on a fresh load (errors such as "no vhost serves this name"
/// show before a certificate is ordered), and check the files it would write.
pub fn check_plan(
    apache: &Apache,
    info: &ServerInfo,
    request: &InstallRequest,
    chooser: &mut Chooser,
) -> Result<()> {
    let mut plan = apache.load(info)?;
    install(&mut plan, request, &mut |n, c| chooser.choose(n, c))?;
    plan.check_writable()?;
    Ok(())
}

/// Install `request` into Apache as one checkpoint, test, restart; print what was done.
/// Returns whether files changed. `--dry-run`: show the diff, write nothing.
pub fn deploy(
    config: &Config,
    session: &mut Session,
    apache: &Apache,
    info: &ServerInfo,
    request: &InstallRequest,
    title: &str,
    chooser: &mut Chooser,
) -> Result<bool> {
    let mut plan = apache.load(info)?;
    let report = install(&mut plan, request, &mut |n, c| chooser.choose(n, c))?;
    let say = |s: &str| {
        if !config.quiet {
            println!("{s}");
        }
    };
    for note in &report.notes {
        eprintln!("Note: {note}");
    }
    if config.dry_run {
        if !config.quiet {
            for line in &report.done {
                println!("  would: {line}");
            }
            if plan.is_empty() {
                println!("Dry run: Apache already has all of this; nothing would change.");
            }
            std::io::stdout().lock().write_all(&plan.diff())?;
            println!("Dry run: nothing was written and Apache was not restarted.");
        }
        return Ok(false);
    }
    let reverter = session.reverter()?;
    let deployed = apache.deploy(reverter, title, &plan, info)?;
    for w in &deployed.new_warnings {
        eprintln!("Warning from apache2ctl -t: {w}");
    }
    match &deployed.checkpoint {
        None => say("Apache already has all of this: nothing changed."),
        Some(cp) => {
            for line in &report.done {
                say(&format!("  {line}"));
            }
            let how = match deployed.restart {
                Some(Restart::Started) => "Apache was not running: started it",
                _ => "Apache restarted gracefully",
            };
            say(&format!(
                "Configuration test: ok; {how}. Checkpoint {} (`certsmith rollback` undoes it).",
                cp.id
            ));
        }
    }
    Ok(deployed.checkpoint.is_some())
}

/// Renewal's reload hook for lineages installed into Apache (the `Reload` of
/// `commands::renew::plugins`; `config` carries the lineage's stored
/// `--apache-server-root`/`--apache-ctl`): configuration test, then a graceful restart
/// (Apache is started when not running). Nothing is reinstalled.
pub fn reload_for_renewal(config: &Config) -> Result<()> {
    apache(config)?.restart()?;
    Ok(())
}

/// `rollback` (and the start-up recovery) after undoing changes to the Apache whose main
/// file is `conf`: restart it gracefully if it runs (started again if that stopped it).
/// One line saying what was done.
pub fn reload_after_undo(config: &Config, conf: &Path) -> Result<String> {
    let ctl = config.args.path("apache-ctl");
    let apache = Apache::of_config_file(conf, ctl.as_deref())?;
    Ok(match apache.after_rollback()? {
        Some(Restart::Started) => format!(
            "Apache ({}) stopped during the restart: started it again.",
            conf.display()
        ),
        Some(Restart::Restarted) => format!(
            "Configuration test: ok; Apache ({}) restarted gracefully.",
            conf.display()
        ),
        None => format!(
            "Apache ({}) is not running: nothing to restart.",
            conf.display()
        ),
    })
}
