//! `--dns-dnsmadeeasy` against the DNS Made Easy stand-in
//! (tests/support/dnsmadeeasy.rs), whose changes go to a real BIND. Debian
//! packages no certbot plugin for DNS Made Easy, so the stand-in follows the
//! API's documentation only (the signature: HMAC-SHA1 of the request date).

use super::api_world::ApiWorld;
use super::cert_names;
use super::support::dnsmadeeasy::{DnsMadeEasy, HOST};

const KEY: &str = "1c1a3c91-4770-4ce7-96f4-54c0eb0e457a";
const SECRET: &str = "5ec2e7-dnsmadeeasy-test-secret";

fn world() -> (ApiWorld, DnsMadeEasy) {
    let w = ApiWorld::new(HOST, &[]);
    let d = DnsMadeEasy::start(&w.bind, &["test", "example.test"], KEY, SECRET);
    w.trust(&d.server.ca_pem);
    (w, d)
}

fn credentials(w: &ApiWorld, secret: &str) -> String {
    let text = format!("dns_dnsmadeeasy_api_key = {KEY}\ndns_dnsmadeeasy_secret_key = {secret}\n");
    w.credentials(&text).display().to_string()
}

fn certonly<'a>(cred: &'a str, names: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "certonly",
        "--dns-dnsmadeeasy",
        "--dns-dnsmadeeasy-credentials",
        cred,
        "--agree-tos",
        "-m",
        "do@example.com",
    ];
    for n in names {
        args.extend(["-d", n]);
    }
    args
}

#[test]
fn wildcard_and_apex_are_issued_and_renewed() {
    let (w, d) = world();
    let cred = credentials(&w, SECRET);
    let run = w
        .certsmith(&certonly(&cred, &["example.test", "*.example.test"]))
        .ok();
    assert!(
        run.stdout.contains(
            "Added 2 TXT records _acme-challenge.example.test. in zone example.test. \
             through the DNS Made Easy API"
        ),
        "{}",
        run.stdout
    );
    w.assert_verifies("example.test");
    assert_eq!(
        cert_names(&w.live("example.test", "cert.pem")),
        vec!["example.test", "*.example.test"]
    );
    assert!(d.records().is_empty(), "{:?}", d.records());
    assert!(w.bind.txt("_acme-challenge.example.test").is_empty());
    let log = d.log();
    let count = |prefix: &str| log.iter().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(
        (
            count("POST /V2.0/dns/managed/1119442/records"),
            count("DELETE /V2.0/dns/managed/1119442/records/")
        ),
        (2, 2),
        "{log:?}"
    );
    let conf = std::fs::read_to_string(w.config_dir().join("renewal/example.test.conf")).unwrap();
    assert!(
        conf.contains("authenticator = dns-dnsmadeeasy")
            && conf.contains(&format!("dns_dnsmadeeasy_credentials = {cred}")),
        "{conf}"
    );
    for text in [&run.stdout, &run.stderr, &conf] {
        assert!(!text.contains(KEY) && !text.contains(SECRET));
    }
    w.certsmith(&[
        "renew",
        "--cert-name",
        "example.test",
        "--force-renewal",
        "--no-random-sleep-on-renew",
    ])
    .ok();
    assert!(
        w.config_dir()
            .join("archive/example.test/cert2.pem")
            .exists()
    );
    w.assert_verifies("example.test");
    assert!(d.records().is_empty(), "{:?}", d.records());
}

#[test]
fn a_bad_secret_and_an_unknown_zone_are_named_with_the_credentials_file() {
    let (w, d) = world();
    let bad = credentials(&w, "not-the-secret");
    let run = w.certsmith(&certonly(&bad, &["e.example.test"])).failed();
    let line = run.stderr.lines().last().unwrap_or_default();
    assert!(
        line.contains(&format!(
            "dns-dnsmadeeasy: the DNS Made Easy API refused the credentials in {bad}: \
             HTTP 403: Invalid API key or request signature; check dns_dnsmadeeasy_api_key \
             and dns_dnsmadeeasy_secret_key"
        )) && !line.contains("not-the-secret"),
        "{}",
        run.stderr
    );
    let cred = credentials(&w, SECRET);
    let run = w
        .certsmith(&certonly(
            &cred,
            &["e.example.test", "host.elsewhere.invalid"],
        ))
        .failed();
    let line = run.stderr.lines().last().unwrap_or_default();
    assert!(
        line.contains(&format!(
            "the DNS Made Easy API has no zone for _acme-challenge.host.elsewhere.invalid in \
             the account of {cred}"
        )),
        "{}",
        run.stderr
    );
    assert!(d.records().is_empty(), "{:?}", d.records());
    assert!(w.bind.txt("_acme-challenge.e.example.test").is_empty());
}
