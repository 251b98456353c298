//! Real Apache, real Pebble, through the library: Apache listens on free loopback ports
//! (Pebble validates http-01 on the http one), the Apache solver answers the challenge
//! through Apache, the certificate is installed with redirect and HSTS and Apache
//! restarted, curl checks what it serves, and rolling back restores every file and link
//! and Apache serves plain http again.

use super::common::*;
use crate::support::free_port;
use crate::support::pebble::Pebble;
use certsmith::installer::apache::{
    ApacheSolver, CertFiles, Enhancements, InstallRequest, Settings, install, no_questions,
};
use reverter::Reverter;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Stops the Apache a test started (by the pid in its pid file) when dropped.
pub struct Running(pub PathBuf);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(&self.0) {
            let pid = pid.trim().to_string();
            let _ = Command::new("kill").arg(&pid).status();
            let path = format!("/proc/{pid}");
            for _ in 0..500 {
                if !Path::new(&path).exists() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
    }
}

/// A Debian tree whose Apache listens on 127.0.0.1 only: `http` now, `https` once mod_ssl
/// is enabled (inside `<IfModule ssl_module>`, as Debian's `ports.conf`).
pub fn loopback_tree(label: &str, names: &[&str], http: u16, https: u16) -> Tree {
    let site = format!(
        "<VirtualHost *:{http}>\n\tServerName {}\n{}\tDocumentRoot WWW\n</VirtualHost>\n",
        names[0],
        if names.len() > 1 {
            format!("\tServerAlias {}\n", names[1..].join(" "))
        } else {
            String::new()
        }
    );
    let tree = Tree::debian(label, &[]);
    let www = tree.dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), "plain site\n").unwrap();
    tree.write(
        "sites-available/site.conf",
        &site.replace("WWW", &www.display().to_string()),
    );
    std::os::unix::fs::symlink(
        "../sites-available/site.conf",
        tree.root.join("sites-enabled/site.conf"),
    )
    .unwrap();
    tree.write(
        "ports.conf",
        &format!("Listen 127.0.0.1:{http}\n\n<IfModule ssl_module>\n\tListen 127.0.0.1:{https}\n</IfModule>\n"),
    );
    // Requests without a matching ServerName still log here.
    tree.write(
        "conf-enabled/servername.conf",
        "ServerName localhost\n<Directory /tmp/>\n\tRequire all granted\n</Directory>\n",
    );
    tree
}

pub fn curl(args: &[&str]) -> (bool, String) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "10"])
        .args(args)
        .env_remove("SSL_CERT_FILE")
        .output()
        .expect("curl must be installed");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn issue_install_enhance_and_roll_back_through_apache() {
    let (http, https) = (free_port(), free_port());
    let pebble = Pebble::builder().http_port(http).start();
    let names = ["site.example.test", "www.site.example.test"];
    let tree = loopback_tree("live", &names, http, https);
    let _running = Running(tree.state().join("run/apache2.pid"));
    let before = tree.snapshot();

    let apache = tree.apache();
    let info = apache.inspect().unwrap();
    let settings = Settings {
        http_port: http,
        https_port: https,
        ..Settings::default()
    };
    let argv: Vec<String> = [
        "certonly",
        "-n",
        "--agree-tos",
        "--register-unsafely-without-email",
        "--server",
        &pebble.directory_url(),
        "--ca-bundle",
        &pebble.ca_bundle.display().to_string(),
        "--config-dir",
        &tree.config().display().to_string(),
        "--work-dir",
        &tree.work().display().to_string(),
        "--logs-dir",
        &tree.dir.join("logs").display().to_string(),
        "-d",
        &names.join(","),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let registry = certsmith::plugins::Registry::builtin();
    let (config, _) = certsmith::app::configure(&registry, argv).unwrap();
    let mut reverter = Reverter::open(tree.work()).unwrap();
    let lineage = {
        let mut solver = ApacheSolver::new(
            apache.clone(),
            info.clone(),
            settings.clone(),
            &tree.work(),
            &mut reverter,
            true,
        );
        let params = registry.renewal_params(&config, "apache", Some("apache"), Default::default());
        certsmith::commands::issue::obtain_and_save(
            &config,
            &names.map(String::from),
            &mut solver,
            params,
        )
        .unwrap()
        .expect("a new lineage")
    };
    // The challenge edits are gone: every file and link as before (the lineage aside).
    let after_challenge: Vec<String> = snapshot_diff(&before, &tree.snapshot())
        .into_iter()
        .filter(|l| !l.contains("/config/"))
        .collect();
    assert!(after_challenge.is_empty(), "{after_challenge:?}");
    pebble
        .verify(&lineage.path("cert"), &lineage.path("chain"))
        .unwrap();

    let mut plan = apache.load(&info).unwrap();
    let request = InstallRequest {
        names: names.map(String::from).to_vec(),
        cert: Some(CertFiles {
            fullchain: lineage.path("fullchain"),
            key: lineage.path("privkey"),
        }),
        enhance: Enhancements {
            redirect: true,
            hsts: true,
            ..Default::default()
        },
        config_dir: tree.config(),
        settings,
    };
    install(&mut plan, &request, &mut no_questions).unwrap();
    let deployed = apache
        .deploy(&mut reverter, "Installed site.example.test", &plan, &info)
        .unwrap();
    assert!(deployed.checkpoint.is_some());

    let http_url = format!("http://{}:{http}/page?q=1", names[1]);
    let resolve_http = format!("{}:{http}:127.0.0.1", names[1]);
    let (ok, head) = curl(&[
        "-o",
        "/dev/null",
        "-w",
        "%{http_code} %{redirect_url}",
        "--resolve",
        &resolve_http,
        &http_url,
    ]);
    assert!(ok, "{head}");
    assert_eq!(head, format!("301 https://{}/page?q=1", names[1]));

    let root = tree.dir.join("pebble-root.pem");
    std::fs::write(&root, pebble.root_pem()).unwrap();
    let resolve_https = format!("{}:{https}:127.0.0.1", names[0]);
    let https_url = format!("https://{}:{https}/", names[0]);
    let (ok, out) = curl(&[
        "-D",
        "-",
        "--cacert",
        &root.display().to_string(),
        "--resolve",
        &resolve_https,
        &https_url,
    ]);
    assert!(ok, "https does not verify against Pebble's root: {out}");
    assert!(out.contains("plain site"), "{out}");
    assert!(
        out.to_ascii_lowercase()
            .contains("strict-transport-security: max-age=31536000"),
        "{out}"
    );

    // Roll back: every file and link as before; Apache serves plain http again.
    let undone = reverter.rollback_latest().unwrap().unwrap();
    assert!(
        undone
            .actions
            .iter()
            .any(|a| a.undone() == "disabled apache module ssl"),
        "{:?}",
        undone.actions
    );
    apache.after_rollback().unwrap();
    let left: Vec<String> = snapshot_diff(&before, &tree.snapshot())
        .into_iter()
        .filter(|l| !l.contains("/config/"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let plain_url = format!("http://{}:{http}/", names[1]);
    let (ok, body) = curl(&["--resolve", &resolve_http, &plain_url]);
    assert!(ok && body.contains("plain site"), "{body}");
    let (ok, _) = curl(&[
        "--cacert",
        &root.display().to_string(),
        "--resolve",
        &resolve_https,
        &https_url,
    ]);
    assert!(!ok, "https still answers after the rollback");
}

fn running_pid(tree: &Tree) -> Option<String> {
    let pid = std::fs::read_to_string(tree.state().join("run/apache2.pid")).ok()?;
    let pid = pid.trim().to_string();
    Path::new(&format!("/proc/{pid}")).exists().then_some(pid)
}

/// Rolling back `SSLStaplingCache` with a graceful restart can stop Apache (AH00819):
/// `after_rollback` must leave it running. A certificate whose key does not match passes
/// `apache2 -t` but stops Apache at the restart: the change is undone and Apache brought
/// back with the old configuration.
#[test]
fn apache_keeps_running_through_stapling_rollback_and_a_failed_restart() {
    let (http, https) = (free_port(), free_port());
    let names = ["staple.example.test"];
    let tree = loopback_tree("staple", &names, http, https);
    let _running = Running(tree.state().join("run/apache2.pid"));
    let apache = tree.apache();
    apache.restart().unwrap();
    assert!(running_pid(&tree).is_some(), "Apache did not start");
    let before = tree.snapshot();
    let info = apache.inspect().unwrap();
    let settings = Settings {
        http_port: http,
        https_port: https,
        ..Settings::default()
    };
    let cert = tree.test_cert(&names);
    let mut request = tree.request(&names, &cert);
    request.settings = settings;
    request.enhance.staple_ocsp = true;
    let mut plan = apache.load(&info).unwrap();
    let report = install(&mut plan, &request, &mut no_questions).unwrap();
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("names no OCSP responder")),
        "{report:?}"
    );
    let mut reverter = Reverter::open(tree.work()).unwrap();
    apache
        .deploy(&mut reverter, "staple", &plan, &info)
        .unwrap();
    let https_url = format!("https://{}:{https}/", names[0]);
    let resolve = format!("{}:{https}:127.0.0.1", names[0]);
    let (ok, out) = curl(&["-k", "--resolve", &resolve, &https_url]);
    assert!(ok && out.contains("plain site"), "{out}");

    reverter.rollback_latest().unwrap();
    apache.after_rollback().unwrap();
    assert!(
        running_pid(&tree).is_some(),
        "Apache stopped after the rollback"
    );
    let plain = format!("http://127.0.0.1:{http}/");
    let (ok, out) = curl(&["-H", &format!("Host: {}", names[0]), &plain]);
    assert!(ok && out.contains("plain site"), "{out}");
    assert!(
        snapshot_diff(&before, &tree.snapshot())
            .iter()
            .all(|l| l.contains("/config/"))
    );

    // A key that does not match the certificate.
    let other = Tree::plain("other-key", &[]);
    let wrong = other.test_cert(&names);
    let mut request = tree.request(&names, &cert);
    request.settings.http_port = http;
    request.settings.https_port = https;
    if let Some(c) = request.cert.as_mut() {
        c.key = wrong.key.clone();
    }
    let info = apache.inspect().unwrap();
    let mut plan = apache.load(&info).unwrap();
    install(&mut plan, &request, &mut no_questions).unwrap();
    let err = apache
        .deploy(&mut reverter, "mismatch", &plan, &info)
        .unwrap_err()
        .to_string();
    assert!(err.contains("certsmith undid the change"), "{err}");
    let log = std::fs::read_to_string(tree.state().join("log/error.log")).unwrap_or_default();
    assert!(
        running_pid(&tree).is_some(),
        "Apache is down after the undo: {err}\nerror.log:\n{log}"
    );
    let (ok, out) = curl(&["-H", &format!("Host: {}", names[0]), &plain]);
    assert!(ok && out.contains("plain site"), "{out}");
    let left: Vec<String> = snapshot_diff(&before, &tree.snapshot())
        .into_iter()
        .filter(|l| !l.contains("/config/"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(reverter.checkpoints().unwrap().is_empty());
}
