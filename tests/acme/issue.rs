//! Issuance end to end with each authenticator, and the lineage it leaves.

use super::support::nginx::Nginx;
use super::support::pebble::Pebble;
use super::support::{TempDir, free_port};
use super::{World, cert_names_and_serial, tree};
use std::fs;
use std::os::unix::fs::PermissionsExt;

fn mode(path: &std::path::Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn standalone_http01_issues_a_verifiable_certificate_in_certbots_layout() {
    // With Pebble's default rate of rejected good nonces: badNonce is retried.
    let w = World::with(Pebble::builder().nonce_reject(5).start());
    let out = w.standalone(&["-d", "a.example.com,b.example.com"]).ok();
    assert!(
        out.stdout.contains("Successfully received certificate."),
        "{}",
        out.stdout
    );
    w.assert_verifies("a.example.com");
    let etc = w.config_dir();
    let (names, _) = cert_names_and_serial(&w.live("a.example.com", "cert.pem"));
    assert_eq!(names, vec!["a.example.com", "b.example.com"]);
    for kind in ["cert", "chain", "fullchain", "privkey"] {
        let link = w.live("a.example.com", &format!("{kind}.pem"));
        assert_eq!(
            fs::read_link(&link).unwrap().to_str().unwrap(),
            format!("../../archive/a.example.com/{kind}1.pem")
        );
    }
    assert_eq!(mode(&etc.join("archive/a.example.com/privkey1.pem")), 0o600);
    assert_eq!(mode(&etc.join("archive")), 0o700);
    assert_eq!(mode(&etc.join("live")), 0o700);
    let server = format!("127.0.0.1:{}/dir", w.pebble.acme_port);
    let ids = tree(&etc.join("accounts").join(&server));
    assert_eq!(ids.len(), 4, "{ids:?}");
    for file in ["meta.json", "regr.json", "private_key.json"] {
        assert!(
            ids.iter().any(|p| p.ends_with(&format!("/{file}"))),
            "{file} missing: {ids:?}"
        );
    }
    let id_dir = etc.join("accounts").join(&server).join(&ids[0]);
    assert_eq!(mode(&id_dir.join("private_key.json")), 0o400);
    assert_eq!(mode(&id_dir), 0o700);
    let conf = fs::read_to_string(etc.join("renewal/a.example.com.conf")).unwrap();
    for line in [
        "authenticator = standalone",
        "http01_port = ",
        "key_type = ecdsa",
        "server = https://127.0.0.1:",
    ] {
        assert!(conf.contains(line), "{line:?} missing from:\n{conf}");
    }
    let fullchain = fs::read_to_string(w.live("a.example.com", "fullchain.pem")).unwrap();
    let cert = fs::read_to_string(w.live("a.example.com", "cert.pem")).unwrap();
    let chain = fs::read_to_string(w.live("a.example.com", "chain.pem")).unwrap();
    assert_eq!(fullchain, format!("{cert}{chain}"));
}

#[test]
fn standalone_tls_alpn01_issues() {
    let w = World::new();
    let port = w.pebble.tls_port.to_string();
    w.standalone(&[
        "--preferred-challenges",
        "tls-alpn-01",
        "--https-port",
        &port,
        "-d",
        "alpn.example.com",
    ])
    .ok();
    w.assert_verifies("alpn.example.com");
    let conf = fs::read_to_string(w.config_dir().join("renewal/alpn.example.com.conf")).unwrap();
    assert!(conf.contains("pref_challs = tls-alpn-01,"), "{conf}");
}

#[test]
fn webroot_served_by_real_nginx_issues_and_cleans_up() {
    let site = TempDir::new("site");
    let other = TempDir::new("site2");
    fs::create_dir_all(other.join(".well-known")).unwrap();
    fs::write(other.join(".well-known/keep.txt"), "mine").unwrap();
    let port = free_port();
    // nginx serves `site` by default and `other` for example.com, so the
    // second -w must be used for the name after it.
    let nginx = Nginx::serve_hosts(site.path(), &[("example.com", other.path())], port);
    let w = World::with(Pebble::builder().http_port(port).start());
    let (root, root2) = (
        site.path().to_str().unwrap(),
        other.path().to_str().unwrap(),
    );
    w.certsmith(&[
        "certonly",
        "--webroot",
        "--agree-tos",
        "-m",
        "t@example.com",
        "-w",
        root,
        "-d",
        "www.example.com",
        "-w",
        root2,
        "-d",
        "example.com",
    ])
    .ok();
    w.assert_verifies("www.example.com");
    assert!(
        nginx.access_log().contains("/.well-known/acme-challenge/"),
        "nginx served no challenge"
    );
    assert!(
        !site.join(".well-known").exists(),
        "challenge dirs left behind: {:?}",
        tree(site.path())
    );
    assert_eq!(
        tree(other.path()),
        vec![".well-known", ".well-known/keep.txt"]
    );
    let conf = fs::read_to_string(w.config_dir().join("renewal/www.example.com.conf")).unwrap();
    assert!(conf.contains("authenticator = webroot"), "{conf}");
    assert!(
        conf.contains(&format!("webroot_path = {root}, {root2}\n")),
        "{conf}"
    );
    assert!(
        conf.contains(&format!(
            "[[webroot_map]]\nwww.example.com = {root}\nexample.com = {root2}\n"
        )),
        "{conf}"
    );
}

#[test]
fn manual_hooks_answer_http01_and_see_certbots_variables() {
    let site = TempDir::new("manual-site");
    let port = free_port();
    let _nginx = Nginx::serve(site.path(), port);
    let w = World::with(Pebble::builder().http_port(port).start());
    let log = w.dir.join("hooks.log");
    let auth = format!(
        "mkdir -p {s}/.well-known/acme-challenge && printf %s \"$CERTBOT_VALIDATION\" > {s}/.well-known/acme-challenge/$CERTBOT_TOKEN \
         && echo \"auth $CERTBOT_DOMAIN $CERTBOT_REMAINING_CHALLENGES $CERTBOT_ALL_DOMAINS\" >> {l} && echo made-$CERTBOT_DOMAIN",
        s = site.path().display(),
        l = log.display()
    );
    let cleanup = format!(
        "rm {s}/.well-known/acme-challenge/$CERTBOT_TOKEN && echo \"cleanup $CERTBOT_DOMAIN $CERTBOT_AUTH_OUTPUT\" >> {l}",
        s = site.path().display(),
        l = log.display()
    );
    w.certsmith(&[
        "certonly",
        "--manual",
        "--manual-auth-hook",
        &auth,
        "--manual-cleanup-hook",
        &cleanup,
        "--agree-tos",
        "-m",
        "t@example.com",
        "-d",
        "m1.example.com",
        "-d",
        "m2.example.com",
    ])
    .ok();
    w.assert_verifies("m1.example.com");
    let log = fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 4, "{log}");
    // The CA decides the order of authorizations; both lines list both names.
    let all = |line: &str| {
        let mut names: Vec<String> = line
            .rsplit(' ')
            .next()
            .unwrap()
            .split(',')
            .map(String::from)
            .collect();
        names.sort();
        names
    };
    assert!(
        lines[0].starts_with("auth m") && lines[0].contains(".example.com 1 "),
        "{log}"
    );
    assert!(
        lines[1].starts_with("auth m") && lines[1].contains(".example.com 0 "),
        "{log}"
    );
    assert_eq!(all(lines[0]), ["m1.example.com", "m2.example.com"]);
    assert_eq!(all(lines[1]), ["m1.example.com", "m2.example.com"]);
    assert!(
        lines[2].starts_with("cleanup m") && lines[2].contains(" made-m"),
        "{log}"
    );
    assert!(
        fs::read_dir(site.join(".well-known/acme-challenge"))
            .unwrap()
            .next()
            .is_none()
    );
    let conf = fs::read_to_string(w.config_dir().join("renewal/m1.example.com.conf")).unwrap();
    assert!(
        conf.contains("authenticator = manual") && conf.contains("manual_auth_hook = "),
        "{conf}"
    );
}

#[test]
fn manual_dns01_hooks_issue_a_wildcard() {
    let w = World::new();
    let api = format!("http://127.0.0.1:{}", w.pebble.dns_management_port);
    let auth = format!(
        "curl -sS -d \"{{\\\"host\\\":\\\"_acme-challenge.$CERTBOT_DOMAIN.\\\",\\\"value\\\":\\\"$CERTBOT_VALIDATION\\\"}}\" {api}/set-txt"
    );
    let cleanup = format!(
        "curl -sS -d \"{{\\\"host\\\":\\\"_acme-challenge.$CERTBOT_DOMAIN.\\\"}}\" {api}/clear-txt"
    );
    w.certsmith(&[
        "certonly",
        "--manual",
        "--preferred-challenges",
        "dns",
        "--manual-auth-hook",
        &auth,
        "--manual-cleanup-hook",
        &cleanup,
        "--agree-tos",
        "-m",
        "t@example.com",
        "-d",
        "*.wild.example.com",
    ])
    .ok();
    w.assert_verifies("wild.example.com");
    let (names, _) = cert_names_and_serial(&w.live("wild.example.com", "cert.pem"));
    assert_eq!(names, vec!["*.wild.example.com"]);
}

#[test]
fn wildcard_with_standalone_is_refused_with_a_reason() {
    let w = World::new();
    let line = w.standalone(&["-d", "*.example.com"]).one_error_line();
    assert!(line.contains("wildcard names need dns-01"), "{line}");
    assert!(!w.config_dir().join("live/example.com").exists());
    // Refused before the CA is asked for anything: no account was made.
    assert!(!w.config_dir().join("accounts").exists());
}

#[test]
fn rsa_keys_reuse_expand_force_and_dry_run() {
    let w = World::new();
    w.standalone(&[
        "--key-type",
        "rsa",
        "--rsa-key-size",
        "2048",
        "-d",
        "r.example.com",
    ])
    .ok();
    let info = certsmith::x509::parse_pem(
        &fs::read_to_string(w.live("r.example.com", "cert.pem")).unwrap(),
    )
    .unwrap();
    assert_eq!(info.key_type, "RSA");
    let key1 = fs::read_to_string(w.live("r.example.com", "privkey.pem")).unwrap();
    // Same names, not due: kept, nothing new.
    let out = w.standalone(&["-d", "r.example.com"]).ok();
    assert!(out.stdout.contains("not yet due"), "{}", out.stdout);
    assert_eq!(
        fs::read_link(w.live("r.example.com", "cert.pem"))
            .unwrap()
            .to_str()
            .unwrap(),
        "../../archive/r.example.com/cert1.pem"
    );
    // Forced renewal with the same key: version 2, same key.
    w.standalone(&[
        "--key-type",
        "rsa",
        "-d",
        "r.example.com",
        "--force-renewal",
        "--reuse-key",
    ])
    .ok();
    assert_eq!(
        fs::read_link(w.live("r.example.com", "cert.pem"))
            .unwrap()
            .to_str()
            .unwrap(),
        "../../archive/r.example.com/cert2.pem"
    );
    assert_eq!(
        fs::read_to_string(w.live("r.example.com", "privkey.pem")).unwrap(),
        key1
    );
    // More names need --expand.
    let line = w
        .standalone(&["-d", "r.example.com,s.example.com"])
        .one_error_line();
    assert!(line.contains("--expand"), "{line}");
    w.standalone(&["-d", "r.example.com,s.example.com", "--expand"])
        .ok();
    let (names, _) = cert_names_and_serial(&w.live("r.example.com", "cert.pem"));
    assert_eq!(names, vec!["r.example.com", "s.example.com"]);
    // A dry run saves nothing.
    let before = tree(&w.config_dir());
    let out = w.standalone(&["-d", "dry.example.com", "--dry-run"]).ok();
    assert!(
        out.stdout.contains("dry run was successful"),
        "{}",
        out.stdout
    );
    assert_eq!(tree(&w.config_dir()), before);
    // --duplicate makes a second lineage with a suffix.
    w.standalone(&["-d", "r.example.com,s.example.com", "--duplicate"])
        .ok();
    assert!(w.live("r.example.com-0001", "cert.pem").exists());
}

#[test]
fn ip_identifier_and_preferred_alternate_chain() {
    let w = World::with(Pebble::builder().env("PEBBLE_ALTERNATE_ROOTS", "1").start());
    let alternate_root = w.pebble.root_pem_at(1);
    let cn = certsmith::x509::parse_pem(&alternate_root)
        .unwrap()
        .common_name
        .unwrap();
    w.standalone(&["-d", "127.0.0.1", "--preferred-chain", &cn])
        .ok();
    let (names, _) = cert_names_and_serial(&w.live("127.0.0.1", "cert.pem"));
    assert_eq!(names, vec!["127.0.0.1"]);
    let chain = fs::read_to_string(w.live("127.0.0.1", "chain.pem")).unwrap();
    let top = certsmith::x509::pem_blocks(&chain).pop().unwrap();
    let issuer = certsmith::x509::parse_pem(&top).unwrap().issuer_cn.unwrap();
    assert_eq!(issuer, cn, "the alternate chain was not chosen");
    let root_file = w.dir.join("alt-root.pem");
    fs::write(&root_file, &alternate_root).unwrap();
    let out = std::process::Command::new("openssl")
        .arg("verify")
        .arg("-CAfile")
        .arg(&root_file)
        .arg("-untrusted")
        .arg(w.live("127.0.0.1", "chain.pem"))
        .arg(w.live("127.0.0.1", "cert.pem"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn ctrl_c_after_present_still_runs_cleanup() {
    let w = World::new();
    let presented = w.dir.join("presented");
    let cleaned = w.dir.join("cleaned");
    let auth = format!("touch {}; sleep 2", presented.display());
    let cleanup = format!("echo \"$CERTBOT_DOMAIN\" >> {}", cleaned.display());
    let mut child = w
        .bin()
        .args([
            "certonly",
            "--manual",
            "--manual-auth-hook",
            &auth,
            "--manual-cleanup-hook",
            &cleanup,
        ])
        .args([
            "--agree-tos",
            "-m",
            "t@example.com",
            "-n",
            "-d",
            "int.example.com",
            "--server",
        ])
        .arg(w.pebble.directory_url())
        .arg("--ca-bundle")
        .arg(&w.pebble.ca_bundle)
        .arg("--config-dir")
        .arg(w.config_dir())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !presented.exists() {
        if let Ok(Some(_)) = child.try_wait() {
            let out = child.wait_with_output().unwrap();
            panic!(
                "certsmith exited before its hook ran: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the auth hook never ran"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
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
    assert_eq!(fs::read_to_string(&cleaned).unwrap(), "int.example.com\n");
    assert!(!w.config_dir().join("live/int.example.com").exists());
}

#[test]
fn allow_subset_of_names_drops_the_name_that_fails() {
    let site = TempDir::new("subset-site");
    let port = free_port();
    let _nginx = Nginx::serve(site.path(), port);
    let w = World::with(
        Pebble::builder()
            .http_port(port)
            .env("PEBBLE_AUTHZREUSE", "0")
            .start(),
    );
    // The hook serves the token of good.example.com only.
    let auth = format!(
        "[ \"$CERTBOT_DOMAIN\" = good.example.com ] || exit 0; mkdir -p {s}/.well-known/acme-challenge && \
         printf %s \"$CERTBOT_VALIDATION\" > {s}/.well-known/acme-challenge/$CERTBOT_TOKEN",
        s = site.path().display()
    );
    let args = [
        "certonly",
        "--manual",
        "--manual-auth-hook",
        &auth,
        "--agree-tos",
        "-m",
        "t@example.com",
        "-d",
        "good.example.com",
        "-d",
        "bad.example.com",
    ];
    let line = w.certsmith(&args).one_error_line();
    assert!(
        line.contains("validation failed: bad.example.com: "),
        "{line}"
    );
    let mut with_subset = args.to_vec();
    with_subset.push("--allow-subset-of-names");
    let out = w.certsmith(&with_subset).ok();
    assert!(
        out.stderr.contains("Dropping bad.example.com"),
        "{}",
        out.stderr
    );
    let (names, _) = cert_names_and_serial(&w.live("good.example.com", "cert.pem"));
    assert_eq!(names, vec!["good.example.com"]);
}

#[test]
fn certonly_with_a_csr_writes_the_certificate_files_only() {
    let w = World::new();
    let key = w.dir.join("csr.key");
    let csr = w.dir.join("req.csr");
    let status = std::process::Command::new("openssl")
        .args([
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            "/CN=csr.example.com",
        ])
        .args([
            "-addext",
            "subjectAltName=DNS:csr.example.com,DNS:www.csr.example.com",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&csr)
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let (cert, chain, full) = (
        w.dir.join("c.pem"),
        w.dir.join("ch.pem"),
        w.dir.join("fc.pem"),
    );
    w.standalone(&[
        "--csr",
        csr.to_str().unwrap(),
        "--cert-path",
        cert.to_str().unwrap(),
        "--chain-path",
        chain.to_str().unwrap(),
        "--fullchain-path",
        full.to_str().unwrap(),
    ])
    .ok();
    let (names, _) = cert_names_and_serial(&cert);
    assert_eq!(names, vec!["csr.example.com", "www.csr.example.com"]);
    w.pebble.verify(&cert, &chain).unwrap();
    assert!(
        !w.config_dir().join("live").exists(),
        "a lineage was made for --csr"
    );
}
