//! `certsmith install --nginx|--apache --cert-name NAME` (or `--cert-path`,
//! `--key-path`, `--fullchain-path`): install a certificate certsmith did not just
//! obtain. Names: `-d`, else those of the certificate.

use super::session::Session;
use super::{Config, site};
use crate::installer::{Request, absolute};
use crate::storage::{self, Lineage};
use anyhow::Result;
use std::process::ExitCode;

pub fn run(config: &Config, session: &mut Session) -> Result<ExitCode> {
    let (name, mut server) = site::chosen_or_asked(config, false)?;
    let server = server.as_mut();
    if let Some(name) = &config.cert.cert_name {
        storage::validate_name(name)?;
        let lineage = Lineage::load(&config.paths.config_dir, name)?;
        site::open(session, server)?;
        let names = site::names_or(config, lineage.cert_info()?.names)?;
        let enhance = site::enhancements(config, true)?;
        server.check(&Request {
            names: names.clone(),
            cert: Some(site::lineage_files(&lineage)),
            chain: None,
            enhance,
        })?;
        site::install_lineage(config, session, server, &lineage, names, enhance)?;
        return Ok(ExitCode::SUCCESS);
    }
    let flag = format!("--{}", name.to_ascii_lowercase());
    let (cert, names) = super::cert_files::from_flags(config, &flag)?;
    site::open(session, server)?;
    let names = site::names_or(config, names)?;
    let enhance = site::enhancements(config, true)?;
    let request = Request {
        names: names.clone(),
        cert: Some(cert.clone()),
        chain: config.files.chain_path.as_deref().map(absolute),
        enhance,
    };
    server.check(&request)?;
    if !config.output.quiet {
        println!(
            "Deploying {} to {} ({}):",
            cert.fullchain.display(),
            server.label(),
            server.location().display()
        );
    }
    let title = format!("Installed certificate for {}", names.join(", "));
    site::deploy(config, session, server, &request, &title)?;
    Ok(ExitCode::SUCCESS)
}
