//! Certbot drop-in behaviour of the command line against real Pebble: the
//! `null` installer through `run`, `certonly` and `renew`, `--webroot-map`
//! names taken as `-d`.

use super::support::nginx::Nginx;
use super::support::pebble::Pebble;
use super::support::{TempDir, free_port};
use super::{World, cert_names_and_serial};
use std::fs;

/// The standalone flags on this world's Pebble http-01 port.
fn standalone_args(w: &World) -> Vec<String> {
    [
        "--agree-tos",
        "-m",
        "t@example.com",
        "--http-01-address",
        "127.0.0.1",
        "--http-01-port",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([w.pebble.http_port.to_string()])
    .collect()
}

fn with<'a>(args: &'a [&'a str], more: &'a [String]) -> Vec<&'a str> {
    args.iter()
        .copied()
        .chain(more.iter().map(String::as_str))
        .collect()
}

fn conf(w: &World, name: &str) -> String {
    fs::read_to_string(w.config_dir().join(format!("renewal/{name}.conf"))).unwrap()
}

#[test]
fn run_with_the_null_installer_obtains_installs_nothing_and_renews() {
    let w = World::new();
    let extra = standalone_args(&w);
    let run = w
        .certsmith(&with(
            &[
                "run",
                "-a",
                "standalone",
                "-i",
                "null",
                "-d",
                "null.example.com",
            ],
            &extra,
        ))
        .ok();
    assert!(
        run.stdout.contains("The null installer installs nothing"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("HTTPS is enabled"), "{}", run.stdout);
    w.assert_verifies("null.example.com");
    let text = conf(&w, "null.example.com");
    assert!(text.contains("installer = null\n"), "{text}");
    assert!(text.contains("authenticator = standalone\n"), "{text}");
    let (_, before) = cert_names_and_serial(&w.live("null.example.com", "cert.pem"));
    w.certsmith(&with(
        &["renew", "--force-renewal", "--no-random-sleep-on-renew"],
        &extra,
    ))
    .ok();
    let (_, after) = cert_names_and_serial(&w.live("null.example.com", "cert.pem"));
    assert_ne!(before, after, "renew made no new certificate");
    assert!(conf(&w, "null.example.com").contains("installer = null\n"));
    // `--installer` spelt out, and again through `run`: nothing to install, kept.
    w.certsmith(&with(
        &[
            "run",
            "--standalone",
            "--installer",
            "null",
            "-d",
            "null.example.com",
        ],
        &extra,
    ))
    .ok();
}

#[test]
fn certonly_keeps_the_null_installer_for_renew() {
    let w = World::new();
    let extra = standalone_args(&w);
    w.certsmith(&with(
        &[
            "certonly",
            "--standalone",
            "-i",
            "null",
            "-d",
            "co.example.com",
        ],
        &extra,
    ))
    .ok();
    let text = conf(&w, "co.example.com");
    assert!(text.contains("installer = null\n"), "{text}");
    let (_, before) = cert_names_and_serial(&w.live("co.example.com", "cert.pem"));
    let renewed = w
        .certsmith(&with(
            &["renew", "--force-renewal", "--no-random-sleep-on-renew"],
            &extra,
        ))
        .ok();
    let (_, after) = cert_names_and_serial(&w.live("co.example.com", "cert.pem"));
    assert_ne!(
        before, after,
        "renew made no new certificate: {}",
        renewed.stdout
    );
    w.assert_verifies("co.example.com");
}

#[test]
fn the_null_installer_is_no_authenticator() {
    let w = World::new();
    let extra = standalone_args(&w);
    let line = w
        .certsmith(&with(&["run", "-i", "null", "-d", "n.example.com"], &extra))
        .one_error_line();
    assert!(
        line.contains("the null installer cannot prove control of the names"),
        "{line}"
    );
    let line = w
        .certsmith(&with(
            &["certonly", "-a", "null", "-d", "n.example.com"],
            &extra,
        ))
        .one_error_line();
    assert!(
        line.contains("\"null\" authenticator is not available"),
        "{line}"
    );
}

#[test]
fn webroot_map_names_are_the_certificates_names() {
    let site = TempDir::new("wmap");
    let port = free_port();
    let _nginx = Nginx::serve_hosts(site.path(), &[], port);
    let w = World::with(Pebble::builder().http_port(port).start());
    let root = site.path().to_str().unwrap();
    let map = format!(
        r#"{{"a.wmap.example.com,b.wmap.example.com": "{root}", "c.wmap.example.com": "{root}"}}"#
    );
    w.certsmith(&[
        "certonly",
        "--webroot",
        "--agree-tos",
        "-m",
        "t@example.com",
        "--webroot-map",
        &map,
    ])
    .ok();
    let (mut names, _) = cert_names_and_serial(&w.live("a.wmap.example.com", "cert.pem"));
    names.sort();
    assert_eq!(
        names,
        [
            "a.wmap.example.com",
            "b.wmap.example.com",
            "c.wmap.example.com"
        ]
    );
}
