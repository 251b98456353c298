//! Bad input: unwritable targets, full disks, dangling links, damaged
//! manifests and backups. Each gives a clear error naming the path, loses
//! nothing, and leaves the originals restorable.
//!
//! Mounting (tmpfs, read-only remounts) and `chattr` need root, as CI runs;
//! without root those tests fail (they used to pass silently).

use super::support::{Mount, Scratch, Tree, diff, require_root, run, snapshot};
use reverter::{Error, Kind, Reverter};
use std::fs;
use std::path::{Path, PathBuf};

/// Mounting file systems and setting attributes need root.
fn need_root() {
    require_root("it mounts file systems and sets file attributes");
}

fn same(expected: &Tree, dir: &Path) {
    let problems = diff(expected, &snapshot(dir));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn no_transaction_left(work: &Path) {
    assert!(
        !work.join("reverter/in-progress").exists(),
        "in-progress left in {}",
        work.display()
    );
}

#[test]
fn read_only_file_system() {
    need_root();
    let s = Scratch::new("bad-ro");
    let rw = s.join("rw");
    fs::create_dir_all(&rw).unwrap();
    fs::write(rw.join("g.conf"), "g").unwrap();
    let ro = s.join("ro");
    let mount = Mount::tmpfs(&ro, "size=64k");
    fs::write(ro.join("f.conf"), "f").unwrap();
    mount.remount("ro");
    let (before_rw, before_ro) = (snapshot(&rw), snapshot(&ro));

    let mut r = Reverter::open(s.join("work")).unwrap();
    let mut tx = r.begin(Kind::Permanent, "read-only").unwrap();
    tx.write(rw.join("g.conf"), b"changed").unwrap();
    for err in [
        tx.write(ro.join("f.conf"), b"new").unwrap_err(),
        tx.delete(ro.join("f.conf")).unwrap_err(),
        tx.create(ro.join("n.conf"), b"n", 0o644).unwrap_err(),
        tx.symlink(ro.join("l"), "f.conf").unwrap_err(),
    ] {
        let text = err.to_string();
        assert!(matches!(err, Error::Io { .. }), "{text}");
        assert!(
            text.contains(&ro.display().to_string()) && text.contains("Read-only file system"),
            "{text}"
        );
    }
    let summary = tx.rollback().unwrap();
    assert_eq!(summary.restored.len(), 1, "{summary:?}");
    same(&before_rw, &rw);
    same(&before_ro, &ro);
    no_transaction_left(&s.join("work"));
}

/// `chattr -i` on drop, so the scratch dir can go.
struct Immutable(PathBuf);

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .status();
    }
}

#[test]
fn immutable_file() {
    need_root();
    let s = Scratch::new("bad-immutable");
    let live = s.join("live");
    fs::create_dir_all(&live).unwrap();
    fs::write(live.join("f.conf"), "f").unwrap();
    fs::write(live.join("g.conf"), "g").unwrap();
    run(
        "chattr",
        &["+i", &live.join("f.conf").display().to_string()],
    );
    let _guard = Immutable(live.join("f.conf"));
    let before = snapshot(&live);

    let mut r = Reverter::open(s.join("work")).unwrap();
    let mut tx = r.begin(Kind::Permanent, "immutable").unwrap();
    tx.write(live.join("g.conf"), b"changed").unwrap();
    for err in [
        tx.write(live.join("f.conf"), b"new").unwrap_err(),
        tx.delete(live.join("f.conf")).unwrap_err(),
    ] {
        let text = err.to_string();
        assert!(
            text.contains("f.conf") && text.contains("Operation not permitted"),
            "{text}"
        );
    }
    drop(tx);
    same(&before, &live);
    no_transaction_left(&s.join("work"));
}

#[test]
fn directories_and_special_files_are_refused() {
    let s = Scratch::new("bad-kinds");
    let live = s.join("live");
    fs::create_dir_all(live.join("dir")).unwrap();
    fs::write(live.join("file"), "x").unwrap();
    run("mkfifo", &[&live.join("fifo").display().to_string()]);
    std::os::unix::fs::symlink("dir", live.join("to-dir")).unwrap();
    std::os::unix::fs::symlink("loop", live.join("loop")).unwrap();
    let before = snapshot(&live);

    let mut r = Reverter::open(s.join("work")).unwrap();
    let mut tx = r.begin(Kind::Permanent, "kinds").unwrap();
    let refused = |e: Error| match e {
        Error::Unsupported { .. } | Error::AlreadyExists { .. } | Error::SymlinkLoop { .. } => {
            e.to_string()
        }
        other => panic!("unexpected error: {other}"),
    };
    let messages = [
        refused(tx.write(live.join("dir"), b"x").unwrap_err()),
        refused(tx.write(live.join("to-dir"), b"x").unwrap_err()),
        refused(tx.delete(live.join("dir")).unwrap_err()),
        refused(tx.symlink(live.join("dir"), "file").unwrap_err()),
        refused(tx.create(live.join("dir"), b"x", 0o644).unwrap_err()),
        refused(tx.write(live.join("fifo"), b"x").unwrap_err()),
        refused(tx.write(live.join("loop"), b"x").unwrap_err()),
        refused(tx.create_dir(live.join("file"), 0o755).unwrap_err()),
    ];
    assert!(
        messages[0]
            .ends_with("dir: is a directory; only regular files and symbolic links can be changed")
    );
    assert!(
        messages[5].contains("fifo: is a special file"),
        "{}",
        messages[5]
    );
    assert!(
        messages[6].contains("loop: too many levels of symbolic links"),
        "{}",
        messages[6]
    );
    let err = tx
        .write(live.join("file/under-a-file"), b"x")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("file") && err.contains("Not a directory"),
        "{err}"
    );
    assert_eq!(tx.commit().unwrap(), None, "nothing was changed");
    same(&before, &live);
}

#[test]
fn dangling_symbolic_links() {
    let s = Scratch::new("bad-dangling");
    let live = s.join("live");
    fs::create_dir_all(&live).unwrap();
    std::os::unix::fs::symlink("missing.conf", live.join("l1")).unwrap();
    std::os::unix::fs::symlink("l1", live.join("l2")).unwrap();
    let before = snapshot(&live);

    let mut r = Reverter::open(s.join("work")).unwrap();
    let mut tx = r.begin(Kind::Permanent, "dangling").unwrap();
    for link in ["l1", "l2"] {
        let err = tx.write(live.join(link), b"x").unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::DanglingSymlink { .. }), "{text}");
        assert!(
            text.contains(&format!("{link}: is a dangling symbolic link"))
                && text.contains("missing.conf"),
            "{text}"
        );
    }
    assert!(
        !live.join("missing.conf").exists(),
        "nothing created through the link"
    );
    // The link itself can be deleted or replaced, and comes back on rollback.
    assert!(tx.delete(live.join("l1")).unwrap());
    assert!(tx.symlink(live.join("l2"), "elsewhere").unwrap());
    tx.commit().unwrap();
    r.rollback(1).unwrap();
    same(&before, &live);
}

#[test]
fn full_target_file_system() {
    need_root();
    let s = Scratch::new("bad-full-target");
    let full = s.join("full");
    let _mount = Mount::tmpfs(&full, "size=64k");
    fs::write(full.join("small.conf"), "small").unwrap();
    fs::write(full.join("big.conf"), vec![b'b'; 1000]).unwrap();
    let before = snapshot(&full);

    let mut r = Reverter::open(s.join("work")).unwrap();
    let mut tx = r.begin(Kind::Permanent, "full disk").unwrap();
    tx.write(full.join("small.conf"), &[b's'; 2000]).unwrap();
    let err = tx
        .write(full.join("big.conf"), &vec![b'B'; 200_000])
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("big.conf: write: No space left on device"),
        "{text}"
    );
    let temps: Vec<_> = snapshot(&full)
        .into_keys()
        .filter(|p| p.to_string_lossy().contains("certsmith-tmp"))
        .collect();
    assert!(temps.is_empty(), "temp files left: {temps:?}");
    assert_eq!(
        fs::read(full.join("big.conf")).unwrap(),
        vec![b'b'; 1000],
        "old content intact"
    );
    tx.rollback().unwrap();
    same(&before, &full);
}

#[test]
fn full_work_dir_at_every_amount_of_free_space() {
    need_root();
    let s = Scratch::new("bad-full-work");
    let live = s.join("live");
    fs::create_dir_all(&live).unwrap();
    for (name, size) in [("a.conf", 100), ("b.conf", 5000), ("c.conf", 9000)] {
        fs::write(live.join(name), vec![b'o'; size]).unwrap();
    }
    let before = snapshot(&live);
    let work = s.join("work");
    let _mount = Mount::tmpfs(&work, "size=64k");
    let mut outcomes = Vec::new();
    // Leave 0, 1, 2 ... 16 pages free: the transaction runs out of space at
    // each of its steps in turn (directories, manifest copies, backups).
    for free_pages in 0..=16usize {
        let filler = work.join("filler");
        let _ = fs::remove_file(&filler);
        fs::write(&filler, vec![0u8; (16 - free_pages) * 4096]).unwrap_or_default();
        let result = (|| -> Result<(), Error> {
            let mut r = Reverter::open(&work)?;
            let mut tx = r.begin(Kind::Permanent, "needs space")?;
            for name in ["a.conf", "b.conf", "c.conf"] {
                tx.write(live.join(name), b"new")?;
            }
            tx.commit()?;
            Ok(())
        })();
        let _ = fs::remove_file(&filler);
        match &result {
            Ok(()) => {
                let mut r = Reverter::open(&work).unwrap();
                r.rollback(1).unwrap();
            }
            Err(e) => {
                let text = e.to_string();
                eprintln!("{free_pages} pages free: {text}");
                assert!(
                    text.contains("No space left on device") && text.contains('/'),
                    "{text}"
                );
                // With space back, whatever remains is recovered.
                drop(Reverter::open(&work).unwrap());
            }
        }
        outcomes.push(result.is_ok());
        same(&before, &live);
        no_transaction_left(&work);
    }
    assert!(
        outcomes.contains(&false) && outcomes.contains(&true),
        "{outcomes:?}"
    );
}

/// A transaction applied and interrupted (as by a kill), for the damage
/// tests: returns (live dir, work dir, tree before).
fn interrupted(s: &Scratch) -> (PathBuf, PathBuf, Tree) {
    let live = s.join("live");
    fs::create_dir_all(&live).unwrap();
    fs::write(live.join("a.conf"), "a original").unwrap();
    fs::write(live.join("b.conf"), "b original").unwrap();
    let before = snapshot(&live);
    let work = s.join("work");
    let mut r = Reverter::open(&work).unwrap();
    let mut tx = r.begin(Kind::Permanent, "interrupted").unwrap();
    tx.write(live.join("a.conf"), b"a new").unwrap();
    tx.write(live.join("b.conf"), b"b new").unwrap();
    tx.create(live.join("c.conf"), b"c new", 0o644).unwrap();
    std::mem::forget(tx);
    (live, work, before)
}

fn manifests(dir: &Path) -> [PathBuf; 2] {
    [dir.join("manifest"), dir.join("manifest.mirror")]
}

#[test]
fn truncated_manifest_is_recovered_from_its_mirror() {
    let s = Scratch::new("bad-truncated");
    let (live, work, before) = interrupted(&s);
    let [main, _] = manifests(&work.join("reverter/in-progress"));
    let bytes = fs::read(&main).unwrap();
    fs::write(&main, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let r = Reverter::open(&work).unwrap();
    let notes = &r.recovery().expect("recovered").summary.notes;
    assert!(
        notes
            .iter()
            .any(|n| n.contains("truncated") && n.contains("mirror")),
        "{notes:?}"
    );
    same(&before, &live);
}

#[test]
fn corrupt_manifests_stop_recovery_and_lose_nothing() {
    let s = Scratch::new("bad-corrupt");
    let (live, work, before) = interrupted(&s);
    let dir = work.join("reverter/in-progress");
    let during = snapshot(&live);
    let saved: Vec<Vec<u8>> = manifests(&dir)
        .iter()
        .map(|p| fs::read(p).unwrap())
        .collect();
    let backups: Tree = snapshot(&dir)
        .into_iter()
        .filter(|(p, _)| p.to_string_lossy().starts_with("backup."))
        .collect();
    assert_eq!(backups.len(), 2);
    for (i, path) in manifests(&dir).iter().enumerate() {
        let mut damaged = saved[i].clone();
        let at = damaged.len() / 2;
        damaged[at] ^= 0x04;
        fs::write(path, damaged).unwrap();
    }
    let err = Reverter::open(&work).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::CorruptManifest { .. }), "{text}");
    assert!(
        text.starts_with(&format!(
            "{}:",
            fs::canonicalize(&dir).unwrap().join("manifest").display()
        )),
        "{text}"
    );
    assert!(reverter::inspect(&work).is_err(), "listing reports it too");
    same(&during, &live); // nothing half-restored
    for (name, item) in &backups {
        assert_eq!(
            snapshot(&dir).get(name),
            Some(item),
            "{} kept as it was",
            name.display()
        );
    }

    // The originals are all still there: with a good manifest back, the
    // next start restores every file.
    for (path, bytes) in manifests(&dir).iter().zip(&saved) {
        fs::write(path, bytes).unwrap();
    }
    assert!(Reverter::open(&work).unwrap().recovery().is_some());
    same(&before, &live);
}

#[test]
fn corrupt_checkpoint_manifest_stops_rollback() {
    let s = Scratch::new("bad-checkpoint");
    let live = s.join("live");
    fs::create_dir_all(&live).unwrap();
    fs::write(live.join("a.conf"), "a").unwrap();
    let before = snapshot(&live);
    let mut r = Reverter::open(s.join("work")).unwrap();
    let mut tx = r.begin(Kind::Permanent, "to damage").unwrap();
    tx.write(live.join("a.conf"), b"b").unwrap();
    let checkpoint = tx.commit().unwrap().unwrap();
    let after = snapshot(&live);
    let saved: Vec<Vec<u8>> = manifests(&checkpoint.dir)
        .iter()
        .map(|p| fs::read(p).unwrap())
        .collect();
    for path in manifests(&checkpoint.dir) {
        fs::write(&path, b"certsmith-reverter-manifest 1\nkind perm").unwrap();
    }
    let err = r.rollback(1).unwrap_err().to_string();
    assert!(
        err.contains("manifest:2: corrupt manifest: truncated"),
        "{err}"
    );
    assert!(r.checkpoints().is_err());
    same(&after, &live);
    assert!(checkpoint.dir.exists(), "the checkpoint stays where it was");
    for (path, bytes) in manifests(&checkpoint.dir).iter().zip(&saved) {
        fs::write(path, bytes).unwrap();
    }
    r.rollback(1).unwrap();
    same(&before, &live);
}

#[test]
fn corrupt_backup_is_not_restored_and_is_kept() {
    let s = Scratch::new("bad-backup");
    let (live, work, before) = interrupted(&s);
    let dir = work.join("reverter/in-progress");
    let backup = dir.join("backup.0");
    let good = fs::read(&backup).unwrap();
    fs::write(&backup, b"a origina!").unwrap();
    let err = Reverter::open(&work).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Incomplete { .. }), "{text}");
    assert!(
        text.contains("backup.0: the backup of") && text.contains("a.conf"),
        "{text}"
    );
    assert_eq!(
        fs::read(live.join("a.conf")).unwrap(),
        b"a new",
        "not overwritten with a bad backup"
    );
    assert_eq!(
        fs::read(live.join("b.conf")).unwrap(),
        b"b original",
        "the rest was restored"
    );
    assert!(dir.exists(), "kept for another try");
    fs::write(&backup, good).unwrap();
    assert!(Reverter::open(&work).unwrap().recovery().is_some());
    same(&before, &live);
}

#[test]
fn backups_without_a_manifest_are_left_alone() {
    let s = Scratch::new("bad-orphan");
    let (live, work, _) = interrupted(&s);
    let dir = work.join("reverter/in-progress");
    let during = snapshot(&live);
    for path in manifests(&dir) {
        fs::remove_file(path).unwrap();
    }
    let err = Reverter::open(&work).unwrap_err().to_string();
    assert!(
        err.contains("holds backups (backup.N) but no manifest; nothing was changed"),
        "{err}"
    );
    assert!(dir.join("backup.0").exists());
    same(&during, &live);
}
