//! `certsmith [run] --nginx -d NAME...` (`--apache`: see `apache/`): obtain a certificate (proving
//! control through nginx itself unless another authenticator is chosen)
//! and install it, with the enhancements asked for, as one checkpoint.

use super::cert_files::lineage_files;
use super::nginx as ng;
use super::session::Session;
use super::{acme_args, issue};
use crate::cli::Config;
use crate::installer::absolute;
use crate::installer::nginx::{CertFiles, Nginx};
use crate::storage::Lineage;
use anyhow::{Result, bail};
use std::process::ExitCode;

/// `-i NAME`, or `--nginx`/`--apache` (which name the installer too).
pub fn installer_name(config: &Config) -> Result<Option<String>> {
    let mut chosen: Vec<String> = Vec::new();
    for flag in ["nginx", "apache"] {
        if config.args.flag(flag) {
            chosen.push(flag.into());
        }
    }
    if let Some(i) = config.args.value("installer") {
        chosen.push(i.to_string());
    }
    chosen.dedup();
    match chosen.len() {
        0 | 1 => Ok(chosen.pop()),
        _ => bail!("choose one installer, not {}", chosen.join(" and ")),
    }
}

pub fn run(config: &Config, session: &mut Session) -> Result<ExitCode> {
    match installer_name(config)?.as_deref() {
        Some("nginx") => run_nginx(config, session),
        Some("apache") => super::apache::run(config, session),
        Some(other) => {
            bail!("the {other} installer is not available in this version of certsmith")
        }
        None => bail!(
            "say where to install the certificate: --nginx or --apache (or `certsmith certonly` to only obtain one)"
        ),
    }
}

fn run_nginx(config: &Config, session: &mut Session) -> Result<ExitCode> {
    let nginx = ng::nginx(config);
    let opened = ng::open(session, &nginx)?;
    let names = ng::names(config, &opened.loaded)?;
    let enhance = ng::enhancements(config, true)?;
    // The same installation with the certificate's future paths, on a copy:
    // a name no block can serve fails now, before a certificate is ordered.
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
    let request = ng::request(config, names.clone(), Some(planned), None, enhance)?;
    let (_, warnings, ()) =
        opened.preflight_with(|loaded| ng::check_plan(&nginx, loaded, &request))?;
    let Some((lineage, fresh)) = obtain(config, session, &names, Some("nginx"))? else {
        if config.dry_run {
            // What installing would change, with the paths the lineage would have.
            ng::deploy(config, session, &nginx, &request, "dry run", &warnings)?;
            return Ok(ExitCode::SUCCESS);
        }
        bail!("internal error: no certificate to install");
    };
    let changed = install_lineage(config, session, &nginx, &lineage, names, enhance, &warnings)?;
    if fresh && !changed {
        // Same paths, new files: nginx reads certificates when it loads its configuration.
        nginx.restart()?;
        if !config.quiet {
            println!("nginx -t: ok; nginx reloaded to serve the new certificate.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Obtain a certificate for `names`: through nginx (`--nginx`, `-a nginx`,
/// or no authenticator chosen), else with the chosen authenticator. Returns
/// the lineage and whether its certificate is new (`false`: not yet due,
/// kept); `None` only for `--dry-run`.
pub fn obtain(
    config: &Config,
    session: &mut Session,
    names: &[String],
    installer: Option<&str>,
) -> Result<Option<(Lineage, bool)>> {
    let authenticator = acme_args::authenticator_name(config)?;
    let got = match authenticator.as_deref() {
        None | Some("nginx") => {
            let reverter = session.reverter()?;
            let (mut solver, params) = ng::solver(config, reverter)?;
            issue::obtain_and_save(config, names, &mut solver, params, installer)?
        }
        Some(other) => {
            let (mut solver, mut params) = acme_args::solver(config, other, names)?;
            ng::renewal_params(config, &mut params);
            issue::obtain_and_save(config, names, solver.as_mut(), params, installer)?
        }
    };
    issue::obtained_or_kept(config, names, got)
}

pub fn install_lineage(
    config: &Config,
    session: &mut Session,
    nginx: &Nginx,
    lineage: &Lineage,
    names: Vec<String>,
    enhance: crate::installer::nginx::Enhancements,
    warnings: &[String],
) -> Result<bool> {
    if enhance.staple {
        warn_without_ocsp(lineage);
    }
    let chain = Some(absolute(&lineage.path("chain")));
    let request = ng::request(
        config,
        names.clone(),
        Some(lineage_files(lineage)),
        chain,
        enhance,
    )?;
    if !config.quiet {
        println!(
            "Deploying certificate {:?} to nginx ({}):",
            lineage.name,
            nginx.conf().display()
        );
    }
    let title = format!(
        "Installed certificate {} for {}",
        lineage.name,
        names.join(", ")
    );
    let changed = ng::deploy(config, session, nginx, &request, &title, warnings)?;
    if !config.quiet {
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

pub fn warn_without_ocsp(lineage: &Lineage) {
    if lineage.cert_info().is_ok_and(|i| i.ocsp_url.is_none()) {
        eprintln!(
            "Warning: certificate {:?} names no OCSP responder: nginx has nothing to staple (the directives are added anyway)",
            lineage.name
        );
    }
}
