//! `--dns-route53` against the Route 53 stand-in (tests/support/route53.rs),
//! which checks every request's SigV4 signature and applies the changes to
//! a real BIND; Debian's certbot with its Route 53 plugin (boto3) against the
//! same stand-in, and lineages renewed across the two tools. Credentials
//! come from `~/.aws/credentials`, as both tools read it.

use super::api_world::ApiWorld;
use super::cert_names;
use super::support::route53::{HOST, Route53};
use std::path::PathBuf;

const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn world() -> (ApiWorld, Route53) {
    let w = ApiWorld::new(HOST, &[]);
    // Four zones, one a page: finding the zone reads every page; the
    // private zone, though closer to the names, is not the one written to.
    let r = Route53::start(
        &w.bind,
        &["aaa.test", "example.test", "zzz.test"],
        &["cb.example.test"],
        KEY_ID,
        SECRET,
    );
    r.max_items(1);
    w.trust(&r.server.ca_pem);
    (w, r)
}

/// `~/.aws/credentials` (HOME is the world's) with a default profile.
fn aws_credentials(w: &ApiWorld, key_id: &str, secret: &str) -> PathBuf {
    let dir = w.dir.join("home/.aws");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("credentials");
    let text =
        format!("[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n");
    std::fs::write(&path, text).unwrap();
    path
}

fn certonly<'a>(names: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "certonly",
        "--dns-route53",
        "--agree-tos",
        "-m",
        "r53@example.com",
    ];
    for n in names {
        args.extend(["-d", n]);
    }
    args
}

#[test]
fn wildcard_and_apex_are_issued_other_values_kept_and_certbot_renews_the_lineage() {
    let (w, r) = world();
    aws_credentials(&w, KEY_ID, SECRET);
    r.preset(
        "example.test",
        "_acme-challenge.example.test",
        "someone-elses",
    );
    let run = w
        .certsmith(&certonly(&["example.test", "*.example.test"]))
        .ok();
    assert!(
        run.stdout.contains(
            "Added 2 TXT records _acme-challenge.example.test. in zone example.test. \
             through the Route 53 API"
        ),
        "{}",
        run.stdout
    );
    w.assert_verifies("example.test");
    assert_eq!(
        cert_names(&w.live("example.test", "cert.pem")),
        vec!["example.test", "*.example.test"]
    );
    let kept = vec![(
        "_acme-challenge.example.test".to_string(),
        "someone-elses".to_string(),
    )];
    assert_eq!(r.records(), kept);
    assert_eq!(
        w.bind.txt("_acme-challenge.example.test"),
        vec!["someone-elses"]
    );
    let log = r.log();
    assert!(
        log.iter().any(|l| l.contains("marker=Z0003EXAMPLE")),
        "{log:?}"
    );
    assert!(
        log.iter().any(|l| l.starts_with("GET /2013-04-01/change/")),
        "{log:?}"
    );
    let conf = std::fs::read_to_string(w.config_dir().join("renewal/example.test.conf")).unwrap();
    assert!(conf.contains("authenticator = dns-route53"), "{conf}");
    for text in [&run.stdout, &run.stderr, &conf] {
        assert!(!text.contains(SECRET));
    }
    w.certbot(&[
        "renew",
        "--cert-name",
        "example.test",
        "--force-renewal",
        "--dns-route53-propagation-seconds",
        "1",
    ])
    .ok();
    assert!(
        w.config_dir()
            .join("archive/example.test/cert2.pem")
            .exists()
    );
    w.assert_verifies("example.test");
    // Certbot's plugin UPSERTs its own values only, replacing the set (the
    // other value is lost: certsmith reads the set first); it leaves none
    // of its own behind.
    assert!(
        r.records().iter().all(|(_, v)| v == "someone-elses"),
        "{:?}",
        r.records()
    );
}

/// Debian's certbot (python3-certbot-dns-route53, boto3) obtains a
/// certificate against the stand-in; certsmith renews the lineage.
#[test]
fn certbots_route53_plugin_works_against_the_stand_in_and_certsmith_renews_it() {
    let (w, r) = world();
    aws_credentials(&w, KEY_ID, SECRET);
    let mut args = certonly(&["cb.example.test", "*.cb.example.test"]);
    args.extend(["--dns-route53-propagation-seconds", "1"]);
    w.certbot(&args).ok();
    w.assert_verifies("cb.example.test");
    assert!(r.records().is_empty(), "{:?}", r.records());
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
    assert!(r.records().is_empty(), "{:?}", r.records());
}

#[test]
fn a_bad_secret_and_an_unknown_zone_are_named_with_the_credentials_source() {
    let (w, r) = world();
    let file = aws_credentials(&w, KEY_ID, "not-the-secret");
    let run = w.certsmith(&certonly(&["e.example.test"])).failed();
    let line = run.stderr.lines().last().unwrap_or_default();
    assert!(
        line.contains(&format!(
            "dns-route53: the Route 53 API refused the credentials in {} [default]: \
             HTTP 403: SignatureDoesNotMatch:",
            file.display()
        )) && !run.stderr.contains("not-the-secret"),
        "{}",
        run.stderr
    );
    aws_credentials(&w, KEY_ID, SECRET);
    let run = w
        .certsmith(&certonly(&["e.example.test", "host.elsewhere.test"]))
        .failed();
    let line = run.stderr.lines().last().unwrap_or_default();
    assert!(
        line.contains(&format!(
            "the Route 53 API has no zone for _acme-challenge.host.elsewhere.test in the \
             account of {} [default]",
            file.display()
        )),
        "{}",
        run.stderr
    );
    std::fs::remove_file(&file).unwrap();
    let run = w.certsmith(&certonly(&["e.example.test"])).failed();
    assert!(
        run.stderr.contains("dns-route53: no AWS credentials"),
        "{}",
        run.stderr
    );
    assert!(r.records().is_empty(), "{:?}", r.records());
    assert!(w.bind.txt("_acme-challenge.e.example.test").is_empty());
}
