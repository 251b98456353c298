//! One module per verb; each has a small `run(&Config, &mut Session)`.

use crate::cli::Config;
use std::process::ExitCode;

pub mod account;
pub mod accounts;
pub mod acme_args;
pub mod apache;
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
pub mod nginx;
pub mod prompt;
pub mod reconfigure;
pub mod renew;
pub mod revoke;
pub mod rollback;
pub mod run;
pub mod session;

pub use session::Session;

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
        other => anyhow::bail!("'{other}' is not available yet in this version of certsmith"),
    };
    check_names(config)?;
    let mut session = Session::start(config)?;
    run(config, &mut session)
}

/// `-d` names are checked before the session creates or locks a directory,
/// so a typo in a name leaves the machine exactly as it was.
fn check_names(config: &Config) -> anyhow::Result<()> {
    if matches!(config.verb, "run" | "certonly" | "install" | "enhance") {
        for name in config.args.domains() {
            acme_args::check_name(&name)?;
        }
    }
    Ok(())
}
