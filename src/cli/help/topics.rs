//! The prose of `--help`: the overview, the verb list, usage lines and the
//! general topics' descriptions. Which flags a topic lists comes from the
//! flag table, never from here.

use super::super::flags::{FlagSet, VERB_ALIASES, VERBS};
use super::super::table as t;
use super::{PluginTopic, flag_line};
use std::fmt::Write;

/// The general topics (Certbot's), in `--help all` order, with what each covers.
pub static GENERAL: &[(&str, &str)] = &[
    (
        "automation",
        "Running unattended: answers given up front, renewal choices, quiet output",
    ),
    (
        "security",
        "Key types and sizes, must-staple, and the TLS enhancements of an install",
    ),
    (
        "testing",
        "Staging servers, dry runs and the ports of local challenge servers",
    ),
    (
        "paths",
        "Where certsmith reads and writes, and which ACME server it talks to",
    ),
    ("manage", "Verbs and options for the certificates you have"),
];

/// `--help all`'s first section: options of no particular topic.
pub const OPTIONS: &str = "";

/// Plugin selection.
pub const PLUGINS: &str =
    "Choosing plugins: `certsmith plugins` lists them; --help PLUGIN shows a plugin's own options";

/// The verbs `--help manage` lists.
pub const MANAGE_VERBS: &[&str] = &[
    "certificates",
    "delete",
    "renew",
    "revoke",
    "update_symlinks",
];

const USAGE: &str = "  certsmith [VERB] [options] [-d NAME] [-d NAME] ...";

fn about(verb: &str) -> &'static str {
    VERBS
        .iter()
        .find(|(v, _)| *v == verb)
        .map_or("", |(_, a)| a)
}

fn verb_line(out: &mut String, label: &str, verb: &str) {
    let _ = writeln!(out, "    {label:<16} {}", about(verb));
}

/// `--help` alone.
pub fn overview(out: &mut String, set: &FlagSet, plugins: &[PluginTopic]) {
    overview_body(out, set, plugins, "");
    let _ = writeln!(out, "\nMore help:");
    flag_line(out, &t::HELP);
    let _ = writeln!(
        out,
        "      topics: all, automation, commands, paths, security, testing, or a verb or\n      plugin name (certonly, renew, install, register, {})",
        plugins
            .iter()
            .map(|p| p.name)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(out, "  {:<40} Every option, grouped by topic", "-h all");
    flag_line(out, &t::VERSION);
}

/// The usage and the most used verbs and options (`topic` is `all` in
/// `--help all`).
pub fn overview_body(out: &mut String, set: &FlagSet, plugins: &[PluginTopic], topic: &str) {
    let _ = writeln!(
        out,
        "certsmith {}: obtain, install and renew TLS certificates{}\n\nUsage:\n{USAGE}\n",
        env!("CARGO_PKG_VERSION"),
        if topic == "all" {
            " (every option)"
        } else {
            ""
        }
    );
    let _ = writeln!(out, "Obtain, install and renew:");
    verb_line(out, "run (default)", "run");
    verb_line(out, "certonly", "certonly");
    verb_line(out, "renew", "renew");
    verb_line(out, "enhance", "enhance");
    flag_line(out, &t::DOMAINS);
    out.push('\n');
    for selector in plugins.iter().filter_map(|p| p.selector) {
        if set.iter().any(|f| std::ptr::eq(f, selector)) {
            flag_line(out, selector);
        }
    }
    out.push('\n');
    for flag in [&t::NON_INTERACTIVE, &t::STAGING, &t::DRY_RUN] {
        flag_line(out, flag);
    }
    let _ = writeln!(out, "\nManage certificates:");
    for verb in ["certificates", "revoke", "delete", "update_symlinks"] {
        verb_line(out, verb, verb);
    }
    let _ = writeln!(out, "\nManage the ACME account:");
    for verb in ["register", "unregister", "update_account", "show_account"] {
        verb_line(out, verb, verb);
    }
    flag_line(out, &t::AGREE_TOS);
    flag_line(out, &t::EMAIL);
}

/// `--help commands`: every verb, sorted.
pub fn commands(out: &mut String) {
    let _ = writeln!(out, "Usage:\n{USAGE}\n\nThe verbs:\n");
    let mut verbs: Vec<(&str, &str)> = VERBS.to_vec();
    verbs.sort();
    for (verb, text) in verbs {
        let label = if verb == "run" { "run (default)" } else { verb };
        let _ = writeln!(out, "{label:<20} {text}");
    }
    for (alias, verb) in VERB_ALIASES {
        let _ = writeln!(out, "{alias:<20} The same as {verb}");
    }
    let _ = writeln!(out, "\nMore help on one verb: --help VERB");
}

/// The usage line of `--help TOPIC`.
pub fn usage(out: &mut String, topic: &str) {
    let line = match topic {
        "run" => "  certsmith [run] [options] [-d NAME] ...".to_string(),
        "certonly" => "  certsmith certonly [options] [-d NAME] ...".to_string(),
        "renew" => "  certsmith renew [--cert-name NAME] [options]".to_string(),
        "delete" => "  certsmith delete --cert-name NAME".to_string(),
        "revoke" => {
            "  certsmith revoke [--cert-path FILE | --cert-name NAME] [options]".to_string()
        }
        "install" => "  certsmith install --cert-path FILE --key-path FILE [options]".to_string(),
        "rollback" => "  certsmith rollback [--checkpoints N] [options]".to_string(),
        "conf" => "  certsmith conf get|match|set|rm|check|print ...".to_string(),
        verb if !about(verb).is_empty() => format!("  certsmith {verb} [options]"),
        _ => USAGE.to_string(),
    };
    let _ = writeln!(out, "Usage:\n{line}");
    let text = about(topic);
    if !text.is_empty() {
        let _ = writeln!(out, "\n{text}.");
    }
}
