//! `certsmith enhance --nginx|--apache --cert-name NAME --redirect --hsts ...`: add
//! enhancements to sites already on TLS, as one checkpoint. Names: `-d`, else those of
//! the certificate.

use super::session::Session;
use super::{Config, site};
use crate::installer::{Request, absolute};
use crate::storage::{self, Lineage};
use anyhow::{Result, bail};
use std::process::ExitCode;

pub fn run(config: &Config, session: &mut Session) -> Result<ExitCode> {
    let (_, mut server) = site::chosen_or_asked(config, false)?;
    let server = server.as_mut();
    let enhance = site::enhancements(config, false)?;
    if !enhance.any() {
        bail!("enhance: say which enhancement: --redirect, --hsts, --uir, --staple-ocsp");
    }
    let lineage = match &config.cert.cert_name {
        Some(name) => {
            storage::validate_name(name)?;
            Some(Lineage::load(&config.paths.config_dir, name)?)
        }
        None => None,
    };
    let mut names = super::names(config)?;
    if names.is_empty() {
        let Some(l) = &lineage else {
            bail!("enhance: give --cert-name NAME or the names with -d");
        };
        names = crate::acme::check_names(&l.cert_info()?.names)?;
    }
    if let (true, Some(l)) = (enhance.staple_ocsp, &lineage) {
        site::warn_without_ocsp(server, l);
    }
    let chain = lineage
        .as_ref()
        .map(|l| absolute(&l.path("chain")))
        .or_else(|| config.files.chain_path.as_deref().map(absolute));
    site::open(session, server)?;
    let request = Request {
        names: names.clone(),
        cert: None,
        chain,
        enhance,
    };
    if !config.output.quiet {
        println!(
            "Enhancing {} ({}) for {}:",
            server.label(),
            server.location().display(),
            names.join(", ")
        );
    }
    let title = format!(
        "Enhanced {}: {}",
        names.join(", "),
        enhance.labels().join(", ")
    );
    site::deploy(config, session, server, &request, &title)?;
    Ok(ExitCode::SUCCESS)
}
