//! Side by side with Debian's Certbot (python3-certbot-apache) on the same trees: for each
//! case both install a test certificate for one name with redirect and HSTS, each on its
//! own copy of the tree. A tool succeeds when it exits without error, its result passes
//! `apache2ctl -t`, and the certificate is in the configuration. Where Certbot succeeds,
//! certsmith must too. The table goes to docs/compare.md ("Apache" section; the test
//! fails when that section is stale, `UPDATE_COMPARE=1` rewrites it).
//!
//! Certbot runs with `APACHE_CONFDIR` pointing at the copy, `a2enmod`'s state directory in
//! the test's directory, and an `--apache-ctl` wrapper that turns restarts into a
//! configuration test (nothing is started). certsmith runs through its library (plan,
//! write, configuration test), so neither starts Apache.

use super::common::*;
use super::corpus::certificate_names;
use certsmith::installer::apache::{CertFiles, install, no_questions};
use reverter::{Kind, Reverter};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

const CTL_WRAPPER: &str = "#!/bin/sh\n# apache2ctl that never starts or restarts Apache: restarts become configuration tests\ncase \"$*\" in\n  *graceful*|*restart*|*start*|*stop*) exec /usr/sbin/apache2ctl -t ;;\nesac\nexec /usr/sbin/apache2ctl \"$@\"\n";

struct Case {
    label: String,
    name: String,
    build: Box<dyn Fn() -> Tree + Send + Sync>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Ok,
    Failed(String),
}

impl Outcome {
    fn cell(&self) -> String {
        match self {
            Outcome::Ok => "ok".into(),
            Outcome::Failed(why) => format!("fails: {}", why.replace('|', "\\|")),
        }
    }
}

/// Modules a case file needs for Apache to accept it before anything is installed.
fn modules_for(text: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    if text.contains("SSL") {
        out.extend(["ssl", "socache_shmcb"]);
    }
    for (word, module) in [
        ("Rewrite", "rewrite"),
        ("Macro", "macro"),
        ("Deflate", "deflate"),
        ("Header", "headers"),
    ] {
        if text.contains(word) {
            out.push(module);
        }
    }
    out
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for tree in ["simple_vhost", "two_vhost_80", "vhost_with_tls"] {
        let probe = Tree::corpus(tree);
        let apache = probe.apache();
        let plan = apache.load(&apache.inspect().unwrap()).unwrap();
        for name in certificate_names(&plan) {
            cases.push(Case {
                label: format!("corpus tree {tree}"),
                name,
                build: Box::new(move || Tree::corpus(tree)),
            });
        }
    }
    let dir = repo().join("fixtures/corpus/apache/cases/passing");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        if !text.contains("<VirtualHost") {
            continue;
        }
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        let build = {
            let text = text.clone();
            let label = stem.clone();
            move || {
                let tree = Tree::debian(&label, &[("sites-available/case.conf", &text)]);
                for m in modules_for(&text) {
                    tree.enable_module(m);
                }
                tree
            }
        };
        let probe = build();
        let apache = probe.apache();
        // Cases Apache itself rejects here (modules not installed) are left out.
        let Ok(info) = apache.inspect() else { continue };
        let names = certificate_names(&apache.load(&info).unwrap());
        if let Some(name) = names.first() {
            cases.push(Case {
                label: format!("corpus case {stem}"),
                name: name.clone(),
                build: Box::new(build),
            });
        }
    }
    for (label, file, text, name) in super::corpus::GENERATED {
        cases.push(Case {
            label: format!("generated: {label}"),
            name: name.to_string(),
            build: Box::new(move || {
                let tree = Tree::debian("gen", &[(file, text)]);
                if file.contains("latin1") {
                    // Bytes that are not UTF-8, as old configurations hold.
                    let latin1: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
                    std::fs::write(tree.root.join(file), latin1).unwrap();
                }
                for m in modules_for(text) {
                    tree.enable_module(m);
                }
                tree
            }),
        });
    }
    cases
}

/// The configuration passes `apache2ctl -t` without new warnings and names the
/// certificate.
fn judge(tree: &Tree, cert: &CertFiles, warnings_before: &[String]) -> Result<(), String> {
    match tree.apache().ctl.configtest() {
        Err(e) => {
            let text = e.to_string();
            let line = text.lines().nth(1).unwrap_or_default();
            return Err(format!(
                "the result fails apache2ctl -t ({})",
                tree.normalize(apache_message(line))
            ));
        }
        Ok(warnings) => {
            if let Some(new) = warnings.iter().find(|w| !warnings_before.contains(w)) {
                return Err(format!(
                    "apache2ctl -t warns about the result: {}",
                    tree.normalize(apache_message(new))
                ));
            }
        }
    }
    let wanted = cert.fullchain.display().to_string();
    let named = files_under(&tree.root)
        .iter()
        .any(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains(&wanted)));
    if named {
        Ok(())
    } else {
        Err("no vhost names the certificate".into())
    }
}

/// An Apache log line from its `AHnnnnn:` code on (without time and pid).
fn apache_message(line: &str) -> &str {
    line.match_indices("AH")
        .find(|(i, _)| {
            let code = &line.as_bytes()[i + 2..];
            code.len() > 5 && code[..5].iter().all(u8::is_ascii_digit) && code[5] == b':'
        })
        .map_or(line, |(i, _)| &line[i..])
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn run_certbot(case: &Case) -> Outcome {
    let tree = (case.build)();
    let cert = tree.test_cert(&[&case.name]);
    let before = tree.apache().ctl.configtest().unwrap_or_default();
    let wrapper = tree.dir.join("ctl");
    std::fs::write(&wrapper, CTL_WRAPPER).unwrap();
    std::fs::set_permissions(
        &wrapper,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let vhost_root = ["sites-available", "conf.d"]
        .iter()
        .map(|d| tree.root.join(d))
        .find(|d| d.is_dir())
        .unwrap_or_else(|| tree.root.clone());
    let dir = |d: &str| tree.dir.join(d).display().to_string();
    let out = Command::new("certbot")
        .arg("install")
        .arg("--apache")
        .arg("--apache-server-root")
        .arg(&tree.root)
        .arg("--apache-vhost-root")
        .arg(&vhost_root)
        .arg("--apache-ctl")
        .arg(&wrapper)
        .arg("--cert-path")
        .arg(&cert.fullchain)
        .arg("--chain-path")
        .arg(&cert.fullchain)
        .arg("--fullchain-path")
        .arg(&cert.fullchain)
        .arg("--key-path")
        .arg(&cert.key)
        .args(["-d", &case.name, "--redirect", "--hsts", "-n"])
        .args(["--config-dir", &dir("cb-config")])
        .args(["--work-dir", &dir("cb-work")])
        .args(["--logs-dir", &dir("cb-logs")])
        .env("APACHE_CONFDIR", &tree.root)
        .env("APACHE_STATE_DIRECTORY", tree.dir.join("a2state"))
        .output()
        .expect("certbot (Debian package certbot + python3-certbot-apache) must be installed");
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let why = stderr
            .lines()
            .rfind(|l| {
                !l.starts_with("Saving debug log")
                    && !l.trim().is_empty()
                    && !l.contains("Ask for help")
                    && !l.contains("See the logfile")
            })
            .unwrap_or("exit status")
            .to_string();
        return Outcome::Failed(tree.normalize(&why));
    }
    judge(&tree, &cert, &before).map_or_else(Outcome::Failed, |()| Outcome::Ok)
}

fn run_certsmith(case: &Case) -> Outcome {
    let tree = (case.build)();
    let cert = tree.test_cert(&[&case.name]);
    let before = tree.apache().ctl.configtest().unwrap_or_default();
    let attempt = || -> Result<(), String> {
        let apache = tree.apache();
        let info = apache.inspect().map_err(|e| e.to_string())?;
        let mut plan = apache.load(&info).map_err(|e| e.to_string())?;
        install(
            &mut plan,
            &tree.request(&[&case.name], &cert),
            &mut no_questions,
        )
        .map_err(|e| e.to_string())?;
        let mut reverter = Reverter::open(tree.work()).map_err(|e| e.to_string())?;
        let mut tx = reverter
            .begin(Kind::Permanent, "compare")
            .map_err(|e| e.to_string())?;
        plan.write(&mut tx).map_err(|e| e.to_string())?;
        tx.commit().map_err(|e| e.to_string())?;
        judge(&tree, &cert, &before)
    };
    match attempt() {
        Ok(()) => Outcome::Ok,
        Err(e) => Outcome::Failed(tree.normalize(e.lines().next().unwrap_or_default())),
    }
}

fn table(rows: &[(String, String, Outcome, Outcome)]) -> String {
    let mut out = String::from("## Apache\n\n");
    out.push_str(
        "Generated by `cargo test --test apache_installer compare` (`UPDATE_COMPARE=1` rewrites this\n\
         section; the test fails when it is stale). Each case installs a test certificate for one\n\
         name with `--redirect --hsts`, once with Debian's Certbot 2.1 (`certbot install --apache`)\n\
         and once with certsmith, each on its own copy of the tree. A tool succeeds when it exits\n\
         without error, its result passes `apache2ctl -t` with no warning it did not print before,\n\
         and a vhost names the certificate.\n\
         Trees: the corpus trees (every name), the corpus case files Apache accepts here (first\n\
         name; each as a Debian site), generated configurations (see `tests/apache_installer/`).\n\n",
    );
    out.push_str("| case | name | Certbot 2.1 | certsmith |\n|---|---|---|---|\n");
    for (label, name, certbot, ours) in rows {
        out.push_str(&format!(
            "| {label} | {name} | {} | {} |\n",
            certbot.cell(),
            ours.cell()
        ));
    }
    let both = rows
        .iter()
        .filter(|r| r.2 == Outcome::Ok && r.3 == Outcome::Ok)
        .count();
    let only_ours: Vec<&(String, String, Outcome, Outcome)> = rows
        .iter()
        .filter(|r| r.2 != Outcome::Ok && r.3 == Outcome::Ok)
        .collect();
    out.push_str(&format!(
        "\n{} cases: both succeed in {both}; Certbot fails and certsmith succeeds in {}:\n\n",
        rows.len(),
        only_ours.len()
    ));
    for (label, name, certbot, _) in only_ours {
        out.push_str(&format!("- {label} ({name}): Certbot {}\n", certbot.cell()));
    }
    out
}

/// The `## Apache` section of `text` (up to the next `## ` heading).
fn section(text: &str) -> Option<&str> {
    let start = text.find("## Apache\n")?;
    let rest = &text[start..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 4);
    Some(&rest[..end])
}

#[test]
fn compare_with_certbot() {
    let cases = Arc::new(cases());
    type Results = Vec<Option<(Outcome, Outcome)>>;
    let results: Arc<Mutex<Results>> = Arc::new(Mutex::new(vec![None; cases.len()]));
    let next = Arc::new(Mutex::new(0usize));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (cases, results, next) = (cases.clone(), results.clone(), next.clone());
            std::thread::spawn(move || {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap();
                        let i = *n;
                        *n += 1;
                        i
                    };
                    let Some(case) = cases.get(i) else { break };
                    let outcome = (run_certbot(case), run_certsmith(case));
                    results.lock().unwrap()[i] = Some(outcome);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let results = results.lock().unwrap();
    let rows: Vec<(String, String, Outcome, Outcome)> = cases
        .iter()
        .zip(results.iter())
        .map(|(c, r)| {
            let (a, b) = r.clone().unwrap();
            (c.label.clone(), c.name.clone(), a, b)
        })
        .collect();
    let generated = table(&rows);
    std::fs::write(repo().join("target/apache-compare.md"), &generated).ok();
    let regressions: Vec<String> = rows
        .iter()
        .filter(|r| r.2 == Outcome::Ok && r.3 != Outcome::Ok)
        .map(|r| format!("{} {}: certsmith {}", r.0, r.1, r.3.cell()))
        .collect();
    assert!(
        regressions.is_empty(),
        "Certbot succeeds where certsmith fails:\n{}",
        regressions.join("\n")
    );
    let doc = repo().join("docs/compare.md");
    let current = std::fs::read_to_string(&doc).unwrap_or_default();
    if std::env::var_os("UPDATE_COMPARE").is_some() {
        let updated = match section(&current) {
            Some(old) => current.replace(old, &generated),
            None if current.is_empty() => {
                format!(
                    "# certsmith compared with Certbot\n\nMeasured side by side; every section is generated by a committed test.\n\n{generated}"
                )
            }
            None => format!("{}\n{generated}", current.trim_end()),
        };
        std::fs::write(&doc, updated).unwrap();
    } else {
        assert_eq!(
            section(&current),
            Some(generated.as_str()),
            "docs/compare.md's Apache section is stale: UPDATE_COMPARE=1 rewrites it"
        );
    }
}
