//! OCSP revocation checks against OpenSSL's responder on loopback:
//! `certificates` shows `INVALID: REVOKED` only for a verified "revoked",
//! and `renew` renews a revoked certificate that is not yet due (Certbot's
//! `should_autorenew`). Responders that cannot be reached, fail, or sign
//! with a key the issuer never authorized change nothing.

use super::support::TempDir;
use super::support::ocsp::{Leaf, Responder, Signer, TestCa, place_lineage, record};
use super::{Run, World, pebble};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The lineages' server: never contacted by `certificates`.
const SERVER: &str = "https://127.0.0.1:1/dir";

/// `certsmith certificates` on `config` (no terminal, no cli.ini).
fn certificates(dir: &Path) -> Run {
    certificates_with(dir, &[])
}

fn certificates_with(dir: &Path, extra: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_certsmith"))
        .arg("certificates")
        .args(extra)
        .arg("--config-dir")
        .arg(dir.join("etc"))
        .arg("--work-dir")
        .arg(dir.join("work"))
        .arg("--logs-dir")
        .arg(dir.join("logs"))
        .env("CERTSMITH_NO_DEFAULT_CLI_INI", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run::from(out).ok()
}

/// The lines of `name`'s entry in `certificates`' output.
fn entry<'o>(stdout: &'o str, name: &str) -> &'o str {
    let start = stdout
        .find(&format!("Certificate Name: {name}\n"))
        .unwrap_or_else(|| panic!("no entry for {name}:\n{stdout}"));
    let rest = &stdout[start..];
    let end = rest[1..]
        .find("Certificate Name:")
        .map_or(rest.len(), |e| e + 1);
    &rest[..end]
}

fn place(dir: &Path, ca: &TestCa, leaf: &Leaf) {
    place_lineage(
        &dir.join("etc"),
        &leaf.name,
        &leaf.cert,
        &ca.cert_pem(),
        &leaf.key,
        SERVER,
    );
}

#[test]
fn ocsp_certificates_shows_revoked_and_good_from_the_issuers_responder() {
    let dir = TempDir::new("ocsp");
    let ca = TestCa::new(&dir.join("ca"));
    let responder = Responder::start(&ca.dir, Signer::ca(&ca.dir));
    let revoked = ca.issue("revoked.example", &responder.url());
    let good = ca.issue("good.example", &responder.url());
    ca.record(&revoked, true);
    ca.record(&good, false);
    place(dir.path(), &ca, &revoked);
    place(dir.path(), &ca, &good);

    let run = certificates(dir.path());
    let shown = entry(&run.stdout, "revoked.example");
    assert!(shown.contains("(INVALID: REVOKED)"), "{}", run.stdout);
    assert!(shown.contains(&format!("Serial Number: {}", revoked.serial.to_lowercase())));
    let shown = entry(&run.stdout, "good.example");
    assert!(shown.contains("(VALID: "), "{}", run.stdout);
    assert_eq!(
        responder.requests(),
        2,
        "both certificates were asked about"
    );
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

/// `--json` gives the same verdicts as the text (status text, reasons).
#[test]
fn ocsp_certificates_json_says_revoked_as_the_text_does() {
    let dir = TempDir::new("ocsp");
    let ca = TestCa::new(&dir.join("ca"));
    let responder = Responder::start(&ca.dir, Signer::ca(&ca.dir));
    let revoked = ca.issue("revoked.example", &responder.url());
    let good = ca.issue("good.example", &responder.url());
    ca.record(&revoked, true);
    ca.record(&good, false);
    place(dir.path(), &ca, &revoked);
    place(dir.path(), &ca, &good);

    let run = certificates_with(dir.path(), &["--json"]);
    let listing: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let status = |name: &str| {
        let certs = listing["certificates"].as_array().unwrap();
        let entry = certs.iter().find(|c| c["name"] == name);
        entry.unwrap_or_else(|| panic!("no {name}: {listing}"))["status"].clone()
    };
    assert_eq!(
        status("revoked.example"),
        serde_json::json!({"valid": false, "text": "INVALID: REVOKED", "reasons": ["REVOKED"]})
    );
    let good = status("good.example");
    assert_eq!(
        (&good["valid"], &good["reasons"]),
        (&true.into(), &serde_json::json!([]))
    );
    assert!(
        good["text"].as_str().unwrap().starts_with("VALID: "),
        "{good}"
    );
}

#[test]
fn ocsp_certificates_believes_a_delegated_responder() {
    let dir = TempDir::new("ocsp");
    let ca = TestCa::new(&dir.join("ca"));
    ca.delegate();
    let responder = Responder::start(&ca.dir, Signer::delegate(&ca.dir));
    let revoked = ca.issue("revoked.example", &responder.url());
    ca.record(&revoked, true);
    place(dir.path(), &ca, &revoked);

    let run = certificates(dir.path());
    assert!(
        entry(&run.stdout, "revoked.example").contains("(INVALID: REVOKED)"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(responder.requests(), 1);
}

#[test]
fn ocsp_unreachable_or_failing_responder_does_not_mark_revoked() {
    let dir = TempDir::new("ocsp");
    let ca = TestCa::new(&dir.join("ca"));
    // A loopback port with nothing listening: connection refused.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let offline = ca.issue("offline.example", &format!("http://127.0.0.1:{closed}/"));
    // A responder that answers HTTP 500 (OpenSSL has no signer files).
    let missing = Signer {
        cert: ca.dir.join("missing.pem"),
        key: ca.dir.join("missing.key"),
    };
    let failing = Responder::start(&ca.dir, missing);
    let broken = ca.issue("broken.example", &failing.url());
    ca.record(&offline, true);
    ca.record(&broken, true);
    place(dir.path(), &ca, &offline);
    place(dir.path(), &ca, &broken);

    let started = Instant::now();
    let run = certificates(dir.path());
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "a refused connection is not waited on"
    );
    for name in ["offline.example", "broken.example"] {
        assert!(
            entry(&run.stdout, name).contains("(VALID: "),
            "{}",
            run.stdout
        );
    }
    assert_eq!(failing.requests(), 1);
    // Certbot logs these as information, not as warnings.
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

#[test]
fn ocsp_response_from_an_unauthorized_signer_warns_and_is_not_revoked() {
    let dir = TempDir::new("ocsp");
    let ca = TestCa::new(&dir.join("ca"));
    // An OCSP-signing certificate from another CA under the same name (an
    // impostor: the names match, the issuer's signature does not).
    let other = TestCa::new(&dir.join("other"));
    other.delegate();
    let responder = Responder::start(&ca.dir, Signer::delegate(&other.dir));
    let leaf = ca.issue("victim.example", &responder.url());
    ca.record(&leaf, true);
    place(dir.path(), &ca, &leaf);

    let run = certificates(dir.path());
    assert!(
        entry(&run.stdout, "victim.example").contains("(VALID: "),
        "{}",
        run.stdout
    );
    assert_eq!(responder.requests(), 1);
    assert!(
        run.stderr.contains("warning: OCSP: invalid response for")
            && run
                .stderr
                .contains("the responder certificate's signature is not the issuer's"),
        "{}",
        run.stderr
    );
}

/// Pebble's serial as OpenSSL's index writes it: upper-case hex without
/// the DER's leading zero byte.
fn index_serial(serial_hex: &str) -> String {
    let mut s = serial_hex.to_uppercase();
    while s.len() > 2 && s.starts_with("00") {
        s.drain(..2);
    }
    s
}

#[test]
fn ocsp_renew_renews_a_revoked_certificate_before_it_is_due() {
    // The responder answers for Pebble's intermediate (its key from
    // Pebble's management API), found in the certificates' AIA.
    let answers = TempDir::new("ocsp-responder");
    std::fs::write(answers.join("index.txt"), "").unwrap();
    let responder = Responder::start(answers.path(), Signer::ca(answers.path()));
    let w = World::with(pebble().ocsp_url(&responder.url()).start());
    w.standalone(&["-d", "revoked.example.com"]).ok();
    w.standalone(&["-d", "good.example.com"]).ok();
    let chain = std::fs::read_to_string(w.live("good.example.com", "chain.pem")).unwrap();
    let intermediate = certsmith::x509::pem_blocks(&chain).remove(0);
    std::fs::write(answers.join("ca.pem"), intermediate).unwrap();
    std::fs::write(answers.join("ca.key"), w.pebble.intermediate_key_pem()).unwrap();
    for (name, revoked) in [("revoked.example.com", true), ("good.example.com", false)] {
        let serial = index_serial(&w.cert(name).serial_hex);
        record(answers.path(), &serial, name, revoked);
    }
    let first = w.cert("revoked.example.com");
    assert_eq!(first.ocsp_url.as_deref(), Some(responder.url().as_str()));

    let listed = w.certsmith(&["certificates"]).ok().stdout;
    assert!(
        entry(&listed, "revoked.example.com").contains("INVALID: REVOKED"),
        "{listed}"
    );
    assert!(
        entry(&listed, "good.example.com").contains("(VALID: "),
        "{listed}"
    );

    // Debian's Certbot, asking the same responder, agrees.
    let certbot = w.certbot(&["certificates"]).ok().stdout;
    assert!(
        entry(&certbot, "revoked.example.com").contains("INVALID: REVOKED"),
        "{certbot}"
    );
    assert!(
        entry(&certbot, "good.example.com").contains("(VALID: "),
        "{certbot}"
    );

    // Pebble's certificates last 5 years: only revocation makes one due.
    let run = w.renew(&[]).ok();
    assert!(
        run.stdout
            .contains("revoked.example.com: due (revoked, says its OCSP responder); renewing")
            && run
                .stdout
                .contains("revoked.example.com: renewed (version 2)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("good.example.com: not due until"),
        "{}",
        run.stdout
    );
    assert_eq!(w.version("revoked.example.com"), 2);
    assert_eq!(w.version("good.example.com"), 1);
    assert_ne!(w.cert("revoked.example.com").serial_hex, first.serial_hex);

    // The new certificate is not in the responder's index ("unknown"):
    // not revoked, so a second run renews nothing.
    let run = w.renew(&[]).ok();
    assert!(
        run.stdout.contains("No renewals were attempted"),
        "{}",
        run.stdout
    );
    assert_eq!(w.version("revoked.example.com"), 2);
}
