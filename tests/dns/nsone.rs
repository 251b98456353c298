//! `--dns-nsone` against the NS1 stand-in (tests/support/nsone.rs), whose
//! changes go to a real BIND. Debian packages no certbot plugin for NS1, so
//! the stand-in follows the API's documentation only.

use super::api_world::ApiWorld;
use super::cert_names;
use super::support::nsone::{HOST, Nsone};

const KEY: &str = "qACMD09OJXBxT7XOuRs8";

fn world() -> (ApiWorld, Nsone) {
    let w = ApiWorld::new(HOST, &[]);
    let n = Nsone::start(&w.bind, &["test", "example.test"], KEY);
    w.trust(&n.server.ca_pem);
    (w, n)
}

fn credentials(w: &ApiWorld, key: &str) -> String {
    w.credentials(&format!("dns_nsone_api_key = {key}\n"))
        .display()
        .to_string()
}

fn certonly<'a>(cred: &'a str, names: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "certonly",
        "--dns-nsone",
        "--dns-nsone-credentials",
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
    let (w, n) = world();
    let cred = credentials(&w, KEY);
    let run = w
        .certsmith(&certonly(&cred, &["example.test", "*.example.test"]))
        .ok();
    assert!(
        run.stdout.contains(
            "Added 2 TXT records _acme-challenge.example.test. in zone example.test. \
             through the NS1 API"
        ),
        "{}",
        run.stdout
    );
    w.assert_verifies("example.test");
    assert_eq!(
        cert_names(&w.live("example.test", "cert.pem")),
        vec!["example.test", "*.example.test"]
    );
    assert!(n.records().is_empty(), "{:?}", n.records());
    assert!(w.bind.txt("_acme-challenge.example.test").is_empty());
    // One record made, the second value added to it, taken out again, the
    // record deleted with its last value.
    let log = n.log();
    let path = "/v1/zones/example.test/_acme-challenge.example.test/TXT";
    let count = |method: &str| {
        log.iter()
            .filter(|x| **x == format!("{method} {path}"))
            .count()
    };
    assert_eq!(
        (count("PUT"), count("POST"), count("DELETE")),
        (1, 2, 1),
        "{log:?}"
    );
    let conf = std::fs::read_to_string(w.config_dir().join("renewal/example.test.conf")).unwrap();
    assert!(
        conf.contains("authenticator = dns-nsone")
            && conf.contains(&format!("dns_nsone_credentials = {cred}")),
        "{conf}"
    );
    for text in [&run.stdout, &run.stderr, &conf] {
        assert!(!text.contains(KEY));
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
    assert!(n.records().is_empty(), "{:?}", n.records());
}

#[test]
fn a_bad_key_and_an_unknown_zone_are_named_with_the_credentials_file() {
    let (w, n) = world();
    let bad = credentials(&w, "not-the-key");
    let run = w.certsmith(&certonly(&bad, &["e.example.test"])).failed();
    let line = run.stderr.lines().last().unwrap_or_default();
    assert!(
        line.contains(&format!(
            "dns-nsone: the NS1 API refused the credentials in {bad}: \
             HTTP 401: Unauthorized; check dns_nsone_api_key"
        )) && !line.contains("not-the-key"),
        "{}",
        run.stderr
    );
    let cred = credentials(&w, KEY);
    let run = w
        .certsmith(&certonly(
            &cred,
            &["e.example.test", "host.elsewhere.invalid"],
        ))
        .failed();
    let line = run.stderr.lines().last().unwrap_or_default();
    assert!(
        line.contains(&format!(
            "the NS1 API has no zone for _acme-challenge.host.elsewhere.invalid in \
             the account of {cred}"
        )),
        "{}",
        run.stderr
    );
    assert!(n.records().is_empty(), "{:?}", n.records());
    assert!(w.bind.txt("_acme-challenge.e.example.test").is_empty());
}

/// A value someone else keeps at the name stays: only certsmith's values are
/// added to and taken out of what the provider holds there.
#[test]
fn another_value_at_the_name_is_kept() {
    let (w, n) = world();
    n.seed(
        &w.bind,
        "example.test",
        "_acme-challenge.int.example.test",
        &["keep"],
    );
    let cred = credentials(&w, KEY);
    w.certsmith(&certonly(
        &cred,
        &["int.example.test", "*.int.example.test"],
    ))
    .ok();
    w.assert_verifies("int.example.test");
    let records = n.records();
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].values, vec!["keep"]);
    assert_eq!(w.bind.txt("_acme-challenge.int.example.test"), vec!["keep"]);
}
