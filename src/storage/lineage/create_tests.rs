//! A new lineage appears whole or not at all; what a kill leaves is
//! recovered; what cannot be saved is refused before anything is written.

use super::create::{STEP_COUNT, save_new_killed_after};
use super::*;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("certsmith-create-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

fn issued(tag: &str) -> crate::x509::Issued {
    crate::x509::Issued {
        cert_pem: format!("CERT {tag}\n"),
        chain_pem: format!("CHAIN {tag}\n"),
        fullchain_pem: format!("CERT {tag}\nCHAIN {tag}\n"),
        key_pem: Some(format!("KEY {tag}\n")),
        names: vec!["a.example".into()],
    }
}

/// Every entry of `archive/`, `live/` and `renewal/` (READMEs aside).
fn entries(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["archive", "live", "renewal"] {
        for e in fs::read_dir(dir.join(sub)).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name != "README" {
                out.push(format!("{sub}/{name}"));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_kill_at_any_step_of_a_new_lineage_is_recovered_and_the_retry_gets_its_name() {
    for steps in 0..STEP_COUNT {
        let dir = scratch(&format!("kill{steps}"));
        save_new_killed_after(
            &dir,
            "a.example",
            &issued("1"),
            &RenewalParams::default(),
            steps,
        )
        .unwrap();
        assert!(list(&dir).unwrap().is_empty(), "after {steps} steps");
        let recovered = recover_interrupted(&dir).unwrap();
        assert_eq!(
            recovered.len(),
            usize::from(steps > 0),
            "after {steps} steps"
        );
        assert!(
            entries(&dir).is_empty(),
            "after {steps}: {:?}",
            entries(&dir)
        );
        check_new_lineage(&dir, "a.example").unwrap();
        assert_eq!(available_name(&dir, "a.example"), "a.example");
        let lineage =
            Lineage::save_new(&dir, "a.example", &issued("2"), &RenewalParams::default()).unwrap();
        assert_eq!(lineage.check_links().unwrap(), 1);
        assert_eq!(lineage.read("privkey").unwrap(), "KEY 2\n");
        assert_eq!(
            entries(&dir),
            [
                "archive/a.example",
                "live/a.example",
                "renewal/a.example.conf"
            ]
        );
        let _ = fs::remove_dir_all(&dir);
    }
}

#[test]
fn the_conf_appears_last_and_a_committed_lineage_is_never_recovered_away() {
    let dir = scratch("commit");
    let params = RenewalParams::default();
    save_new_killed_after(&dir, "a.example", &issued("1"), &params, STEP_COUNT - 1).unwrap();
    assert!(dir.join("live/a.example").is_dir() && dir.join("archive/a.example").is_dir());
    assert!(!dir.join("renewal/a.example.conf").exists());
    recover_interrupted(&dir).unwrap();
    // All steps: committed; recovery finds nothing to do.
    save_new_killed_after(&dir, "a.example", &issued("1"), &params, STEP_COUNT).unwrap();
    assert!(recover_interrupted(&dir).unwrap().is_empty());
    assert_eq!(
        Lineage::load(&dir, "a.example")
            .unwrap()
            .check_links()
            .unwrap(),
        1
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn an_orphan_no_save_of_ours_left_is_named_not_removed_nor_skipped() {
    let dir = scratch("orphan");
    fs::create_dir_all(dir.join("archive/a.example")).unwrap();
    fs::write(dir.join("archive/a.example/cert1.pem"), "x").unwrap();
    assert!(recover_interrupted(&dir).unwrap().is_empty());
    assert_eq!(available_name(&dir, "a.example"), "a.example");
    let err = check_new_lineage(&dir, "a.example")
        .unwrap_err()
        .to_string();
    let path = dir.join("archive/a.example");
    assert!(
        err.starts_with(&format!("{} exists, but ", path.display())),
        "{err}"
    );
    assert!(err.contains("renewal/a.example.conf does not"), "{err}");
    assert!(dir.join("archive/a.example/cert1.pem").exists());
    // An empty directory is reused, as Certbot does.
    fs::remove_file(dir.join("archive/a.example/cert1.pem")).unwrap();
    fs::create_dir_all(dir.join("live/a.example")).unwrap();
    check_new_lineage(&dir, "a.example").unwrap();
    assert!(entries(&dir).is_empty(), "{:?}", entries(&dir));
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_name_too_long_for_the_file_system_is_refused_and_nothing_is_written() {
    let dir = scratch("long");
    let err = check_name_fits(&dir, &"a".repeat(300)).unwrap_err();
    assert!(
        matches!(
            err,
            NewLineageError::NameTooLong {
                len: 300,
                max: 245,
                name_max: 255,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("at most 245 fit"), "{err}");
    check_name_fits(&dir, &"a".repeat(245)).unwrap();
    assert!(!dir.exists());
    // The longest name that fits is saved whole.
    let name = "b".repeat(245);
    Lineage::save_new(&dir, &name, &issued("1"), &RenewalParams::default()).unwrap();
    assert_eq!(list(&dir).unwrap(), vec![name]);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn with_live_a_symlink_elsewhere_every_link_reaches_its_archive_file() {
    let dir = scratch("symlinked-live");
    let elsewhere = dir.join("elsewhere/certs");
    fs::create_dir_all(&elsewhere).unwrap();
    fs::create_dir_all(dir.join("etc")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.join("etc/live")).unwrap();
    let etc = dir.join("etc");
    check_new_lineage(&etc, "a.example").unwrap();
    let mut lineage =
        Lineage::save_new(&etc, "a.example", &issued("1"), &RenewalParams::default()).unwrap();
    assert_eq!(lineage.check_links().unwrap(), 1);
    assert_eq!(lineage.read("privkey").unwrap(), "KEY 1\n");
    assert_eq!(
        fs::read_link(elsewhere.join("a.example/cert.pem")).unwrap(),
        etc.join("archive/a.example/cert1.pem")
    );
    lineage
        .save_renewal(&issued("2"), &RenewalParams::default())
        .unwrap();
    assert_eq!(lineage.check_links().unwrap(), 2);
    assert_eq!(lineage.read("fullchain").unwrap(), "CERT 2\nCHAIN 2\n");
    assert!(lineage.update_symlinks().unwrap().is_empty());
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_dangling_live_symlink_is_refused_before_the_order() {
    let dir = scratch("dangling-live");
    fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(dir.join("nowhere"), dir.join("live")).unwrap();
    let err = check_new_lineage(&dir, "a.example")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!("{}: is a symlink to ", dir.join("live").display())),
        "{err}"
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_delete_killed_after_withdrawing_the_conf_is_finished_by_recovery() {
    let dir = scratch("delete-killed");
    Lineage::save_new(&dir, "a.example", &issued("1"), &RenewalParams::default()).unwrap();
    // Delete's first step: the conf renamed to the pending name.
    fs::rename(
        dir.join("renewal/a.example.conf"),
        dir.join("renewal/.a.example.conf.new"),
    )
    .unwrap();
    assert!(list(&dir).unwrap().is_empty());
    assert_eq!(recover_interrupted(&dir).unwrap().len(), 1);
    assert!(entries(&dir).is_empty(), "{:?}", entries(&dir));
    // And a whole delete leaves nothing either.
    Lineage::save_new(&dir, "a.example", &issued("2"), &RenewalParams::default()).unwrap();
    Lineage::load(&dir, "a.example").unwrap().delete().unwrap();
    assert!(entries(&dir).is_empty(), "{:?}", entries(&dir));
    let _ = fs::remove_dir_all(&dir);
}
