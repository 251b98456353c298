//! certificates, revoke, delete, and the account verbs.

use super::support::TempDir;
use super::{World, cert_names_and_serial, tree};
use std::fs;

#[test]
fn certificates_lists_names_expiry_and_paths() {
    let w = World::new();
    w.standalone(&["-d", "l1.example.com,l2.example.com"]).ok();
    w.standalone(&[
        "-d",
        "z.example.com",
        "--key-type",
        "ecdsa",
        "--elliptic-curve",
        "secp384r1",
    ])
    .ok();
    let out = w.certsmith(&["certificates"]).ok().stdout;
    let (_, serial) = cert_names_and_serial(&w.live("l1.example.com", "cert.pem"));
    assert!(
        out.contains("  Certificate Name: l1.example.com\n"),
        "{out}"
    );
    assert!(
        out.contains(&format!("    Serial Number: {serial}\n")),
        "{out}"
    );
    assert!(
        out.contains("    Domains: l1.example.com l2.example.com\n"),
        "{out}"
    );
    assert!(out.contains("(VALID: 18"), "{out}"); // Pebble: 5 years
    assert!(
        out.contains(&format!(
            "    Certificate Path: {}\n",
            w.live("z.example.com", "fullchain.pem").display()
        )),
        "{out}"
    );
    let filtered = w
        .certsmith(&["certificates", "-d", "z.example.com"])
        .ok()
        .stdout;
    assert!(
        filtered.contains("z.example.com") && !filtered.contains("l1.example.com"),
        "{filtered}"
    );
    // A broken conf is reported (exit 0, as in Certbot), the others still listed.
    fs::write(
        w.config_dir().join("renewal/broken.conf"),
        "no equals sign here\n",
    )
    .unwrap();
    let run = w.certsmith(&["certificates"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("l1.example.com"));
    assert!(
        run.stderr.contains("broken.conf: line 1:"),
        "{}",
        run.stderr
    );
}

#[test]
fn revoke_by_account_key_and_by_certificate_key_then_delete() {
    let w = World::new();
    w.standalone(&["-d", "rv.example.com"]).ok();
    w.standalone(&["-d", "rk.example.com"]).ok();
    let (_, serial) = cert_names_and_serial(&w.live("rv.example.com", "cert.pem"));
    assert!(
        w.pebble
            .cert_status(&serial)
            .contains("\"Status\": \"Valid\"")
    );
    w.certsmith(&[
        "revoke",
        "--cert-name",
        "rv.example.com",
        "--reason",
        "superseded",
        "--no-delete-after-revoke",
    ])
    .ok();
    assert!(
        w.pebble
            .cert_status(&serial)
            .contains("\"Status\": \"Revoked\""),
        "{}",
        w.pebble.cert_status(&serial)
    );
    assert!(
        w.live("rv.example.com", "cert.pem").exists(),
        "kept with --no-delete-after-revoke"
    );
    w.certsmith(&["delete", "--cert-name", "rv.example.com"])
        .ok();
    assert!(!w.config_dir().join("live/rv.example.com").exists());
    assert!(!w.config_dir().join("archive/rv.example.com").exists());
    assert!(!w.config_dir().join("renewal/rv.example.com.conf").exists());

    // By the certificate's own key, from its path; non-interactive revoke deletes the lineage.
    let (_, serial2) = cert_names_and_serial(&w.live("rk.example.com", "cert.pem"));
    let cert = w.live("rk.example.com", "cert.pem");
    let key = w.live("rk.example.com", "privkey.pem");
    w.certsmith(&[
        "revoke",
        "--cert-path",
        cert.to_str().unwrap(),
        "--key-path",
        key.to_str().unwrap(),
    ])
    .ok();
    assert!(
        w.pebble
            .cert_status(&serial2)
            .contains("\"Status\": \"Revoked\"")
    );
    assert!(!w.config_dir().join("renewal/rk.example.com.conf").exists());
}

#[test]
fn delete_refuses_while_a_server_config_uses_the_lineage() {
    let w = World::new();
    w.standalone(&["-d", "used.example.com"]).ok();
    let nginx_root = TempDir::new("nginx-root");
    fs::create_dir_all(nginx_root.join("sites-enabled")).unwrap();
    let site = nginx_root.join("sites-enabled/used");
    let fullchain = w.live("used.example.com", "fullchain.pem");
    fs::write(
        &site,
        format!(
            "server {{\n    listen 443 ssl;\n    ssl_certificate {};\n}}\n",
            fullchain.display()
        ),
    )
    .unwrap();
    let before = tree(&w.config_dir());
    let root = nginx_root.path().to_str().unwrap();
    let apache = w.dir.join("no-apache");
    let line = w
        .certsmith(&[
            "delete",
            "--cert-name",
            "used.example.com",
            "--nginx-server-root",
            root,
            "--apache-server-root",
            apache.to_str().unwrap(),
        ])
        .one_error_line();
    assert!(line.contains(&format!("{}:3", site.display())), "{line}");
    assert!(line.contains("--force"), "{line}");
    assert_eq!(tree(&w.config_dir()), before);
    // Where certsmith installed it, the renewal conf names the server root:
    // delete looks there without being told.
    let conf = w.config_dir().join("renewal/used.example.com.conf");
    let text = fs::read_to_string(&conf).unwrap();
    let stored = format!("[renewalparams]\nnginx_server_root = {root}\n");
    fs::write(&conf, text.replace("[renewalparams]\n", &stored)).unwrap();
    let line = w
        .certsmith(&["delete", "--cert-name", "used.example.com"])
        .one_error_line();
    assert!(line.contains(&format!("{}:3", site.display())), "{line}");
    w.certsmith(&[
        "delete",
        "--cert-name",
        "used.example.com",
        "--nginx-server-root",
        root,
        "--apache-server-root",
        apache.to_str().unwrap(),
        "--force",
    ])
    .ok();
    assert!(!w.config_dir().join("live/used.example.com").exists());
}

#[test]
fn register_show_update_unregister() {
    let w = World::new();
    w.certsmith(&["register", "--agree-tos", "-m", "first@example.com"])
        .ok();
    let line = w
        .certsmith(&["register", "--agree-tos", "-m", "again@example.com"])
        .one_error_line();
    assert!(line.contains("already exists"), "{line}");
    let shown = w.certsmith(&["show_account"]).ok().stdout;
    assert!(
        shown.contains("Email contact: first@example.com"),
        "{shown}"
    );
    assert!(shown.contains("Status: valid"), "{shown}");
    w.certsmith(&["update_account", "-m", "second@example.com"])
        .ok();
    let shown = w.certsmith(&["show_account"]).ok().stdout;
    assert!(
        shown.contains("Email contact: second@example.com"),
        "{shown}"
    );
    w.certsmith(&["unregister"]).ok();
    let accounts = w
        .config_dir()
        .join("accounts")
        .join(format!("127.0.0.1:{}/dir", w.pebble.acme_port));
    assert!(tree(&accounts).is_empty(), "{:?}", tree(&accounts));
    let line = w.certsmith(&["show_account"]).one_error_line();
    assert!(line.contains("there is no account"), "{line}");
}

#[test]
fn external_account_binding_is_required_and_used() {
    let hmac = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";
    let w = World::with(
        super::support::pebble::Pebble::builder()
            .eab("kid-1", hmac)
            .start(),
    );
    let line = w
        .certsmith(&["register", "--agree-tos", "-m", "e@example.com"])
        .one_error_line();
    assert!(line.contains("externalAccountRequired"), "{line}");
    let line = w
        .certsmith(&[
            "register",
            "--agree-tos",
            "-m",
            "e@example.com",
            "--eab-kid",
            "kid-1",
            "--eab-hmac-key",
            "not*base64",
        ])
        .one_error_line();
    assert!(line.contains("--eab-hmac-key"), "{line}");
    w.certsmith(&[
        "register",
        "--agree-tos",
        "-m",
        "e@example.com",
        "--eab-kid",
        "kid-1",
        "--eab-hmac-key",
        hmac,
    ])
    .ok();
    w.standalone(&["-d", "eab.example.com"]).ok();
    w.assert_verifies("eab.example.com");
}
