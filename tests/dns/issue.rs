//! Issuance through BIND: wildcard + apex with dns-rfc2136, the zone left as
//! it was; TSIG errors named; the fixed wait; `--manual` DNS hooks.

use super::support::bind::Bind;
use super::{World, cert_names};

#[test]
fn wildcard_and_apex_are_issued_and_only_our_records_are_removed() {
    let w = World::new();
    // A value someone else put at the same name must survive our cleanup.
    w.bind
        .nsupdate(&["update add _acme-challenge.example.test. 300 TXT \"keep-me\""]);
    let cred = w.credentials(&[]);
    let run = w
        .rfc2136(
            &cred,
            &[
                "-d",
                "example.test",
                "-d",
                "*.example.test",
                "-d",
                "www.example.test",
            ],
        )
        .ok();
    assert!(
        run.stdout
            .contains("Added 2 TXT records _acme-challenge.example.test. in zone example.test."),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("The records are visible on 1 authoritative server"),
        "{}",
        run.stdout
    );
    w.assert_verifies("example.test");
    assert_eq!(
        cert_names(&w.live("example.test", "cert.pem")),
        vec!["example.test", "*.example.test", "www.example.test"]
    );
    assert_eq!(
        w.bind.txt_at(&[
            "_acme-challenge.example.test",
            "_acme-challenge.www.example.test"
        ]),
        vec![(
            "_acme-challenge.example.test".to_string(),
            "keep-me".to_string()
        )]
    );
    let conf = std::fs::read_to_string(w.config_dir().join("renewal/example.test.conf")).unwrap();
    assert!(conf.contains("authenticator = dns-rfc2136"), "{conf}");
    assert!(
        conf.contains(&format!("dns_rfc2136_credentials = {}", cred.display())),
        "{conf}"
    );
    let secret = &w.bind.keys[0].2;
    assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret) && !conf.contains(secret));
}

#[test]
fn a_wrong_secret_is_named_badsig_and_leaves_nothing() {
    let w = World::new();
    let other = "b3RoZXItc2VjcmV0LW9mLTMyLWJ5dGVzLWxlbmd0aCEhIQ==";
    let cred = w.credentials(&[("dns_rfc2136_secret", Some(other))]);
    let line = w
        .rfc2136(&cred, &["-d", "example.test", "-d", "*.example.test"])
        .one_error_line();
    assert!(
        line.contains("rejected the TSIG signature (BADSIG): check dns_rfc2136_secret"),
        "{line}"
    );
    assert!(!line.contains(other), "{line}");
    assert!(w.bind.txt("_acme-challenge.example.test").is_empty());
    assert!(!w.live("example.test", "cert.pem").exists());
}

#[test]
fn an_unknown_key_or_algorithm_is_named_badkey() {
    let w = World::new();
    for overrides in [
        [("dns_rfc2136_name", Some("nobody-key."))],
        [("dns_rfc2136_algorithm", Some("HMAC-SHA512"))],
    ] {
        let cred = w.credentials(&overrides);
        let line = w.rfc2136(&cred, &["-d", "example.test"]).one_error_line();
        assert!(
            line.contains("rejected the TSIG signature (BADKEY)")
                && line.contains("check dns_rfc2136_name and dns_rfc2136_algorithm"),
            "{overrides:?}: {line}"
        );
    }
    assert!(w.bind.txt("_acme-challenge.example.test").is_empty());
}

#[test]
fn a_fixed_propagation_wait_is_used_and_kept_for_renewal() {
    let w = World::new();
    let cred = w.credentials(&[]);
    let run = w
        .rfc2136(
            &cred,
            &[
                "--dns-rfc2136-propagation-seconds",
                "1",
                "-d",
                "fixed.example.test",
            ],
        )
        .ok();
    assert!(
        run.stdout
            .contains("Waiting 1 seconds for DNS changes to propagate"),
        "{}",
        run.stdout
    );
    w.assert_verifies("fixed.example.test");
    let conf =
        std::fs::read_to_string(w.config_dir().join("renewal/fixed.example.test.conf")).unwrap();
    assert!(
        conf.contains("dns_rfc2136_propagation_seconds = 1"),
        "{conf}"
    );
    assert!(w.bind.txt("_acme-challenge.fixed.example.test").is_empty());
}

#[test]
fn the_authenticator_flag_spelling_works_too() {
    let w = World::new();
    let cred = w.credentials(&[]);
    let cred = cred.display().to_string();
    w.certsmith(&[
        "certonly",
        "-a",
        "dns-rfc2136",
        "--dns-rfc2136-credentials",
        &cred,
        "--agree-tos",
        "--register-unsafely-without-email",
        "-d",
        "*.a.example.test",
    ])
    .ok();
    w.assert_verifies("a.example.test");
}

/// `--manual --preferred-challenges dns` with hooks works with any DNS
/// provider a script can drive: here nsupdate against the same BIND, for a
/// wildcard and its apex (two values at one name, added and removed one by
/// one with CERTBOT_VALIDATION).
#[test]
fn manual_dns_hooks_drive_any_provider() {
    let w = World::with_bind(Bind::start());
    let (name, algorithm, secret) = w.bind.keys[0].clone();
    let nsupdate = |verb: &str| {
        format!(
            "printf 'server 127.0.0.1 {port}\\nupdate {verb} _acme-challenge.%s. 60 TXT \"%s\"\\nsend\\n' \
             \"$CERTBOT_DOMAIN\" \"$CERTBOT_VALIDATION\" | nsupdate -y {algorithm}:{name}:{secret} \
             && echo \"$CERTBOT_DOMAIN $CERTBOT_REMAINING_CHALLENGES\" >> {log}",
            port = w.bind.port,
            log = w.dir.join(format!("{verb}.log")).display()
        )
    };
    w.certsmith(&[
        "certonly",
        "--manual",
        "--preferred-challenges",
        "dns",
        "--manual-auth-hook",
        &nsupdate("add"),
        "--manual-cleanup-hook",
        &nsupdate("delete"),
        "--agree-tos",
        "-m",
        "m@example.com",
        "-d",
        "hooks.example.test",
        "-d",
        "*.hooks.example.test",
    ])
    .ok();
    w.assert_verifies("hooks.example.test");
    let added = std::fs::read_to_string(w.dir.join("add.log")).unwrap();
    assert_eq!(added, "hooks.example.test 1\nhooks.example.test 0\n");
    let deleted = std::fs::read_to_string(w.dir.join("delete.log")).unwrap();
    assert_eq!(deleted.lines().count(), 2, "{deleted}");
    assert!(w.bind.txt("_acme-challenge.hooks.example.test").is_empty());
}
