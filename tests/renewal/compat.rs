//! Certbot's renewal rules a switching user relies on (issue 14): the
//! private key's group and mode, `autorenew = False`, a failing deploy
//! hook, `certonly` on an existing lineage (when it is kept, its key type),
//! `register`'s hook directories, and `certificates` with a broken lineage.

use super::pebble;
use super::{World, now};
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::Command;

/// The gid of `group`, created (as a system group) if the machine lacks it.
fn group_id(group: &str) -> u32 {
    let lookup = || {
        let out = Command::new("getent")
            .args(["group", group])
            .output()
            .unwrap();
        let line = String::from_utf8_lossy(&out.stdout).into_owned();
        line.split(':').nth(2).and_then(|g| g.trim().parse().ok())
    };
    if let Some(gid) = lookup() {
        return gid;
    }
    // Another test process may create it at the same time: look again.
    let _ = Command::new("groupadd").args(["--system", group]).status();
    lookup().unwrap_or_else(|| panic!("no group {group} and groupadd failed"))
}

#[test]
fn compat_renewal_keeps_the_private_keys_group_and_read_bits() {
    let w = World::new();
    w.standalone(&["-d", "mail.example.com"]).ok();
    let gid = group_id("ssl-cert");
    let key = w.live("mail.example.com", "privkey.pem");
    // chmod and chown follow the live link to archive/.../privkey1.pem.
    fs::set_permissions(&key, fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::chown(&key, None, Some(gid)).unwrap();

    w.renew(&["--force-renewal"]).ok();
    assert_eq!(w.version("mail.example.com"), 2);
    let new_key = w.config_dir().join("archive/mail.example.com/privkey2.pem");
    let meta = fs::metadata(&new_key).unwrap();
    assert_eq!(meta.mode() & 0o7777, 0o640, "mode of {}", new_key.display());
    assert_eq!(meta.gid(), gid, "group of {}", new_key.display());
    assert_ne!(
        fs::read(&new_key).unwrap(),
        fs::read(w.config_dir().join("archive/mail.example.com/privkey1.pem")).unwrap(),
        "a new key"
    );

    // certonly replacing the lineage keeps them too; a key that others could
    // write to does not pass that bit on (Certbot keeps group rwx, other r).
    fs::set_permissions(&new_key, fs::Permissions::from_mode(0o666)).unwrap();
    w.standalone(&["-d", "mail.example.com", "--force-renewal"])
        .ok();
    assert_eq!(w.version("mail.example.com"), 3);
    let third = fs::metadata(w.config_dir().join("archive/mail.example.com/privkey3.pem")).unwrap();
    assert_eq!((third.mode() & 0o7777, third.gid()), (0o664, gid));
}

#[test]
fn compat_autorenew_false_is_renewed_only_when_forced() {
    let w = World::new();
    for name in ["off.example.com", "on.example.com"] {
        w.standalone(&["-d", name]).ok();
    }
    w.append_conf("off.example.com", "autorenew = False\n");
    // Pebble's certificates last 5 years: a 10-year window makes both due.
    let due = ["--renew-before-expiry", "3650"];
    let run = w.renew(&due).ok();
    assert!(
        run.stdout
            .contains("off.example.com: not renewed: autorenew = False in its renewal conf"),
        "{}",
        run.stdout
    );
    assert_eq!(
        (w.version("off.example.com"), w.version("on.example.com")),
        (1, 2)
    );
    // Naming it is not enough (Certbot's rule); forcing is.
    let mut named = vec!["--cert-name", "off.example.com"];
    named.extend_from_slice(&due);
    w.renew(&named).ok();
    assert_eq!(w.version("off.example.com"), 1);
    w.renew(&["--cert-name", "off.example.com", "--force-renewal"])
        .ok();
    assert_eq!(w.version("off.example.com"), 2);
    assert!(
        w.conf("off.example.com").contains("autorenew = False\n"),
        "{}",
        w.conf("off.example.com")
    );

    // --no-autorenew stores it; --autorenew given to renew turns it back on.
    w.standalone(&["-d", "flag.example.com", "--no-autorenew"])
        .ok();
    assert!(
        w.conf("flag.example.com").contains("autorenew = False\n"),
        "{}",
        w.conf("flag.example.com")
    );
    let mut named = vec!["--cert-name", "flag.example.com"];
    named.extend_from_slice(&due);
    w.renew(&named).ok();
    assert_eq!(w.version("flag.example.com"), 1);
    named.push("--autorenew");
    w.renew(&named).ok();
    assert_eq!(w.version("flag.example.com"), 2);
    assert!(
        !w.conf("flag.example.com").contains("autorenew"),
        "{}",
        w.conf("flag.example.com")
    );
}

#[test]
fn compat_a_failing_deploy_hook_is_reported_and_the_renewal_stands() {
    let w = World::new();
    w.standalone(&["-d", "dh.example.com"]).ok();
    let post = w.dir.join("post.log");
    let run = w
        .renew(&[
            "--force-renewal",
            "--deploy-hook",
            "echo broken >&2; exit 3",
            "--post-hook",
            &format!(
                "echo \"$RENEWED_DOMAINS|$FAILED_DOMAINS\" > {}",
                post.display()
            ),
        ])
        .ok();
    assert!(
        run.stderr.contains("deploy hook") && run.stderr.contains("failed"),
        "the failure is reported: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("renewal failed"), "{}", run.stderr);
    assert_eq!(w.version("dh.example.com"), 2);
    assert_eq!(fs::read_to_string(&post).unwrap(), "dh.example.com|\n");
    // The hook was saved; the next run is an ordinary one (nothing due).
    assert!(
        w.conf("dh.example.com").contains("renew_hook = "),
        "{}",
        w.conf("dh.example.com")
    );
    let run = w.renew(&[]).ok();
    assert!(
        run.stdout.contains("No renewals were attempted"),
        "{}",
        run.stdout
    );
    // certonly too: the certificate is saved, the hook's failure reported.
    let run = w
        .standalone(&["-d", "dh2.example.com", "--deploy-hook", "exit 4"])
        .ok();
    assert!(run.stderr.contains("deploy hook"), "{}", run.stderr);
    assert_eq!(w.version("dh2.example.com"), 1);
}

#[test]
fn compat_certonly_keeps_a_lineage_by_the_renewal_rules() {
    // 10-minute certificates: due after half their lifetime by renew's
    // default rule, but always within the old fixed 30 days.
    let w = World::with(pebble().validity_secs(600).start());
    w.standalone(&["-d", "keep.example.com"]).ok();
    let run = w.standalone(&["-d", "keep.example.com"]).ok();
    assert!(
        now() < w.cert("keep.example.com").not_before + 290,
        "too slow for a fair 'not due' check"
    );
    assert!(run.stdout.contains("not yet due"), "{}", run.stdout);
    assert_eq!(w.version("keep.example.com"), 1);

    // The lineage's renew_before_expiry rules when it is set.
    let conf = w.conf("keep.example.com");
    assert!(
        conf.starts_with("# renew_before_expiry = 30 days\n"),
        "{conf}"
    );
    fs::write(
        w.conf_path("keep.example.com"),
        conf.replacen(
            "# renew_before_expiry = 30 days\n",
            "renew_before_expiry = 1 hour\n",
            1,
        ),
    )
    .unwrap();
    w.standalone(&["-d", "keep.example.com"]).ok();
    assert_eq!(w.version("keep.example.com"), 2);
    let conf = w.conf("keep.example.com");
    fs::write(
        w.conf_path("keep.example.com"),
        conf.replacen(
            "renew_before_expiry = 1 hour\n",
            "renew_before_expiry = 1 minute\n",
            1,
        ),
    )
    .unwrap();
    w.standalone(&["-d", "keep.example.com"]).ok();
    assert_eq!(w.version("keep.example.com"), 2);
}

/// `openssl pkey`'s first text line: `Private-Key: (3072 bit, 2 primes)`.
fn key_text(path: &std::path::Path) -> String {
    let out = Command::new("openssl")
        .args(["pkey", "-noout", "-text", "-in"])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn compat_register_makes_the_hook_dirs() {
    let w = World::new();
    w.certsmith(&[
        "register",
        "--server",
        &w.server,
        "--agree-tos",
        "-m",
        "test@example.com",
    ])
    .ok();
    for stage in ["pre", "deploy", "post"] {
        let dir = w.config_dir().join("renewal-hooks").join(stage);
        assert!(dir.is_dir(), "register did not make {}", dir.display());
        assert_eq!(fs::metadata(&dir).unwrap().mode() & 0o777, 0o755);
    }
}

#[test]
fn compat_certonly_keeps_an_rsa_lineages_key_type_and_size() {
    let w = World::new();
    w.standalone(&[
        "-d",
        "rsa.example.com",
        "--key-type",
        "rsa",
        "--rsa-key-size",
        "3072",
    ])
    .ok();
    w.standalone(&["-d", "rsa.example.com", "--force-renewal"])
        .ok();
    assert_eq!(w.version("rsa.example.com"), 2);
    assert_eq!(w.cert("rsa.example.com").key_type, "RSA");
    assert!(
        key_text(&w.live("rsa.example.com", "privkey.pem")).contains("3072 bit"),
        "{}",
        key_text(&w.live("rsa.example.com", "privkey.pem"))
    );
    let conf = w.conf("rsa.example.com");
    assert!(
        conf.contains("key_type = rsa\n") && conf.contains("rsa_key_size = 3072\n"),
        "{conf}"
    );
    // --key-type given now changes it.
    w.standalone(&[
        "-d",
        "rsa.example.com",
        "--force-renewal",
        "--key-type",
        "ecdsa",
    ])
    .ok();
    assert_eq!(w.cert("rsa.example.com").key_type, "ECDSA");
}

#[test]
fn compat_certificates_lists_broken_lineages_as_invalid_and_exits_0() {
    let w = World::new();
    for name in [
        "good.example.com",
        "mixed.example.com",
        "unread.example.com",
    ] {
        w.standalone(&["-d", name]).ok();
    }
    // A fullchain that is not cert + chain (the certificate alone).
    let archive = w.config_dir().join("archive/mixed.example.com");
    fs::copy(archive.join("cert1.pem"), archive.join("fullchain1.pem")).unwrap();
    // A conf that cannot be read.
    fs::write(w.conf_path("unread.example.com"), "[renewalparams\n").unwrap();

    let run = w.certsmith(&["certificates"]).ok();
    assert!(
        run.stdout.contains("Certificate Name: good.example.com"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("Certificate Name: mixed.example.com")
            && !run.stdout.contains("Certificate Name: unread.example.com"),
        "{}",
        run.stdout
    );
    let invalid = format!(
        "\nThe following renewal configurations were invalid:\n  {}\n  {}\n",
        w.conf_path("mixed.example.com").display(),
        w.conf_path("unread.example.com").display()
    );
    assert!(run.stdout.ends_with(&invalid), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("fullchain does not match cert + chain for mixed.example.com!"),
        "{}",
        run.stderr
    );
}
