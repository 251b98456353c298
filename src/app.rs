//! The top: read the command line and cli.ini with the plugin registry's flags,
//! resolve them once into typed options, start the log, dispatch the verb, report.
//! `anyhow` errors end here as one line and an exit status.

use crate::cli::{self, UsageError};
use crate::commands::{self, Config};
use crate::plugins::Registry;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `certsmith --generate WHAT`: an internal command, not a flag (so not in
/// `--help`, the man page or the completions), that prints a file generated
/// from the code's one source: the man page and shell completions from the
/// flag table (`cli::docs`), and the packaged systemd units and logrotate
/// rule (`renewal::timer`'s texts for [`PACKAGED_EXE`]). `scripts/package`
/// builds the Debian package with it.
pub const GENERATE: &str = "--generate";

/// What `--generate` knows besides [`cli::docs::Artifact`]'s names.
pub const GENERATED_FILES: &[&str] = &["systemd-service", "systemd-timer", "logrotate"];

/// Where the Debian package installs the binary.
pub const PACKAGED_EXE: &str = "/usr/bin/certsmith";

/// The text `--generate what` prints.
pub fn generated(registry: &Registry, what: &str) -> Result<String, UsageError> {
    use crate::renewal::timer::{self, WrittenBy};
    if let Some(artifact) = cli::docs::Artifact::from_name(what) {
        return Ok(artifact.render(&registry.flag_set(), &registry.help_topics()));
    }
    let text = match what {
        // The timer spreads the runs itself: no sleep inside renew (as
        // Debian's certbot.service).
        "systemd-service" => timer::renew_command(Path::new(PACKAGED_EXE), &[], false)
            .map(|command| timer::systemd_service(&command, WrittenBy::Package)),
        "systemd-timer" => Ok(timer::systemd_timer(WrittenBy::Package)),
        "logrotate" => timer::logrotate_rule(
            Path::new(cli::options::DEFAULT_LOGS_DIR),
            WrittenBy::Package,
        ),
        _ => {
            let mut known: Vec<&str> = cli::docs::Artifact::ALL.map(|a| a.name()).to_vec();
            known.extend(GENERATED_FILES);
            Err(format!(
                "{GENERATE}: {what:?} is not one of {}",
                known.join(", ")
            ))
        }
    };
    text.map_err(UsageError)
}

/// `--generate WHAT` printed, or the usage error.
fn print_generated(registry: &Registry, what: &str) -> ExitCode {
    match generated(registry, what) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("certsmith: error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Verbs that change nothing write no log file, and neither do the `conf`
/// verbs (a tool for scripts; their changes are in the reverter's records).
fn logs_run(verb: &str) -> bool {
    !matches!(
        verb,
        "certificates" | "checkpoints" | "show_account" | "conf"
    )
}

/// Start this run's log file; a logs dir that cannot be written is reported
/// and the run goes on without a file.
fn start_log(config: &Config, argv: &[String], ini_files: &[PathBuf]) {
    crate::log::set_quiet(config.output.quiet);
    if !logs_run(config.verb) {
        return;
    }
    let logs_dir = &config.paths.logs_dir;
    if let Err(e) = crate::log::init(
        logs_dir,
        config.paths.log_file,
        config.paths.max_log_backups,
    ) {
        eprintln!(
            "certsmith: warning: no log file: cannot write to {} ({e}); see --logs-dir",
            logs_dir.display()
        );
        return;
    }
    crate::log::info(format!(
        "certsmith {} {}",
        env!("CARGO_PKG_VERSION"),
        cli::redacted_command_line(config.flag_set(), argv)
    ));
    for file in ini_files {
        crate::log::info(format!("read flags from {}", file.display()));
    }
}

/// Parse `argv` (without the program name) with `registry`'s flags.
pub fn configure(
    registry: &Registry,
    argv: Vec<String>,
) -> Result<(Config<'_>, Vec<PathBuf>), UsageError> {
    configure_as(registry, argv, cli::options::Defaults::CERTSMITH)
}

/// [`configure`] with the defaults of the name certsmith was invoked under.
pub fn configure_as(
    registry: &Registry,
    argv: Vec<String>,
    defaults: cli::options::Defaults,
) -> Result<(Config<'_>, Vec<PathBuf>), UsageError> {
    let (options, ini_files) = cli::load_as(&registry.flag_set(), argv, defaults)?;
    Ok((Config { options, registry }, ini_files))
}

/// `--help [TOPIC]`, then the directories the rest of the command line would
/// use (Certbot's when run as `certbot`), when it parses.
fn print_help(
    registry: &Registry,
    request: &cli::help::Request,
    rest: Vec<String>,
    defaults: cli::options::Defaults,
) {
    use std::io::Write;
    let set = registry.flag_set();
    let mut text = cli::help::render(&set, &registry.help_topics(), request);
    if let Ok((config, _)) = configure_as(registry, rest, defaults) {
        let p = &config.paths;
        text.push_str(&format!(
            "\npaths here: --config-dir {} --work-dir {} --logs-dir {} (log file {})\n",
            p.config_dir.display(),
            p.work_dir.display(),
            p.logs_dir.display(),
            p.log_file
        ));
    }
    // A reader that stops early (`| head`) is not an error.
    let _ = std::io::stdout().write_all(text.as_bytes());
}

/// The binary's entry point: parse, dispatch, report.
pub fn main() -> ExitCode {
    let mut args = std::env::args();
    // Invoked as `certbot` (a symlink replacing Certbot): Certbot's defaults.
    let defaults = cli::options::Defaults::for_program(&args.next().unwrap_or_default());
    let argv: Vec<String> = args.collect();
    let registry = Registry::builtin();
    if let [word, what] = argv.as_slice()
        && word == GENERATE
    {
        return print_generated(&registry, what);
    }
    if let Some((request, rest)) = cli::help::requested(&argv, &registry.help_topics()) {
        print_help(&registry, &request, rest, defaults);
        return ExitCode::SUCCESS;
    }
    let (config, ini_files) = match configure_as(&registry, argv.clone(), defaults) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("certsmith: error: {e}");
            return ExitCode::from(2);
        }
    };
    if config.help {
        // `--help` in a cli.ini file, or inside a cluster of short flags.
        print_help(&registry, &cli::help::Request::Overview, argv, defaults);
        return ExitCode::SUCCESS;
    }
    if config.version {
        println!("certsmith {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    start_log(&config, &argv, &ini_files);
    match commands::dispatch(&config) {
        Ok(code) => {
            crate::log::info("finished");
            code
        }
        Err(e) => {
            crate::log::error(format!("{e:#}"));
            eprintln!("certsmith: error: {e:#}");
            // A command line a verb found malformed is a usage error, as
            // one the parser found: exit 2.
            if e.downcast_ref::<UsageError>().is_some() {
                return ExitCode::from(2);
            }
            ExitCode::FAILURE
        }
    }
}
