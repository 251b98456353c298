//! One module per verb; each has a small `run(&Config)`.

use crate::cli::Config;
use std::process::ExitCode;

pub mod account;
pub mod acme_args;
pub mod certonly;
pub mod conf;
pub mod issue;

/// Run the configured verb. `Ok` carries the exit code for commands whose
/// success has degrees (`conf check` exits 1 when a file fails).
pub fn dispatch(config: &Config) -> anyhow::Result<ExitCode> {
    match config.verb {
        "conf" => conf::run(config),
        "certonly" => certonly::run(config),
        other => anyhow::bail!("'{other}' is not available yet in this version of certsmith"),
    }
}
