//! `certonly`: obtain a certificate with a standalone, webroot, manual,
//! dns-rfc2136, nginx or apache authenticator and save it as a lineage (no
//! installation).

use super::session::Session;
use super::{acme_args, issue, nginx as ng, run as run_verb};
use crate::cli::Config;
use anyhow::bail;
use std::process::ExitCode;

pub fn run(config: &Config, session: &mut Session) -> anyhow::Result<ExitCode> {
    let name = match acme_args::authenticator_name(config)? {
        Some(n) => n,
        None if acme_args::non_interactive(config) => {
            bail!(
                "choose how to prove control of the names: --nginx, --apache, --standalone, --webroot -w DIR, --manual, or --dns-rfc2136"
            )
        }
        None => bail!(
            "choose an authenticator: --nginx, --apache, --standalone, --webroot -w DIR, --manual, or --dns-rfc2136"
        ),
    };
    if name == "nginx" {
        return run_nginx(config, session);
    }
    if name == "apache" {
        return super::apache::certonly(config, session);
    }
    // Check everything that can be checked before touching disk or network.
    let names = acme_args::names(config)?;
    acme_args::cert_request(config, names.clone())?;
    let (mut solver, params) = acme_args::solver(config, &name, &names)?;
    if config.args.value("csr").is_some() {
        issue::obtain_for_csr(config, solver.as_mut())?;
    } else {
        issue::obtain_and_save(config, &names, solver.as_mut(), params, None)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `certonly --nginx`: http-01 answered by nginx (temporary edits, undone
/// after validation); names from `-d`, else offered from `server_name`.
fn run_nginx(config: &Config, session: &mut Session) -> anyhow::Result<ExitCode> {
    let nginx = ng::nginx(config);
    let (loaded, _) = ng::open(session, &nginx)?.preflight()?;
    if config.args.value("csr").is_some() {
        acme_args::cert_request(config, Vec::new())?;
        let reverter = session.reverter()?;
        let (mut solver, _) = ng::solver(config, reverter)?;
        issue::obtain_for_csr(config, &mut solver)?;
        return Ok(ExitCode::SUCCESS);
    }
    let names = ng::names(config, &loaded)?;
    acme_args::cert_request(config, names.clone())?;
    run_verb::obtain(config, session, &names, None)?;
    Ok(ExitCode::SUCCESS)
}
