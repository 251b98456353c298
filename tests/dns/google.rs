//! `--dns-google` against the Google Cloud DNS stand-in
//! (tests/support/google.rs: the token endpoint verifying the service
//! account's signed JWT, the discovery document, the DNS API), whose
//! changes go to a real BIND; Debian's certbot with its Google plugin
//! (googleapiclient, oauth2client) against the same stand-in, and lineages
//! renewed across the two tools.

use super::api_world::ApiWorld;
use super::cert_names;
use super::support::google::{Google, HOSTS};

const PROJECT: &str = "certsmith-test";

fn world() -> (ApiWorld, Google) {
    let w = ApiWorld::with_hosts(&HOSTS, |b| b);
    let g = Google::start(&w.bind, PROJECT, &["aaa.test", "example.test", "zzz.test"]);
    w.trust(&g.server.ca_pem);
    (w, g)
}

fn certonly<'a>(cred: &'a str, names: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "certonly",
        "--dns-google",
        "--dns-google-credentials",
        cred,
        "--agree-tos",
        "-m",
        "g@example.com",
    ];
    for n in names {
        args.extend(["-d", n]);
    }
    args
}

#[test]
fn wildcard_and_apex_are_issued_others_values_kept_and_certbot_renews_the_lineage() {
    let (w, g) = world();
    g.preset("_acme-challenge.example.test", "someone-elses");
    let kept = vec![(
        "_acme-challenge.example.test".to_string(),
        "someone-elses".to_string(),
    )];
    let cred = w.credentials(&g.key_file);
    let cred = cred.display().to_string();
    let run = w
        .certsmith(&certonly(&cred, &["example.test", "*.example.test"]))
        .ok();
    assert!(
        run.stdout.contains(
            "Added 2 TXT records _acme-challenge.example.test. in zone example.test. \
             through the Google Cloud DNS API"
        ),
        "{}",
        run.stdout
    );
    w.assert_verifies("example.test");
    assert_eq!(
        cert_names(&w.live("example.test", "cert.pem")),
        vec!["example.test", "*.example.test"]
    );
    assert_eq!(g.records(), kept);
    assert_eq!(
        w.bind.txt("_acme-challenge.example.test"),
        vec!["someone-elses"]
    );
    let log = g.log();
    assert!(
        log.iter().any(|l| l == "POST oauth2.googleapis.com/token"),
        "{log:?}"
    );
    let conf = std::fs::read_to_string(w.config_dir().join("renewal/example.test.conf")).unwrap();
    assert!(
        conf.contains("authenticator = dns-google")
            && conf.contains(&format!("dns_google_credentials = {cred}")),
        "{conf}"
    );
    for text in [&run.stdout, &run.stderr, &conf] {
        assert!(!text.contains("PRIVATE KEY") && !text.contains("ya29."));
    }
    w.certbot(&[
        "renew",
        "--cert-name",
        "example.test",
        "--force-renewal",
        "--dns-google-propagation-seconds",
        "1",
    ])
    .ok();
    assert!(
        w.config_dir()
            .join("archive/example.test/cert2.pem")
            .exists()
    );
    w.assert_verifies("example.test");
    assert_eq!(g.records(), kept);
}

/// Debian's certbot (python3-certbot-dns-google) obtains a certificate
/// against the stand-in; certsmith renews the lineage.
#[test]
fn certbots_google_plugin_works_against_the_stand_in_and_certsmith_renews_it() {
    let (w, g) = world();
    let cred = w.credentials(&g.key_file);
    let cred = cred.display().to_string();
    let mut args = certonly(&cred, &["cb.example.test", "*.cb.example.test"]);
    args.extend(["--dns-google-propagation-seconds", "1"]);
    w.certbot(&args).ok();
    w.assert_verifies("cb.example.test");
    assert!(g.records().is_empty(), "{:?}", g.records());
    assert!(
        g.log()
            .iter()
            .any(|l| l.contains("www.googleapis.com/discovery/v1/apis/dns/v1/rest")),
        "{:?}",
        g.log()
    );
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
    assert!(g.records().is_empty(), "{:?}", g.records());
}

#[test]
fn a_foreign_key_and_an_unknown_zone_are_named_with_the_credentials_file() {
    let (w, g) = world();
    // Another account's key: a valid file whose JWT the token endpoint rejects.
    let other = Google::key_file_of_a_new_key(PROJECT);
    let bad = w.credentials(&other);
    let bad = bad.display().to_string();
    let run = w.certsmith(&certonly(&bad, &["e.example.test"])).failed();
    let line = run.stderr.lines().last().unwrap_or_default();
    assert!(
        line.contains(&format!(
            "dns-google: the Google Cloud DNS API refused the credentials in {bad}: \
             HTTP 400 from https://oauth2.googleapis.com/token: invalid_grant Invalid JWT Signature."
        )) && !run.stderr.contains("PRIVATE KEY"),
        "{}",
        run.stderr
    );
    let cred = w.credentials(&g.key_file);
    let cred = cred.display().to_string();
    let run = w
        .certsmith(&certonly(&cred, &["e.example.test", "host.elsewhere.test"]))
        .failed();
    let line = run.stderr.lines().last().unwrap_or_default();
    assert!(
        line.contains(&format!(
            "the Google Cloud DNS API has no zone for _acme-challenge.host.elsewhere.test in the \
             account of {cred}"
        )),
        "{}",
        run.stderr
    );
    assert!(g.records().is_empty(), "{:?}", g.records());
    assert!(w.bind.txt("_acme-challenge.e.example.test").is_empty());
}

/// The zone list comes in pages (one zone each): a private zone of the
/// same name on the first, the public one on the second. certsmith follows
/// `nextPageToken` past the private zone; a name with only a private zone
/// has none.
#[test]
fn the_public_zone_is_found_on_a_later_page_past_a_private_one() {
    let (w, g) = world();
    g.add_private_zone("example.test");
    g.add_private_zone("inside.test");
    g.page_one_zone_each();
    let cred = w.credentials(&g.key_file);
    let cred = cred.display().to_string();
    let run = w.certsmith(&certonly(&cred, &["p.example.test"])).ok();
    assert!(
        run.stdout.contains(
            "Added 1 TXT record _acme-challenge.p.example.test. in zone example.test. \
             through the Google Cloud DNS API"
        ),
        "{}",
        run.stdout
    );
    w.assert_verifies("p.example.test");
    assert!(g.records().is_empty(), "{:?}", g.records());
    let zones = format!("GET dns.googleapis.com/dns/v1/projects/{PROJECT}/managedZones");
    let log = g.log();
    let first = format!("{zones}?dnsName=example.test.");
    let second = format!("{zones}?dnsName=example.test.&pageToken=page-1");
    let at = |l: &str| log.iter().position(|x| x == l);
    assert!(
        matches!((at(&first), at(&second)), (Some(a), Some(b)) if a < b),
        "{log:?}"
    );
    let run = w
        .certsmith(&certonly(&cred, &["host.inside.test"]))
        .failed();
    let line = run.stderr.lines().last().unwrap_or_default();
    assert!(
        line.contains(&format!(
            "the Google Cloud DNS API has no zone for _acme-challenge.host.inside.test in the \
             account of {cred}"
        )),
        "{}",
        run.stderr
    );
    assert!(
        !g.log()
            .iter()
            .any(|l| l.contains("inside-test-private") || l.contains("/1000")),
        "{:?}",
        g.log()
    );
}
