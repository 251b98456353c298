//! `certsmith enhance --nginx --cert-name NAME --redirect --hsts ...`: add
//! enhancements to sites already on TLS, as one checkpoint. Names: `-d`,
//! else those of the certificate.

use super::nginx as ng;
use super::run::{installer_name, warn_without_ocsp};
use super::session::Session;
use crate::cli::Config;
use crate::installer::absolute;
use crate::storage::{self, Lineage};
use anyhow::{Result, bail};
use std::process::ExitCode;

pub fn run(config: &Config, session: &mut Session) -> Result<ExitCode> {
    match installer_name(config)?.as_deref() {
        Some("nginx") => {}
        Some("apache") => return super::apache::enhance_verb(config, session),
        Some(other) => bail!("the {other} installer is not available in this version of certsmith"),
        None => bail!("enhance: say which server: --nginx or --apache"),
    }
    let enhance = ng::enhancements(config, false)?;
    if !enhance.any() {
        bail!("enhance: say which enhancement: --redirect, --hsts, --uir, --staple-ocsp");
    }
    let lineage = match config.args.value("cert-name") {
        Some(name) => {
            storage::validate_name(name)?;
            Some(Lineage::load(&config.config_dir, name)?)
        }
        None => None,
    };
    let mut names = super::acme_args::names(config)?;
    if names.is_empty() {
        let Some(l) = &lineage else {
            bail!("enhance: give --cert-name NAME or the names with -d");
        };
        for n in l.cert_info()?.names {
            let n = super::acme_args::check_name(&n)?;
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    if let (true, Some(l)) = (enhance.staple, &lineage) {
        warn_without_ocsp(l);
    }
    let chain = lineage
        .as_ref()
        .map(|l| absolute(&l.path("chain")))
        .or_else(|| config.args.path("chain-path").map(|p| absolute(&p)));
    let nginx = ng::nginx(config);
    let (_, warnings) = ng::open(session, &nginx)?.preflight()?;
    let request = ng::request(config, names.clone(), None, chain, enhance)?;
    let mut what = Vec::new();
    for (on, label) in [
        (enhance.redirect, "redirect"),
        (enhance.hsts, "HSTS"),
        (enhance.uir, "upgrade-insecure-requests"),
        (enhance.staple, "OCSP stapling"),
    ] {
        if on {
            what.push(label);
        }
    }
    if !config.quiet {
        println!(
            "Enhancing nginx ({}) for {}:",
            nginx.conf().display(),
            names.join(", ")
        );
    }
    let title = format!("Enhanced {}: {}", names.join(", "), what.join(", "));
    ng::deploy(config, session, &nginx, &request, &title, &warnings)?;
    Ok(ExitCode::SUCCESS)
}
