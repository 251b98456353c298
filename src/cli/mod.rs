//! The command line: raw arguments (the command line over cli.ini) are
//! parsed with the one flag table and resolved once into typed [`Options`].
//! This layer knows flags, not commands: `app` dispatches.

pub mod args;
#[cfg(test)]
mod certbot_compat;
pub mod docs;
pub mod flags;
pub mod help;
pub mod options;
pub mod renewal;
pub mod table;

pub use args::{RawArgs, UsageError};
pub use flags::{Flag, FlagSet};
pub use options::Options;

use std::path::PathBuf;

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
fn ini_defaults(
    set: &FlagSet,
    raw: &RawArgs,
) -> Result<(Vec<args::Occurrence>, Vec<PathBuf>), UsageError> {
    if let Some(file) = raw.path(&table::CONFIG) {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| UsageError(format!("--config: cannot read {}: {e}", file.display())))?;
        return Ok((args::parse_ini(set, &file, &text)?, vec![file]));
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
        let (found, skipped) = args::parse_ini_lenient(set, &file, &text)?;
        if !raw.flag(&table::QUIET) {
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

/// Read the command line (with the built-in flags) and the cli.ini files
/// into [`Options`]; the command line wins over the files.
pub fn load(argv: Vec<String>) -> Result<Options, UsageError> {
    load_with(&FlagSet::builtin(), argv).map(|(options, _)| options)
}

/// [`load`] with `set`'s flags (the built-in ones and those of the plugin
/// registry), also returning the cli.ini files that were read.
pub fn load_with(set: &FlagSet, argv: Vec<String>) -> Result<(Options, Vec<PathBuf>), UsageError> {
    load_as(set, argv, options::Defaults::CERTSMITH)
}

/// [`load_with`] with the defaults of the name certsmith was invoked under
/// ([`options::Defaults::for_program`]).
pub fn load_as(
    set: &FlagSet,
    argv: Vec<String>,
    defaults: options::Defaults,
) -> Result<(Options, Vec<PathBuf>), UsageError> {
    let raw = args::parse_with(set, argv)?;
    let (from_files, files) = ini_defaults(set, &raw)?;
    let options = Options::resolve_with(raw.with_file_defaults(from_files), set.clone(), defaults)?;
    Ok((options, files))
}

/// The command line as it can be logged: values of secret flags (as `--flag
/// VALUE` or `--flag=VALUE`) replaced by `***`, each word quoted when it has
/// spaces or quotes.
pub fn redacted_command_line(set: &FlagSet, argv: &[String]) -> String {
    // A prefix names a flag too (`--eab-hmac`): its value is hidden as well.
    let secret = |name: &str| matches!(set.lookup(name), flags::Lookup::Found(f, _) if f.secret);
    let mut out: Vec<String> = Vec::with_capacity(argv.len());
    let mut hide_next = false;
    for arg in argv {
        if hide_next {
            out.push("***".into());
            hide_next = false;
            continue;
        }
        if let Some(long) = arg.strip_prefix("--") {
            match long.split_once('=') {
                Some((name, _)) if secret(name) => {
                    out.push(format!("--{name}=***"));
                    continue;
                }
                None if secret(long) => hide_next = true,
                _ => {}
            }
        }
        out.push(shell_word(arg));
    }
    out.join(" ")
}

fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn secret_values_are_redacted_in_both_spellings() {
        let line = redacted_command_line(
            &FlagSet::builtin(),
            &argv(&[
                "register",
                "--eab-kid",
                "kid-1",
                "--eab-hmac-key",
                "c2VjcmV0",
                "--eab_hmac_key=c2VjcmV0",
                "--pre-hook",
                "echo it's",
            ]),
        );
        assert!(!line.contains("c2VjcmV0"), "{line}");
        assert_eq!(
            line,
            "register --eab-kid kid-1 --eab-hmac-key *** --eab_hmac_key=*** --pre-hook 'echo it'\\''s'"
        );
    }
}
