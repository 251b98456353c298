//! `--dns-gehirn` against the Gehirn DNS stand-in (tests/support/gehirn.rs),
//! whose changes go to a real BIND; Debian's certbot with its Gehirn plugin
//! (lexicon) against the same stand-in, and lineages renewed across the two
//! tools.

use super::api_world::ApiWorld;
use super::cert_names;
use super::support::gehirn::{Gehirn, HOST};

const TOKEN: &str = "gehirn-token-0123";
const SECRET: &str = "gehirn-secret-4567";

fn world() -> (ApiWorld, Gehirn) {
    let w = ApiWorld::new(HOST, &[]);
    let g = Gehirn::start(&w.bind, &["test", "example.test"], TOKEN, SECRET);
    w.trust(&g.server.ca_pem);
    (w, g)
}

fn good_credentials(w: &ApiWorld) -> String {
    let text = format!("dns_gehirn_api_token = {TOKEN}\ndns_gehirn_api_secret = {SECRET}\n");
    w.credentials(&text).display().to_string()
}

fn certonly<'a>(cred: &'a str, names: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "certonly",
        "--dns-gehirn",
        "--dns-gehirn-credentials",
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
             through the Gehirn DNS API"
        ),
        "{}",
        run.stdout
    );
    w.assert_verifies("example.test");
    assert_eq!(
        cert_names(&w.live("example.test", "cert.pem")),
        vec!["example.test", "*.example.test"]
    );
    assert!(g.sets().is_empty(), "{:?}", g.sets());
    assert!(w.bind.txt("_acme-challenge.example.test").is_empty());
    // One set made, the second value put into it, taken out again, the set
    // deleted with its last value.
    let log = g.log();
    let count = |prefix: &str| log.iter().filter(|l| l.starts_with(prefix)).count();
    let records = "/dns/v1/zones/z-example-test/versions/v-current/records";
    assert_eq!(
        (
            count(&format!("POST {records}")),
            count(&format!("PUT {records}/")),
            count(&format!("DELETE {records}/"))
        ),
        (1, 2, 1),
        "{log:?}"
    );
    let conf = std::fs::read_to_string(w.config_dir().join("renewal/example.test.conf")).unwrap();
    assert!(
        conf.contains("authenticator = dns-gehirn")
            && conf.contains(&format!("dns_gehirn_credentials = {cred}")),
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
        "--dns-gehirn-propagation-seconds",
        "1",
    ])
    .ok();
    assert!(
        w.config_dir()
            .join("archive/example.test/cert2.pem")
            .exists()
    );
    w.assert_verifies("example.test");
    assert!(g.sets().is_empty(), "{:?}", g.sets());
}

/// Debian's certbot (python3-certbot-dns-gehirn, lexicon's gehirn provider)
/// obtains a certificate against the stand-in; certsmith renews the lineage.
#[test]
fn certbots_gehirn_plugin_works_against_the_stand_in_and_certsmith_renews_it() {
    let (w, g) = world();
    let cred = good_credentials(&w);
    let mut args = certonly(&cred, &["cb.example.test", "*.cb.example.test"]);
    args.extend(["--dns-gehirn-propagation-seconds", "1"]);
    w.certbot(&args).ok();
    w.assert_verifies("cb.example.test");
    assert!(g.sets().is_empty(), "{:?}", g.sets());
    assert!(
        g.log()
            .iter()
            .any(|l| l.starts_with("POST /dns/v1/zones/z-example-test/")),
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
    assert!(g.sets().is_empty(), "{:?}", g.sets());
}

#[test]
fn bad_credentials_and_an_unknown_zone_are_named_with_the_credentials_file() {
    let (w, g) = world();
    let bad = w.credentials(&format!(
        "dns_gehirn_api_token = {TOKEN}\ndns_gehirn_api_secret = not-the-secret\n"
    ));
    let bad = bad.display().to_string();
    let run = w.certsmith(&certonly(&bad, &["e.example.test"])).failed();
    let line = run.stderr.lines().last().unwrap_or_default();
    assert!(
        line.contains(&format!(
            "dns-gehirn: the Gehirn DNS API refused the credentials in {bad}: \
             HTTP 401: Unauthorized; check dns_gehirn_api_token and dns_gehirn_api_secret"
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
            "the Gehirn DNS API has no zone for _acme-challenge.host.elsewhere.invalid in the \
             account of {cred}"
        )),
        "{}",
        run.stderr
    );
    assert!(g.sets().is_empty(), "{:?}", g.sets());
    assert!(w.bind.txt("_acme-challenge.e.example.test").is_empty());
}

/// A value someone else keeps at the name stays: only certsmith's values are
/// added to and taken out of what the provider holds there.
#[test]
fn another_value_at_the_name_is_kept() {
    let (w, g) = world();
    g.seed(
        &w.bind,
        "example.test",
        "_acme-challenge.int.example.test.",
        &["keep"],
    );
    let cred = good_credentials(&w);
    w.certsmith(&certonly(
        &cred,
        &["int.example.test", "*.int.example.test"],
    ))
    .ok();
    w.assert_verifies("int.example.test");
    let sets = g.sets();
    assert_eq!(sets.len(), 1, "{sets:?}");
    assert_eq!(sets[0].values, vec!["keep"]);
    assert_eq!(w.bind.txt("_acme-challenge.int.example.test"), vec!["keep"]);
}
