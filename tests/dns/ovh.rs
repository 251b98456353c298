//! `--dns-ovh` against the OVH stand-in (tests/support/ovh.rs), which checks
//! every request's signature against a clock of its own and publishes
//! changes to a real BIND only on a zone refresh; Debian's certbot with its
//! OVH plugin (lexicon) against the same stand-in, and lineages renewed
//! across the two tools.

use super::api_world::ApiWorld;
use super::cert_names;
use super::support::ovh::{HOST, Ovh};

const APPLICATION_KEY: &str = "AppKey0123456789";
const APPLICATION_SECRET: &str = "AppSecret0123456789abcdef01234567";
const CONSUMER_KEY: &str = "ConsumerKey0123456789abcdef012345";

fn world() -> (ApiWorld, Ovh) {
    let w = ApiWorld::new(HOST, &[]);
    let keys = (APPLICATION_KEY, APPLICATION_SECRET, CONSUMER_KEY);
    let o = Ovh::start(&w.bind, &["aaa.test", "example.test", "zzz.test"], keys);
    w.trust(&o.server.ca_pem);
    (w, o)
}

fn credentials_text(secret: &str) -> String {
    format!(
        "dns_ovh_endpoint = ovh-eu\ndns_ovh_application_key = {APPLICATION_KEY}\n\
         dns_ovh_application_secret = {secret}\ndns_ovh_consumer_key = {CONSUMER_KEY}\n"
    )
}

fn certonly<'a>(cred: &'a str, names: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "certonly",
        "--dns-ovh",
        "--dns-ovh-credentials",
        cred,
        "--agree-tos",
        "-m",
        "ovh@example.com",
    ];
    for n in names {
        args.extend(["-d", n]);
    }
    args
}

#[test]
fn wildcard_and_apex_are_issued_and_certbot_renews_the_lineage() {
    let (w, o) = world();
    let cred = w.credentials(&credentials_text(APPLICATION_SECRET));
    let cred = cred.display().to_string();
    let run = w
        .certsmith(&certonly(&cred, &["example.test", "*.example.test"]))
        .ok();
    assert!(
        run.stdout.contains(
            "Added 2 TXT records _acme-challenge.example.test. in zone example.test. \
             through the OVH API"
        ),
        "{}",
        run.stdout
    );
    w.assert_verifies("example.test");
    assert_eq!(
        cert_names(&w.live("example.test", "cert.pem")),
        vec!["example.test", "*.example.test"]
    );
    assert!(o.records().is_empty(), "{:?}", o.records());
    assert_eq!(o.unpublished(), 0);
    assert!(w.bind.txt("_acme-challenge.example.test").is_empty());
    let log = o.log();
    assert!(log.iter().any(|l| l == "GET /1.0/auth/time"), "{log:?}");
    assert!(
        log.iter()
            .any(|l| l == "POST /1.0/domain/zone/example.test/refresh"),
        "{log:?}"
    );
    let conf = std::fs::read_to_string(w.config_dir().join("renewal/example.test.conf")).unwrap();
    assert!(
        conf.contains("authenticator = dns-ovh")
            && conf.contains(&format!("dns_ovh_credentials = {cred}")),
        "{conf}"
    );
    for text in [&run.stdout, &run.stderr, &conf] {
        assert!(!text.contains(APPLICATION_SECRET) && !text.contains(CONSUMER_KEY));
    }
    w.certbot(&[
        "renew",
        "--cert-name",
        "example.test",
        "--force-renewal",
        "--dns-ovh-propagation-seconds",
        "1",
    ])
    .ok();
    assert!(
        w.config_dir()
            .join("archive/example.test/cert2.pem")
            .exists()
    );
    w.assert_verifies("example.test");
    assert!(o.records().is_empty(), "{:?}", o.records());
}

/// Debian's certbot (python3-certbot-dns-ovh, lexicon's ovh provider)
/// obtains a certificate against the stand-in; certsmith renews the lineage.
#[test]
fn certbots_ovh_plugin_works_against_the_stand_in_and_certsmith_renews_it() {
    let (w, o) = world();
    let cred = w.credentials(&credentials_text(APPLICATION_SECRET));
    let cred = cred.display().to_string();
    let mut args = certonly(&cred, &["cb.example.test", "*.cb.example.test"]);
    args.extend(["--dns-ovh-propagation-seconds", "1"]);
    w.certbot(&args).ok();
    w.assert_verifies("cb.example.test");
    assert!(o.records().is_empty(), "{:?}", o.records());
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
    assert!(o.records().is_empty(), "{:?}", o.records());
}

#[test]
fn a_bad_secret_and_an_unknown_zone_are_named_with_the_credentials_file() {
    let (w, o) = world();
    let bad = w.credentials(&credentials_text("not-the-secret"));
    let bad = bad.display().to_string();
    let run = w.certsmith(&certonly(&bad, &["e.example.test"])).failed();
    let line = run.stderr.lines().last().unwrap_or_default();
    assert!(
        line.contains(&format!(
            "dns-ovh: the OVH API refused the credentials in {bad}: \
             HTTP 400: INVALID_SIGNATURE: Invalid signature; check dns_ovh_application_key"
        )) && !run.stderr.contains("not-the-secret"),
        "{}",
        run.stderr
    );
    let cred = w.credentials(&credentials_text(APPLICATION_SECRET));
    let cred = cred.display().to_string();
    let run = w
        .certsmith(&certonly(&cred, &["e.example.test", "host.elsewhere.test"]))
        .failed();
    let line = run.stderr.lines().last().unwrap_or_default();
    assert!(
        line.contains(&format!(
            "the OVH API has no zone for _acme-challenge.host.elsewhere.test in the \
             account of {cred}"
        )),
        "{}",
        run.stderr
    );
    assert!(o.records().is_empty(), "{:?}", o.records());
    assert!(w.bind.txt("_acme-challenge.e.example.test").is_empty());
}
