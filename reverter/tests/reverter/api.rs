//! The public API: transactions, checkpoints, rollback, recovery reports.

use super::support::{Scratch, diff, is_root, snapshot};
use reverter::{Error, Interrupted, Kind, Node, Reverter, UndoAction, inspect};
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

fn file(path: &Path, content: &str, mode: u32) {
    fs::write(path, content).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn checkpoints_are_listed_newest_first_and_rolled_back_byte_for_byte() {
    let s = Scratch::new("api-checkpoints");
    let live = s.join("live");
    fs::create_dir_all(live.join("sites")).unwrap();
    file(&live.join("default"), "server { listen 80; }\n", 0o640);
    if is_root() {
        std::os::unix::fs::chown(live.join("default"), Some(33), Some(4)).unwrap();
    }
    std::os::unix::fs::symlink("../default", live.join("sites/enabled")).unwrap();
    let original = snapshot(&live);

    let mut r = Reverter::open(s.join("work")).unwrap();
    let mut tx = r
        .begin(Kind::Permanent, "Deployed certificate for example.com")
        .unwrap();
    assert!(
        tx.write(live.join("sites/enabled"), b"server { listen 443 ssl; }\n")
            .unwrap()
    );
    tx.create(
        live.join("snippets/ssl.conf"),
        b"ssl_protocols TLSv1.3;\n",
        0o600,
    )
    .unwrap();
    tx.record(UndoAction::ModuleEnabled {
        server: "apache".into(),
        module: "ssl".into(),
    })
    .unwrap();
    let first = tx.commit().unwrap().expect("a checkpoint");
    assert_eq!(first.id, 1);
    let after_first = snapshot(&live);
    assert!(
        fs::symlink_metadata(live.join("sites/enabled"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let meta = fs::metadata(live.join("default")).unwrap();
    assert_eq!(meta.mode() & 0o7777, 0o640, "mode kept on write");

    let mut tx = r
        .begin(Kind::Permanent, "Added HSTS to example.com")
        .unwrap();
    tx.write(
        live.join("default"),
        b"server { listen 443 ssl; add_header HSTS; }\n",
    )
    .unwrap();
    tx.delete(live.join("snippets/ssl.conf")).unwrap();
    tx.symlink(live.join("sites/enabled"), "/nowhere").unwrap();
    tx.record(UndoAction::Note("HSTS header added".into()))
        .unwrap();
    tx.commit().unwrap().expect("a checkpoint");

    let list = r.checkpoints().unwrap();
    let titles: Vec<_> = list.iter().map(|c| (c.id, c.title.as_str())).collect();
    assert_eq!(
        titles,
        [
            (2, "Added HSTS to example.com"),
            (1, "Deployed certificate for example.com")
        ]
    );
    let verbs: Vec<_> = list[1]
        .changes
        .iter()
        .map(|c| (c.verb(), c.path.file_name().unwrap().to_owned()))
        .collect();
    assert_eq!(
        verbs,
        [
            ("modified", "default".into()),
            ("created", "snippets".into()),
            ("created", "ssl.conf".into())
        ]
    );
    assert_eq!(list[0].changes[1].after, Node::Absent);
    assert_eq!(
        list[0].changes[2].verb(),
        "modified",
        "a link changed target"
    );
    let shown = list[1].to_string();
    assert!(
        shown.contains("Deployed certificate for example.com") && shown.contains("created"),
        "{shown}"
    );

    let undone = r.rollback(1).unwrap();
    assert_eq!(undone.len(), 1);
    assert_eq!(undone[0].id, Some(2));
    assert_eq!(
        undone[0].actions,
        [UndoAction::Note("HSTS header added".into())]
    );
    assert_eq!(diff(&after_first, &snapshot(&live)), Vec::<String>::new());

    let undone = r.rollback(5).unwrap();
    assert_eq!(undone.len(), 1, "only one was left");
    let s1 = &undone[0];
    assert_eq!(
        s1.restored,
        [fs::canonicalize(&live).unwrap().join("default")]
    );
    assert!(s1.removed[0].ends_with("snippets/ssl.conf"));
    assert!(s1.removed_dirs[0].ends_with("snippets"));
    assert_eq!(s1.actions[0].undone(), "disabled apache module ssl");
    assert_eq!(s1.changed_files().count(), 2);
    let text = s1.to_string();
    assert!(
        text.contains("restored") && text.contains("disabled apache module ssl"),
        "{text}"
    );
    assert_eq!(diff(&original, &snapshot(&live)), Vec::<String>::new());
    assert!(r.checkpoints().unwrap().is_empty());
    assert!(r.rollback(1).unwrap().is_empty());
}

#[test]
fn temporary_transactions_cannot_be_committed_and_are_rolled_back() {
    let s = Scratch::new("api-temporary");
    let live = s.join("live");
    fs::create_dir_all(&live).unwrap();
    fs::write(live.join("a"), "a").unwrap();
    let before = snapshot(&live);
    let mut r = Reverter::open(s.join("work")).unwrap();
    let mut tx = r
        .begin(Kind::Temporary, "http-01 challenge for example.com")
        .unwrap();
    tx.write(live.join("a"), b"challenge").unwrap();
    tx.create(live.join("well-known/token"), b"key-auth", 0o644)
        .unwrap();
    let err = tx.commit().unwrap_err();
    assert!(matches!(err, Error::TemporaryCommit { .. }), "{err}");
    assert_eq!(diff(&before, &snapshot(&live)), Vec::<String>::new());
    assert!(r.checkpoints().unwrap().is_empty());
}

#[test]
fn dropping_a_transaction_rolls_it_back() {
    let s = Scratch::new("api-drop");
    let live = s.join("live");
    fs::create_dir_all(&live).unwrap();
    fs::write(live.join("a"), "a").unwrap();
    let before = snapshot(&live);
    let mut r = Reverter::open(s.join("work")).unwrap();
    {
        let mut tx = r.begin(Kind::Permanent, "dropped").unwrap();
        tx.write(live.join("a"), b"changed").unwrap();
        tx.create_dir(live.join("d/e"), 0o750).unwrap();
        tx.create(live.join("d/e/f"), b"f", 0o644).unwrap();
    }
    assert_eq!(diff(&before, &snapshot(&live)), Vec::<String>::new());
    assert!(!s.join("work/reverter/in-progress").exists());
}

#[test]
fn write_creates_missing_files_with_the_mode_given_and_keeps_existing_modes() {
    let s = Scratch::new("api-write-mode");
    file(&s.join("kept"), "x", 0o604);
    let mut r = Reverter::open(s.join("work")).unwrap();
    let mut tx = r.begin(Kind::Permanent, "modes").unwrap();
    tx.write_with_mode(s.join("key.pem"), b"secret", reverter::NewFileMode(0o600))
        .unwrap();
    tx.write_with_mode(s.join("kept"), b"y", reverter::NewFileMode(0o600))
        .unwrap();
    tx.write(s.join("plain"), b"z").unwrap();
    let mode = |name: &str| fs::metadata(s.join(name)).unwrap().mode() & 0o7777;
    assert_eq!(
        (mode("key.pem"), mode("kept"), mode("plain")),
        (0o600, 0o604, 0o644)
    );
    drop(tx);
    assert!(!s.join("key.pem").exists() && !s.join("plain").exists());
}

#[test]
fn identical_content_records_nothing_and_makes_no_checkpoint() {
    let s = Scratch::new("api-same");
    fs::write(s.join("a"), "same").unwrap();
    let mut r = Reverter::open(s.join("work")).unwrap();
    let mut tx = r.begin(Kind::Permanent, "no-op").unwrap();
    assert!(!tx.write(s.join("a"), b"same").unwrap());
    assert!(!tx.delete(s.join("absent")).unwrap());
    assert!(tx.paths().is_empty());
    assert_eq!(tx.commit().unwrap(), None);
    assert!(r.checkpoints().unwrap().is_empty());
}

#[test]
fn rolled_back_keeping_actions_the_files_are_back_and_the_actions_stay_pending() {
    let s = Scratch::new("api-keep-actions");
    let live = s.join("live");
    fs::create_dir_all(&live).unwrap();
    fs::write(live.join("nginx.conf"), "events {}\n").unwrap();
    let before = snapshot(&live);
    let reload = UndoAction::ReloadServer {
        server: "nginx".into(),
        config: live.join("nginx.conf"),
    };
    let mut owner = Reverter::open(s.join("work")).unwrap();
    let mut tx = owner.begin(Kind::Temporary, "challenge").unwrap();
    tx.record(reload.clone()).unwrap();
    tx.write(live.join("nginx.conf"), b"events {}\nhttp {}\n")
        .unwrap();
    tx.create(live.join("extra.conf"), b"x", 0o644).unwrap();
    let (undone, r) = tx.rollback_keep_actions("challenge undone, reload owed");
    let undone = undone.unwrap();
    assert_eq!(undone.restored.len() + undone.removed.len(), 2);
    assert_eq!(diff(&before, &snapshot(&live)), Vec::<String>::new());
    // Pending: it blocks every other transaction until it is recovered, and a
    // recovery only reports the action.
    let err = r.begin(Kind::Permanent, "next").unwrap_err();
    assert!(matches!(err, Error::TransactionInProgress { .. }), "{err}");
    let recovered = r.recover().unwrap().expect("the pending actions");
    assert_eq!(recovered.interrupted, Interrupted::Temporary);
    assert_eq!(recovered.summary.title, "challenge undone, reload owed");
    assert_eq!(recovered.summary.actions, vec![reload.clone()]);
    assert!(recovered.summary.restored.is_empty() && recovered.summary.removed.is_empty());
    assert!(r.recover().unwrap().is_none(), "recovered once only");
    drop(r.begin(Kind::Permanent, "next").unwrap());

    // Kept, then the process ends: the next start reports the action.
    let mut tx = owner.begin(Kind::Temporary, "challenge").unwrap();
    tx.record(reload.clone()).unwrap();
    tx.write(live.join("nginx.conf"), b"changed\n").unwrap();
    tx.rollback_keep_actions("owed").0.unwrap();
    drop(owner);
    assert_eq!(diff(&before, &snapshot(&live)), Vec::<String>::new());
    let reopened = Reverter::open(s.join("work")).unwrap();
    let recovery = reopened.recovery().expect("recovered at start");
    assert_eq!(recovery.summary.actions, vec![reload]);
    assert_eq!(diff(&before, &snapshot(&live)), Vec::<String>::new());
}

#[test]
fn a_crash_is_recovered_at_open_and_reported() {
    let s = Scratch::new("api-recover");
    let live = s.join("live");
    fs::create_dir_all(&live).unwrap();
    fs::write(live.join("a"), "a").unwrap();
    let before = snapshot(&live);
    for kind in [Kind::Permanent, Kind::Temporary] {
        let mut r = Reverter::open(s.join("work")).unwrap();
        assert!(r.recovery().is_none());
        let mut tx = r.begin(kind, "interrupted edit").unwrap();
        tx.write(live.join("a"), b"half done").unwrap();
        tx.create(live.join("b"), b"b", 0o644).unwrap();
        std::mem::forget(tx); // what a kill leaves behind
        let err = r.begin(Kind::Permanent, "second").unwrap_err();
        assert!(matches!(err, Error::TransactionInProgress { .. }), "{err}");
        drop(r);

        let status = inspect(s.join("work")).unwrap();
        let pending = status.pending.expect("pending transaction");
        assert_eq!(pending.title, "interrupted edit");
        assert_eq!(
            fs::read(live.join("a")).unwrap(),
            b"half done",
            "inspect changes nothing"
        );

        let r = Reverter::open(s.join("work")).unwrap();
        let recovery = r.recovery().expect("recovered").clone();
        let expected = match kind {
            Kind::Permanent => Interrupted::Transaction,
            Kind::Temporary => Interrupted::Temporary,
        };
        assert_eq!(recovery.interrupted, expected);
        assert_eq!(recovery.summary.restored.len(), 1);
        assert_eq!(recovery.summary.removed.len(), 1);
        let text = recovery.to_string();
        assert!(
            text.contains("recovered") && text.contains("\"interrupted edit\""),
            "{text}"
        );
        assert_eq!(diff(&before, &snapshot(&live)), Vec::<String>::new());
    }
}

#[test]
fn relative_paths_are_recorded_absolute() {
    let s = Scratch::new("api-relative");
    fs::write(s.join("a"), "a").unwrap();
    let mut r = Reverter::open(s.join("work")).unwrap();
    let mut tx = r.begin(Kind::Permanent, "relative").unwrap();
    let cwd = std::env::current_dir().unwrap();
    let relative = pathdiff(&s.join("a"), &cwd);
    tx.write(&relative, b"b").unwrap();
    assert_eq!(tx.paths(), [fs::canonicalize(s.join("a")).unwrap()]);
    drop(tx);
    assert_eq!(fs::read(s.join("a")).unwrap(), b"a");
}

/// `target` relative to `base` (both absolute).
fn pathdiff(target: &Path, base: &Path) -> std::path::PathBuf {
    let mut up = std::path::PathBuf::new();
    for _ in base.components().skip(1) {
        up.push("..");
    }
    up.join(target.strip_prefix("/").unwrap())
}
