//! `--dns-luadns` against the LuaDNS stand-in (tests/support/luadns.rs),
//! whose changes go to a real BIND. Debian packages no certbot plugin for
//! LuaDNS, so the stand-in follows the API's documentation only.

use super::api_world::ApiWorld;
use super::cert_names;
use super::support::luadns::{HOST, LuaDns};

const EMAIL: &str = "joe@example.test";
const TOKEN: &str = "luadns-token-86ee82d1";

fn world() -> (ApiWorld, LuaDns) {
    let w = ApiWorld::new(HOST, &[]);
    let l = LuaDns::start(&w.bind, &["test", "example.test"], EMAIL, TOKEN);
    w.trust(&l.server.ca_pem);
    (w, l)
}

fn credentials(w: &ApiWorld, token: &str) -> String {
    let text = format!("dns_luadns_email = {EMAIL}\ndns_luadns_token = {token}\n");
    w.credentials(&text).display().to_string()
}

fn certonly<'a>(cred: &'a str, names: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "certonly",
        "--dns-luadns",
        "--dns-luadns-credentials",
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
    let (w, l) = world();
    let cred = credentials(&w, TOKEN);
    let run = w
        .certsmith(&certonly(&cred, &["example.test", "*.example.test"]))
        .ok();
    assert!(
        run.stdout.contains(
            "Added 2 TXT records _acme-challenge.example.test. in zone example.test. \
             through the LuaDNS API"
        ),
        "{}",
        run.stdout
    );
    w.assert_verifies("example.test");
    assert_eq!(
        cert_names(&w.live("example.test", "cert.pem")),
        vec!["example.test", "*.example.test"]
    );
    assert!(l.records().is_empty(), "{:?}", l.records());
    assert!(w.bind.txt("_acme-challenge.example.test").is_empty());
    let log = l.log();
    let count = |prefix: &str| log.iter().filter(|x| x.starts_with(prefix)).count();
    assert_eq!(
        (
            count("POST /v1/zones/402/records"),
            count("DELETE /v1/zones/402/records/")
        ),
        (2, 2),
        "{log:?}"
    );
    let conf = std::fs::read_to_string(w.config_dir().join("renewal/example.test.conf")).unwrap();
    assert!(
        conf.contains("authenticator = dns-luadns")
            && conf.contains(&format!("dns_luadns_credentials = {cred}")),
        "{conf}"
    );
    for text in [&run.stdout, &run.stderr, &conf] {
        assert!(!text.contains(TOKEN));
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
    assert!(l.records().is_empty(), "{:?}", l.records());
}

#[test]
fn a_bad_token_and_an_unknown_zone_are_named_with_the_credentials_file() {
    let (w, l) = world();
    let bad = credentials(&w, "not-the-token");
    let run = w.certsmith(&certonly(&bad, &["e.example.test"])).failed();
    let line = run.stderr.lines().last().unwrap_or_default();
    assert!(
        line.contains(&format!(
            "dns-luadns: the LuaDNS API refused the credentials in {bad}: \
             HTTP 401: Unauthorized; check dns_luadns_email and dns_luadns_token"
        )) && !line.contains("not-the-token"),
        "{}",
        run.stderr
    );
    let cred = credentials(&w, TOKEN);
    let run = w
        .certsmith(&certonly(
            &cred,
            &["e.example.test", "host.elsewhere.invalid"],
        ))
        .failed();
    let line = run.stderr.lines().last().unwrap_or_default();
    assert!(
        line.contains(&format!(
            "the LuaDNS API has no zone for _acme-challenge.host.elsewhere.invalid in \
             the account of {cred}"
        )),
        "{}",
        run.stderr
    );
    assert!(l.records().is_empty(), "{:?}", l.records());
    assert!(w.bind.txt("_acme-challenge.e.example.test").is_empty());
}
