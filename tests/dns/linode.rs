//! `--dns-linode` against the Linode stand-in
//! (tests/support/linode.rs), whose changes go to a real BIND; Debian's
//! certbot with its Linode plugin against the same stand-in, and
//! lineages renewed across the two tools.

use super::api_world::ApiWorld;
use super::cert_names;
use super::support::linode::{HOST, Linode};

/// 64 hex digits: Certbot's plugin takes such a key for a v4 token.
const TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn world() -> (ApiWorld, Linode) {
    let w = ApiWorld::new(HOST, &[]);
    // Three domains, one a page: finding the zone reads every page.
    let d = Linode::start(&w.bind, &["aaa.test", "zzz.test", "example.test"], TOKEN);
    d.max_page_size(1);
    w.trust(&d.server.ca_pem);
    (w, d)
}

fn certonly<'a>(cred: &'a str, names: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "certonly",
        "--dns-linode",
        "--dns-linode-credentials",
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
fn wildcard_and_apex_are_issued_and_certbot_renews_the_lineage() {
    let (w, d) = world();
    let cred = w.credentials(&format!("dns_linode_key = {TOKEN}\n"));
    let cred = cred.display().to_string();
    let run = w
        .certsmith(&certonly(&cred, &["example.test", "*.example.test"]))
        .ok();
    assert!(
        run.stdout.contains(
            "Added 2 TXT records _acme-challenge.example.test. in zone example.test. \
             through the Linode API"
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
    assert!(
        d.log()
            .iter()
            .any(|l| l.starts_with("GET /v4/domains?") && l.contains("page=3")),
        "{:?}",
        d.log()
    );
    let conf = std::fs::read_to_string(w.config_dir().join("renewal/example.test.conf")).unwrap();
    assert!(
        conf.contains("authenticator = dns-linode")
            && conf.contains(&format!("dns_linode_credentials = {cred}")),
        "{conf}"
    );
    for text in [&run.stdout, &run.stderr, &conf] {
        assert!(!text.contains(TOKEN));
    }
    w.certbot(&[
        "renew",
        "--cert-name",
        "example.test",
        "--force-renewal",
        "--dns-linode-propagation-seconds",
        "1",
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

/// Debian's certbot (python3-certbot-dns-linode, lexicon's linode4 provider)
/// obtains a certificate against the stand-in; certsmith renews the lineage.
#[test]
fn certbots_linode_plugin_works_against_the_stand_in_and_certsmith_renews_it() {
    let (w, d) = world();
    let cred = w.credentials(&format!("dns_linode_key = {TOKEN}\n"));
    let cred = cred.display().to_string();
    let mut args = certonly(&cred, &["cb.example.test", "*.cb.example.test"]);
    args.extend(["--dns-linode-propagation-seconds", "1"]);
    w.certbot(&args).ok();
    w.assert_verifies("cb.example.test");
    assert!(d.records().is_empty(), "{:?}", d.records());
    w.certsmith(&[
        "renew",
        "--cert-name",
        "cb.example.test",
        "--force-renewal",
        "--no-random-sleep-on-renew",
    ])
    .ok();
    assert!(
        w.config_dir()
            .join("archive/cb.example.test/cert2.pem")
            .exists()
    );
    w.assert_verifies("cb.example.test");
    assert!(d.records().is_empty(), "{:?}", d.records());
}

#[test]
fn a_bad_token_and_an_unknown_zone_are_named_with_the_credentials_file() {
    let (w, d) = world();
    let bad = w.credentials("dns_linode_key = not-the-token\n");
    let bad = bad.display().to_string();
    let run = w.certsmith(&certonly(&bad, &["e.example.test"])).failed();
    let line = run.stderr.lines().last().unwrap_or_default();
    assert!(
        line.contains(&format!(
            "dns-linode: the Linode API refused the credentials in {bad}: \
             HTTP 401: Invalid Token; check dns_linode_key"
        )) && !line.contains("not-the-token"),
        "{}",
        run.stderr
    );
    let cred = w.credentials(&format!("dns_linode_key = {TOKEN}\n"));
    let cred = cred.display().to_string();
    let run = w
        .certsmith(&certonly(&cred, &["e.example.test", "host.elsewhere.test"]))
        .failed();
    let line = run.stderr.lines().last().unwrap_or_default();
    assert!(
        line.contains(&format!(
            "the Linode API has no zone for _acme-challenge.host.elsewhere.test in the \
             account of {cred}"
        )),
        "{}",
        run.stderr
    );
    assert!(d.records().is_empty(), "{:?}", d.records());
    assert!(w.bind.txt("_acme-challenge.e.example.test").is_empty());
}
