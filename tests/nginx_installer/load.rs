//! No client ever sees an error while certsmith changes nginx (issue 17): clients on
//! loopback inside the test's namespace (`support::load`) keep requesting pages across
//! `certsmith --nginx --redirect` (issuance through nginx and install), `renew
//! --force-renewal` and `rollback`. Every request must get a whole answer from the old
//! or the new configuration, and once certsmith has returned, only from the new one.
//! nginx's own log counts the reloads each command made.

use super::e2e::{DEMO, Site};
use super::util::{Run, certsmith_bin};
use crate::support::load::{
    Target, check, during, listener_closing, page, page_with, redirect_to, refused,
};
use std::time::Duration;

/// Clients per target, and load before and after each command: bounded, a few
/// seconds in all per phase.
const THREADS: usize = 2;
const LEAD_TAIL: (Duration, Duration) = (Duration::from_millis(300), Duration::from_millis(700));

const HOST: &str = "demo.example";
const PAGE: &str = "hello from nginx\n";

fn live_serial(site: &Site) -> String {
    let pem = std::fs::read_to_string(site.live(HOST, "cert.pem")).unwrap();
    certsmith::x509::parse_pem(&pem).unwrap().serial_hex
}

fn renew(site: &Site) -> Run {
    Run::from_command(
        site.tb
            .cmd(certsmith_bin())
            .args(["renew", "--force-renewal", "--no-random-sleep-on-renew"])
            .arg("--config-dir")
            .arg(site.dir.join("letsencrypt"))
            .arg("--work-dir")
            .arg(site.dir.join("work"))
            .arg("--logs-dir")
            .arg(site.dir.join("logs"))
            .arg("--ca-bundle")
            .arg(&site.tb.ca_bundle),
    )
}

#[test]
fn clients_see_no_error_across_install_renew_and_rollback() {
    let site = Site::new(&[("demo.conf", DEMO)]);
    site.log_notices();
    site.start_nginx();
    let ns = site.tb.name.clone();
    let http = Target::http(HOST, 80, "/");
    let (plain, redirect) = (page(PAGE), redirect_to("https://demo.example/"));
    let either = |r: &_| plain(r).or_else(|_| redirect(r));
    let https = Target::https(HOST, 443, "/", &site.tb.root_pem);
    let mut figures = Vec::new();

    // Issuance through nginx, install, redirect: http goes from the page to the 301.
    let before = site.reloads();
    let args = [
        "--nginx",
        "-d",
        HOST,
        "--redirect",
        "-n",
        "--agree-tos",
        "-m",
        "admin@demo.example",
    ];
    let (run, done, out) = during(&ns, &[&http], THREADS, LEAD_TAIL, || site.certsmith(&args));
    run.ok();
    let install_reloads = site.reloads() - before;
    figures.push(check("install", &out[0], done, either, &redirect));
    let first = live_serial(&site);

    // A forced renewal: http keeps redirecting, https keeps serving, then only the
    // new certificate.
    let before = site.reloads();
    let (run, done, out) = during(&ns, &[&http, &https], THREADS, LEAD_TAIL, || renew(&site));
    let run = run.ok();
    let renew_reloads = site.reloads() - before;
    // Whether the renewal proved control again through nginx (a CA may reuse a
    // valid authorization: no challenge, no challenge reloads).
    let challenged = run.stdout.contains("nginx answers the http-01 challenge");
    let second = live_serial(&site);
    assert_ne!(first, second, "renew made no new certificate");
    figures.push(check("renew", &out[0], done, &redirect, &redirect));
    let both = [first.as_str(), second.as_str()];
    let only_new = [second.as_str()];
    figures.push(check(
        "renew",
        &out[1],
        done,
        page_with(PAGE, &both),
        page_with(PAGE, &only_new),
    ));

    // rollback: http back to the page; https served until nginx drops the listener,
    // then refused (or reset unaccepted in the closing listener's queue),
    // refused after that, and only refused once certsmith returned.
    let before = site.reloads();
    let (run, done, out) = during(&ns, &[&http, &https], THREADS, LEAD_TAIL, || {
        site.certsmith(&["rollback"])
    });
    run.ok();
    let rollback_reloads = site.reloads() - before;
    figures.push(check("rollback", &out[0], done, either, &plain));
    let serving = page_with(PAGE, &only_new);
    figures.push(check(
        "rollback",
        &out[1],
        done,
        |r| serving(r).or_else(|_| listener_closing(r)),
        refused,
    ));
    println!(
        "nginx reloads: install {install_reloads}, renew {renew_reloads}, rollback {rollback_reloads}"
    );
    println!("renew answered a challenge: {challenged}");
    // `run` and `renew`: challenge edits in (one reload), then the edits out and
    // the certificate in (one reload).
    assert_eq!(install_reloads, 2, "{figures:?}");
    assert_eq!(renew_reloads, if challenged { 2 } else { 1 }, "{figures:?}");
    assert_eq!(rollback_reloads, 1, "{figures:?}");
}
