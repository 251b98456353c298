//! One module per verb; each has a small `run(&Config, &mut Session)`, written
//! against typed [`Options`] and the plugin [`Registry`]: no verb reads a flag
//! by name, and the web-server verbs are written once against
//! [`crate::installer::Installer`].

use crate::cli::Options;
use crate::plugins::Registry;
use std::process::ExitCode;

pub mod account;
pub mod accounts;
pub mod cert_files;
pub mod certificates;
pub mod certonly;
pub mod checkpoints;
pub mod conf;
pub mod delete;
pub mod enhance;
pub mod hooks;
pub mod install;
pub mod install_timer;
pub mod issue;
pub mod plugins;
pub mod prompt;
pub mod reconfigure;
pub mod renew;
pub mod revoke;
pub mod rollback;
pub mod run;
pub mod session;
pub mod site;
pub mod update_symlinks;

pub use session::Session;

/// What every verb gets: the options, resolved once, and the plugins.
#[derive(Clone)]
pub struct Config<'r> {
    pub options: Options,
    pub registry: &'r Registry,
}

impl std::ops::Deref for Config<'_> {
    type Target = Options;
    fn deref(&self) -> &Options {
        &self.options
    }
}

impl<'r> Config<'r> {
    /// The same plugins with other options (a lineage's, for renewal).
    pub fn with_options(&self, options: Options) -> Config<'r> {
        Config {
            options,
            registry: self.registry,
        }
    }
}

type Run = fn(&Config, &mut Session) -> anyhow::Result<ExitCode>;

/// Run the configured verb. `Ok` carries the exit code for commands whose
/// success has degrees (`conf check` exits 1 when a file fails).
///
/// Every verb goes through the same prologue, [`Session::start`]: a verb
/// that may write locks its directories and recovers an interrupted run
/// before anything else; a verb that only reads warns about one.
pub fn dispatch(config: &Config) -> anyhow::Result<ExitCode> {
    let run: Run = match config.verb {
        "conf" => conf::run,
        "rollback" => rollback::run,
        "checkpoints" => checkpoints::run,
        "run" => run::run,
        "install" => install::run,
        "enhance" => enhance::run,
        "certonly" => certonly::run,
        "certificates" => |config, _| certificates::run(config),
        "delete" => |config, _| delete::run(config),
        "revoke" => |config, _| revoke::run(config),
        "register" => |config, _| accounts::register(config),
        "update_account" => |config, _| accounts::update(config),
        "unregister" => |config, _| accounts::unregister(config),
        "show_account" => |config, _| accounts::show(config),
        "renew" => renew::run,
        "reconfigure" => reconfigure::run,
        "install-timer" => |config, _| install_timer::run(config),
        "plugins" => |config, _| plugins::run(config),
        "update_symlinks" => |config, _| update_symlinks::run(config),
        other => anyhow::bail!("'{other}' is not available yet in this version of certsmith"),
    };
    check_names(config)?;
    if config.verb == "conf" {
        conf::check_usage(config)?;
    }
    let mut session = Session::start(config)?;
    run(config, &mut session)
}

/// `-d` names are checked before the session creates or locks a directory,
/// so a typo in a name leaves the machine exactly as it was.
fn check_names(config: &Config) -> anyhow::Result<()> {
    if matches!(config.verb, "run" | "certonly" | "install" | "enhance") {
        crate::acme::check_names(&config.cert.domains)?;
    }
    Ok(())
}

/// `-d` names, checked and de-duplicated, in order.
pub fn names(config: &Config) -> anyhow::Result<Vec<String>> {
    Ok(crate::acme::check_names(&config.cert.domains)?)
}
