//! CNAME delegation: `_acme-challenge.a.example` is a CNAME to
//! `a.acme.other.example`, a name in another zone; the TXT records are
//! written there (and removed), and a wildcard + apex certificate issues.
//! With dns-rfc2136 (both zones on the server) and with dns-cloudflare (the
//! account holds only the target's zone).

use super::api_world::ApiWorld;
use super::support::bind::Bind;
use super::support::cloudflare::{Cloudflare, HOST};
use super::{World, cert_names};

const CNAME: &str = "update add _acme-challenge.a.example. 60 CNAME a.acme.other.example.";

#[test]
fn rfc2136_writes_at_the_cname_target_in_the_other_zone() {
    let bind = Bind::builder().zone("a.example").zone("other.example");
    let w = World::with_bind(bind.recursive().start());
    w.bind.nsupdate(&[CNAME]);
    let cred = w.credentials(&[]);
    let run = w
        .rfc2136(&cred, &["-d", "a.example", "-d", "*.a.example"])
        .ok();
    assert!(
        run.stdout.contains(
            "_acme-challenge.a.example. is a CNAME: its TXT records go to a.acme.other.example."
        ) && run
            .stdout
            .contains("Added 2 TXT records a.acme.other.example. in zone other.example."),
        "{}",
        run.stdout
    );
    w.assert_verifies("a.example");
    assert_eq!(
        cert_names(&w.live("a.example", "cert.pem")),
        vec!["a.example", "*.a.example"]
    );
    assert!(w.bind.txt("a.acme.other.example").is_empty());
}

#[test]
fn cloudflare_writes_at_the_cname_target_in_the_accounts_zone() {
    let w = ApiWorld::with_bind(HOST, |b| {
        b.zone("a.example").zone("other.example").recursive()
    });
    // The account holds the delegation target's zone only.
    let cf = Cloudflare::start(&w.bind, &["other.example"], "cname-token", "", "");
    w.trust(&cf.server.ca_pem);
    w.bind.nsupdate(&[CNAME]);
    let cred = w.credentials("dns_cloudflare_api_token = cname-token\n");
    let cred = cred.display().to_string();
    let run = w
        .certsmith(&[
            "certonly",
            "--dns-cloudflare",
            "--dns-cloudflare-credentials",
            &cred,
            "--agree-tos",
            "--register-unsafely-without-email",
            "-d",
            "a.example",
            "-d",
            "*.a.example",
        ])
        .ok();
    assert!(
        run.stdout
            .contains("Added 2 TXT records a.acme.other.example. in zone other.example."),
        "{}",
        run.stdout
    );
    w.assert_verifies("a.example");
    assert!(cf.records().is_empty());
    assert!(
        cf.log()
            .iter()
            .any(|l| l.starts_with("POST /client/v4/zones/") && l.ends_with("/dns_records")),
        "{:?}",
        cf.log()
    );
    assert!(w.bind.txt("a.acme.other.example").is_empty());
}
