use super::*;
use crate::x509::Issued;
use std::os::unix::fs::PermissionsExt;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("certsmith-lineage-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

fn issued(tag: &str) -> Issued {
    Issued {
        cert_pem: format!("CERT {tag}\n"),
        chain_pem: format!("CHAIN {tag}\n"),
        fullchain_pem: format!("CERT {tag}\nCHAIN {tag}\n"),
        key_pem: Some(format!("KEY {tag}\n")),
        names: vec!["a.example".into()],
    }
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn new_lineage_has_certbots_layout() {
    let dir = scratch("layout");
    let mut params = RenewalParams::default();
    params
        .set("authenticator", "standalone")
        .set("server", "https://ca/dir");
    let lineage = Lineage::save_new(&dir, "a.example", &issued("1"), &params).unwrap();
    for kind in KINDS {
        let link = dir.join("live/a.example").join(format!("{kind}.pem"));
        assert_eq!(
            fs::read_link(&link).unwrap(),
            Path::new(&format!("../../archive/a.example/{kind}1.pem"))
        );
    }
    assert_eq!(
        fs::read_to_string(dir.join("live/a.example/privkey.pem")).unwrap(),
        "KEY 1\n"
    );
    assert_eq!(mode(&dir.join("archive/a.example/privkey1.pem")), 0o600);
    assert_eq!(mode(&dir.join("archive/a.example/cert1.pem")), 0o644);
    assert_eq!(mode(&dir.join("archive")), 0o700);
    assert_eq!(mode(&dir.join("live")), 0o700);
    assert_eq!(mode(&dir.join("live/a.example")), 0o755);
    assert!(dir.join("live/a.example/README").is_file());
    assert!(dir.join("renewal-hooks/deploy").is_dir());
    let conf = fs::read_to_string(dir.join("renewal/a.example.conf")).unwrap();
    let expected_paths = format!(
        "archive_dir = {d}/archive/a.example\ncert = {d}/live/a.example/cert.pem\nprivkey = {d}/live/a.example/privkey.pem\n\
         chain = {d}/live/a.example/chain.pem\nfullchain = {d}/live/a.example/fullchain.pem\n\n[renewalparams]\n\
         authenticator = standalone\nserver = https://ca/dir\n",
        d = dir.display()
    );
    assert!(conf.contains(&expected_paths), "{conf}");
    assert_eq!(lineage.current_version().unwrap(), 1);
}

#[test]
fn clashing_names_get_a_suffix_and_bad_names_are_refused() {
    let dir = scratch("names");
    Lineage::save_new(&dir, "a.example", &issued("1"), &RenewalParams::default()).unwrap();
    assert_eq!(available_name(&dir, "a.example"), "a.example-0001");
    assert_eq!(available_name(&dir, "b.example"), "b.example");
    assert!(Lineage::save_new(&dir, "a.example", &issued("2"), &RenewalParams::default()).is_err());
    for bad in ["../x", "a/b", "..", ".", "", ".hidden", "a\nb"] {
        assert!(validate_name(bad).is_err(), "{bad:?}");
        assert!(Lineage::save_new(&dir, bad, &issued("1"), &RenewalParams::default()).is_err());
    }
    assert!(!dir.join("x").exists());
    assert_eq!(list(&dir).unwrap(), vec!["a.example"]);
}

#[test]
fn renewal_adds_a_version_and_switches_links() {
    let dir = scratch("renew");
    let mut params = RenewalParams::default();
    params
        .set("authenticator", "standalone")
        .set("unknown_future_key", "kept");
    let mut lineage = Lineage::save_new(&dir, "a.example", &issued("1"), &params).unwrap();
    let mut update = RenewalParams::default();
    update.set("authenticator", "webroot");
    update.webroot_map = Some(vec![("a.example".into(), "/var/www".into())]);
    assert_eq!(lineage.save_renewal(&issued("2"), &update).unwrap(), 2);
    assert_eq!(lineage.current_version().unwrap(), 2);
    assert_eq!(
        fs::read_to_string(dir.join("live/a.example/fullchain.pem")).unwrap(),
        "CERT 2\nCHAIN 2\n"
    );
    assert_eq!(
        fs::read_to_string(dir.join("archive/a.example/cert1.pem")).unwrap(),
        "CERT 1\n"
    );
    let reloaded = Lineage::load(&dir, "a.example").unwrap();
    assert_eq!(
        reloaded.conf.get(PARAMS, "authenticator").as_deref(),
        Some("webroot")
    );
    assert_eq!(
        reloaded.conf.get(PARAMS, "unknown_future_key").as_deref(),
        Some("kept")
    );
    assert_eq!(
        reloaded.conf.entries(WEBROOT_MAP),
        vec![("a.example".to_string(), "/var/www".to_string())]
    );
}

#[test]
fn delete_removes_everything_of_the_lineage_only() {
    let dir = scratch("delete");
    Lineage::save_new(&dir, "a.example", &issued("1"), &RenewalParams::default()).unwrap();
    Lineage::save_new(&dir, "b.example", &issued("1"), &RenewalParams::default()).unwrap();
    Lineage::load(&dir, "a.example").unwrap().delete().unwrap();
    assert!(!dir.join("live/a.example").exists());
    assert!(!dir.join("archive/a.example").exists());
    assert!(!dir.join("renewal/a.example.conf").exists());
    assert_eq!(list(&dir).unwrap(), vec!["b.example"]);
}

#[test]
fn malformed_conf_is_a_positioned_error() {
    let dir = scratch("corrupt");
    Lineage::save_new(&dir, "a.example", &issued("1"), &RenewalParams::default()).unwrap();
    fs::write(
        dir.join("renewal/a.example.conf"),
        "cert = /x\nnonsense line\n",
    )
    .unwrap();
    let err = Lineage::load(&dir, "a.example").unwrap_err().to_string();
    assert!(err.contains("a.example.conf: line 2:"), "{err}");
    fs::write(dir.join("renewal/a.example.conf"), "cert = /x\n").unwrap();
    let err = Lineage::load(&dir, "a.example").unwrap_err().to_string();
    assert!(err.contains("missing `chain = PATH`"), "{err}");
}

#[test]
fn failed_save_leaves_nothing_behind() {
    let dir = scratch("failure");
    fs::create_dir_all(dir.join("renewal")).unwrap();
    // A directory where the conf file should go makes the last step fail.
    fs::create_dir_all(dir.join("renewal/a.example.conf.d")).unwrap();
    let mut bad = issued("1");
    bad.key_pem = None;
    assert!(Lineage::save_new(&dir, "a.example", &bad, &RenewalParams::default()).is_err());
    assert!(!dir.join("archive/a.example").exists());
    assert!(!dir.join("live/a.example").exists());
}

#[test]
fn broken_links_are_named() {
    let dir = scratch("links");
    let lineage =
        Lineage::save_new(&dir, "l.example", &issued("1"), &RenewalParams::default()).unwrap();
    assert_eq!(lineage.check_links().unwrap(), 1);
    fs::remove_file(dir.join("archive/l.example/chain1.pem")).unwrap();
    let err = lineage.check_links().unwrap_err().to_string();
    assert!(
        err.contains("live/l.example/chain.pem: broken link") && err.contains("chain1.pem"),
        "{err}"
    );
    fs::write(dir.join("archive/l.example/chain1.pem"), "x").unwrap();
    fs::remove_file(dir.join("live/l.example/cert.pem")).unwrap();
    fs::write(dir.join("live/l.example/cert.pem"), "plain file").unwrap();
    let err = lineage.check_links().unwrap_err().to_string();
    assert!(err.contains("is not a symlink"), "{err}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_renewed_key_keeps_the_group_bits_of_the_previous_one() {
    // Certbot's rule: 0600 plus the previous key's group rwx and other r bits.
    assert_eq!(private_key_mode(0o600), 0o600);
    assert_eq!(private_key_mode(0o640), 0o640);
    assert_eq!(private_key_mode(0o777), 0o674);
    assert_eq!(private_key_mode(0o400), 0o600);
    let dir = scratch("keymode");
    let mut lineage =
        Lineage::save_new(&dir, "a.example", &issued("1"), &RenewalParams::default()).unwrap();
    let key1 = dir.join("archive/a.example/privkey1.pem");
    assert_eq!(mode(&key1), 0o600);
    fs::set_permissions(&key1, fs::Permissions::from_mode(0o644)).unwrap();
    lineage
        .save_renewal(&issued("2"), &RenewalParams::default())
        .unwrap();
    assert_eq!(mode(&dir.join("archive/a.example/privkey2.pem")), 0o644);
    let _ = fs::remove_dir_all(&dir);
}
