//! Certbot drop-in behaviour of the command line against real Pebble: the
//! `null` installer through `run`, `certonly` and `renew`, `--webroot-map`
//! names taken as `-d`, and certsmith invoked under the name `certbot`.

use super::support::nginx::Nginx;
use super::support::pebble::Pebble;
use super::support::{TempDir, free_port};
use super::{Run, World, cert_names_and_serial};
use std::fs;
use std::process::Command;

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

/// A `certbot` symlink to the binary in a scratch directory.
fn certbot_symlink(dir: &TempDir) -> std::path::PathBuf {
    let link = dir.join("bin/certbot");
    fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_certsmith"), &link).unwrap();
    link
}

#[test]
fn invoked_as_certbot_it_uses_certbots_dirs_and_log_name() {
    let w = World::new();
    let link = certbot_symlink(&w.dir);
    // The defaults, without touching the machine's /var/lib or /var/log.
    let help = Run::from(
        Command::new(&link)
            .arg("--help")
            .env("CERTSMITH_NO_DEFAULT_CLI_INI", "1")
            .output()
            .unwrap(),
    )
    .ok();
    assert!(
        help.stdout.contains(
            "paths here: --config-dir /etc/letsencrypt --work-dir /var/lib/letsencrypt --logs-dir /var/log/letsencrypt (log file letsencrypt.log)"
        ),
        "{}",
        help.stdout
    );
    let ours = Run::from(
        Command::new(env!("CARGO_BIN_EXE_certsmith"))
            .arg("--help")
            .env("CERTSMITH_NO_DEFAULT_CLI_INI", "1")
            .output()
            .unwrap(),
    )
    .ok();
    assert!(
        ours.stdout.contains(
            "--work-dir /var/lib/certsmith --logs-dir /var/log/certsmith (log file certsmith.log)"
        ),
        "{}",
        ours.stdout
    );
    // A real run through the symlink logs to letsencrypt.log (a cron line
    // written for Certbot: -q implies -n).
    let logs = w.dir.join("logs");
    let mut cmd = Command::new(&link);
    cmd.args(["-q", "certonly", "--standalone", "-d", "sym.example.com"])
        .args(standalone_args(&w))
        .arg("--config-dir")
        .arg(w.config_dir())
        .arg("--work-dir")
        .arg(w.dir.join("work"))
        .arg("--logs-dir")
        .arg(&logs)
        .arg("--server")
        .arg(w.pebble.directory_url())
        .arg("--ca-bundle")
        .arg(&w.pebble.ca_bundle)
        .env("CERTSMITH_NO_DEFAULT_CLI_INI", "1");
    let run = Run::from(cmd.output().unwrap()).ok();
    assert_eq!(run.stdout, "", "-q prints nothing");
    w.assert_verifies("sym.example.com");
    let log = fs::read_to_string(logs.join("letsencrypt.log")).unwrap();
    assert!(log.contains("certonly"), "{log}");
    assert!(!logs.join("certsmith.log").exists());
}
