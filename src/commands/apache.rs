//! The Apache side of `run`, `certonly`, `install` and `enhance` (`--apache`): flags, the
//! checks before anything changes, names from the vhosts, the Apache authenticator, and
//! the deploy step (one checkpoint, configuration test, graceful restart) with its report.

use super::acme_args::{self, check_name, non_interactive};
use super::issue;
use super::session::Session;
use crate::cli::Config;
use crate::installer::apache::{
    Apache, ApacheSolver, CertFiles, Enhancements, FileNaming, InstallRequest, Restart, ServerInfo,
    Settings, VirtualHost, choose, install,
};
use crate::storage::{self, Lineage, RenewalParams, certinfo};
use anyhow::{Context, Result, bail};
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
    if offered.is_empty() {
        bail!(
            "no names given: use -d NAME (no ServerName or ServerAlias in the Apache configuration names a domain)"
        );
    }
    if non_interactive(config) {
        bail!(
            "no names given: use -d NAME (repeatable); names Apache serves here: {}",
            offered.join(", ")
        );
    }
    println!("Names found in the Apache configuration:");
    for (i, n) in offered.iter().enumerate() {
        println!("  {}: {n}", i + 1);
    }
    let answer = ask("Numbers of the names to get a certificate for (blank: all, c: cancel): ")?;
    let answer = answer.trim();
    if answer.eq_ignore_ascii_case("c") {
        bail!("cancelled");
    }
    if answer.is_empty() {
        return Ok(offered);
    }
    let mut chosen = Vec::new();
    for part in answer.split(|c: char| c == ',' || c.is_whitespace()) {
        if part.is_empty() {
            continue;
        }
        let i: usize = part
            .parse()
            .ok()
            .filter(|&i| (1..=offered.len()).contains(&i))
            .with_context(|| format!("{part:?} is not one of the numbers shown"))?;
        if !chosen.contains(&offered[i - 1]) {
            chosen.push(offered[i - 1].clone());
        }
    }
    Ok(chosen)
}

fn ask(prompt: &str) -> Result<String> {
    print!("{prompt}");
    std::io::stdout().flush()?;
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line)? == 0 {
        bail!("no answer (end of input)");
    }
    Ok(line)
}

/// The enhancements asked for. `redirect_default`: what `--redirect` means when neither
/// it nor `--no-redirect` is given (`run`, `install`: ask, or yes under `-n`, as Certbot;
/// `enhance`: no).
pub fn enhancements(config: &Config, redirect_default: bool) -> Result<Enhancements> {
    let redirect = match config.args.switch("redirect") {
        Some(v) => v,
        None if !redirect_default => false,
        None if non_interactive(config) => true,
        None => {
            let a = ask("Redirect http:// to https:// for these names? [Y/n] ")?;
            !a.trim().to_ascii_lowercase().starts_with('n')
        }
    };
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
    let answer = ask("Number of the one to use (c: cancel): ").ok()?;
    let i: usize = answer.trim().parse().ok()?;
    (1..=candidates.len()).contains(&i).then(|| i - 1)
}

pub fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().map_or_else(|_| p.to_path_buf(), |d| d.join(p))
    }
}

/// The lineage's live files, as Apache should name them (absolute).
pub fn lineage_files(lineage: &Lineage) -> CertFiles {
    CertFiles {
        fullchain: absolute(&lineage.path("fullchain")),
        key: absolute(&lineage.path("privkey")),
    }
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

/// Obtain a certificate for `names` through Apache (`--apache`, `-a apache`, or no
/// authenticator chosen), else with the chosen authenticator. The lineage kept when the
/// certificate is not yet due is returned too, with whether the certificate is new
/// (`None` only for `--dry-run`).
pub fn obtain(
    config: &Config,
    session: &mut Session,
    info: &ServerInfo,
    names: &[String],
    installer: Option<&str>,
) -> Result<Option<(Lineage, bool)>> {
    let got = match acme_args::authenticator_name(config)?.as_deref() {
        None | Some("apache") => {
            let reverter = session.reverter()?;
            let (mut solver, params) = solver(config, Some(info.clone()), reverter)?;
            issue::obtain_and_save(config, names, &mut solver, params, installer)?
        }
        Some(other) => {
            let (mut solver, mut params) = acme_args::solver(config, other, names)?;
            renewal_params(config, &mut params);
            issue::obtain_and_save(config, names, solver.as_mut(), params, installer)?
        }
    };
    if let Some(l) = got {
        return Ok(Some((l, true)));
    }
    if config.dry_run {
        return Ok(None);
    }
    // Not due: obtain_and_save kept the existing certificate.
    match issue::choose_target(config, names)? {
        issue::Target::Keep(l) | issue::Target::Replace(l) => Ok(Some((l, false))),
        issue::Target::New(_) => Ok(None),
    }
}

/// `certsmith [run] --apache`: obtain through Apache, install, enhance, one checkpoint.
pub fn run(config: &Config, session: &mut Session) -> Result<ExitCode> {
    let apache = apache(config)?;
    let info = open(session, &apache)?;
    let names = names(config, &apache, &info)?;
    acme_args::cert_request(config, names.clone())?;
    let enhance = enhancements(config, true)?;
    let mut chooser = Chooser::new(config);
    // The same installation with the certificate's future paths: a name no vhost serves
    // fails now, before a certificate is ordered.
    let future = absolute(&config.config_dir).join("live").join(
        names
            .first()
            .map(|n| n.trim_start_matches("*."))
            .unwrap_or("x"),
    );
    let planned = CertFiles {
        fullchain: future.join("fullchain.pem"),
        key: future.join("privkey.pem"),
    };
    let planned = request(config, names.clone(), Some(planned), enhance)?;
    check_plan(&apache, &info, &planned, &mut chooser)?;
    let Some((lineage, fresh)) = obtain(config, session, &info, &names, Some("apache"))? else {
        if config.dry_run {
            // What installing would change, with the paths the lineage would have.
            let info = apache.inspect()?;
            deploy(
                config,
                session,
                &apache,
                &info,
                &planned,
                "dry run",
                &mut chooser,
            )?;
            return Ok(ExitCode::SUCCESS);
        }
        bail!("internal error: no certificate to install");
    };
    let changed = install_lineage(
        config,
        session,
        &apache,
        &lineage,
        names,
        enhance,
        &mut chooser,
    )?;
    if fresh && !changed {
        // Same paths, new files: Apache reads certificates when it loads its configuration.
        apache.restart()?;
        if !config.quiet {
            println!(
                "Configuration test: ok; Apache restarted gracefully to serve the new certificate."
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `certonly --apache`: http-01 answered by Apache (temporary edits, undone after
/// validation); names from `-d`, else offered from the vhosts.
pub fn certonly(config: &Config, session: &mut Session) -> Result<ExitCode> {
    let apache = apache(config)?;
    let info = open(session, &apache)?;
    if config.args.value("csr").is_some() {
        acme_args::cert_request(config, Vec::new())?;
        let reverter = session.reverter()?;
        let (mut solver, _) = solver(config, Some(info), reverter)?;
        issue::obtain_for_csr(config, &mut solver)?;
        return Ok(ExitCode::SUCCESS);
    }
    let names = names(config, &apache, &info)?;
    acme_args::cert_request(config, names.clone())?;
    obtain(config, session, &info, &names, None)?;
    Ok(ExitCode::SUCCESS)
}

fn install_lineage(
    config: &Config,
    session: &mut Session,
    apache: &Apache,
    lineage: &Lineage,
    names: Vec<String>,
    enhance: Enhancements,
    chooser: &mut Chooser,
) -> Result<bool> {
    let info = apache.inspect()?;
    let request = request(config, names.clone(), Some(lineage_files(lineage)), enhance)?;
    if !config.quiet {
        println!(
            "Deploying certificate {:?} to Apache ({}):",
            lineage.name,
            apache.layout.server_root.display()
        );
    }
    let title = format!(
        "Installed certificate {} for {}",
        lineage.name,
        names.join(", ")
    );
    let changed = deploy(config, session, apache, &info, &request, &title, chooser)?;
    if !config.quiet && !config.dry_run {
        let urls: Vec<String> = names
            .iter()
            .filter(|n| !n.starts_with("*."))
            .map(|n| format!("https://{n}"))
            .collect();
        if !urls.is_empty() {
            println!("HTTPS is enabled for {}.", urls.join(" and "));
        }
    }
    Ok(changed)
}

/// `install --apache --cert-name NAME` (or `--cert-path`, `--key-path`,
/// `--fullchain-path`). Names: `-d`, else the certificate's.
pub fn install_verb(config: &Config, session: &mut Session) -> Result<ExitCode> {
    let apache = apache(config)?;
    let mut chooser = Chooser::new(config);
    let (cert, cert_names, lineage) = match config.args.value("cert-name") {
        Some(name) => {
            storage::validate_name(name)?;
            let lineage = Lineage::load(&config.config_dir, name)?;
            let names = lineage.cert_info()?.names;
            (lineage_files(&lineage), names, Some(lineage))
        }
        None => {
            let (cert, names) = files_from_flags(config)?;
            (cert, names, None)
        }
    };
    let info = open(session, &apache)?;
    let names = names_or(config, cert_names)?;
    let enhance = enhancements(config, true)?;
    if let Some(lineage) = lineage {
        install_lineage(
            config,
            session,
            &apache,
            &lineage,
            names,
            enhance,
            &mut chooser,
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let request = request(config, names.clone(), Some(cert.clone()), enhance)?;
    if !config.quiet {
        println!(
            "Deploying {} to Apache ({}):",
            cert.fullchain.display(),
            apache.layout.server_root.display()
        );
    }
    let title = format!("Installed certificate for {}", names.join(", "));
    deploy(
        config,
        session,
        &apache,
        &info,
        &request,
        &title,
        &mut chooser,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `enhance --apache --cert-name NAME --redirect --hsts ...` on vhosts already on TLS.
pub fn enhance_verb(config: &Config, session: &mut Session) -> Result<ExitCode> {
    let enhance = enhancements(config, false)?;
    if !(enhance.redirect || enhance.hsts || enhance.uir || enhance.staple_ocsp) {
        bail!("enhance: say which enhancement: --redirect, --hsts, --uir, --staple-ocsp");
    }
    let lineage = match config.args.value("cert-name") {
        Some(name) => {
            storage::validate_name(name)?;
            Some(Lineage::load(&config.config_dir, name)?)
        }
        None => None,
    };
    let mut names = acme_args::names(config)?;
    if names.is_empty() {
        let Some(l) = &lineage else {
            bail!("enhance: give --cert-name NAME or the names with -d");
        };
        names = names_or(config, l.cert_info()?.names)?;
    }
    if let (true, Some(l)) = (enhance.staple_ocsp, &lineage)
        && l.cert_info().is_ok_and(|i| i.ocsp_url.is_none())
    {
        eprintln!(
            "Warning: certificate {:?} names no OCSP responder: Apache has nothing to staple (the directives are added anyway)",
            l.name
        );
    }
    let apache = apache(config)?;
    let info = open(session, &apache)?;
    let request = request(config, names.clone(), None, enhance)?;
    let mut chooser = Chooser::new(config);
    if !config.quiet {
        println!(
            "Enhancing Apache ({}) for {}:",
            apache.layout.server_root.display(),
            names.join(", ")
        );
    }
    let title = format!("Enhanced {}", names.join(", "));
    deploy(
        config,
        session,
        &apache,
        &info,
        &request,
        &title,
        &mut chooser,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `-d` names if given, else the certificate's.
fn names_or(config: &Config, from_cert: Vec<String>) -> Result<Vec<String>> {
    let given = acme_args::names(config)?;
    if !given.is_empty() {
        return Ok(given);
    }
    let mut out = Vec::new();
    for n in from_cert {
        let n = check_name(&n)?;
        if !out.contains(&n) {
            out.push(n);
        }
    }
    if out.is_empty() {
        bail!("the certificate names no domain: give the names with -d");
    }
    Ok(out)
}

/// `--cert-path`, `--key-path`, `--fullchain-path`: checked to exist and to be a
/// certificate; the names are the certificate's.
fn files_from_flags(config: &Config) -> Result<(CertFiles, Vec<String>)> {
    let (Some(cert), Some(key)) = (config.args.path("cert-path"), config.args.path("key-path"))
    else {
        bail!("install: give --cert-name NAME, or --cert-path, --key-path and --fullchain-path");
    };
    let Some(fullchain) = config.args.path("fullchain-path") else {
        bail!(
            "install --apache: give --fullchain-path too (Apache serves the certificate with its chain)"
        );
    };
    let pem = std::fs::read_to_string(&cert)
        .with_context(|| format!("--cert-path: cannot read {}", cert.display()))?;
    let info = certinfo::parse_pem(&pem)
        .map_err(|e| anyhow::anyhow!("--cert-path {}: {}", cert.display(), e.0))?;
    for (flag, path) in [("key-path", &key), ("fullchain-path", &fullchain)] {
        if !path.is_file() {
            bail!("--{flag}: {} does not exist", path.display());
        }
    }
    Ok((
        CertFiles {
            fullchain: absolute(&fullchain),
            key: absolute(&key),
        },
        info.names,
    ))
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
