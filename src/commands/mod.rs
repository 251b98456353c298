//! One module per verb; each has a small `run(&Config)`.

use crate::cli::Config;
use std::process::ExitCode;

pub mod account;
pub mod accounts;
pub mod acme_args;
pub mod certificates;
pub mod certonly;
pub mod conf;
pub mod delete;
pub mod hooks;
pub mod install_timer;
pub mod issue;
pub mod reconfigure;
pub mod renew;
pub mod revoke;

/// Run the configured verb. `Ok` carries the exit code for commands whose
/// success has degrees (`conf check` exits 1 when a file fails).
pub fn dispatch(config: &Config) -> anyhow::Result<ExitCode> {
    match config.verb {
        "conf" => conf::run(config),
        "certonly" => certonly::run(config),
        "certificates" => certificates::run(config),
        "delete" => delete::run(config),
        "revoke" => revoke::run(config),
        "register" => accounts::register(config),
        "update_account" => accounts::update(config),
        "unregister" => accounts::unregister(config),
        "show_account" => accounts::show(config),
        "renew" => renew::run(config),
        "reconfigure" => reconfigure::run(config),
        "install-timer" => install_timer::run(config),
        other => anyhow::bail!("'{other}' is not available yet in this version of certsmith"),
    }
}
