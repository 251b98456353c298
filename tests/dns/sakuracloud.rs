//! `--dns-sakuracloud` against the Sakura Cloud stand-in
//! (tests/support/sakuracloud.rs), whose changes go to a real BIND; Debian's
//! certbot with its Sakura Cloud plugin (lexicon) against the same stand-in,
//! and lineages renewed across the two tools.

use super::api_world::ApiWorld;
use super::cert_names;
use super::support::sakuracloud::{HOST, SakuraCloud};

const TOKEN: &str = "sakuracloud-token-0123";
const SECRET: &str = "sakuracloud-secret-4567";

fn world() -> (ApiWorld, SakuraCloud) {
    let w = ApiWorld::new(HOST, &[]);
    // Three zones, one a page: finding the zone reads every page.
    let g = SakuraCloud::start(
        &w.bind,
        &["test", "zzz.test", "example.test"],
        TOKEN,
        SECRET,
    );
    g.max_count(1);
    w.trust(&g.server.ca_pem);
    (w, g)
}

fn good_credentials(w: &ApiWorld) -> String {
    let text =
        format!("dns_sakuracloud_api_token = {TOKEN}\ndns_sakuracloud_api_secret = {SECRET}\n");
    w.credentials(&text).display().to_string()
}

fn certonly<'a>(cred: &'a str, names: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "certonly",
        "--dns-sakuracloud",
        "--dns-sakuracloud-credentials",
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
    let (w, g) = world();
    let cred = good_credentials(&w);
    let run = w
        .certsmith(&certonly(&cred, &["example.test", "*.example.test"]))
        .ok();
    assert!(
        run.stdout.contains(
            "Added 2 TXT records _acme-challenge.example.test. in zone example.test. \
             through the Sakura Cloud API"
        ),
        "{}",
        run.stdout
    );
    w.assert_verifies("example.test");
    assert_eq!(
        cert_names(&w.live("example.test", "cert.pem")),
        vec!["example.test", "*.example.test"]
    );
    assert!(g.txt_records().is_empty(), "{:?}", g.txt_records());
    assert!(w.bind.txt("_acme-challenge.example.test").is_empty());
    // The zone's list read and put back whole: once per value added, once
    // per value deleted.
    let log = g.log();
    let item = "/cloud/zone/is1a/api/cloud/1.1/commonserviceitem/112900000003";
    let puts = log.iter().filter(|l| *l == &format!("PUT {item}")).count();
    assert_eq!(puts, 4, "{log:?}");
    assert!(
        log.iter().any(
            |l| l.starts_with("GET /cloud/zone/is1a/api/cloud/1.1/commonserviceitem?")
                && l.contains("%22From%22%3A2")
        ),
        "{log:?}"
    );
    let conf = std::fs::read_to_string(w.config_dir().join("renewal/example.test.conf")).unwrap();
    assert!(
        conf.contains("authenticator = dns-sakuracloud")
            && conf.contains(&format!("dns_sakuracloud_credentials = {cred}")),
        "{conf}"
    );
    for text in [&run.stdout, &run.stderr, &conf] {
        assert!(!text.contains(TOKEN) && !text.contains(SECRET));
    }
    w.certbot(&[
        "renew",
        "--cert-name",
        "example.test",
        "--force-renewal",
        "--dns-sakuracloud-propagation-seconds",
        "1",
    ])
    .ok();
    assert!(
        w.config_dir()
            .join("archive/example.test/cert2.pem")
            .exists()
    );
    w.assert_verifies("example.test");
    assert!(g.txt_records().is_empty(), "{:?}", g.txt_records());
}

/// Debian's certbot (python3-certbot-dns-sakuracloud, lexicon's sakuracloud provider)
/// obtains a certificate against the stand-in; certsmith renews the lineage.
#[test]
fn certbots_sakuracloud_plugin_works_against_the_stand_in_and_certsmith_renews_it() {
    let (w, g) = world();
    let cred = good_credentials(&w);
    let mut args = certonly(&cred, &["cb.example.test", "*.cb.example.test"]);
    args.extend(["--dns-sakuracloud-propagation-seconds", "1"]);
    w.certbot(&args).ok();
    w.assert_verifies("cb.example.test");
    assert!(g.txt_records().is_empty(), "{:?}", g.txt_records());
    assert!(
        g.log()
            .iter()
            .any(|l| l == "PUT /cloud/zone/is1a/api/cloud/1.1/commonserviceitem/112900000003"),
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
    assert!(g.txt_records().is_empty(), "{:?}", g.txt_records());
}

#[test]
fn bad_credentials_and_an_unknown_zone_are_named_with_the_credentials_file() {
    let (w, g) = world();
    let bad = w.credentials(&format!(
        "dns_sakuracloud_api_token = {TOKEN}\ndns_sakuracloud_api_secret = not-the-secret\n"
    ));
    let bad = bad.display().to_string();
    let run = w.certsmith(&certonly(&bad, &["e.example.test"])).failed();
    let line = run.stderr.lines().last().unwrap_or_default();
    assert!(
        line.contains(&format!(
            "dns-sakuracloud: the Sakura Cloud API refused the credentials in {bad}: \
             HTTP 401: Authentication failed. (unauthorized); check dns_sakuracloud_api_token and dns_sakuracloud_api_secret"
        )) && !line.contains("not-the-secret"),
        "{}",
        run.stderr
    );
    let cred = good_credentials(&w);
    let run = w
        .certsmith(&certonly(
            &cred,
            &["e.example.test", "host.elsewhere.invalid"],
        ))
        .failed();
    let line = run.stderr.lines().last().unwrap_or_default();
    assert!(
        line.contains(&format!(
            "the Sakura Cloud API has no zone for _acme-challenge.host.elsewhere.invalid in the \
             account of {cred}"
        )),
        "{}",
        run.stderr
    );
    assert!(g.txt_records().is_empty(), "{:?}", g.txt_records());
    assert!(w.bind.txt("_acme-challenge.e.example.test").is_empty());
}

/// A value someone else keeps at the name stays: only certsmith's values are
/// added to and taken out of what the provider holds there.
#[test]
fn another_value_at_the_name_is_kept() {
    let (w, g) = world();
    g.seed(&w.bind, "example.test", "_acme-challenge.int", "keep");
    let cred = good_credentials(&w);
    w.certsmith(&certonly(
        &cred,
        &["int.example.test", "*.int.example.test"],
    ))
    .ok();
    w.assert_verifies("int.example.test");
    let left = g.txt_records();
    assert_eq!(
        left,
        vec![(
            "example.test".to_string(),
            "_acme-challenge.int".to_string(),
            "keep".to_string()
        )]
    );
    assert_eq!(w.bind.txt("_acme-challenge.int.example.test"), vec!["keep"]);
}
