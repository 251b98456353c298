//! `--dns-cloudflare` against the Cloudflare stand-in (tests/support/cloudflare.rs),
//! whose changes go to a real BIND that Pebble validates against; Debian's
//! certbot with its Cloudflare plugin against the same stand-in (the proof that
//! it is faithful), and lineages renewed across the two tools.

use super::api_world::ApiWorld;
use super::cert_names;
use super::support::cloudflare::{Cloudflare, HOST};

const TOKEN: &str = "cf-token-0123456789abcdefghijklmnopqrstuv";
const EMAIL: &str = "admin@example.test";
const KEY: &str = "0123456789abcdef0123456789abcdef01234";

/// A world with the stand-in serving an account with `account_zones`.
fn world(zones: &[&str], account_zones: &[&str]) -> (ApiWorld, Cloudflare) {
    let w = ApiWorld::new(HOST, zones);
    let cf = Cloudflare::start(&w.bind, account_zones, TOKEN, EMAIL, KEY);
    w.trust(&cf.server.ca_pem);
    (w, cf)
}

fn token_file(w: &ApiWorld, token: &str) -> String {
    let text = format!("# Cloudflare API token\ndns_cloudflare_api_token = {token}\n");
    w.credentials(&text).display().to_string()
}

fn key_file(w: &ApiWorld, key: &str) -> String {
    let text = format!("dns_cloudflare_email = {EMAIL}\ndns_cloudflare_api_key = {key}\n");
    w.credentials(&text).display().to_string()
}

fn certonly<'a>(cred: &'a str, names: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "certonly",
        "--dns-cloudflare",
        "--dns-cloudflare-credentials",
        cred,
        "--agree-tos",
        "-m",
        "cf@example.com",
    ];
    for n in names {
        args.extend(["-d", n]);
    }
    args
}

#[test]
fn wildcard_and_apex_are_issued_through_the_api_and_certbot_renews_the_lineage() {
    let (w, cf) = world(&[], &["example.test"]);
    cf.seed(
        &w.bind,
        "example.test",
        "_acme-challenge.example.test",
        "keep-me",
    );
    let cred = token_file(&w, TOKEN);
    let run = w
        .certsmith(&certonly(&cred, &["example.test", "*.example.test"]))
        .ok();
    assert!(
        run.stdout.contains(
            "Added 2 TXT records _acme-challenge.example.test. in zone example.test. \
             through the Cloudflare API"
        ) && run.stdout.contains("visible on 1 authoritative server"),
        "{}",
        run.stdout
    );
    w.assert_verifies("example.test");
    assert_eq!(
        cert_names(&w.live("example.test", "cert.pem")),
        vec!["example.test", "*.example.test"]
    );
    // Only the value someone else put there is left, in the API and in DNS.
    let left: Vec<String> = cf.records().into_iter().map(|r| r.content).collect();
    assert_eq!(left, vec!["keep-me"]);
    assert_eq!(w.bind.txt("_acme-challenge.example.test"), vec!["keep-me"]);
    let conf = std::fs::read_to_string(w.config_dir().join("renewal/example.test.conf")).unwrap();
    assert!(
        conf.contains("authenticator = dns-cloudflare")
            && conf.contains(&format!("dns_cloudflare_credentials = {cred}")),
        "{conf}"
    );
    for text in [&run.stdout, &run.stderr, &conf] {
        assert!(!text.contains(TOKEN), "the token is shown: {text}");
    }

    // Debian's certbot renews certsmith's lineage from its renewal conf.
    w.certbot(&[
        "renew",
        "--cert-name",
        "example.test",
        "--force-renewal",
        "--dns-cloudflare-propagation-seconds",
        "1",
    ])
    .ok();
    assert!(
        w.config_dir()
            .join("archive/example.test/cert2.pem")
            .exists()
    );
    w.assert_verifies("example.test");
    let left: Vec<String> = cf.records().into_iter().map(|r| r.content).collect();
    assert_eq!(left, vec!["keep-me"]);
}

/// Debian's certbot (python3-certbot-dns-cloudflare, with the python
/// Cloudflare library) obtains a certificate against the stand-in: the
/// stand-in speaks the API as the real client expects. certsmith then
/// renews that lineage, reading certbot's renewal conf.
#[test]
fn certbots_cloudflare_plugin_works_against_the_stand_in_and_certsmith_renews_its_lineage() {
    let (w, cf) = world(&[], &["example.test"]);
    let cred = key_file(&w, KEY);
    let mut args = certonly(&cred, &["cb.example.test", "*.cb.example.test"]);
    args.extend(["--dns-cloudflare-propagation-seconds", "1"]);
    w.certbot(&args).ok();
    w.assert_verifies("cb.example.test");
    assert!(cf.records().is_empty(), "{:?}", cf.records());
    assert!(
        cf.log()
            .iter()
            .any(|l| l.starts_with("POST /client/v4/zones/"))
    );
    let conf =
        std::fs::read_to_string(w.config_dir().join("renewal/cb.example.test.conf")).unwrap();
    assert!(conf.contains("authenticator = dns-cloudflare"), "{conf}");

    let run = w
        .certsmith(&[
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
            .exists(),
        "{}",
        run.stdout
    );
    w.assert_verifies("cb.example.test");
    assert!(cf.records().is_empty());
    assert!(w.bind.txt("_acme-challenge.cb.example.test").is_empty());
}

#[test]
fn rate_limits_are_waited_out_and_each_error_names_the_provider_and_file() {
    let (w, cf) = world(&[], &["example.test"]);
    // 429 twice, then served: the run succeeds after the Retry-After waits.
    cf.rate_limit(2);
    let cred = token_file(&w, TOKEN);
    w.certsmith(&certonly(&cred, &["rl.example.test"])).ok();
    let throttled = cf.log().len();
    assert!(throttled >= 4, "{:?}", cf.log());

    let nothing_left = |what: &str| {
        assert!(cf.records().is_empty(), "{what}: {:?}", cf.records());
        assert!(
            w.bind.txt("_acme-challenge.e.example.test").is_empty(),
            "{what}"
        );
        assert!(!w.live("e.example.test", "cert.pem").exists(), "{what}");
    };
    let error_of = |run: super::Run| {
        let run = run.failed();
        let last = run.stderr.lines().last().unwrap_or_default().to_string();
        assert!(last.contains("dns-cloudflare: "), "{}", run.stderr);
        last
    };

    let bad = token_file(&w, "not-the-token");
    let line = error_of(w.certsmith(&certonly(&bad, &["e.example.test"])));
    assert!(
        line.contains(&format!(
            "the Cloudflare API refused the credentials in {bad}"
        )) && line.contains("Invalid access token (error 9109)")
            && line.contains("check dns_cloudflare_api_token")
            && !line.contains("not-the-token"),
        "{line}"
    );
    nothing_left("bad token");

    let bad = key_file(&w, "ffffffffffffffffffffffffffffffffff000");
    let line = error_of(w.certsmith(&certonly(&bad, &["e.example.test"])));
    assert!(
        line.contains("Unknown X-Auth-Key or X-Auth-Email (error 9103)")
            && line.contains("check dns_cloudflare_email and dns_cloudflare_api_key")
            && !line.contains("ffffffff"),
        "{line}"
    );
    nothing_left("bad global key");

    let line = error_of(w.certsmith(&certonly(&cred, &["e.example.test", "host.elsewhere.test"])));
    assert!(
        line.contains(&format!(
            "the Cloudflare API has no zone for _acme-challenge.host.elsewhere.test \
             in the account of {cred}"
        )),
        "{line}"
    );
    nothing_left("unknown zone");

    // The apex value goes in, the wildcard's is refused: the first is removed.
    cf.fail_creation(1, 1004, "DNS Validation Error");
    let line = error_of(w.certsmith(&certonly(&cred, &["e.example.test", "*.e.example.test"])));
    assert!(
        line.contains(
            "the Cloudflare API could not add a TXT record at _acme-challenge.e.example.test"
        ) && line.contains("HTTP 400: DNS Validation Error (error 1004)")
            && line.contains(&format!("(credentials: {cred})")),
        "{line}"
    );
    nothing_left("provider error");
    cf.fail_creation(u32::MAX, 0, "");

    cf.rate_limit(1000);
    let line = error_of(w.certsmith(&certonly(&cred, &["e.example.test"])));
    assert!(
        line.contains("the Cloudflare API is rate-limiting requests (HTTP 429, 4 tries, the last Retry-After: 1)")
            && line.contains(&format!("(credentials: {cred})")),
        "{line}"
    );
    cf.rate_limit(0);
    nothing_left("rate limit");
}

/// Ctrl-C while the API has not answered a record's creation (the record is
/// made): cleanup finds it by name and content, reading every page of the
/// listing (one record a page here), and deletes only it.
#[test]
fn ctrl_c_during_an_unanswered_creation_removes_exactly_that_record() {
    let (w, cf) = world(&[], &["example.test"]);
    let name = "_acme-challenge.int.example.test";
    cf.seed(&w.bind, "example.test", name, "keep-1");
    cf.seed(&w.bind, "example.test", name, "keep-2");
    cf.max_per_page(1);
    cf.delay_creation(std::time::Duration::from_secs(60));
    let cred = token_file(&w, TOKEN);
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
    while cf.records().len() < 3 {
        assert!(std::time::Instant::now() < deadline, "{:?}", cf.log());
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
    let mut left: Vec<String> = cf.records().into_iter().map(|r| r.content).collect();
    left.sort();
    assert_eq!(left, vec!["keep-1", "keep-2"]);
    assert_eq!(w.bind.txt(name), vec!["keep-1", "keep-2"]);
    assert!(
        cf.log()
            .iter()
            .any(|l| l.starts_with("GET") && l.contains("page=3")),
        "{:?}",
        cf.log()
    );
}
