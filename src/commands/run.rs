//! `certsmith [run] --nginx|--apache -d NAME...`: obtain a certificate (proving control
//! through the web server itself unless another authenticator is chosen) and install
//! it, with the enhancements asked for, as one checkpoint.

use super::session::Session;
use super::{Config, site};
use crate::installer::Request;
use anyhow::{Result, bail};
use std::process::ExitCode;

pub fn run(config: &Config, session: &mut Session) -> Result<ExitCode> {
    let (name, mut server) = installer(config)?;
    let server = server.as_mut();
    site::open(session, server)?;
    let names = site::names(config, server)?;
    let enhance = site::enhancements(config, true)?;
    // The same installation with the certificate's future paths: a name no site can
    // serve fails now, before a certificate is ordered.
    let planned = Request {
        names: names.clone(),
        cert: Some(site::future_files(config, &names)),
        chain: None,
        enhance,
    };
    server.check(&planned)?;
    if !config.dry_run {
        // The install reloads the server next: that one reload takes the challenge
        // edits out and the certificate in.
        server.owe_challenge_reload();
    }
    let got = match site::obtain(config, session, server, &name, &names, Some(&name)) {
        Ok(got) => got,
        Err(e) => return Err(site::reload_after_failure(session, server, false, e)),
    };
    let Some((lineage, fresh)) = got else {
        if config.dry_run {
            // What installing would change, with the paths the lineage would have.
            site::deploy(config, session, server, &planned, "dry run")?;
            return Ok(ExitCode::SUCCESS);
        }
        bail!("internal error: no certificate to install");
    };
    // Taken just before the deploy, whose reload (or the restart below) pays it.
    let owed = site::take_owed_reload(session)?;
    let changed = site::install_lineage(config, session, server, &lineage, names, enhance)
        .map_err(|e| site::reload_after_failure(session, server, owed, e))?;
    if (fresh || owed) && !changed && server.serves() {
        // Same paths, new files: the server reads certificates when it loads its
        // configuration (and it still runs the undone challenge edits).
        let done = server.restart()?;
        if !config.output.quiet {
            println!("{done} to serve the new certificate.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The installer chosen, else asked for (Certbot's menu of the plugins that
/// authenticate and install), except with an authenticator that cannot install chosen.
fn installer(config: &Config) -> Result<(String, Box<dyn crate::installer::Installer>)> {
    let authenticator = config.registry.chosen_authenticator(config)?;
    let only_authenticates = authenticator
        .as_deref()
        .and_then(|a| config.registry.by_name(a))
        .is_some_and(|p| p.installer.is_none());
    if only_authenticates && config.registry.chosen_installer(config)?.is_none() {
        bail!(
            "say where to install the certificate: --nginx or --apache (or `certsmith certonly` to only obtain one)"
        );
    }
    site::chosen_or_asked(config, authenticator.is_none())
}
