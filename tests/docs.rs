//! The man page and the shell completions `certsmith --generate` prints
//! name every flag of the flag table (with the plugin registry's) and every
//! verb, and each parses: `groff -ww` without a warning and `man -l`, `bash
//! -n`, `zsh -n`, `fish -n` (scripts/setup installs zsh and fish).

#[path = "support/common.rs"]
mod common;

use certsmith::cli::docs::{Artifact, long_names, verb_words};
use certsmith::plugins::Registry;
use common::TempDir;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_certsmith");

fn generate(what: &str) -> String {
    let out = Command::new(BIN)
        .args(["--generate", what])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "--generate {what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Whether `text` names the flag name `name` (`--x`, or `-x` when `short`)
/// the way `artifact` spells it (exactly: `--domain` is not `--domains`).
fn names(artifact: Artifact, text: &str, name: &str, short: bool) -> bool {
    let dashes = if short { "-" } else { "--" };
    if artifact == Artifact::Zsh {
        // `'*--domains[HELP]'`, `'*--domains=[HELP]:NAMES: '`, `'*-d+[HELP]..'`
        return ["[", "=[", "+["]
            .iter()
            .any(|end| text.contains(&format!("'*{dashes}{name}{end}")));
    }
    text.contains(&spelt(artifact, name, short))
}

/// How `artifact` spells the flag name `name` (`--x`, or `-x` when `short`).
fn spelt(artifact: Artifact, name: &str, short: bool) -> String {
    match (artifact, short) {
        (Artifact::Man, true) => format!("\\fB\\-{name}\\fR"),
        (Artifact::Man, false) => format!("\\fB\\-\\-{}\\fR", name.replace('-', "\\-")),
        (Artifact::Fish, true) => format!("-s '{name}'"),
        (Artifact::Fish, false) => format!("-l '{name}'"),
        (Artifact::Bash, true) => format!(" -{name} "),
        (Artifact::Bash, false) => format!(" --{name} "),
        (Artifact::Zsh, _) => unreachable!("names() checks zsh's spellings"),
    }
}

fn verb_spelt(artifact: Artifact, verb: &str) -> String {
    match artifact {
        Artifact::Man => format!(".B {}\n", verb.replace('-', "\\-")),
        Artifact::Fish => format!("-a '{verb}' "),
        Artifact::Bash => format!(" {verb} "),
        Artifact::Zsh => format!("'{verb}:"),
    }
}

#[test]
fn man_page_and_completions_name_every_flag_and_verb() {
    let set = Registry::builtin().flag_set();
    for artifact in Artifact::ALL {
        // Words at the ends of the bash lists get a space too.
        let text = generate(artifact.name()).replace('"', " ");
        let mut missing: Vec<String> = Vec::new();
        for flag in set.iter() {
            for name in long_names(flag) {
                if !names(artifact, &text, name, false) {
                    missing.push(format!("--{name}"));
                }
            }
            if let Some(c) = flag.short
                && !names(artifact, &text, &c.to_string(), true)
            {
                missing.push(format!("-{c}"));
            }
        }
        for (verb, _) in verb_words() {
            if !text.contains(&verb_spelt(artifact, &verb)) {
                missing.push(verb);
            }
        }
        assert!(missing.is_empty(), "{} lacks {missing:?}", artifact.name());
    }
}

/// `program args... FILE` succeeds without a word on stderr.
fn check(program: &str, args: &[&str], file: &std::path::Path) {
    let out = Command::new(program)
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e} (scripts/setup installs it)"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.trim().is_empty(),
        "{program} {args:?} {}: {stderr}",
        file.display()
    );
}

#[test]
fn each_generated_file_parses() {
    let dir = TempDir::new("docs");
    let file = |name: &str| dir.write(name, generate(name));
    check("bash", &["-n"], &file("bash"));
    check("zsh", &["-n"], &file("zsh"));
    check("fish", &["-n"], &file("fish"));
    let man = file("man");
    check("groff", &["-ww", "-z", "-man", "-Tutf8"], &man);
    let out = Command::new("man")
        .args(["-l", "--warnings"])
        .arg(&man)
        .env("MANWIDTH", "80")
        .env("MAN_KEEP_FORMATTING", "")
        .output()
        .unwrap();
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "man -l: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).trim().is_empty(),
        "man -l warns: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        page.contains("--dry-run") && page.contains("certonly"),
        "{page}"
    );
}

#[test]
fn generate_refuses_what_it_does_not_know() {
    let out = Command::new(BIN)
        .args(["--generate", "csh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not one of man, bash"));
    // The packaged units run `certsmith renew -q` from /usr/bin.
    let service = generate("systemd-service");
    assert!(
        service.contains("\nExecStart=/usr/bin/certsmith renew -q"),
        "{service}"
    );
    assert!(generate("systemd-timer").contains("RandomizedDelaySec=43200"));
    assert!(generate("logrotate").contains("\"/var/log/certsmith/*.log\" {"));
}
