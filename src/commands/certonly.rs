//! `certonly`: obtain a certificate with any authenticator of the registry (standalone,
//! webroot, manual, dns-rfc2136, nginx, apache, ...) and save it as a lineage (no
//! installation); with `--csr`, write the certificate files instead.

use super::session::Session;
use super::{Config, issue, prompt, site};
use crate::storage::Lineage;
use anyhow::bail;
use std::process::ExitCode;

pub fn run(config: &Config, session: &mut Session) -> anyhow::Result<ExitCode> {
    let name = match config.registry.chosen_authenticator(config)? {
        Some(name) => name,
        None => prompt::choices::authenticator(config)?,
    };
    let plugin = config.registry.authenticator(&name)?;
    if plugin.installer.is_some() {
        return through_server(config, session, &name);
    }
    // An installer named too (`-i null`, `-i nginx`) is only kept for renewal, which
    // reloads it, as Certbot does; it must exist.
    let installer = config.registry.chosen_installer(config)?;
    if let Some(i) = &installer {
        config.registry.installer(i)?;
    }
    // Check everything that can be checked before touching disk or network.
    let names = names(config)?;
    issue::cert_request(config, names.clone())?;
    let (mut solver, extra) = site::build_solver(config, &name, &names, session)?;
    if config.cert.csr.is_some() {
        issue::obtain_for_csr(config, solver.as_mut())?;
    } else {
        let params = config
            .registry
            .renewal_params(config, &name, installer.as_deref(), extra);
        issue::obtain_and_save(config, &names, solver.as_mut(), params)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `certonly --nginx|--apache`: http-01 answered by the web server (temporary edits,
/// undone after validation); names from `-d`, else offered from its configuration.
fn through_server(config: &Config, session: &mut Session, name: &str) -> anyhow::Result<ExitCode> {
    let plugin = config.registry.installer(name)?;
    let Some(entry) = &plugin.installer else {
        bail!("the {name:?} installer is not available in this version of certsmith");
    };
    let mut server = (entry.build)(config)?;
    site::open(session, server.as_mut())?;
    if config.cert.csr.is_some() {
        issue::cert_request(config, Vec::new())?;
        let mut solver = server.solver(session.reverter()?)?;
        issue::obtain_for_csr(config, solver.as_mut())?;
        return Ok(ExitCode::SUCCESS);
    }
    let names = site::names(config, server.as_ref())?;
    issue::cert_request(config, names.clone())?;
    site::obtain(config, session, server.as_mut(), name, &names, None)?;
    Ok(ExitCode::SUCCESS)
}

/// `-d` names; else (no `--csr`) those of the certificate `--cert-name` names, else
/// typed at the terminal (`-n`: an error naming `-d`).
fn names(config: &Config) -> anyhow::Result<Vec<String>> {
    let given = super::names(config)?;
    if !given.is_empty() || config.cert.csr.is_some() {
        return Ok(given);
    }
    if let Some(name) = &config.cert.cert_name
        && let Ok(lineage) = Lineage::load(&config.paths.config_dir, name)
        && let Ok(info) = lineage.cert_info()
    {
        return Ok(crate::acme::check_names(&info.names)?);
    }
    prompt::names_without_server(config)
}
