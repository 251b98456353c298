//! `--dns-dnsimple` against the DNSimple stand-in
//! (tests/support/dnsimple.rs), whose changes go to a real BIND; Debian's
//! certbot with its DNSimple plugin (lexicon) against the same stand-in, and
//! lineages renewed across the two tools.

use super::api_world::ApiWorld;
use super::cert_names;
use super::support::dnsimple::{Dnsimple, HOST};

const TOKEN: &str = "dnsimple-token-0123456789";

fn world() -> (ApiWorld, Dnsimple) {
    let w = ApiWorld::new(HOST, &[]);
    // Three zones, one a page: finding the zone reads every page.
    let d = Dnsimple::start(&w.bind, &["aaa.test", "zzz.test", "example.test"], TOKEN);
    d.max_per_page(1);
    w.trust(&d.server.ca_pem);
    (w, d)
}

fn certonly<'a>(cred: &'a str, names: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "certonly",
        "--dns-dnsimple",
        "--dns-dnsimple-credentials",
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
    let cred = w.credentials(&format!("dns_dnsimple_token = {TOKEN}\n"));
    let cred = cred.display().to_string();
    let run = w
        .certsmith(&certonly(&cred, &["example.test", "*.example.test"]))
        .ok();
    assert!(
        run.stdout.contains(
            "Added 2 TXT records _acme-challenge.example.test. in zone example.test. \
             through the DNSimple API"
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
    assert!(
        log.iter().any(|l| l == "GET /v2/whoami")
            && log
                .iter()
                .any(|l| l.starts_with("GET /v2/1010/zones?") && l.contains("page=3"))
            && log
                .iter()
                .filter(|l| l.starts_with("DELETE /v2/1010/zones/example.test/records/"))
                .count()
                == 2,
        "{log:?}"
    );
    let conf = std::fs::read_to_string(w.config_dir().join("renewal/example.test.conf")).unwrap();
    assert!(
        conf.contains("authenticator = dns-dnsimple")
            && conf.contains(&format!("dns_dnsimple_credentials = {cred}")),
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
        "--dns-dnsimple-propagation-seconds",
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

/// Debian's certbot (python3-certbot-dns-dnsimple, lexicon's dnsimple
/// provider: `/accounts`, `/{account}/domains?name_like=`, records) obtains
/// a certificate against the stand-in; certsmith renews the lineage.
#[test]
fn certbots_dnsimple_plugin_works_against_the_stand_in_and_certsmith_renews_it() {
    let (w, d) = world();
    let cred = w.credentials(&format!("dns_dnsimple_token = {TOKEN}\n"));
    let cred = cred.display().to_string();
    let mut args = certonly(&cred, &["cb.example.test", "*.cb.example.test"]);
    args.extend(["--dns-dnsimple-propagation-seconds", "1"]);
    w.certbot(&args).ok();
    w.assert_verifies("cb.example.test");
    assert!(d.records().is_empty(), "{:?}", d.records());
    assert!(
        d.log()
            .iter()
            .any(|l| l.starts_with("POST /v2/1010/zones/example.test/records")),
        "{:?}",
        d.log()
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
    assert!(d.records().is_empty(), "{:?}", d.records());
}

#[test]
fn a_bad_token_and_an_unknown_zone_are_named_with_the_credentials_file() {
    let (w, d) = world();
    let bad = w.credentials("dns_dnsimple_token = not-the-token\n");
    let bad = bad.display().to_string();
    let run = w.certsmith(&certonly(&bad, &["e.example.test"])).failed();
    let line = run.stderr.lines().last().unwrap_or_default();
    assert!(
        line.contains(&format!(
            "dns-dnsimple: the DNSimple API refused the credentials in {bad}: \
             HTTP 401: Authentication failed; check dns_dnsimple_token"
        )) && !line.contains("not-the-token"),
        "{}",
        run.stderr
    );
    let cred = w.credentials(&format!("dns_dnsimple_token = {TOKEN}\n"));
    let cred = cred.display().to_string();
    let run = w
        .certsmith(&certonly(&cred, &["e.example.test", "host.elsewhere.test"]))
        .failed();
    let line = run.stderr.lines().last().unwrap_or_default();
    assert!(
        line.contains(&format!(
            "the DNSimple API has no zone for _acme-challenge.host.elsewhere.test in the \
             account of {cred}"
        )),
        "{}",
        run.stderr
    );
    assert!(d.records().is_empty(), "{:?}", d.records());
    assert!(w.bind.txt("_acme-challenge.e.example.test").is_empty());
}

/// Ctrl-C while the API has not answered a record's creation (the record is
/// made): cleanup finds it by name and content, reading every page of the
/// listing (one record a page here), and deletes only it.
#[test]
fn ctrl_c_during_an_unanswered_creation_removes_exactly_that_record() {
    let (w, d) = world();
    d.seed(&w.bind, "example.test", "_acme-challenge.int", "keep-1");
    d.seed(&w.bind, "example.test", "_acme-challenge.int", "keep-2");
    d.delay_creation(std::time::Duration::from_secs(60));
    let cred = w.credentials(&format!("dns_dnsimple_token = {TOKEN}\n"));
    let cred = cred.display().to_string();
    let child = std::process::Command::new("ip")
        .args(["netns", "exec", &w.ns.name])
        .arg(env!("CARGO_BIN_EXE_certsmith"))
        .args(certonly(&cred, &["int.example.test"]))
        .arg("--config-dir")
        .arg(w.config_dir())
        .arg("--work-dir")
        .arg(w.dir.join("work"))
        .arg("--logs-dir")
        .arg(w.dir.join("logs"))
        .args(["--server", super::support::netns::ACME_URL, "-n"])
        .env("REQUESTS_CA_BUNDLE", &w.bundle)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while d.records().len() < 3 {
        assert!(std::time::Instant::now() < deadline, "{:?}", d.log());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // `ip netns exec` execs certsmith: the child's pid is certsmith's.
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("interrupted; challenges cleaned up"),
        "{stderr}"
    );
    let mut left: Vec<String> = d.records().into_iter().map(|r| r.content).collect();
    left.sort();
    assert_eq!(left, vec!["keep-1", "keep-2"]);
    assert_eq!(
        w.bind.txt("_acme-challenge.int.example.test"),
        vec!["keep-1", "keep-2"]
    );
    assert!(
        d.log().iter().any(|l| l.starts_with(
            "GET /v2/1010/zones/example.test/records?name=_acme-challenge.int&type=TXT"
        ) && l.contains("page=3")),
        "{:?}",
        d.log()
    );
}
