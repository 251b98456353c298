//! Authenticators other than standalone rebuilt from the renewal conf:
//! dns-rfc2136 (against a private BIND), webroot (served by a real nginx).

use super::support::bind::Bind;
use super::support::nginx::Nginx;
use super::support::{TempDir, free_port};
use super::{World, pebble};

#[test]
fn a_dns_rfc2136_wildcard_lineage_renews_with_its_stored_credentials() {
    let bind = Bind::start();
    let w = World::with(pebble().dns_server(&bind.addr()).start());
    let credentials = bind.credentials(w.dir.path(), &[]);
    w.certsmith(&[
        "certonly",
        "--dns-rfc2136",
        "--dns-rfc2136-credentials",
        credentials.to_str().unwrap(),
        "--server",
        &w.server,
        "--agree-tos",
        "-m",
        "t@example.com",
        "-d",
        "example.test",
        "-d",
        "*.example.test",
    ])
    .ok();
    let conf = w.conf("example.test");
    assert!(conf.contains("authenticator = dns-rfc2136\n"), "{conf}");
    let run = w.renew(&["--force-renewal"]).ok();
    assert!(
        run.stdout.contains("example.test: renewed (version 2)"),
        "{}",
        run.stdout
    );
    assert_eq!(
        w.cert("example.test").names,
        ["example.test", "*.example.test"]
    );
    w.assert_verifies("example.test");
}

#[test]
fn a_webroot_lineage_renews_through_its_stored_web_roots() {
    let site = TempDir::new("webroot-a");
    let other = TempDir::new("webroot-b");
    let port = free_port();
    let nginx = Nginx::serve_hosts(site.path(), &[("b.example.com", other.path())], port);
    let w = World::with(
        pebble()
            .http_port(port)
            .env("PEBBLE_AUTHZREUSE", "0")
            .start(),
    );
    w.certsmith(&[
        "certonly",
        "--webroot",
        "--server",
        &w.server,
        "--agree-tos",
        "-m",
        "t@example.com",
        "-w",
        site.path().to_str().unwrap(),
        "-d",
        "a.example.com",
        "-w",
        other.path().to_str().unwrap(),
        "-d",
        "b.example.com",
    ])
    .ok();
    let before = nginx
        .access_log()
        .matches("/.well-known/acme-challenge/")
        .count();
    let run = w.renew(&["--force-renewal"]).ok();
    assert!(
        run.stdout.contains("a.example.com: renewed (version 2)"),
        "{}",
        run.stdout
    );
    let after = nginx
        .access_log()
        .matches("/.well-known/acme-challenge/")
        .count();
    assert!(after > before, "nginx served no challenge during renewal");
    w.assert_verifies("a.example.com");
    assert!(
        w.conf("a.example.com")
            .contains(&format!("b.example.com = {}\n", other.path().display())),
        "{}",
        w.conf("a.example.com")
    );
}
