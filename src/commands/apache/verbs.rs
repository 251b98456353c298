//! The Apache verbs: `run --apache`, `certonly --apache`, `install --apache`,
//! `enhance --apache` (dispatched from `run.rs`, `certonly.rs`, `install.rs`, `enhance.rs`).

use super::{
    Chooser, apache, check_plan, deploy, enhancements, names, open, renewal_params, request, solver,
};
use crate::cli::Config;
use crate::commands::acme_args::{self, check_name};
use crate::commands::cert_files::lineage_files;
use crate::commands::issue;
use crate::commands::session::Session;
use crate::installer::absolute;
use crate::installer::apache::{Apache, CertFiles, Enhancements, ServerInfo};
use crate::storage::{self, Lineage};
use anyhow::{Result, bail};
use std::process::ExitCode;

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
    issue::obtained_or_kept(config, names, got)
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
            let (cert, names) = crate::commands::cert_files::from_flags(config, "--apache")?;
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
