//! Ctrl-C (SIGINT) after the TXT records are in the zone: while waiting for
//! propagation, and while the CA validates. Either way the records are
//! deleted before certsmith exits.

use super::support::TempDir;
use super::support::bind::Bind;
use super::support::pebble::Pebble;
use super::{World, certsmith_command};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

fn wait_for(what: &str, child: &mut Child, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("certsmith exited ({status}) before {what}");
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A signal (`-INT`, `-TERM`) to certsmith; its exit must be a failure
/// saying it cleaned up.
fn interrupt(child: Child, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("interrupted; challenges cleaned up"),
        "{stderr}"
    );
}

#[test]
fn ctrl_c_or_sigterm_during_the_propagation_wait_removes_the_records() {
    let w = World::new();
    let cred = w.credentials(&[]).display().to_string();
    for (signal, name) in [("-INT", "int.example.test"), ("-TERM", "term.example.test")] {
        let started = Instant::now();
        let wildcard = format!("*.{name}");
        let mut child = w
            .command(&[
                "certonly",
                "--dns-rfc2136",
                "--dns-rfc2136-credentials",
                &cred,
                "--dns-rfc2136-propagation-seconds",
                "120",
                "--agree-tos",
                "-m",
                "i@example.com",
                "-d",
                name,
                "-d",
                &wildcard,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let txt = format!("_acme-challenge.{name}");
        wait_for("both TXT values are in the zone", &mut child, || {
            w.bind.txt(&txt).len() == 2
        });
        interrupt(child, signal);
        assert!(w.bind.txt(&txt).is_empty(), "{signal}");
        assert!(started.elapsed() < Duration::from_secs(60));
        assert!(!w.live(name, "cert.pem").exists());
    }
}

#[test]
fn ctrl_c_while_the_ca_validates_removes_the_records() {
    let bind = Bind::start();
    // Pebble resolves through a socket that never answers, so its
    // validation hangs; its first query there shows it is validating.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    silent
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let pebble = Pebble::builder()
        .dns_server(&silent.local_addr().unwrap().to_string())
        .start();
    let dir = TempDir::new("dns-int");
    let cred = bind.credentials(dir.path(), &[]).display().to_string();
    let mut child = certsmith_command(
        &pebble,
        dir.path(),
        &[
            "certonly",
            "--dns-rfc2136",
            "--dns-rfc2136-credentials",
            &cred,
            "--agree-tos",
            "-m",
            "i@example.com",
            "-d",
            "v.example.test",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    wait_for("the TXT value is in the zone", &mut child, || {
        bind.txt("_acme-challenge.v.example.test").len() == 1
    });
    let mut buf = [0u8; 512];
    wait_for("Pebble starts validating", &mut child, || {
        silent.recv(&mut buf).is_ok()
    });
    interrupt(child, "-INT");
    assert!(bind.txt("_acme-challenge.v.example.test").is_empty());
}

#[test]
fn ctrl_c_during_renew_stops_the_run_not_just_one_certificate() {
    let w = World::new();
    let cred = w.credentials(&[]);
    for name in ["a-first.example.test", "b-second.example.test"] {
        w.rfc2136(&cred, &["-d", name]).ok();
    }
    let mut child = w
        .command(&[
            "renew",
            "--force-renewal",
            "--no-random-sleep-on-renew",
            "--dns-rfc2136-propagation-seconds",
            "120",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for("the first lineage's TXT value", &mut child, || {
        w.bind.txt("_acme-challenge.a-first.example.test").len() == 1
    });
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("were not looked at"), "{stderr}");
    assert!(
        w.bind
            .txt("_acme-challenge.a-first.example.test")
            .is_empty()
    );
    assert!(
        w.bind
            .txt("_acme-challenge.b-second.example.test")
            .is_empty()
    );
    for name in ["a-first.example.test", "b-second.example.test"] {
        let target = std::fs::read_link(w.live(name, "cert.pem")).unwrap();
        assert!(
            target.ends_with(format!("../../archive/{name}/cert1.pem")),
            "{name}: {target:?}"
        );
    }
}
