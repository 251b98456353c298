//! `renew` on real Pebble: due or not, dry runs, forced renewals, pruning.

use super::pebble;
use super::{World, now, snapshot};
use std::time::Duration;

#[test]
fn short_lived_certificate_is_skipped_until_due_then_renewed() {
    // Pebble issues 16-second certificates (notBefore = issuance): with a
    // lifetime under 10 days renewal is due once half of it is left.
    let w = World::with(pebble().validity_secs(16).start());
    w.standalone(&["-d", "short.example.com"]).ok();
    let first = w.cert("short.example.com");
    assert_eq!(first.not_after - first.not_before, 15, "Pebble's validity");

    let run = w.renew(&[]).ok();
    assert!(
        now() < first.not_before + 7,
        "the first renew came too late to be a fair 'not due' check"
    );
    assert!(
        run.stdout.contains("short.example.com: not due until")
            && run.stdout.contains("half of a short lifetime left"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("No renewals were attempted"),
        "{}",
        run.stdout
    );
    assert_eq!(w.version("short.example.com"), 1);

    // Renewal is due from notAfter - 7 s, i.e. notBefore + 8 s.
    let wait = first.not_before + 9 - now();
    if wait > 0 {
        std::thread::sleep(Duration::from_secs(wait as u64));
    }
    let run = w.renew(&[]).ok();
    assert!(
        run.stdout.contains("short.example.com: due since")
            && run
                .stdout
                .contains("short.example.com: renewed (version 2)"),
        "{}",
        run.stdout
    );
    assert_eq!(w.version("short.example.com"), 2);
    let second = w.cert("short.example.com");
    assert_ne!(second.serial_hex, first.serial_hex);
    assert_eq!(second.names, ["short.example.com"]);
    w.assert_verifies("short.example.com");
    for kind in ["chain", "fullchain", "privkey"] {
        let target =
            std::fs::read_link(w.live("short.example.com", &format!("{kind}.pem"))).unwrap();
        assert_eq!(
            target.to_string_lossy(),
            format!("../../archive/short.example.com/{kind}2.pem")
        );
    }
}

#[test]
fn dry_run_renews_everything_and_saves_nothing() {
    let w = World::new();
    w.standalone(&["-d", "dry1.example.com"]).ok();
    w.standalone(&["-d", "dry2.example.com,www.dry2.example.com"])
        .ok();
    let hooks = w.dir.join("hooks.log");
    // What a killed write left: a real run removes it, a dry run leaves it.
    std::fs::write(
        w.config_dir()
            .join("renewal/..dry1.example.com.conf.certsmith-tmp.1.0"),
        "partial",
    )
    .unwrap();
    let before = snapshot(&w.config_dir());
    let run = w
        .renew(&[
            "--dry-run",
            "--pre-hook",
            &format!("echo pre >> {}", hooks.display()),
            "--deploy-hook",
            &format!("echo deploy >> {}", hooks.display()),
            "--post-hook",
            &format!("echo \"post $RENEWED_DOMAINS\" >> {}", hooks.display()),
        ])
        .ok();
    assert!(
        run.stdout
            .contains("dry1.example.com: due (--dry-run); renewing")
            && run
                .stdout
                .contains("dry2.example.com: the dry run succeeded (nothing saved)")
            && run
                .stdout
                .contains("Dry run succeeded for 2 certificate(s)"),
        "{}",
        run.stdout
    );
    let after = snapshot(&w.config_dir());
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (path, entry) in &before {
        assert!(after[path] == *entry, "{path} changed in a dry run");
    }
    // Pre and post hooks run in a dry run; deploy hooks do not.
    assert_eq!(
        std::fs::read_to_string(&hooks).unwrap(),
        "pre\npost dry1.example.com dry2.example.com www.dry2.example.com\n"
    );
}

#[test]
fn force_renewal_cert_name_and_every_version_kept() {
    let w = World::new();
    w.standalone(&["-d", "p.example.com"]).ok();
    w.standalone(&["-d", "other.example.com"]).ok();
    for _ in 0..6 {
        let run = w
            .renew(&["--force-renewal", "--cert-name", "p.example.com", "-q"])
            .ok();
        assert_eq!(run.stdout, "", "-q prints nothing on success");
        assert_eq!(run.stderr, "");
    }
    assert_eq!(w.version("p.example.com"), 7);
    assert_eq!(
        w.version("other.example.com"),
        1,
        "--cert-name renews one lineage"
    );
    let mut kept: Vec<String> = std::fs::read_dir(w.config_dir().join("archive/p.example.com"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    kept.sort();
    // As Certbot does, no archived version is deleted.
    let expected: Vec<String> = (1..=7)
        .flat_map(|v| ["cert", "chain", "fullchain", "privkey"].map(|k| format!("{k}{v}.pem")))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(kept, expected);
    w.assert_verifies("p.example.com");

    // Not due (5-year certificates): nothing renewed, exit 0, quiet stays quiet.
    let run = w.renew(&["-q"]).ok();
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
    assert_eq!(w.version("other.example.com"), 1);

    let run = w.renew(&["--cert-name", "nope.example.com"]).failed();
    assert!(
        run.stderr
            .contains("no certificate named \"nope.example.com\""),
        "{}",
        run.stderr
    );
    let run = w.renew(&["-d", "p.example.com"]).failed();
    assert!(
        run.stderr.contains("-d: renew renews lineages as they are"),
        "{}",
        run.stderr
    );
}

#[test]
fn renew_before_expiry_and_command_line_options_are_used_and_saved() {
    let w = World::new();
    w.standalone(&[
        "-d",
        "rbe.example.com",
        "--key-type",
        "rsa",
        "--rsa-key-size",
        "2048",
    ])
    .ok();
    assert_eq!(w.cert("rbe.example.com").key_type, "RSA");
    // Pebble's certificates last 5 years: due with 2000 days to go.
    let conf = w.conf("rbe.example.com");
    std::fs::write(
        w.conf_path("rbe.example.com"),
        conf.replace(
            "# renew_before_expiry = 30 days",
            "renew_before_expiry = 2000 days",
        ),
    )
    .unwrap();
    let run = w.renew(&["--key-type", "ecdsa"]).ok();
    assert!(
        run.stdout.contains("rbe.example.com: due since")
            && run.stdout.contains("renew_before_expiry = 2000 days"),
        "{}",
        run.stdout
    );
    assert_eq!(w.version("rbe.example.com"), 2);
    assert_eq!(
        w.cert("rbe.example.com").key_type,
        "ECDSA",
        "--key-type given now wins"
    );
    let conf = w.conf("rbe.example.com");
    assert!(
        conf.contains("key_type = ecdsa\n"),
        "saved on success:\n{conf}"
    );
    assert!(conf.contains("renew_before_expiry = 2000 days\n"), "{conf}");
    assert!(conf.contains("authenticator = standalone\n"), "{conf}");
}

#[test]
fn unattended_renewal_sleeps_at_random_before_the_first_renewal() {
    use std::io::{BufRead, BufReader};
    let w = World::new();
    w.standalone(&["-d", "sleepy.example.com"]).ok();
    // Nothing due: no sleep at all, even without a terminal.
    let started = std::time::Instant::now();
    w.certsmith(&["renew"]).ok();
    assert!(started.elapsed() < Duration::from_secs(20));
    // Due, no terminal, no --no-random-sleep-on-renew: it says it waits.
    let mut child = w
        .command(&["renew", "--force-renewal"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut said = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let waiting = line.starts_with("Non-interactive renewal: waiting");
        said.push(line);
        if waiting {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let last = said.last().cloned().unwrap_or_default();
    let secs: f64 = last
        .trim_start_matches("Non-interactive renewal: waiting ")
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("{said:?}"));
    assert!((1.0..=480.0).contains(&secs), "{said:?}");
    assert_eq!(
        w.version("sleepy.example.com"),
        1,
        "renewed before the sleep ended"
    );
}

#[test]
fn a_private_cas_bundle_is_stored_and_used_by_an_unattended_renew() {
    let w = World::new();
    w.standalone(&["-d", "bundle.example.com"]).ok();
    let bundle = std::path::absolute(&w.pebble.ca_bundle).unwrap();
    assert!(
        w.conf("bundle.example.com")
            .contains(&format!("ca_bundle = {}\n", bundle.display())),
        "{}",
        w.conf("bundle.example.com")
    );
    // What a timer runs: no --ca-bundle, no CA bundle in the environment.
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_certsmith"));
    cmd.args([
        "renew",
        "--force-renewal",
        "--no-random-sleep-on-renew",
        "-n",
    ])
    .arg("--config-dir")
    .arg(w.config_dir())
    .arg("--work-dir")
    .arg(w.dir.join("work"))
    .arg("--logs-dir")
    .arg(w.logs_dir())
    .env("CERTSMITH_NO_DEFAULT_CLI_INI", "1")
    .env_remove("REQUESTS_CA_BUNDLE")
    .env_remove("SSL_CERT_FILE")
    .stdin(std::process::Stdio::null());
    super::Run::from(cmd.output().unwrap()).ok();
    assert_eq!(w.version("bundle.example.com"), 2);
}

/// Point the first `switched` live links of `name` at `to`, the others at
/// `from`: the state a renewal killed between two link switches leaves
/// (renewal switches cert, chain, fullchain, privkey in that order).
fn interrupted_switch(w: &World, name: &str, switched: usize, from: u32, to: u32) {
    for (i, kind) in ["cert", "chain", "fullchain", "privkey"].iter().enumerate() {
        let link = w.live(name, &format!("{kind}.pem"));
        let version = if i < switched { to } else { from };
        std::fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(format!("../../archive/{name}/{kind}{version}.pem"), &link)
            .unwrap();
    }
}

/// The public key of a PEM certificate or private key, as openssl prints it.
fn public_key(path: &std::path::Path, cert: bool) -> String {
    let mut cmd = std::process::Command::new("openssl");
    if cert {
        cmd.args(["x509", "-noout", "-pubkey", "-in"]);
    } else {
        cmd.args(["pkey", "-pubout", "-in"]);
    }
    let out = cmd.arg(path).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn links_left_mixed_by_a_killed_renewal_are_repaired_to_the_newest_version() {
    let w = World::new();
    w.standalone(&["-d", "mixed.example.com"]).ok();
    w.renew(&["--force-renewal"]).ok();
    assert_eq!(w.version("mixed.example.com"), 2);
    for switched in 1..=3 {
        interrupted_switch(&w, "mixed.example.com", switched, 1, 2);
        // A dry run changes nothing and names the problem.
        let dry = w.renew(&["--dry-run"]).failed();
        assert!(
            dry.stderr.contains("different versions"),
            "{switched}: {}",
            dry.stderr
        );
        let run = w.renew(&[]).ok();
        assert!(
            run.stderr.contains("as an interrupted renewal leaves them")
                && run.stderr.contains("all now point at version 2"),
            "{switched}: {}",
            run.stderr
        );
        for kind in ["cert", "chain", "fullchain", "privkey"] {
            let target = std::fs::read_link(w.live("mixed.example.com", &format!("{kind}.pem")));
            assert_eq!(
                target.unwrap().to_string_lossy(),
                format!("../../archive/mixed.example.com/{kind}2.pem"),
                "{switched}"
            );
        }
        assert_eq!(
            public_key(&w.live("mixed.example.com", "cert.pem"), true),
            public_key(&w.live("mixed.example.com", "privkey.pem"), false),
            "the key matches the certificate again"
        );
    }
    // A version missing a file is not "complete": the newest complete one
    // the links name wins.
    std::fs::remove_file(w.config_dir().join("archive/mixed.example.com/chain2.pem")).unwrap();
    interrupted_switch(&w, "mixed.example.com", 1, 1, 2);
    let run = w.renew(&[]).ok();
    assert!(
        run.stderr.contains("all now point at version 1"),
        "{}",
        run.stderr
    );
    assert_eq!(w.version("mixed.example.com"), 1);
}
