//! What a crash or a full disk leaves in the config dir, and the next run
//! (issue 17 L7-L10): a new lineage killed at any step is recovered and the
//! retry gets its name; leftovers that are not ours and names that cannot
//! be saved are named before anything is ordered; a half-written account is
//! skipped; `live/` may be a symlink to another directory.

use super::{World, cert_names_and_serial, tree};
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

const KINDS: [&str; 4] = ["cert", "chain", "fullchain", "privkey"];

/// The leftovers of a save of lineage `name` killed after `steps` of its
/// steps (pending conf; archive built; archive renamed into place; live
/// built; live renamed into place), as `storage::lineage::create` makes
/// them.
fn craft_killed_save(etc: &Path, name: &str, steps: usize) {
    for sub in ["archive", "live", "renewal"] {
        fs::create_dir_all(etc.join(sub)).unwrap();
    }
    let conf = format!(
        "version = 0.1.0\narchive_dir = {a}\ncert = {l}/cert.pem\nprivkey = {l}/privkey.pem\nchain = {l}/chain.pem\nfullchain = {l}/fullchain.pem\n\n[renewalparams]\n",
        a = etc.join("archive").join(name).display(),
        l = etc.join("live").join(name).display(),
    );
    fs::write(etc.join(format!("renewal/.{name}.conf.new")), conf).unwrap();
    if steps >= 2 {
        let archive = etc.join("archive").join(format!(".{name}.new"));
        fs::create_dir_all(&archive).unwrap();
        for kind in KINDS {
            fs::write(archive.join(format!("{kind}1.pem")), "unfinished\n").unwrap();
        }
    }
    if steps >= 3 {
        fs::rename(
            etc.join("archive").join(format!(".{name}.new")),
            etc.join("archive").join(name),
        )
        .unwrap();
    }
    if steps >= 4 {
        let live = etc.join("live").join(format!(".{name}.new"));
        fs::create_dir_all(&live).unwrap();
        for kind in KINDS {
            let target = format!("../../archive/{name}/{kind}1.pem");
            symlink(target, live.join(format!("{kind}.pem"))).unwrap();
        }
    }
    if steps >= 5 {
        fs::rename(
            etc.join("live").join(format!(".{name}.new")),
            etc.join("live").join(name),
        )
        .unwrap();
    }
}

#[test]
fn a_new_lineage_killed_at_any_step_is_recovered_and_the_retry_gets_its_name() {
    let w = World::new();
    let etc = w.config_dir();
    for steps in 1..=5 {
        let name = format!("k{steps}.example.com");
        craft_killed_save(&etc, &name, steps);
        let run = w.standalone(&["-d", &name]).ok();
        assert!(
            run.stderr.contains(&format!(
                "removed what an interrupted save or delete of certificate {name:?} left"
            )),
            "after {steps} steps: {}",
            run.stderr
        );
        w.assert_verifies(&name);
        let (names, _) = cert_names_and_serial(&w.live(&name, "cert.pem"));
        assert_eq!(names, std::slice::from_ref(&name));
        assert!(!etc.join(format!("renewal/{name}-0001.conf")).exists());
    }
    let hidden: Vec<String> = tree(&etc)
        .into_iter()
        .filter(|p| p.contains("/.k"))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

#[test]
fn an_orphan_no_save_of_ours_left_is_named_before_the_order() {
    let w = World::new();
    let etc = w.config_dir();
    let orphan = etc.join("archive/o.example.com");
    fs::create_dir_all(&orphan).unwrap();
    fs::write(orphan.join("cert1.pem"), "kept\n").unwrap();
    let run = w.standalone(&["-d", "o.example.com"]).failed();
    let stdout = run.stdout.clone();
    let err = run.one_error_line();
    assert!(
        err.contains(&format!("{} exists, but ", orphan.display()))
            && err.contains("renewal/o.example.com.conf does not")
            && err.contains("choose another with --cert-name")
            && err.ends_with("(nothing was ordered)"),
        "{err}"
    );
    assert!(!stdout.contains("Requesting"), "{stdout}");
    assert!(!etc.join("accounts").exists(), "no account was registered");
    assert_eq!(
        fs::read_to_string(orphan.join("cert1.pem")).unwrap(),
        "kept\n"
    );
    assert!(!etc.join("renewal/o.example.com-0001.conf").exists());
    // Moved away, the name is free again.
    fs::remove_dir_all(&orphan).unwrap();
    w.standalone(&["-d", "o.example.com"]).ok();
    w.assert_verifies("o.example.com");
}

#[test]
fn a_cert_name_too_long_to_save_fails_before_anything_is_written() {
    let w = World::new();
    let long = "n".repeat(300);
    let run = w
        .standalone(&["-d", "a.example.com", "--cert-name", &long])
        .failed();
    let stdout = run.stdout.clone();
    let err = run.one_error_line();
    assert!(
        err.starts_with(
            "certsmith: error: --cert-name: the certificate name is 300 bytes; at most 245 fit"
        ) && err.ends_with("(nothing was ordered)"),
        "{err}"
    );
    assert!(!stdout.contains("Requesting"), "{stdout}");
    assert_eq!(tree(&w.config_dir()), Vec::<String>::new());
}

#[test]
fn a_half_written_account_dir_is_skipped_with_a_warning() {
    let w = World::new();
    let server = format!("127.0.0.1:{}/dir", w.pebble.acme_port);
    let broken = w
        .config_dir()
        .join("accounts")
        .join(&server)
        .join("0123abcd");
    fs::create_dir_all(&broken).unwrap();
    fs::write(broken.join("private_key.json"), "{\"kty\":\"EC\"}").unwrap();
    let run = w.standalone(&["-d", "a.example.com"]).ok();
    assert!(
        run.stderr.contains(&format!(
            "certsmith: warning: skipping an account that cannot be read: {}",
            broken.join("regr.json").display()
        )),
        "{}",
        run.stderr
    );
    w.assert_verifies("a.example.com");
    // Left for the user to look at; the new account is beside it.
    assert!(broken.join("private_key.json").exists());
    let ids = fs::read_dir(broken.parent().unwrap()).unwrap().count();
    assert_eq!(ids, 2);
}

#[test]
fn with_live_a_symlink_elsewhere_issued_and_renewed_links_resolve() {
    let w = World::new();
    let etc = w.config_dir();
    let elsewhere = w.dir.join("srv/live");
    fs::create_dir_all(&elsewhere).unwrap();
    fs::create_dir_all(&etc).unwrap();
    symlink(&elsewhere, etc.join("live")).unwrap();
    w.standalone(&["-d", "a.example.com"]).ok();
    w.assert_verifies("a.example.com");
    let target = fs::read_link(elsewhere.join("a.example.com/cert.pem")).unwrap();
    assert_eq!(target, etc.join("archive/a.example.com/cert1.pem"));
    w.standalone(&["-d", "a.example.com", "--force-renewal"])
        .ok();
    w.assert_verifies("a.example.com");
    let target = fs::read_link(elsewhere.join("a.example.com/privkey.pem")).unwrap();
    assert_eq!(target, etc.join("archive/a.example.com/privkey2.pem"));
    // Certbot reads the lineage as valid too.
    let out = w.certbot(&["certificates"]).ok();
    assert!(
        out.stdout.contains("Certificate Name: a.example.com") && !out.stdout.contains("INVALID"),
        "{}",
        out.stdout
    );
}

#[test]
fn certbot_sees_no_certificate_in_what_a_killed_save_left() {
    let w = World::new();
    craft_killed_save(&w.config_dir(), "c.example.com", 5);
    let out = w.certbot(&["certificates"]).ok();
    assert!(!out.stdout.contains("c.example.com"), "{}", out.stdout);
    w.standalone(&["-d", "c.example.com"]).ok();
    let out = w.certbot(&["certificates"]).ok();
    assert!(
        out.stdout.contains("Certificate Name: c.example.com") && !out.stdout.contains("INVALID"),
        "{}",
        out.stdout
    );
}
