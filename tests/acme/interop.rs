//! Sharing a config dir with Debian's certbot 2.1: each reads, uses and
//! revokes what the other made, and neither writes while the other holds
//! Certbot's lock.

use super::{World, cert_names_and_serial, tree};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn certbot_lists_certsmith_lineages_and_uses_its_account() {
    let w = World::new();
    w.standalone(&["-d", "ours.example.com,www.ours.example.com"])
        .ok();
    let listed = w.certbot(&["certificates"]).ok().stdout;
    assert!(
        listed.contains("Certificate Name: ours.example.com"),
        "{listed}"
    );
    assert!(
        listed.contains("Domains: ours.example.com www.ours.example.com"),
        "{listed}"
    );
    let info = certsmith::x509::parse_pem(
        &std::fs::read_to_string(w.live("ours.example.com", "cert.pem")).unwrap(),
    )
    .unwrap();
    let expiry = certsmith::x509::format_utc(info.not_after);
    assert!(
        listed.contains(&format!("Expiry Date: {expiry}")),
        "{expiry} not in {listed}"
    );
    // certbot issues with the account certsmith registered (an EC key) instead of making one.
    let port = w.pebble.http_port.to_string();
    let accounts = w.config_dir().join("accounts");
    let before = tree(&accounts);
    w.certbot(&[
        "certonly",
        "--standalone",
        "--server",
        &w.pebble.directory_url(),
        "--http-01-address",
        "127.0.0.1",
        "--http-01-port",
        &port,
        "-d",
        "theirs.example.com",
    ])
    .ok();
    assert_eq!(
        tree(&accounts),
        before,
        "certbot made an account of its own"
    );
    w.assert_verifies("theirs.example.com");
}

#[test]
fn a_lineage_from_a_staging_server_is_a_test_cert_to_both() {
    let w = World::new();
    w.standalone(&["-d", "staged.example.com"]).ok();
    let conf = w.config_dir().join("renewal/staged.example.com.conf");
    let text = std::fs::read_to_string(&conf).unwrap();
    let server = text
        .lines()
        .find(|l| l.starts_with("server = "))
        .expect("the renewal conf names its server");
    let staged = text.replace(
        server,
        "server = https://acme-staging-v02.api.letsencrypt.org/directory",
    );
    std::fs::write(&conf, staged).unwrap();
    for listed in [
        w.certbot(&["certificates"]).ok().stdout,
        w.certsmith(&["certificates"]).ok().stdout,
    ] {
        assert!(listed.contains("(INVALID: TEST_CERT)"), "{listed}");
    }
}

#[test]
fn certsmith_lists_and_revokes_a_certbot_lineage_with_certbots_rsa_account() {
    let w = World::new();
    let port = w.pebble.http_port.to_string();
    w.certbot(&[
        "certonly",
        "--standalone",
        "--server",
        &w.pebble.directory_url(),
        "--agree-tos",
        "-m",
        "cb@example.com",
        "--http-01-address",
        "127.0.0.1",
        "--http-01-port",
        &port,
        "-d",
        "cb.example.com",
    ])
    .ok();
    let listed = w.certsmith(&["certificates"]).ok().stdout;
    assert!(
        listed.contains("Certificate Name: cb.example.com")
            && listed.contains("Domains: cb.example.com"),
        "{listed}"
    );
    // certsmith issues with certbot's RSA account key (no new account).
    let accounts = w.config_dir().join("accounts");
    let before = tree(&accounts);
    w.standalone(&["-d", "ours.example.com"]).ok();
    assert_eq!(
        tree(&accounts),
        before,
        "certsmith made an account although certbot's exists"
    );
    let (_, serial) = cert_names_and_serial(&w.live("cb.example.com", "cert.pem"));
    w.certsmith(&["revoke", "--cert-name", "cb.example.com"])
        .ok();
    assert!(
        w.pebble
            .cert_status(&serial)
            .contains("\"Status\": \"Revoked\""),
        "{}",
        w.pebble.cert_status(&serial)
    );
    assert!(
        !w.config_dir().join("renewal/cb.example.com.conf").exists(),
        "revoked lineage not deleted"
    );
    let listed = w.certbot(&["certificates"]).ok().stdout;
    assert!(
        !listed.contains("cb.example.com") && listed.contains("ours.example.com"),
        "{listed}"
    );
}

/// Start certbot with a manual hook that sleeps, so it holds its lock for a while.
fn certbot_holding_the_lock(w: &World, marker: &std::path::Path) -> std::process::Child {
    let hook = format!("touch {}; sleep 4", marker.display());
    let mut cmd = Command::new("certbot");
    cmd.args([
        "certonly",
        "--manual",
        "--preferred-challenges",
        "http",
        "--manual-auth-hook",
        &hook,
        "--server",
    ])
    .arg(w.pebble.directory_url())
    .args([
        "--agree-tos",
        "-m",
        "cb@example.com",
        "-n",
        "-d",
        "lock.example.com",
        "--config-dir",
    ])
    .arg(w.config_dir())
    .arg("--work-dir")
    .arg(w.dir.join("cb-work"))
    .arg("--logs-dir")
    .arg(w.dir.join("cb-logs"))
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    for (k, v) in w.pebble.client_env() {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}

fn wait_for(path: &std::path::Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn certbots_lock_keeps_certsmith_out_and_the_reverse() {
    let w = World::new();
    let marker = w.dir.join("certbot-in-hook");
    let mut certbot = certbot_holding_the_lock(&w, &marker);
    wait_for(&marker);
    let line = w.standalone(&["-d", "x.example.com"]).one_error_line();
    assert!(
        line.contains("already using") && line.contains(".certbot.lock"),
        "{line}"
    );
    let _ = certbot.kill();
    let _ = certbot.wait();

    // certsmith holds the lock inside its own manual hook: certbot must refuse.
    let marker = w.dir.join("certsmith-in-hook");
    let hook = format!("touch {}; sleep 4", marker.display());
    let mut ours = w
        .bin()
        .args([
            "certonly",
            "--manual",
            "--manual-auth-hook",
            &hook,
            "--agree-tos",
            "-m",
            "t@example.com",
            "-n",
            "-d",
            "y.example.com",
            "--server",
        ])
        .arg(w.pebble.directory_url())
        .arg("--ca-bundle")
        .arg(&w.pebble.ca_bundle)
        .arg("--config-dir")
        .arg(w.config_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(&marker);
    let run = w.certbot(&["certificates"]);
    let _ = ours.kill();
    let _ = ours.wait();
    assert_ne!(
        run.code, 0,
        "certbot ran while certsmith held the lock: {}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("Another instance of Certbot is already running"),
        "{}",
        run.stderr
    );
}
