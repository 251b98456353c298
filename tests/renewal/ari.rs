//! ARI (RFC 9773) through our renewalInfo front for Pebble: the CA's window
//! decides, over the lineage's own rules in both directions, and the order
//! that renews names the certificate it replaces.

use super::World;
use super::pebble;
use super::support::ari::AriProxy;
use certsmith::acme::ari::cert_id;
use certsmith::x509::format_utc;

fn rfc3339(unix: i64) -> String {
    let t = format_utc(unix);
    format!("{}T{}Z", &t[..10], &t[11..19])
}

#[test]
fn the_window_drives_the_decision_and_replaces_is_sent() {
    let pebble = pebble().start();
    let proxy = AriProxy::start(&pebble);
    let mut w = World::with(pebble);
    w.server = proxy.directory_url();
    w.standalone(&["-d", "ari.example.com"]).ok();
    let old = w.cert("ari.example.com");
    let id = cert_id(&old.der).unwrap();
    let now = super::now();

    // The local rule says due (5-year certificate, renew 2000 days ahead);
    // the CA's window is a month away: not due.
    let conf = w.conf("ari.example.com");
    std::fs::write(
        w.conf_path("ari.example.com"),
        conf.replace(
            "# renew_before_expiry = 30 days",
            "renew_before_expiry = 2000 days",
        ),
    )
    .unwrap();
    proxy.set_window(&rfc3339(now + 30 * 86_400), &rfc3339(now + 31 * 86_400));
    let run = w.renew(&[]).ok();
    assert!(
        run.stdout.contains("ari.example.com: not due until")
            && run.stdout.contains("the CA's renewal window"),
        "{}",
        run.stdout
    );
    assert_eq!(w.version("ari.example.com"), 1);
    assert_eq!(
        proxy.queried(),
        std::slice::from_ref(&id),
        "renewalInfo was asked about this certificate"
    );

    // The local rule says not due; the CA's window has opened: due.
    std::fs::write(w.conf_path("ari.example.com"), &conf).unwrap();
    proxy.set_window(&rfc3339(now - 3600), &rfc3339(now - 60));
    let run = w.renew(&[]).ok();
    assert!(
        run.stdout.contains("ari.example.com: due since")
            && run.stdout.contains("renewed (version 2)"),
        "{}",
        run.stdout
    );
    let orders = proxy.new_orders();
    assert_eq!(orders.len(), 2, "{orders:?}");
    assert!(
        orders[0].get("replaces").is_none(),
        "the first order replaced nothing"
    );
    assert_eq!(orders[1]["replaces"], id.as_str(), "{orders:?}");
    assert_ne!(w.cert("ari.example.com").serial_hex, old.serial_hex);
    w.assert_verifies("ari.example.com");

    // A dry run never spends `replaces` on a test order.
    w.renew(&["--dry-run"]).ok();
    let orders = proxy.new_orders();
    assert_eq!(orders.len(), 3);
    assert!(orders[2].get("replaces").is_none(), "{orders:?}");
    let log = std::fs::read_to_string(w.logs_dir().join("certsmith.log.1")).unwrap();
    assert!(log.contains(&format!("(replaces {id})")), "{log}");
}

#[test]
fn without_renewal_info_the_local_rules_apply() {
    // Plain Pebble 2.4 offers no ARI: the lifetime rule decides, no replaces.
    let w = World::new();
    w.standalone(&["-d", "plain.example.com"]).ok();
    let run = w.renew(&[]).ok();
    assert!(
        run.stdout.contains("plain.example.com: not due until")
            && run.stdout.contains("a third of the lifetime left"),
        "{}",
        run.stdout
    );
}
