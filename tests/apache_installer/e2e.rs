//! End to end through the command line, in a network namespace of its own with Pebble
//! validating http-01 on port 80: `certsmith --apache -d NAMES --redirect --hsts -n` on a
//! Debian tree whose Apache is not running, then curl: http answers 301 to https, https
//! serves a chain that verifies against Pebble's root with the HSTS header; a second run
//! changes nothing; a forced renewal and `renew` (from the renewal conf alone) go
//! through Apache again and Apache serves each new certificate; `certsmith rollback` restores every file and link byte for byte,
//! disables what it enabled, and Apache serves plain http again.

use super::common::*;
use crate::support::netns::{ACME_URL, Netns};

/// certsmith in the namespace, on the tree's config, work and logs dirs.
pub(super) fn command(ns: &Netns, tree: &Tree, args: &[&str]) -> std::process::Command {
    let mut cmd = ns.cmd(env!("CARGO_BIN_EXE_certsmith"));
    cmd.args(args)
        .arg("--config-dir")
        .arg(tree.config())
        .arg("--work-dir")
        .arg(tree.work())
        .arg("--logs-dir")
        .arg(tree.dir.join("logs"))
        .env_remove("SSL_CERT_FILE")
        .env_remove("REQUESTS_CA_BUNDLE");
    cmd
}

fn certsmith(ns: &Netns, tree: &Tree, args: &[&str]) -> (bool, String, String) {
    let out = command(ns, tree, args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The SHA-256 fingerprint of the certificate Apache serves for `name` on 443.
fn served(ns: &Netns, name: &str) -> String {
    let out = ns
        .cmd("sh")
        .arg("-c")
        .arg(format!(
            "openssl s_client -connect 127.0.0.1:443 -servername {name} </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256"
        ))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Differences under the server root (certsmith's config dir left out).
fn server_files_changed(
    before: &std::collections::BTreeMap<std::path::PathBuf, Entry>,
    tree: &Tree,
) -> Vec<String> {
    snapshot_diff(before, &tree.snapshot())
        .into_iter()
        .filter(|l| !l.contains("/config/"))
        .collect()
}

/// The fingerprint of the lineage's current certificate.
fn live(tree: &Tree, lineage: &str) -> String {
    let out = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(tree.config().join("live").join(lineage).join("cert.pem"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

pub(super) fn site_tree(names: &[&str]) -> Tree {
    let tree = Tree::debian("e2e", &[]);
    let www = tree.dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), "plain site\n").unwrap();
    tree.write(
        "sites-available/site.conf",
        &format!(
            "<VirtualHost *:80>\n\tServerName {}\n\tServerAlias {}\n\tDocumentRoot {www}\n\t<Directory {www}>\n\t\tRequire all granted\n\t</Directory>\n\tErrorLog ${{APACHE_LOG_DIR}}/error.log\n</VirtualHost>\n",
            names[0],
            names[1..].join(" "),
            www = www.display()
        ),
    );
    std::os::unix::fs::symlink(
        "../sites-available/site.conf",
        tree.root.join("sites-enabled/site.conf"),
    )
    .unwrap();
    tree
}

#[test]
fn apache_from_nothing_to_https_and_back() {
    let ns = Netns::up();
    let names = ["e2e.example.test", "www.e2e.example.test"];
    let tree = site_tree(&names);
    let before = tree.snapshot();
    let root = tree.root.display().to_string();
    let ca = ns.ca_bundle.display().to_string();
    let run = [
        "--apache",
        "-d",
        names[0],
        "-d",
        names[1],
        "--redirect",
        "--hsts",
        "-n",
        "--agree-tos",
        "-m",
        "e2e@example.org",
        "--apache-server-root",
        &root,
        "--server",
        ACME_URL,
        "--ca-bundle",
        &ca,
    ];
    let (ok, stdout, stderr) = certsmith(&ns, &tree, &run);
    assert!(ok, "certsmith --apache failed:\n{stdout}\n{stderr}");
    println!("{stdout}{stderr}");
    assert!(
        stdout.contains("HTTPS is enabled for https://e2e.example.test"),
        "{stdout}"
    );

    let (ok, head) = ns.curl_at(
        names[1],
        80,
        &[
            "-o",
            "/dev/null",
            "-w",
            "%{http_code} %{redirect_url}",
            "http://www.e2e.example.test/a?b=1",
        ],
    );
    assert!(ok, "{head}");
    assert_eq!(head, "301 https://www.e2e.example.test/a?b=1");
    let pebble_root = ns.root_pem.display().to_string();
    let (ok, out) = ns.curl_at(
        names[0],
        443,
        &[
            "-D",
            "-",
            "--cacert",
            &pebble_root,
            "https://e2e.example.test/",
        ],
    );
    assert!(ok, "https does not verify against Pebble's root: {out}");
    assert!(out.contains("plain site"), "{out}");
    assert!(
        out.to_ascii_lowercase()
            .contains("strict-transport-security: max-age=31536000"),
        "{out}"
    );
    let enabled = tree.root.join("mods-enabled/ssl.load");
    assert!(enabled.exists(), "mod_ssl is not enabled");

    // The same command again: the certificate is kept and nothing changes.
    let after_first = tree.snapshot();
    let (ok, stdout, stderr) = certsmith(&ns, &tree, &run);
    assert!(ok, "second run failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("nothing changed"), "{stdout}");
    assert!(snapshot_diff(&after_first, &tree.snapshot()).is_empty());

    // A new certificate at the same paths: no file changes, Apache restarted to serve it.
    let mut forced = run.to_vec();
    forced.push("--force-renewal");
    let (ok, stdout, stderr) = certsmith(&ns, &tree, &forced);
    assert!(ok, "forced renewal failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("to serve the new certificate"), "{stdout}");
    assert!(server_files_changed(&after_first, &tree).is_empty());
    assert_eq!(served(&ns, names[0]), live(&tree, names[0]));

    // `renew` rebuilds the Apache authenticator and installer from the renewal conf
    // alone (no Apache flags): http-01 through Apache again, then a restart.
    let conf =
        std::fs::read_to_string(tree.config().join("renewal/e2e.example.test.conf")).unwrap();
    for line in [
        "authenticator = apache".to_string(),
        "installer = apache".to_string(),
        format!("apache_server_root = {root}"),
    ] {
        assert!(conf.contains(&line), "{line:?} not in:\n{conf}");
    }
    let (ok, stdout, stderr) = certsmith(
        &ns,
        &tree,
        &[
            "renew",
            "--force-renewal",
            "--no-random-sleep-on-renew",
            "--ca-bundle",
            &ca,
        ],
    );
    assert!(ok, "renew failed:\n{stdout}\n{stderr}");
    let current =
        std::fs::canonicalize(tree.config().join("live/e2e.example.test/cert.pem")).unwrap();
    assert!(
        current.ends_with("cert3.pem"),
        "renew made no third version: {stdout}"
    );
    let changed = server_files_changed(&after_first, &tree);
    assert!(changed.is_empty(), "renew changed files: {changed:?}");
    assert_eq!(served(&ns, names[0]), live(&tree, names[0]));

    let (ok, stdout, stderr) = certsmith(&ns, &tree, &["rollback"]);
    assert!(ok, "rollback failed:\n{stdout}\n{stderr}");
    println!("{stdout}{stderr}");
    assert!(stdout.contains("disabled apache module ssl"), "{stdout}");
    let left: Vec<String> = snapshot_diff(&before, &tree.snapshot())
        .into_iter()
        .filter(|l| !l.contains("/config/"))
        .collect();
    assert!(left.is_empty(), "rollback left differences: {left:?}");
    assert!(!enabled.exists());
    let (ok, body) = ns.curl_at(names[0], 80, &["http://e2e.example.test/"]);
    assert!(ok && body.contains("plain site"), "{body}");
    let (ok, _) = ns.curl_at(
        names[0],
        443,
        &["--cacert", &pebble_root, "https://e2e.example.test/"],
    );
    assert!(!ok, "https still answers after the rollback");
}
