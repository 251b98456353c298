//! Whether what a killed run left, and the next run made, is whole: a
//! lineage whose conf loads and whose live links all point at one complete
//! version with a matching key, no temporaries left; and a copy of a
//! starting tree to run each kill from.

use certsmith::storage::Lineage;
use std::fs;
use std::path::Path;
use std::process::Command;

/// Replace `to` by a copy of `from` (modes, links and owners kept); only
/// removes `to` when `from` does not exist.
pub fn copy_tree(from: &Path, to: &Path) {
    let _ = fs::remove_dir_all(to);
    if !from.exists() {
        return;
    }
    let out = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What is wrong with lineage `name` under `etc`: it must load (the conf
/// parses), its live links must all point at one version whose four files
/// exist, the key must match the certificate, which must be for `name`,
/// and no `NAME-0001` or temporary (dot) entry may be left.
/// `Ok(version)` when whole.
pub fn lineage_problems(etc: &Path, name: &str) -> Result<u32, Vec<String>> {
    let lineage = match Lineage::load(etc, name) {
        Ok(l) => l,
        Err(e) => return Err(vec![format!("{name} does not load: {e}")]),
    };
    let mut problems = Vec::new();
    let version = lineage
        .check_links()
        .map_err(|e| problems.push(format!("{name}: {e}")))
        .ok();
    let live = etc.join("live").join(name);
    if version.is_some() {
        if public_key(&live.join("cert.pem"), true) != public_key(&live.join("privkey.pem"), false)
        {
            problems.push(format!("{name}: the key does not match the certificate"));
        }
        let pem = fs::read_to_string(live.join("cert.pem")).unwrap_or_default();
        let names = certsmith::x509::parse_pem(&pem).map(|i| i.names);
        if !names.as_ref().is_ok_and(|n| n == &[name]) {
            problems.push(format!("{name}: the certificate is for {names:?}"));
        }
    }
    if etc.join(format!("renewal/{name}-0001.conf")).exists() {
        problems.push(format!("{name}-0001 appeared"));
    }
    let archive = etc.join("archive").join(name);
    let tops = ["archive", "live", "renewal"].map(|d| etc.join(d));
    for dir in tops.iter().chain([&live, &archive]) {
        problems.extend(hidden_entries(dir));
    }
    match version {
        Some(v) if problems.is_empty() => Ok(v),
        _ => Err(problems),
    }
}

/// Entries of `dir` whose names start with a dot: the temporaries of an
/// interrupted write that the next run should have removed.
pub fn hidden_entries(dir: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| format!("left behind: {}", e.path().display()))
        .collect()
}

/// The public key of a certificate (`cert`) or private key, as PEM.
pub fn public_key(path: &Path, cert: bool) -> String {
    let mut cmd = Command::new("openssl");
    if cert {
        cmd.args(["x509", "-noout", "-pubkey", "-in"]);
    } else {
        cmd.args(["pkey", "-pubout", "-in"]);
    }
    let out = cmd.arg(path).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}
