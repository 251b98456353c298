//! Debian's certbot 2.1 and certsmith renew each other's lineages in one
//! config dir, each using what the other stored.

use super::World;

/// certbot renew without the random sleep, forced (5-year certificates).
fn certbot_renew(w: &World, name: &str) {
    w.certbot(&[
        "renew",
        "--cert-name",
        name,
        "--force-renewal",
        "--no-random-sleep-on-renew",
    ])
    .ok();
}

#[test]
fn certsmith_renews_a_certbot_lineage_and_certbot_renews_it_again() {
    let w = World::new();
    let port = w.pebble.http_port.to_string();
    w.certbot(&[
        "certonly",
        "--standalone",
        "--server",
        &w.server,
        "--agree-tos",
        "-m",
        "cb@example.com",
        "--http-01-address",
        "127.0.0.1",
        "--http-01-port",
        &port,
        "-d",
        "cb.example.com,www.cb.example.com",
    ])
    .ok();
    let certbot_conf = w.conf("cb.example.com");
    let run = w.renew(&["--force-renewal"]).ok();
    assert!(
        run.stdout.contains("cb.example.com: renewed (version 2)"),
        "{}",
        run.stdout
    );
    assert_eq!(w.version("cb.example.com"), 2);
    assert_eq!(
        w.cert("cb.example.com").names,
        ["cb.example.com", "www.cb.example.com"]
    );
    w.assert_verifies("cb.example.com");
    // certbot's own lines (its version, account, comments) are all still there.
    let conf = w.conf("cb.example.com");
    for line in certbot_conf.lines().filter(|l| !l.starts_with("version")) {
        assert!(conf.lines().any(|l| l == line), "{line:?} lost:\n{conf}");
    }
    certbot_renew(&w, "cb.example.com");
    assert_eq!(w.version("cb.example.com"), 3);
    w.assert_verifies("cb.example.com");
    let listed = w.certbot(&["certificates"]).ok().stdout;
    assert!(
        listed.contains("Certificate Name: cb.example.com"),
        "{listed}"
    );
    assert!(!listed.contains("INVALID"), "{listed}");
}

#[test]
fn certbot_renews_a_certsmith_lineage_and_certsmith_renews_it_again() {
    let w = World::new();
    w.standalone(&["-d", "ours.example.com"]).ok();
    certbot_renew(&w, "ours.example.com");
    assert_eq!(w.version("ours.example.com"), 2);
    w.assert_verifies("ours.example.com");
    let run = w.renew(&["--force-renewal"]).ok();
    assert!(
        run.stdout.contains("ours.example.com: renewed (version 3)"),
        "{}",
        run.stdout
    );
    w.assert_verifies("ours.example.com");
    // And neither sees anything due afterwards.
    let run = w.renew(&[]).ok();
    assert!(
        run.stdout.contains("No renewals were attempted"),
        "{}",
        run.stdout
    );
    let run = w.certbot(&["renew", "--no-random-sleep-on-renew"]).ok();
    assert!(
        run.stdout.contains("not due for renewal"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}
