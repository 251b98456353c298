//! `--help [TOPIC]` and `help [TOPIC]`, generated from the one flag table.
//!
//! As in Certbot: `help` as the first word is `--help`; `-h`/`--help` followed
//! by a known topic shows that topic, and anything else (no word, an unknown
//! one) shows the overview; every form exits 0. The topics are `all`, the
//! general ones ([`topics::GENERAL`]), `commands` (and Certbot's synonyms),
//! every verb and every plugin of the registry. A flag is listed under its
//! [`Flag::group`] (once, in `--help all`) and under each of its
//! [`Flag::topics`]; a flag accepted for compatibility only says so.

mod topics;

use super::flags::{Arity, Flag, FlagSet, VERB_ALIASES, VERBS};
use std::fmt::Write;

pub use topics::GENERAL;

/// A plugin as `--help` shows it: `--help NAME` is a topic.
#[derive(Debug, Clone, Copy)]
pub struct PluginTopic {
    pub name: &'static str,
    pub description: &'static str,
    /// The switch that chooses it (`--nginx`), for the overview.
    pub selector: Option<&'static Flag>,
}

/// What was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `--help` alone or with an unknown word: the overview.
    Overview,
    /// `--help TOPIC` (verb aliases resolved: `auth` is `certonly`).
    Topic(String),
}

/// Certbot's spellings of the `commands` topic.
const COMMANDS: &[&str] = &["commands", "command", "subcommand", "subcommands", "verbs"];

fn known_topic(word: &str, plugins: &[PluginTopic]) -> Option<String> {
    let general = word == "all" || GENERAL.iter().any(|(t, _)| *t == word);
    if general || COMMANDS.contains(&word) || plugins.iter().any(|p| p.name == word) {
        return Some(word.to_string());
    }
    // Verbs exactly as written (Certbot's prescan); `auth`/`everything` too.
    let is_verb =
        VERBS.iter().any(|(v, _)| *v == word) || VERB_ALIASES.iter().any(|(a, _)| *a == word);
    is_verb
        .then(|| super::flags::verb(word))
        .flatten()
        .map(str::to_string)
}

/// Whether `argv` asks for help, and the arguments left once the help words
/// are taken out (they still say which directories the run would use).
pub fn requested(argv: &[String], plugins: &[PluginTopic]) -> Option<(Request, Vec<String>)> {
    let mut rest: Vec<String> = argv.to_vec();
    let first_is_help = rest.first().is_some_and(|w| w == "help");
    if first_is_help {
        rest[0] = "--help".into();
    }
    let at = rest.iter().position(|w| w == "-h" || w == "--help")?;
    rest.remove(at);
    let next = rest.get(at).filter(|w| !w.starts_with('-')).cloned();
    let request = match next.as_deref().map(|w| known_topic(w, plugins)) {
        Some(topic) => {
            // An unknown word there is dropped too: Certbot shows the
            // overview for it and reads no further.
            rest.remove(at);
            topic.map_or(Request::Overview, Request::Topic)
        }
        None => Request::Overview,
    };
    // A second help word changes nothing.
    rest.retain(|w| w != "-h" && w != "--help");
    Some((request, rest))
}

/// The text for `request`.
pub fn render(set: &FlagSet, plugins: &[PluginTopic], request: &Request) -> String {
    let mut out = String::new();
    match request {
        Request::Overview => topics::overview(&mut out, set, plugins),
        Request::Topic(t) if COMMANDS.contains(&t.as_str()) => topics::commands(&mut out),
        Request::Topic(t) if t == "all" => all(&mut out, set, plugins),
        Request::Topic(t) => topic(&mut out, set, plugins, t),
    }
    out
}

/// Every section, each flag once, under its group.
fn all(out: &mut String, set: &FlagSet, plugins: &[PluginTopic]) {
    topics::overview_body(out, set, plugins, "all");
    let mut done: Vec<&str> = Vec::new();
    for (name, about) in sections(plugins) {
        section(out, name, about, std::iter::empty());
        if name == "manage" {
            manage_verbs(out);
        }
        section(out, "", "", set.iter().filter(|f| f.group == name));
        done.push(name);
    }
    // Groups no topic names (a plugin added by a test, say) still show.
    let mut rest: Vec<&str> = Vec::new();
    for flag in set.iter() {
        if !done.contains(&flag.group) && !rest.contains(&flag.group) {
            rest.push(flag.group);
        }
    }
    for name in rest {
        section(out, name, "", set.iter().filter(|f| f.group == name));
    }
}

/// The sections of `--help all` with their flags (each flag once, under its
/// group), in `--help all`'s order; groups no section names come last. The
/// man page (`cli::docs`) lists its options this way.
pub fn groups(
    set: &FlagSet,
    plugins: &[PluginTopic],
) -> Vec<(&'static str, &'static str, Vec<&'static Flag>)> {
    let mut out: Vec<(&'static str, &'static str, Vec<&'static Flag>)> = sections(plugins)
        .into_iter()
        .map(|(name, about)| {
            let flags = set.iter().filter(|f| f.group == name).collect();
            (name, about, flags)
        })
        .collect();
    for flag in set.iter() {
        match out.iter_mut().find(|(name, _, _)| *name == flag.group) {
            Some((_, _, flags)) if !flags.iter().any(|f| std::ptr::eq(*f, flag)) => {
                flags.push(flag)
            }
            Some(_) => {}
            None => out.push((flag.group, "", vec![flag])),
        }
    }
    out
}

/// The sections of `--help all`, in order: general options, the general
/// topics, the verbs, plugin selection, each plugin.
fn sections(plugins: &[PluginTopic]) -> Vec<(&'static str, &'static str)> {
    let mut list = vec![("options", topics::OPTIONS)];
    list.extend(GENERAL.iter().copied());
    list.extend(VERBS.iter().copied().filter(|(v, _)| *v != "plugins"));
    list.push(("plugins", topics::PLUGINS));
    list.extend(plugins.iter().map(|p| (p.name, p.description)));
    list
}

/// `--help TOPIC`: its usage, the options every run takes, its section.
fn topic(out: &mut String, set: &FlagSet, plugins: &[PluginTopic], name: &str) {
    topics::usage(out, name);
    section(
        out,
        "options",
        "",
        [&super::table::HELP, &super::table::CONFIG].into_iter(),
    );
    let about = sections(plugins)
        .into_iter()
        .find(|(n, _)| *n == name)
        .map_or("", |(_, a)| a);
    section(out, name, about, std::iter::empty());
    if name == "manage" {
        manage_verbs(out);
    }
    section(out, "", "", set.iter().filter(|f| f.in_topic(name)));
}

/// The verbs of the `manage` topic.
fn manage_verbs(out: &mut String) {
    out.push('\n');
    for verb in topics::MANAGE_VERBS {
        let text = VERBS.iter().find(|(v, _)| v == verb).map_or("", |(_, a)| a);
        let _ = writeln!(out, "  {verb:<40} {text}");
    }
}

/// One titled section: `name:`, its description, its flags. An empty name
/// continues the section before (its flags after a blank line).
fn section<'f>(out: &mut String, name: &str, about: &str, flags: impl Iterator<Item = &'f Flag>) {
    if !name.is_empty() {
        let _ = writeln!(out, "\n{name}:");
        if !about.is_empty() {
            let _ = writeln!(out, "  {about}");
        }
    }
    let mut first = true;
    for flag in flags {
        if first && (name.is_empty() || !about.is_empty()) {
            out.push('\n');
        }
        first = false;
        flag_line(out, flag);
    }
}

/// `  -d NAMES, --domains NAMES ...   help`, long invocations on a line of
/// their own.
pub(crate) fn flag_line(out: &mut String, flag: &Flag) {
    let names = flag_names(flag);
    let text = flag_help(flag);
    if names.len() <= 40 {
        let _ = writeln!(out, "  {names:<40} {text}");
    } else {
        let _ = writeln!(out, "  {names}\n  {:<40} {text}", "");
    }
}

/// The flag's help; for a flag accepted for compatibility only, that first.
pub fn flag_help(flag: &Flag) -> String {
    match (flag.no_op, flag.help.is_empty()) {
        (false, _) => flag.help.to_string(),
        (true, true) => NO_OP.to_string(),
        (true, false) => format!("{NO_OP} ({})", flag.help),
    }
}

/// What `--help` says of a flag accepted for compatibility only.
pub const NO_OP: &str = "Accepted for compatibility; no effect in certsmith";

/// `-d NAMES, --domains NAMES, --domain NAMES`, as `--help` shows them.
pub fn flag_names(flag: &Flag) -> String {
    let value = match flag.arity {
        Arity::Value(m) => format!(" {m}"),
        _ => String::new(),
    };
    let mut names: Vec<String> = Vec::new();
    if let Some(c) = flag.short {
        names.push(format!("-{c}{value}"));
    }
    names.push(format!("--{}{value}", flag.long));
    names.extend(flag.aliases.iter().map(|a| format!("--{a}{value}")));
    names.extend(flag.negation.map(|n| format!("--{n}")));
    names.join(", ")
}

#[cfg(test)]
mod tests;
