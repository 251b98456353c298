//! `reconfigure --cert-name NAME [options]`: change how a lineage renews.
//! The new options are tried first by a dry-run renewal (against Let's
//! Encrypt's staging server for a Let's Encrypt lineage, else against the
//! lineage's own CA, or `--server`), and saved only if that succeeds. No
//! certificate is saved and deploy hooks do not run; the conf's other lines
//! are kept as they are.

use super::Config;
use super::renew::{self, RunState};
use crate::storage;
use crate::storage::renewal_conf::PARAMS;
use anyhow::{Context, bail};
use std::process::ExitCode;

pub fn run(config: &Config, session: &mut crate::commands::Session) -> anyhow::Result<ExitCode> {
    let Some(name) = &config.cert.cert_name else {
        bail!("--cert-name: say which certificate to reconfigure (see certsmith certificates)");
    };
    storage::validate_name(name)?;
    if !config.cert.domains.is_empty() {
        bail!(
            "-d: reconfigure keeps the names; to change them use certonly --cert-name {name} -d ..."
        );
    }
    let _lock = storage::lock_config_dir(&config.paths.config_dir)?;
    // The trial is a dry run whatever the flags say.
    let mut trial = config.clone();
    trial.options.dry_run = true;
    let mut loaded = renew::load(&trial, name)?;
    let before = loaded.lineage.conf.render();
    let mut state = RunState::new(&trial)?;
    state.hooks.pre(loaded.config.hooks.pre.as_deref());
    state.hooks.queue_post(loaded.config.hooks.post.as_deref());
    if !config.output.quiet {
        println!(
            "Trying the new options with a dry run against {}",
            loaded.config.directory_url()
        );
    }
    let trial_result = renew::renew(&mut state, session.reverter()?, &mut loaded);
    let names = loaded.names().to_vec();
    match &trial_result {
        Ok(_) => state.hooks.run_posts(&names, &[]),
        Err(_) => state.hooks.run_posts(&[], &names),
    }
    let (_, mut params) =
        trial_result.context("the dry run with the new options failed; nothing was changed")?;
    // Unless --server names a new CA, the lineage keeps its server and its
    // account there (the trial may have used staging and another account).
    if config.acme.server.is_none() {
        for key in ["server", "account"] {
            match loaded.lineage.conf.get(PARAMS, key) {
                Some(value) => {
                    params.set(key, value);
                }
                None => params.remove.push(key.to_string()),
            }
        }
    }
    let mut lineage = loaded.lineage;
    lineage.save_params(&params)?;
    let after = lineage.conf.render();
    crate::log::info(format!("reconfigured {name}"));
    if config.output.quiet {
        return Ok(ExitCode::SUCCESS);
    }
    if before == after {
        println!("The dry run succeeded; {name}'s renewal options are unchanged.");
    } else {
        println!("The dry run succeeded; saved {name}'s new renewal options:");
        let diff = crate::diff::unified(&lineage.conf_path, before.as_bytes(), after.as_bytes());
        crate::diff::print(&diff)?;
    }
    Ok(ExitCode::SUCCESS)
}
