//! Bad input: one clear error line, a non-zero exit, nothing half-written.

use super::support::free_port;
use super::support::pebble::Pebble;
use super::{World, tree};
use std::fs;

/// Run and check: fails with one line containing `expect`, and the config
/// dir is as it was.
#[track_caller]
fn refused(w: &World, args: &[&str], expect: &str) {
    let before = tree(&w.config_dir());
    let line = w.standalone(args).one_error_line();
    assert!(line.starts_with("certsmith: error: "), "{line}");
    assert!(line.contains(expect), "{expect:?} not in {line:?}");
    assert!(
        !line.contains("Error {") && !line.contains("Some("),
        "debug dump: {line}"
    );
    let after = tree(&w.config_dir());
    let new: Vec<&String> = after.iter().filter(|p| !before.contains(p)).collect();
    assert!(new.is_empty(), "files left by a failed run: {new:?}");
}

#[test]
fn invalid_names_and_flags_are_refused_before_anything_happens() {
    let w = World::new();
    // A bad name or flag value is found before any directory is made.
    for args in [
        &["-d", "bad name"][..],
        &["-d", "a.example.com", "--http-01-port", "eighty"],
    ] {
        w.standalone(args).failed();
        assert!(!w.config_dir().exists() && !w.dir.join("work").exists());
    }
    refused(
        &w,
        &["-d", "exa mple.com"],
        "-d \"exa mple.com\": not a valid domain name",
    );
    refused(&w, &["-d", "-bad-.example.com"], "not a valid domain name");
    refused(&w, &["-d", "a.*.example.com"], "wildcard is only allowed");
    refused(
        &w,
        &["-d", "a.example.com", "--cert-name", "../x"],
        "--cert-name: \"../x\" is not a usable certificate name",
    );
    refused(
        &w,
        &["-d", "a.example.com", "--key-type", "dsa"],
        "--key-type",
    );
    refused(
        &w,
        &[
            "-d",
            "a.example.com",
            "--rsa-key-size",
            "1000",
            "--key-type",
            "rsa",
        ],
        "--rsa-key-size",
    );
    refused(
        &w,
        &["-d", "a.example.com", "--preferred-challenges", "smtp-01"],
        "--preferred-challenges",
    );
    refused(
        &w,
        &["-d", "a.example.com", "--http-01-address", "not-an-ip"],
        "--http-01-address",
    );
    assert!(
        !w.config_dir().join("accounts").exists(),
        "an account was registered for bad input"
    );
}

#[test]
fn missing_webroot_is_refused() {
    let w = World::new();
    let before = tree(&w.config_dir());
    let line = w
        .certsmith(&[
            "certonly",
            "--webroot",
            "-w",
            "/nonexistent/certsmith-root",
            "-d",
            "a.example.com",
            "--agree-tos",
            "-m",
            "t@example.com",
        ])
        .one_error_line();
    assert!(
        line.contains("--webroot-path: /nonexistent/certsmith-root does not exist"),
        "{line}"
    );
    assert_eq!(tree(&w.config_dir()), before);
}

#[test]
fn busy_port_unreachable_ca_and_unwritable_config_dir() {
    // Port in use: the standalone server cannot bind.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let w = World::with(Pebble::builder().http_port(port).start());
    refused(
        &w,
        &["-d", "busy.example.com"],
        &format!("cannot listen on 127.0.0.1:{port} for http-01"),
    );
    assert!(!w.config_dir().join("live").exists());

    // One certonly against `server` with `config_dir`; its one error line.
    let certonly = |server: &str, config_dir: &std::path::Path| {
        super::Run::from_command(
            w.bin()
                .args([
                    "certonly",
                    "--standalone",
                    "-n",
                    "--agree-tos",
                    "-m",
                    "t@example.com",
                    "-d",
                    "a.example.com",
                    "--server",
                    server,
                ])
                .arg("--config-dir")
                .arg(config_dir),
        )
        .one_error_line()
    };

    // CA unreachable: a closed port.
    let closed = free_port();
    let line = certonly(
        &format!("https://127.0.0.1:{closed}/dir"),
        &w.dir.join("unreachable"),
    );
    assert!(
        line.contains(&format!(
            "cannot reach the ACME server at https://127.0.0.1:{closed}/dir"
        )),
        "{line}"
    );
    assert!(line.contains("onnection refused"), "{line}");

    // Config dir that cannot be created (its parent is a file).
    let file = w.dir.join("a-file");
    fs::write(&file, "x").unwrap();
    let line = certonly(&w.pebble.directory_url(), &file.join("etc"));
    assert!(
        line.contains(&file.join("etc").display().to_string()) && line.contains("Not a directory"),
        "{line}"
    );
}

#[test]
fn malformed_renewal_conf_is_reported_with_its_line() {
    let w = World::new();
    w.standalone(&["-d", "m.example.com"]).ok();
    let conf = w.config_dir().join("renewal/m.example.com.conf");
    let mut text = fs::read_to_string(&conf).unwrap();
    text.push_str("this line is not valid\n");
    fs::write(&conf, &text).unwrap();
    let line = w
        .standalone(&["-d", "m.example.com", "--cert-name", "m.example.com"])
        .one_error_line();
    assert!(
        line.contains(&format!(
            "{}: line {}:",
            conf.display(),
            text.lines().count()
        )),
        "{line}"
    );
    assert_eq!(
        fs::read_to_string(&conf).unwrap(),
        text,
        "the broken conf was rewritten"
    );
}

#[test]
fn validation_failure_names_the_domain_and_the_cas_reason() {
    // Pebble validates on a port where nobody listens: the standalone server is elsewhere.
    let w = World::new();
    let elsewhere = free_port().to_string();
    let before = tree(&w.config_dir());
    let line = w
        .certsmith(&[
            "certonly",
            "--standalone",
            "--agree-tos",
            "-m",
            "t@example.com",
            "--http-01-address",
            "127.0.0.1",
            "--http-01-port",
            &elsewhere,
            "-d",
            "fail.example.com",
        ])
        .one_error_line();
    assert!(
        line.contains("validation failed: fail.example.com: "),
        "{line}"
    );
    assert!(
        line.contains("(connection)") || line.contains("(unauthorized)"),
        "{line}"
    );
    let after = tree(&w.config_dir());
    assert!(
        !after
            .iter()
            .any(|p| p.starts_with("live") || p.starts_with("renewal/")),
        "{after:?}"
    );
    let _ = before;
}

#[test]
fn untrusted_ca_and_a_url_that_is_not_a_directory() {
    let w = World::new();
    let run = |server: &str, bundle: Option<&std::path::Path>| {
        let mut cmd = w.bin();
        cmd.args([
            "certonly",
            "--standalone",
            "-n",
            "--agree-tos",
            "-m",
            "t@example.com",
            "-d",
            "a.example.com",
            "--server",
            server,
        ])
        .arg("--config-dir")
        .arg(w.config_dir())
        // The system bundle: Pebble's test CA is not in it.
        .env("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt")
        .env("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt");
        if let Some(b) = bundle {
            cmd.arg("--ca-bundle").arg(b);
        }
        super::Run::from_command(&mut cmd).one_error_line()
    };
    let line = run(&w.pebble.directory_url(), None);
    assert!(
        line.contains("UnknownIssuer") && line.contains("--ca-bundle"),
        "{line}"
    );
    let wrong = format!("https://127.0.0.1:{}/not-a-directory", w.pebble.acme_port);
    let line = run(&wrong, Some(&w.pebble.ca_bundle));
    assert!(
        line.contains("not an ACME directory (HTTP 404 Not Found; check --server)"),
        "{line}"
    );
    assert!(!w.config_dir().join("accounts").exists());
}
