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

/// Set to a non-empty value to skip the default cli.ini locations (tests,
/// and anyone who wants only the command line). `-c FILE` also skips them.
pub const NO_DEFAULT_CLI_INI: &str = "CERTSMITH_NO_DEFAULT_CLI_INI";

/// Where Certbot looks for `cli.ini` when no `--config` is given, in the
/// order they apply (later files win): `/etc/letsencrypt/cli.ini`, then
/// `$XDG_CONFIG_HOME/letsencrypt/cli.ini` (`~/.config/...` without it).
pub fn default_cli_ini_paths() -> Vec<PathBuf> {
    let mut out = vec![PathBuf::from("/etc/letsencrypt/cli.ini")];
    let non_empty = |key: &str| std::env::var_os(key).filter(|v| !v.is_empty());
    let user = non_empty("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| non_empty("HOME").map(|h| PathBuf::from(h).join(".config")));
    if let Some(dir) = user {
        out.push(dir.join("letsencrypt").join("cli.ini"));
    }
    out
}

/// Flags from the cli.ini files that apply, later files winning, and the
/// files read. `-c FILE` must be readable and may only hold known keys; the
/// default files are shared with Certbot, so their unknown keys are skipped
/// with a warning.
fn ini_defaults(raw: &RawArgs) -> Result<(Vec<args::Occurrence>, Vec<PathBuf>), UsageError> {
    if let Some(file) = raw.path("config") {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| UsageError(format!("--config: cannot read {}: {e}", file.display())))?;
        return Ok((args::parse_ini(&file, &text)?, vec![file]));
    }
    if std::env::var_os(NO_DEFAULT_CLI_INI).is_some_and(|v| !v.is_empty()) {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut merged = RawArgs::default();
    let mut read = Vec::new();
    for file in default_cli_ini_paths() {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let (found, skipped) = args::parse_ini_lenient(&file, &text)?;
        if !raw.flag("quiet") {
            for w in skipped {
                eprintln!("certsmith: warning: {w} (not a certsmith flag; ignored)");
            }
        }
        merged = RawArgs {
            occurrences: found,
            ..RawArgs::default()
        }
        .with_file_defaults(merged.occurrences);
        read.push(file);
    }
    Ok((merged.occurrences, read))
}

/// Read the command line and the cli.ini files into a [`Config`]; the
/// command line wins over the files.
pub fn load(argv: Vec<String>) -> Result<Config, UsageError> {
    load_reporting(argv).map(|(config, _)| config)
}

/// [`load`], also returning the cli.ini files that were read.
fn load_reporting(argv: Vec<String>) -> Result<(Config, Vec<PathBuf>), UsageError> {
    let raw = args::parse(argv)?;
    let (defaults, files) = ini_defaults(&raw)?;
    let config = Config::from_args(raw.with_file_defaults(defaults))?;
    check_values(&config)?;
    Ok((config, files))
}

/// Numeric and enumerated (`a|b|c`) flag values are checked before any
/// verb runs, so a typo fails as a usage error before a directory is
/// created or a lock taken.
fn check_values(config: &Config) -> Result<(), UsageError> {
    for flag in flags::FLAGS {
        match flag.arity {
            flags::Arity::Value(choices) if choices.contains('|') => {
                let choices: Vec<&str> = choices.split('|').collect();
                config.args.one_of(flag.long, &choices)?;
            }
            flags::Arity::Value("PORT") => {
                config.args.parsed::<u16>(flag.long)?;
            }
            flags::Arity::Value("N" | "SECONDS" | "DAYS" | "BITS") => {
                config.args.parsed::<u64>(flag.long)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Verbs that change nothing write no log file, and neither do the `conf`
/// verbs (a tool for scripts; their changes are in the reverter's records).
fn logs_run(config: &Config) -> bool {
    !matches!(
        config.verb,
        "certificates" | "checkpoints" | "show_account" | "conf"
    )
}

/// Start this run's log file; a logs dir that cannot be written is reported
/// and the run goes on without a file.
fn start_log(config: &Config, argv: &[String], ini_files: &[PathBuf]) {
    crate::log::set_quiet(config.quiet);
    if !logs_run(config) {
        return;
    }
    let backups = match config.args.parsed::<usize>("max-log-backups") {
        Ok(n) => n.unwrap_or(1000),
        Err(e) => {
            eprintln!("certsmith: warning: {e}; keeping 1000 log files");
            1000
        }
    };
    if let Err(e) = crate::log::init(&config.logs_dir, backups) {
        eprintln!(
            "certsmith: warning: no log file: cannot write to {} ({e}); see --logs-dir",
            config.logs_dir.display()
        );
        return;
    }
    crate::log::info(format!(
        "certsmith {} {}",
        env!("CARGO_PKG_VERSION"),
        crate::log::redacted_command_line(argv)
    ));
    for file in ini_files {
        crate::log::info(format!("read flags from {}", file.display()));
    }
}

/// The binary's entry point: parse, dispatch, report.
pub fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let (config, ini_files) = match load_reporting(argv.clone()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("certsmith: error: {e}");
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
    start_log(&config, &argv, &ini_files);
    match crate::commands::dispatch(&config) {
        Ok(code) => {
            crate::log::info("finished");
            code
        }
        Err(e) => {
            crate::log::error(format!("{e:#}"));
            eprintln!("certsmith: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
