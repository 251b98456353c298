//! The `Rfc2136` solver on its own against BIND (no CA): every TSIG
//! algorithm Certbot accepts, signed queries, zone discovery across zones
//! on one server, a configured zone, CNAMEs.

use super::support::TempDir;
use super::support::bind::Bind;
use certsmith::acme::{Challenge, ChallengeKind, Solver};
use certsmith::auth::dns::{Credentials, Rfc2136, Wait};

fn challenge(identifier: &str, wildcard: bool, value: &str) -> Challenge {
    Challenge {
        identifier: identifier.into(),
        wildcard,
        kind: ChallengeKind::Dns01,
        token: String::new(),
        key_authorization: String::new(),
        dns_value: value.into(),
        digest: [0; 32],
    }
}

fn solver(bind: &Bind, dir: &TempDir, overrides: &[(&str, Option<&str>)]) -> Rfc2136 {
    let path = bind.credentials(dir.path(), overrides);
    Rfc2136::new(Credentials::load(&path).unwrap().0, Wait::Poll, true)
}

#[test]
fn every_certbot_algorithm_adds_and_deletes_exactly_our_values() {
    let algorithms = [
        "hmac-md5",
        "hmac-sha1",
        "hmac-sha224",
        "hmac-sha256",
        "hmac-sha384",
        "hmac-sha512",
    ];
    let mut builder = Bind::builder();
    for a in algorithms {
        builder = builder.key(&format!("{a}-key"), a);
    }
    let bind = builder.start();
    let dir = TempDir::new("dns-alg");
    bind.nsupdate(&["update add _acme-challenge.example.test. 300 TXT \"other\""]);
    for a in algorithms {
        let key = format!("{a}-key");
        let mut s = solver(&bind, &dir, &[("dns_rfc2136_name", Some(&key))]);
        let chs = [
            challenge("example.test", false, &format!("{a}-apex")),
            challenge("example.test", true, &format!("{a}-wild")),
        ];
        s.present(&chs).unwrap_or_else(|e| panic!("{a}: {e}"));
        assert_eq!(
            bind.txt("_acme-challenge.example.test"),
            vec![format!("{a}-apex"), format!("{a}-wild"), "other".into()],
            "{a}"
        );
        s.cleanup(&chs).unwrap_or_else(|e| panic!("{a}: {e}"));
        assert_eq!(
            bind.txt("_acme-challenge.example.test"),
            vec!["other"],
            "{a}"
        );
    }
}

#[test]
fn signed_queries_work_and_a_bad_secret_fails_at_the_first_query() {
    let bind = Bind::start();
    let dir = TempDir::new("dns-signq");
    let chs = [challenge("q.example.test", false, "signed")];
    let mut s = solver(&bind, &dir, &[("dns_rfc2136_sign_query", Some("true"))]);
    s.present(&chs).unwrap();
    assert_eq!(bind.txt("_acme-challenge.q.example.test"), vec!["signed"]);
    s.cleanup(&chs).unwrap();
    assert!(bind.txt("_acme-challenge.q.example.test").is_empty());

    let mut bad = solver(
        &bind,
        &dir,
        &[
            ("dns_rfc2136_sign_query", Some("True")),
            ("dns_rfc2136_secret", Some("d3Jvbmctc2VjcmV0")),
        ],
    );
    let err = bad.present(&chs).unwrap_err().to_string();
    assert!(err.contains("(BADSIG)"), "{err}");
    bad.cleanup(&chs).unwrap();
}

#[test]
fn each_name_goes_to_its_own_zone() {
    let bind = Bind::builder().zone("sub.example.test").start();
    let dir = TempDir::new("dns-zones");
    let chs = [
        challenge("a.sub.example.test", false, "in-sub"),
        challenge("b.example.test", false, "in-parent"),
    ];
    let mut s = solver(&bind, &dir, &[]);
    s.present(&chs).unwrap();
    // Answers come from the most specific zone: visible only if the record
    // went into sub.example.test, not into example.test.
    assert_eq!(
        bind.txt("_acme-challenge.a.sub.example.test"),
        vec!["in-sub"]
    );
    assert_eq!(
        bind.txt("_acme-challenge.b.example.test"),
        vec!["in-parent"]
    );
    s.cleanup(&chs).unwrap();
    assert!(bind.txt("_acme-challenge.a.sub.example.test").is_empty());
    assert!(bind.txt("_acme-challenge.b.example.test").is_empty());
}

#[test]
fn a_configured_zone_skips_discovery_and_must_contain_the_name() {
    let bind = Bind::start();
    let dir = TempDir::new("dns-confzone");
    let chs = [challenge("z.example.test", false, "configured")];
    let mut s = solver(&bind, &dir, &[("dns_rfc2136_zone", Some("example.test"))]);
    s.present(&chs).unwrap();
    assert_eq!(
        bind.txt("_acme-challenge.z.example.test"),
        vec!["configured"]
    );
    s.cleanup(&chs).unwrap();
    assert!(bind.txt("_acme-challenge.z.example.test").is_empty());

    let mut wrong = solver(&bind, &dir, &[("dns_rfc2136_zone", Some("other.test"))]);
    let err = wrong.present(&chs).unwrap_err().to_string();
    assert!(
        err.contains(
            "dns_rfc2136_zone other.test. does not contain _acme-challenge.z.example.test."
        ),
        "{err}"
    );
}

/// A CNAME at the challenge name is followed: the value goes to its target
/// (here in the same zone), and only there.
#[test]
fn a_cname_at_the_challenge_name_is_followed() {
    let bind = Bind::start();
    let dir = TempDir::new("dns-cname");
    bind.nsupdate(&["update add _acme-challenge.c.example.test. 60 CNAME target.example.test."]);
    let chs = [challenge("c.example.test", false, "v")];
    let mut s = solver(&bind, &dir, &[]);
    s.present(&chs).unwrap();
    assert_eq!(bind.txt("target.example.test"), vec!["v"]);
    s.cleanup(&chs).unwrap();
    assert!(bind.txt("target.example.test").is_empty());
}

/// A CNAME loop is named with its chain, and nothing is written.
#[test]
fn a_cname_loop_is_an_error() {
    let bind = Bind::start();
    let dir = TempDir::new("dns-cname-loop");
    bind.nsupdate(&[
        "update add _acme-challenge.l.example.test. 60 CNAME one.example.test.",
        "update add one.example.test. 60 CNAME _acme-challenge.l.example.test.",
    ]);
    let chs = [challenge("l.example.test", false, "v")];
    let mut s = solver(&bind, &dir, &[]);
    let err = s.present(&chs).unwrap_err().to_string();
    assert!(
        err.contains("dns-rfc2136: the CNAME chain from _acme-challenge.l.example.test.")
            && err.contains("-> one.example.test. -> _acme-challenge.l.example.test."),
        "{err}"
    );
    s.cleanup(&chs).unwrap();
}
