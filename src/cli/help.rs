//! `--help` text, generated from the flag table.

use super::flags::{Arity, FlagSet, VERBS};
use std::fmt::Write;

pub fn render(set: &FlagSet, verb: Option<&str>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "certsmith {}: obtain, install and renew TLS certificates\n",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        out,
        "Usage: certsmith [VERB] [FLAGS]     e.g. certsmith --nginx -d example.com\n"
    );
    let _ = writeln!(out, "Verbs:");
    for (name, about) in VERBS {
        let mark = if Some(*name) == verb { "*" } else { " " };
        let _ = writeln!(out, " {mark}{name:<15} {about}");
    }
    // Groups print in the order they first appear in the table, each once, even
    // where the table interleaves them (it is ordered for parsing, not reading).
    let mut groups: Vec<&str> = Vec::new();
    for flag in set.iter() {
        if !groups.contains(&flag.group) {
            groups.push(flag.group);
        }
    }
    for group in groups {
        let _ = writeln!(out, "\n{group}:");
        for flag in set.iter().filter(|f| f.group == group) {
            let _ = writeln!(out, "  {:<40} {}", flag_names(flag), flag.help);
        }
    }
    out
}

fn flag_names(flag: &super::flags::Flag) -> String {
    let short = flag.short.map(|c| format!("-{c}, ")).unwrap_or_default();
    let value = match flag.arity {
        Arity::Value(m) => format!(" {m}"),
        _ => String::new(),
    };
    let neg = flag
        .negation
        .map(|n| format!(" | --{n}"))
        .unwrap_or_default();
    format!("{short}--{}{value}{neg}", flag.long)
}
