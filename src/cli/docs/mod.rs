//! The man page and the shell completions (bash, zsh, fish), generated from
//! the one flag table ([`FlagSet`], the verbs, the help topics) that also
//! drives parsing and `--help`, so they cannot drift from either.
//! `certsmith --generate man|bash|zsh|fish` prints them (`app.rs`);
//! `scripts/package` puts them into the Debian package.

mod bash;
mod fish;
mod man;
mod zsh;

use super::flags::{Arity, Flag, FlagSet, Kind, VERB_ALIASES, VERBS};
use super::help::PluginTopic;

/// A text generated from the flag table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Artifact {
    /// `certsmith.1`, roff (`man -l`).
    Man,
    /// `/usr/share/bash-completion/completions/certsmith`.
    Bash,
    /// `/usr/share/zsh/vendor-completions/_certsmith`.
    Zsh,
    /// `/usr/share/fish/vendor_completions.d/certsmith.fish`.
    Fish,
}

impl Artifact {
    pub const ALL: [Artifact; 4] = [Artifact::Man, Artifact::Bash, Artifact::Zsh, Artifact::Fish];

    /// `man`, `bash`, `zsh`, `fish`.
    pub fn name(self) -> &'static str {
        match self {
            Artifact::Man => "man",
            Artifact::Bash => "bash",
            Artifact::Zsh => "zsh",
            Artifact::Fish => "fish",
        }
    }

    pub fn from_name(name: &str) -> Option<Artifact> {
        Artifact::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The text, for `set`'s flags and the registry's plugins.
    pub fn render(self, set: &FlagSet, plugins: &[PluginTopic]) -> String {
        match self {
            Artifact::Man => man::render(set, plugins),
            Artifact::Bash => bash::render(set),
            Artifact::Zsh => zsh::render(set),
            Artifact::Fish => fish::render(set),
        }
    }
}

/// Every word that can stand as the verb: the verbs, their `-` spellings
/// (`update-symlinks`), Certbot's aliases and `help`.
pub fn verb_words() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (verb, about) in VERBS {
        out.push((verb.to_string(), about.to_string()));
        let dashed = verb.replace('_', "-");
        if dashed != *verb {
            out.push((dashed, about.to_string()));
        }
    }
    for (alias, verb) in VERB_ALIASES {
        out.push((alias.to_string(), format!("The same as {verb}")));
    }
    out.push(("help".into(), "Help on a topic, verb or plugin".into()));
    out
}

/// The long names a flag answers to, without dashes: its name, aliases and
/// negation.
pub fn long_names(flag: &Flag) -> Vec<&'static str> {
    std::iter::once(flag.long)
        .chain(flag.aliases.iter().copied())
        .chain(flag.negation)
        .collect()
}

/// Whether `name` (one of [`long_names`]) takes a value: a value flag's
/// names do, a negation never does.
fn takes_value(flag: &Flag, name: &str) -> bool {
    matches!(flag.arity, Arity::Value(_)) && flag.negation != Some(name)
}

/// What the shells should offer for a flag's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueHint {
    None,
    File,
    Dir,
    Command,
    Words(&'static [&'static str]),
    Any,
}

fn value_hint(flag: &Flag) -> ValueHint {
    let Arity::Value(metavar) = flag.arity else {
        return ValueHint::None;
    };
    match flag.kind {
        Kind::Path if metavar == "DIR" => ValueHint::Dir,
        Kind::Path => ValueHint::File,
        Kind::Program => ValueHint::Command,
        Kind::Choice(words) => ValueHint::Words(words),
        Kind::Bool => ValueHint::Words(&["true", "false"]),
        _ => ValueHint::Any,
    }
}

/// A flag's description in the completions: `--help`'s text (a flag
/// accepted for compatibility only says so).
fn short_help(flag: &Flag) -> String {
    super::help::flag_help(flag)
}

#[cfg(test)]
mod tests;
