//! No client ever sees an error while certsmith changes Apache (issue 17): a running
//! Apache in a network namespace of its own, clients on loopback (`support::load`)
//! requesting pages across `certsmith --apache --redirect` (issuance through Apache and
//! install), `renew --force-renewal` and `rollback`. Every request must get a whole
//! answer from the old or the new configuration, and once certsmith has returned, only
//! from the new one. Apache's error log counts the graceful restarts.

use super::common::*;
use crate::support::load::{
    Target, check, during, listener_closing, page, page_with, redirect_to, refused,
};
use crate::support::netns::{ACME_URL, Netns};
use std::time::Duration;

const THREADS: usize = 2;
const LEAD_TAIL: (Duration, Duration) = (Duration::from_millis(300), Duration::from_millis(700));
const HOST: &str = "load.example.test";
const PAGE: &str = "plain site\n";

fn site_tree() -> Tree {
    let tree = Tree::debian("load", &[]);
    let www = tree.dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), PAGE).unwrap();
    tree.write(
        "sites-available/site.conf",
        &format!(
            "<VirtualHost *:80>\n\tServerName {HOST}\n\tDocumentRoot {www}\n\t<Directory {www}>\n\t\tRequire all granted\n\t</Directory>\n</VirtualHost>\n",
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

/// certsmith inside the namespace on the tree's dirs; fails the test if it fails.
/// Returns its stdout.
fn certsmith(ns: &Netns, tree: &Tree, args: &[&str]) -> String {
    let out = ns
        .cmd(env!("CARGO_BIN_EXE_certsmith"))
        .args(args)
        .arg("--config-dir")
        .arg(tree.config())
        .arg("--work-dir")
        .arg(tree.work())
        .arg("--logs-dir")
        .arg(tree.dir.join("logs"))
        .arg("--ca-bundle")
        .arg(&ns.ca_bundle)
        .env_remove("SSL_CERT_FILE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "certsmith {args:?}:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Apache's graceful restarts so far (its notice, logged whatever the LogLevel).
fn restarts(tree: &Tree) -> usize {
    std::fs::read_to_string(tree.state().join("log/error.log"))
        .unwrap_or_default()
        .matches("Doing graceful restart")
        .count()
}

fn live_serial(tree: &Tree) -> String {
    let pem =
        std::fs::read_to_string(tree.config().join("live").join(HOST).join("cert.pem")).unwrap();
    certsmith::x509::parse_pem(&pem).unwrap().serial_hex
}

#[test]
fn clients_see_no_error_across_install_renew_and_rollback() {
    let ns = Netns::up();
    let tree = site_tree();
    let root = tree.root.display().to_string();
    let started = ns
        .cmd("apache2ctl")
        .args(["-k", "start"])
        .env("APACHE_CONFDIR", &tree.root)
        .env("LANG", "C")
        .status()
        .unwrap();
    assert!(started.success(), "apache2ctl -k start failed");
    let http = Target::http(HOST, 80, "/");
    let https = Target::https(HOST, 443, "/", &ns.root_pem);
    let location = format!("https://{HOST}/");
    let (plain, redirect) = (page(PAGE), redirect_to(&location));
    let either = |r: &_| plain(r).or_else(|_| redirect(r));
    // Apache answers before the first phase: the load measures changes, not start-up.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !ns.curl_at(HOST, 80, &[&format!("http://{HOST}/")]).0 {
        assert!(
            std::time::Instant::now() < deadline,
            "Apache does not answer"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let before = restarts(&tree);
    let install = [
        "--apache",
        "-d",
        HOST,
        "--redirect",
        "-n",
        "--agree-tos",
        "-m",
        "load@example.org",
        "--apache-server-root",
        &root,
        "--server",
        ACME_URL,
    ];
    let (_, done, out) = during(&ns.name, &[&http], THREADS, LEAD_TAIL, || {
        certsmith(&ns, &tree, &install)
    });
    let install_restarts = restarts(&tree) - before;
    check("install", &out[0], done, either, &redirect);
    let first = live_serial(&tree);

    let before = restarts(&tree);
    let renew = ["renew", "--force-renewal", "--no-random-sleep-on-renew"];
    let (stdout, done, out) = during(&ns.name, &[&http, &https], THREADS, LEAD_TAIL, || {
        certsmith(&ns, &tree, &renew)
    });
    let renew_restarts = restarts(&tree) - before;
    // Whether the renewal proved control again through Apache (a CA may reuse a
    // valid authorization: no challenge, no challenge restarts).
    let challenged = stdout.contains("Apache answers the http-01 challenge");
    let second = live_serial(&tree);
    assert_ne!(first, second, "renew made no new certificate");
    let (both, only_new) = ([first.as_str(), second.as_str()], [second.as_str()]);
    check("renew", &out[0], done, &redirect, &redirect);
    check(
        "renew",
        &out[1],
        done,
        page_with(PAGE, &both),
        page_with(PAGE, &only_new),
    );

    let before = restarts(&tree);
    let (_, done, out) = during(&ns.name, &[&http, &https], THREADS, LEAD_TAIL, || {
        certsmith(&ns, &tree, &["rollback"])
    });
    let rollback_restarts = restarts(&tree) - before;
    check("rollback", &out[0], done, either, &plain);
    let serving = page_with(PAGE, &only_new);
    check(
        "rollback",
        &out[1],
        done,
        |r| serving(r).or_else(|_| listener_closing(r)),
        refused,
    );
    println!(
        "Apache graceful restarts: install {install_restarts}, renew {renew_restarts}, rollback {rollback_restarts}"
    );
    // Issuance: challenge edits in, challenge edits out, certificate in.
    assert_eq!(install_restarts, 3);
    assert_eq!(renew_restarts, if challenged { 3 } else { 1 });
    assert_eq!(rollback_restarts, 1);
}
