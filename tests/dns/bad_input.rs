//! Bad input: unreachable server, unknown zone, refused update, malformed or
//! unsafe credentials. One clear error line; no record left in the zone,
//! also when an earlier name's records were already added.

use super::support::bind::Bind;
use super::support::{TempDir, free_port};
use super::{Run, World};
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

#[test]
fn an_unreachable_server_is_named() {
    let w = World::new();
    let port = free_port().to_string();
    let cred = w.credentials(&[("dns_rfc2136_port", Some(&port))]);
    let line = w.rfc2136(&cred, &["-d", "example.test"]).one_error_line();
    assert!(
        line.contains(&format!("cannot reach the DNS server 127.0.0.1:{port}"))
            && line.contains("dns_rfc2136_server, dns_rfc2136_port"),
        "{line}"
    );
    assert!(!w.live("example.test", "cert.pem").exists());
}

#[test]
fn an_unknown_zone_is_named_and_earlier_records_are_removed() {
    let w = World::new();
    let cred = w.credentials(&[]);
    let line = w
        .rfc2136(
            &cred,
            &["-d", "ok.example.test", "-d", "host.elsewhere.test"],
        )
        .one_error_line();
    assert!(
        line.contains("no zone on the DNS server")
            && line.contains("contains _acme-challenge.host.elsewhere.test.")
            && line.contains("elsewhere.test.: REFUSED"),
        "{line}"
    );
    assert!(w.bind.txt("_acme-challenge.ok.example.test").is_empty());
}

#[test]
fn a_refused_update_is_named_and_earlier_records_are_removed() {
    let w = World::with_bind(Bind::builder().locked_zone("locked.test").start());
    let cred = w.credentials(&[]);
    let line = w
        .rfc2136(&cred, &["-d", "ok.example.test", "-d", "www.locked.test"])
        .one_error_line();
    assert!(
        line.contains("refused to add TXT records of _acme-challenge.www.locked.test. (REFUSED)")
            && line.contains("allow-update or update-policy"),
        "{line}"
    );
    assert!(w.bind.txt("_acme-challenge.ok.example.test").is_empty());
    assert!(w.bind.txt("_acme-challenge.www.locked.test").is_empty());
}

/// certsmith with credentials checked before any server is contacted (the
/// `--server` given is never reached).
fn offline(dir: &TempDir, cred: &std::path::Path) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_certsmith"))
        .args(["certonly", "--dns-rfc2136", "--dns-rfc2136-credentials"])
        .arg(cred)
        .args([
            "-d",
            "example.test",
            "--agree-tos",
            "-m",
            "x@example.com",
            "-n",
        ])
        .args(["--server", "https://127.0.0.1:9/no-ca-here"])
        .arg("--config-dir")
        .arg(dir.join("etc"))
        .arg("--work-dir")
        .arg(dir.join("work"))
        .arg("--logs-dir")
        .arg(dir.join("logs"))
        .output()
        .unwrap();
    Run::from(out)
}

fn write_private(path: &std::path::Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

#[test]
fn malformed_credentials_are_refused_with_their_position() {
    let dir = TempDir::new("dns-cred");
    let secret = "c2VjcmV0LXZhbHVlLW9mLXRoZS10ZXN0";
    let good = format!(
        "dns_rfc2136_server = 127.0.0.1\ndns_rfc2136_name = k.\ndns_rfc2136_secret = {secret}\n"
    );
    let cases = [
        (
            good.replace("127.0.0.1", "ns1.example.test"),
            ":1:22: dns_rfc2136_server must be an IPv4 or IPv6 address",
        ),
        (
            good.replace(secret, "%%%"),
            ":3:22: dns_rfc2136_secret is not a non-empty base64 string",
        ),
        (
            format!("{good}dns_rfc2136_algorithm = HMAC-SHA3\n"),
            ":4:25: dns_rfc2136_algorithm \"HMAC-SHA3\" is not one of",
        ),
        (
            format!("{good}dns_rfc2136_port = 99999\n"),
            ":4:20: dns_rfc2136_port must be a number from 1 to 65535",
        ),
        (
            format!("{good}this line has no equals sign\n"),
            ":4:1: expected `key = value`",
        ),
        (
            good.replace("dns_rfc2136_name = k.\n", ""),
            ": dns_rfc2136_name is missing",
        ),
    ];
    for (text, want) in cases {
        let cred = dir.join(format!("c{}.ini", super::support::unique()));
        write_private(&cred, &text);
        let line = offline(&dir, &cred).one_error_line();
        assert!(
            line.contains(&format!("{}{want}", cred.display())),
            "{text:?}: {line}"
        );
        assert!(!line.contains(secret), "{line}");
    }
    let absent = dir.join("absent.ini");
    let line = offline(&dir, &absent).one_error_line();
    assert!(
        line.contains("--dns-rfc2136-credentials: cannot read"),
        "{line}"
    );
    assert!(!dir.join("etc/accounts").exists(), "no account may be made");
}

/// Certbot reads a credentials file group or others may read, with a warning
/// (`dns_common.validate_file_permissions`); certsmith used to refuse it.
#[test]
fn credentials_others_can_read_get_certbots_warning() {
    let dir = TempDir::new("dns-perm");
    let cred = dir.join("rfc2136.ini");
    write_private(
        &cred,
        "dns_rfc2136_server = 127.0.0.1\ndns_rfc2136_name = k.\ndns_rfc2136_secret = c2VjcmV0\n",
    );
    std::fs::set_permissions(&cred, std::fs::Permissions::from_mode(0o644)).unwrap();
    let run = offline(&dir, &cred);
    assert_ne!(run.code, 0, "no CA to reach: {}", run.stderr);
    let warning = format!(
        "Warning: Unsafe permissions on credentials configuration file: {}",
        cred.display()
    );
    assert!(run.stderr.contains(&warning), "{}", run.stderr);
    assert!(run.stderr.contains("chmod 600"), "{}", run.stderr);
    // It went on past the file, to the (absent) ACME server.
    assert!(run.stderr.contains("127.0.0.1:9"), "{}", run.stderr);
}

#[test]
fn dns_rfc2136_without_credentials_says_which_flag_is_missing() {
    let dir = TempDir::new("dns-nocred");
    let out = Command::new(env!("CARGO_BIN_EXE_certsmith"))
        .args(["certonly", "--dns-rfc2136", "-d", "example.test", "-n"])
        .arg("--config-dir")
        .arg(dir.join("etc"))
        .arg("--work-dir")
        .arg(dir.join("work"))
        .arg("--logs-dir")
        .arg(dir.join("logs"))
        .output()
        .unwrap();
    let line = Run::from(out).one_error_line();
    assert!(
        line.contains("--dns-rfc2136 needs --dns-rfc2136-credentials FILE"),
        "{line}"
    );
}
