//! The command line: raw arguments are resolved once into a [`Config`], then
//! the verb's `run` function gets it. `anyhow` is used from here up only.

pub mod args;
pub mod flags;
mod help;

pub use args::{RawArgs, UsageError};

use std::path::PathBuf;
use std::process::ExitCode;

/// Options every command shares, resolved once; verb-specific options are
/// resolved by each command from `args`.
#[derive(Debug, Clone)]
pub struct Config {
    pub verb: &'static str,
    pub args: RawArgs,
    pub config_dir: PathBuf,
    pub work_dir: PathBuf,
    pub logs_dir: PathBuf,
    pub non_interactive: bool,
    pub quiet: bool,
    pub verbosity: usize,
    pub dry_run: bool,
}

impl Config {
    pub fn from_args(args: RawArgs) -> Result<Config, UsageError> {
        let path_or =
            |flag: &str, default: &str| args.path(flag).unwrap_or_else(|| PathBuf::from(default));
        Ok(Config {
            verb: args.verb.unwrap_or("run"),
            config_dir: path_or("config-dir", "/etc/letsencrypt"),
            work_dir: path_or("work-dir", "/var/lib/certsmith"),
            logs_dir: path_or("logs-dir", "/var/log/certsmith"),
            non_interactive: args.flag("non-interactive"),
            quiet: args.flag("quiet"),
            verbosity: args.count("verbose"),
            dry_run: args.flag("dry-run"),
            args,
        })
    }

    /// Words after the verb (`conf get PATH` -> `["get", "PATH"]`).
    pub fn positionals(&self) -> &[String] {
        &self.args.positionals
    }
}

/// Read the command line and the `--config` file into a [`Config`].
pub fn load(argv: Vec<String>) -> Result<Config, UsageError> {
    let raw = args::parse(argv)?;
    let raw = match raw.path("config") {
        Some(file) => {
            let text = std::fs::read_to_string(&file).map_err(|e| {
                UsageError(format!("--config: cannot read {}: {e}", file.display()))
            })?;
            let defaults = args::parse_ini(&file, &text)?;
            raw.with_file_defaults(defaults)
        }
        None => raw,
    };
    Config::from_args(raw)
}

/// The binary's entry point: parse, dispatch, report.
pub fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let config = match load(argv) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("certsmith: {e}");
            return ExitCode::from(2);
        }
    };
    if config.args.flag("help") {
        print!("{}", help::render(config.args.verb));
        return ExitCode::SUCCESS;
    }
    if config.args.flag("version") {
        println!("certsmith {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    match crate::commands::dispatch(&config) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("certsmith: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
