//! `certonly`: obtain a certificate with a standalone, webroot, manual or
//! dns-rfc2136 authenticator and save it as a lineage (no installation).

use super::{acme_args, issue};
use crate::cli::Config;
use anyhow::bail;
use std::process::ExitCode;

pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let name = match acme_args::authenticator_name(config)? {
        Some(n) => n,
        None if acme_args::non_interactive(config) => {
            bail!(
                "choose how to prove control of the names: --standalone, --webroot -w DIR, --manual, or --dns-rfc2136"
            )
        }
        None => bail!(
            "choose an authenticator: --standalone, --webroot -w DIR, --manual, or --dns-rfc2136"
        ),
    };
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
