//! Every option Certbot's `certbot --help all` lists on this machine is a
//! certsmith flag: the list is read from the real output, not written here.

use super::args::{self, parse_ini};
use super::flags::{Arity, FlagSet};
use std::path::Path;
use std::process::Command;

/// `certbot --help all`, run with its home and XDG directories in a
/// scratch directory (it reads nothing of the machine's user).
fn certbot_help_all() -> String {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new("certbot")
        .args(["--help", "all"])
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("XDG_CACHE_HOME", home.path().join(".cache"))
        .env("XDG_DATA_HOME", home.path().join(".local/share"))
        .output()
        .expect("certbot (Debian's package) must be installed for this test");
    assert!(out.status.success(), "certbot --help all failed: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// The option names of argparse's help: the invocation column of lines
/// indented two or three spaces (`  -d DOMAIN, --domains DOMAIN, --domain
/// DOMAIN   text`), each name with whether it takes a value. Continuation
/// lines of descriptions are indented further and skipped.
fn options_of(help: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    for line in help.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if !(2..=3).contains(&indent) || !trimmed.starts_with('-') {
            continue;
        }
        let invocation = trimmed.split("  ").next().unwrap();
        for part in invocation.split(", ") {
            let mut words = part.split(' ');
            let name = words.next().unwrap();
            if name.starts_with('-') && name.len() > 1 {
                let takes_value = words.next().is_some();
                if !out.iter().any(|(n, _)| n == name) {
                    out.push((name.to_string(), takes_value));
                }
            }
        }
    }
    out
}

#[test]
fn every_certbot_option_is_accepted() {
    let help = certbot_help_all();
    let options = options_of(&help);
    // The parse itself is checked: a few names every Certbot has.
    for known in [
        "--non-interactive",
        "--keep-until-expiring",
        "--no-redirect",
        "-d",
        "-w",
    ] {
        assert!(
            options.iter().any(|(n, _)| n == known),
            "{known} not found in certbot --help all:\n{help}"
        );
    }
    assert!(options.len() > 100, "only {} options parsed", options.len());
    let set = FlagSet::builtin();
    let mut missing = Vec::new();
    for (name, takes_value) in &options {
        let found = match name.strip_prefix("--") {
            Some(long) => set.by_long(long),
            None => set
                .by_short(name.chars().nth(1).unwrap())
                .map(|f| (f, false)),
        };
        let Some((flag, _)) = found else {
            missing.push(name.clone());
            continue;
        };
        // The same arity as Certbot's, and the real parser takes it (on the
        // command line and as a cli.ini key).
        let has_value = matches!(flag.arity, Arity::Value(_));
        assert_eq!(has_value, *takes_value, "{name}: value or switch differs");
        let mut argv = vec![name.clone()];
        if has_value {
            argv.push("1".into());
        }
        let parsed = args::parse_with(&set, argv.clone())
            .unwrap_or_else(|e| panic!("{argv:?} refused: {e}"));
        assert!(std::ptr::eq(parsed.occurrences[0].flag, flag), "{name}");
        if let Some(long) = name.strip_prefix("--") {
            let line = if has_value {
                format!("{long} = 1\n")
            } else {
                format!("{long}\n")
            };
            let file = parse_ini(&set, Path::new("cli.ini"), &line)
                .unwrap_or_else(|e| panic!("cli.ini {line:?} refused: {e}"));
            assert!(std::ptr::eq(file[0].flag, flag), "{name} in cli.ini");
        }
    }
    assert!(
        missing.is_empty(),
        "certbot --help all lists options certsmith does not accept: {missing:?}"
    );
}

#[test]
fn the_help_parser_reads_argparse_columns() {
    let help = "usage:\n  certbot [SUBCOMMAND]\n\n   -n               Run non-interactively\n  -c CONFIG_FILE, --config CONFIG_FILE\n                        path to config file\n                        --force-renew, -n, and\n  --keep-until-expiring, --keep, --reinstall\n                        If the requested\n  --reason {unspecified,keycompromise}\n  --no-redirect         Do not\n";
    assert_eq!(
        options_of(help),
        [
            ("-n".to_string(), false),
            ("-c".to_string(), true),
            ("--config".to_string(), true),
            ("--keep-until-expiring".to_string(), false),
            ("--keep".to_string(), false),
            ("--reinstall".to_string(), false),
            ("--reason".to_string(), true),
            ("--no-redirect".to_string(), false),
        ]
    );
}
