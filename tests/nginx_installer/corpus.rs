//! Every server name of every tree: the corpus trees (fixtures/corpus/nginx/
//! trees) and the generated ones (fixtures/nginx/install/trees: tabs, CRLF,
//! includes, both ports, default_server only, regex and wildcard names, ...).
//!
//! Each case runs in private mount, network and pid namespaces with a copy
//! of the tree bind-mounted over /etc/nginx (the trees name themselves
//! absolutely), tmpfs over /run and /var/lib/nginx, and a private
//! /var/log/nginx: `certsmith install --nginx --redirect --hsts` with a test
//! certificate must succeed (and start the real nginx, which dies with the
//! namespace), the real `nginx -t` must accept the result, a second run
//! must change nothing, and the changes must equal the golden diffs in
//! fixtures/nginx/install/golden/TREE.diff (`UPDATE_GOLDEN=1` rewrites
//! them). Some cases must fail with a given message
//! (fixtures/nginx/install/expected-failures.txt): then nothing may change.
//! Every failure is reported, not just the first.

use super::util::{TempDir, certsmith_bin, differing, repo, snapshot, test_certificate};
use certsmith::installer::nginx::{LoadOptions, NginxConfig, ServerName};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

const SCRIPT: &str = r#"
set -u
export PATH=/usr/sbin:/sbin:/usr/bin:/bin
mount -t tmpfs tmpfs /run || exit 90
[ -d /var/lib/nginx ] && { mount -t tmpfs tmpfs /var/lib/nginx || exit 90; }
mount --bind "$T/nginx-logs" /var/log/nginx || exit 90
mount --bind "$T/tree" /etc/nginx || exit 90
ip link set lo up
install() {
  "$BIN" install --nginx --cert-path "$T/cert/cert.pem" --key-path "$T/cert/privkey.pem" \
    --fullchain-path "$T/cert/fullchain.pem" $DOMAINS --redirect --hsts -n \
    --config-dir "$T/cfg" --work-dir "$T/work" --logs-dir "$T/logs"
}
install > "$T/run1.out" 2>&1
echo $? > "$T/run1.code"
cp -a "$T/tree" "$T/after1"
nginx -t -q > "$T/nginx-t.out" 2>&1
echo $? > "$T/nginx-t.code"
install > "$T/run2.out" 2>&1
echo $? > "$T/run2.code"
"#;

pub struct Tree {
    pub label: String,
    pub dir: PathBuf,
}

/// The corpus trees and the generated ones.
pub fn trees() -> Vec<Tree> {
    let mut out = Vec::new();
    for (label, rel) in [
        ("corpus-great-nginx-config", "great-nginx-config/stuff"),
        ("corpus-lots", "lots/nginx"),
        ("corpus-site-10033", "site-10033/nginx"),
        ("corpus-site-14402", "site-14402/nginx"),
    ] {
        out.push(Tree {
            label: label.into(),
            dir: repo().join("fixtures/corpus/nginx/trees").join(rel),
        });
    }
    let generated = repo().join("fixtures/nginx/install/trees");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&generated)
        .expect("fixtures/nginx/install/trees")
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        out.push(Tree {
            label: format!("generated-{name}"),
            dir,
        });
    }
    out
}

/// A name certsmith can get a certificate for.
fn certifiable(name: &str) -> bool {
    certsmith::acme::check_name(name).is_ok_and(|n| n.parse::<std::net::IpAddr>().is_err())
}

/// Every server name of the tree that a certificate can carry: exact
/// names, the name of `.name`, and leading wildcards.
pub fn names_of(tree: &Tree) -> Vec<String> {
    let options = LoadOptions {
        map_prefix: Some((PathBuf::from("/etc/nginx"), tree.dir.clone())),
    };
    let config = NginxConfig::load_with(&tree.dir.join("nginx.conf"), &options).expect("load tree");
    let mut out: Vec<String> = Vec::new();
    for server in config.servers() {
        for n in &server.names {
            let name = match n {
                ServerName::Exact(e) | ServerName::Dot(e) => e.clone(),
                ServerName::LeadingWildcard(s) => format!("*{s}"),
                _ => continue,
            };
            if certifiable(&name) && !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// `TREE NAME[,NAME...]` lines of a fixture list (with `| TEXT` for failures).
fn listed(file: &str) -> Vec<(String, Vec<String>, Option<String>)> {
    let text = std::fs::read_to_string(repo().join("fixtures/nginx/install").join(file))
        .unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (case, message) = match l.split_once(" | ") {
                Some((c, m)) => (c, Some(m.trim().to_string())),
                None => (l, None),
            };
            let (tree, names) = case.trim().split_once(' ')?;
            Some((
                tree.to_string(),
                names.trim().split(',').map(str::to_string).collect(),
                message,
            ))
        })
        .collect()
}

pub struct Case {
    pub tree: usize,
    pub names: Vec<String>,
    pub must_fail: Option<String>,
}

pub fn cases(trees: &[Tree]) -> Vec<Case> {
    let failures = listed("expected-failures.txt");
    let extra = listed("extra-names.txt");
    let mut out = Vec::new();
    for (i, tree) in trees.iter().enumerate() {
        let mut sets: Vec<Vec<String>> = names_of(tree).into_iter().map(|n| vec![n]).collect();
        for (t, names, _) in &extra {
            if *t == tree.label && !sets.contains(names) {
                sets.push(names.clone());
            }
        }
        for names in sets {
            let must_fail = failures
                .iter()
                .find(|(t, n, _)| *t == tree.label && *n == names)
                .and_then(|(_, _, m)| m.clone());
            out.push(Case {
                tree: i,
                names,
                must_fail,
            });
        }
    }
    out
}

/// Run one case; `Ok` carries its diff (paths relative to the tree, the
/// temporary directory shown as `@TMP@`).
fn run_case(tree: &Tree, case: &Case) -> Result<String, String> {
    let t = TempDir::new("corpus");
    let copy = t.join("tree");
    let status = Command::new("cp")
        .arg("-a")
        .arg(&tree.dir)
        .arg(&copy)
        .status()
        .expect("cp");
    assert!(status.success());
    std::fs::create_dir_all(t.join("nginx-logs")).unwrap();
    let names: Vec<&str> = case.names.iter().map(String::as_str).collect();
    test_certificate(&t.join("cert"), &names);
    let domains: Vec<String> = case.names.iter().map(|n| format!("-d {n}")).collect();
    let out = Command::new("unshare")
        .args([
            "-m",
            "-n",
            "-p",
            "--fork",
            "--mount-proc",
            "sh",
            "-c",
            SCRIPT,
        ])
        .env("T", t.path())
        .env("BIN", certsmith_bin())
        .env("DOMAINS", domains.join(" "))
        .output()
        .expect("unshare (util-linux) must be installed");
    let read = |f: &str| std::fs::read_to_string(t.join(f)).unwrap_or_default();
    let code = |f: &str| read(f).trim().parse::<i32>().unwrap_or(-1);
    if code("run1.code") == -1 {
        return Err(format!(
            "the namespace did not run ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let original = snapshot(&tree.dir);
    let after1 = snapshot(&t.join("after1"));
    if let Some(message) = &case.must_fail {
        if code("run1.code") == 0 {
            return Err(format!(
                "succeeded, but must fail with {message:?}:\n{}",
                read("run1.out")
            ));
        }
        if !read("run1.out").contains(message.as_str()) {
            return Err(format!("failed without {message:?}:\n{}", read("run1.out")));
        }
        if after1 != original {
            return Err(format!(
                "failed but changed files: {:?}",
                differing(&original, &after1)
            ));
        }
        return Ok(format!("fails: {message}\n"));
    }
    if code("run1.code") != 0 {
        return Err(format!("install failed:\n{}", read("run1.out")));
    }
    if code("nginx-t.code") != 0 {
        return Err(format!(
            "nginx -t rejects the result:\n{}",
            read("nginx-t.out")
        ));
    }
    if code("run2.code") != 0 {
        return Err(format!("the second run failed:\n{}", read("run2.out")));
    }
    let after2 = snapshot(&copy);
    if after2 != after1 {
        return Err(format!(
            "the second run changed {:?}",
            differing(&after1, &after2)
        ));
    }
    Ok(diff(&original, &after1).replace(&t.path().display().to_string(), "@TMP@"))
}

/// Unified diffs (1 line of context) of the files that differ.
fn diff(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>) -> String {
    let mut out = String::new();
    for (path, new) in after {
        let old = before.get(path).map(Vec::as_slice).unwrap_or(b"");
        if old == new.as_slice() {
            continue;
        }
        let text = similar::TextDiff::from_lines(old, new.as_slice());
        let unified = text
            .unified_diff()
            .context_radius(1)
            .header(&format!("a/{path}"), &format!("b/{path}"))
            .to_string();
        out.push_str(&unified);
    }
    for path in before.keys().filter(|p| !after.contains_key(*p)) {
        out.push_str(&format!("deleted {path}\n"));
    }
    out
}

fn golden_path(label: &str) -> PathBuf {
    repo()
        .join("fixtures/nginx/install/golden")
        .join(format!("{label}.diff"))
}

fn section(names: &[String], body: &str) -> String {
    format!("### {}\n{body}", names.join(" "))
}

/// Split a golden file into its sections, by their `### NAMES` line.
fn sections(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for part in text.split("### ").skip(1) {
        let (head, _) = part.split_once('\n').unwrap_or((part, ""));
        out.insert(head.to_string(), format!("### {part}"));
    }
    out
}

pub fn run_all(trees: &[Tree], cases: &[Case]) -> (Vec<String>, BTreeMap<String, String>) {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Result<String, String>)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(case) = cases.get(i) else { break };
                    let r = run_case(&trees[case.tree], case);
                    results.lock().unwrap().push((i, r));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    let mut failures = Vec::new();
    let mut goldens: BTreeMap<String, String> = BTreeMap::new();
    for (i, r) in results {
        let case = &cases[i];
        let label = &trees[case.tree].label;
        match r {
            Ok(d) => goldens
                .entry(label.clone())
                .or_default()
                .push_str(&section(&case.names, &d)),
            Err(e) => failures.push(format!("{label} {}: {e}", case.names.join(","))),
        }
    }
    (failures, goldens)
}

#[test]
fn every_name_of_every_tree_installs_and_matches_the_golden_diff() {
    let trees = trees();
    let cases = cases(&trees);
    assert!(cases.len() > 200, "only {} cases", cases.len());
    let (mut failures, goldens) = run_all(&trees, &cases);
    for tree in &trees {
        let got = goldens.get(&tree.label).cloned().unwrap_or_default();
        let path = golden_path(&tree.label);
        // A missing golden file compares as empty: every section is reported.
        let want = crate::support::golden(&path, got.as_bytes()).unwrap_or_default();
        let want = String::from_utf8_lossy(&want);
        if got == want {
            continue;
        }
        let (got, want) = (sections(&got), sections(&want));
        for (names, text) in &got {
            match want.get(names) {
                Some(w) if w == text => {}
                Some(w) => failures.push(format!(
                    "{} {names}: differs from {}:\n--- golden\n{w}--- got\n{text}",
                    tree.label,
                    path.display()
                )),
                None => failures.push(format!(
                    "{} {names}: not in {}:\n{text}",
                    tree.label,
                    path.display()
                )),
            }
        }
        for names in want.keys().filter(|n| !got.contains_key(*n)) {
            failures.push(format!(
                "{} {names}: in {} but not run or failed",
                tree.label,
                path.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed (UPDATE_GOLDEN=1 rewrites the golden files):\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
