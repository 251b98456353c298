//! `--help` text, generated from the flag table.

use super::flags::{Arity, FLAGS, VERBS};
use std::fmt::Write;

pub fn render(verb: Option<&str>) -> String {
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
    let mut group = "";
    for flag in FLAGS {
        if flag.group != group {
            group = flag.group;
            let _ = writeln!(out, "\n{group}:");
        }
        let short = flag.short.map(|c| format!("-{c}, ")).unwrap_or_default();
        let value = match flag.arity {
            Arity::Value(m) => format!(" {m}"),
            _ => String::new(),
        };
        let neg = flag
            .negation
            .map(|n| format!(" | --{n}"))
            .unwrap_or_default();
        let names = format!("{short}--{}{value}{neg}", flag.long);
        let _ = writeln!(out, "  {names:<40} {}", flag.help);
    }
    out
}
