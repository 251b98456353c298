//! Property: random writes, creates, deletes, symlinks, directories and
//! notes over random files, across several checkpoints (with dropped and
//! temporary transactions in between); rolling back N checkpoints gives
//! back exactly the tree as it was before them (content, mode, owner,
//! mtime, link targets, no stray files).
//!
//! Deterministic seeds; a failure prints each failing seed, and
//! `REVERTER_SEED=N` replays one (`REVERTER_CASES=N` runs more).

use super::support::{Rng, Scratch, Tree, diff, is_root, snapshot};
use reverter::{Error, Kind, Reverter, Transaction, UndoAction};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Operations applied and refused, over all cases: shows the cases do work.
static APPLIED: AtomicUsize = AtomicUsize::new(0);
static REFUSED: AtomicUsize = AtomicUsize::new(0);
static CHECKPOINTS: AtomicUsize = AtomicUsize::new(0);

const PATHS: &[&str] = &[
    "a.conf",
    "b.conf",
    "sub",
    "sub/c.conf",
    "sub/deep/d.conf",
    "new/x/e.conf",
    "links/l1",
    "links/l2",
    "links/loop",
];
const TARGETS: &[&str] = &[
    "../a.conf",
    "../sub/c.conf",
    "a.conf",
    "missing",
    "../sub",
    "l2",
    "loop",
];
const DIRS: &[&str] = &["newdir", "sub/newdir", "new/x", "a.conf"];
const MODES: &[u32] = &[0o600, 0o640, 0o644, 0o755, 0o4750];
const OWNERS: &[u32] = &[0, 1000, 4242];

fn setup(rng: &mut Rng, live: &Path) {
    for dir in ["sub/deep", "links"] {
        fs::create_dir_all(live.join(dir)).unwrap();
    }
    for name in ["a.conf", "b.conf", "sub/c.conf", "sub/deep/d.conf"] {
        if rng.chance(75) {
            let path = live.join(name);
            fs::write(&path, rng.bytes(64)).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(*rng.pick(MODES))).unwrap();
            if is_root() {
                std::os::unix::fs::chown(&path, Some(*rng.pick(OWNERS)), Some(*rng.pick(OWNERS)))
                    .unwrap();
            }
        }
    }
    if rng.chance(50) {
        std::os::unix::fs::symlink("../a.conf", live.join("links/l1")).unwrap();
    }
    std::os::unix::fs::symlink("loop", live.join("links/loop")).unwrap();
    if is_root() {
        for link in ["links/l1", "links/loop"] {
            let _ = std::os::unix::fs::lchown(
                live.join(link),
                Some(*rng.pick(OWNERS)),
                Some(*rng.pick(OWNERS)),
            );
        }
    }
}

/// One random operation; refusals the API documents are fine, anything
/// else is a failure.
fn random_op(rng: &mut Rng, tx: &mut Transaction<'_>, live: &Path) -> Result<(), String> {
    let path = live.join(rng.pick(PATHS));
    let result = match rng.below(7) {
        0 | 1 => tx.write(&path, &rng.bytes(64)).map(drop),
        2 => tx.create(&path, &rng.bytes(64), *rng.pick(MODES)),
        3 => tx.delete(&path).map(drop),
        4 => tx.symlink(&path, rng.pick(TARGETS)).map(drop),
        5 => tx.create_dir(live.join(rng.pick(DIRS)), 0o750).map(drop),
        _ => tx.record(UndoAction::Note(format!("note {}", rng.next()))),
    };
    match result {
        Ok(()) => {
            APPLIED.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
        Err(Error::DanglingSymlink { .. })
        | Err(Error::SymlinkLoop { .. })
        | Err(Error::Unsupported { .. })
        | Err(Error::AlreadyExists { .. }) => {
            REFUSED.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(format!("unexpected error: {e}")),
    }
}

fn random_ops(rng: &mut Rng, tx: &mut Transaction<'_>, live: &Path) -> Result<(), String> {
    for _ in 0..1 + rng.below(8) {
        random_op(rng, tx, live)?;
    }
    Ok(())
}

fn expect_same(what: &str, expected: &Tree, live: &Path) -> Result<(), String> {
    let problems = diff(expected, &snapshot(live));
    match problems.is_empty() {
        true => Ok(()),
        false => Err(format!("{what}:\n    {}", problems.join("\n    "))),
    }
}

fn run_case(seed: u64) -> Result<(), String> {
    let mut rng = Rng::new(seed);
    let s = Scratch::new("property");
    let live = s.join("live");
    setup(&mut rng, &live);
    let initial = snapshot(&live);
    let mut r = Reverter::open(s.join("work")).map_err(|e| e.to_string())?;
    // Snapshots taken before each transaction that made a checkpoint.
    let mut before_checkpoint: Vec<Tree> = Vec::new();
    for round in 0..1 + rng.below(4) {
        if rng.chance(30) {
            let kind = *rng.pick(&[Kind::Permanent, Kind::Temporary]);
            let before = snapshot(&live);
            let mut tx = r.begin(kind, "abandoned").map_err(|e| e.to_string())?;
            random_ops(&mut rng, &mut tx, &live)?;
            match kind {
                Kind::Temporary => drop(tx.rollback().map_err(|e| e.to_string())?),
                Kind::Permanent => drop(tx),
            }
            expect_same(
                &format!("round {round}: {kind} transaction undone"),
                &before,
                &live,
            )?;
        }
        let before = snapshot(&live);
        let mut tx = r
            .begin(Kind::Permanent, &format!("round {round}"))
            .map_err(|e| e.to_string())?;
        random_ops(&mut rng, &mut tx, &live)?;
        if tx.commit().map_err(|e| e.to_string())?.is_some() {
            before_checkpoint.push(before);
        }
    }
    let made = before_checkpoint.len();
    CHECKPOINTS.fetch_add(made, Ordering::Relaxed);
    let count = r.checkpoints().map_err(|e| e.to_string())?.len();
    if count != made {
        return Err(format!("{made} checkpoints committed, {count} listed"));
    }
    if made == 0 {
        return expect_same("no checkpoint, no change", &initial, &live);
    }
    let n = 1 + rng.below(made);
    let undone = r.rollback(n).map_err(|e| e.to_string())?;
    if undone.len() != n {
        return Err(format!("asked to undo {n}, undid {}", undone.len()));
    }
    expect_same(
        &format!("after rolling back {n} of {made}"),
        &before_checkpoint[made - n],
        &live,
    )?;
    r.rollback(made).map_err(|e| e.to_string())?;
    expect_same("after rolling back all", &initial, &live)
}

#[test]
fn rollback_of_n_checkpoints_restores_the_snapshot_before_them() {
    let seeds: Vec<u64> = match std::env::var("REVERTER_SEED") {
        Ok(seed) => vec![seed.parse().expect("REVERTER_SEED is a number")],
        Err(_) => {
            let cases = std::env::var("REVERTER_CASES")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(300);
            (0..cases).map(|i| 0x5eed_0000 + i).collect()
        }
    };
    // Two threads: the cases mostly wait for fsync.
    let failures = Mutex::new(Vec::new());
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                while let Some(&seed) = seeds.get(next.fetch_add(1, Ordering::SeqCst)) {
                    if let Err(e) = run_case(seed) {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("seed {seed} (REVERTER_SEED={seed}): {e}"));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    eprintln!(
        "{} cases: {} operations applied, {} refused as documented, {} checkpoints",
        seeds.len(),
        APPLIED.load(Ordering::Relaxed),
        REFUSED.load(Ordering::Relaxed),
        CHECKPOINTS.load(Ordering::Relaxed)
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        seeds.len(),
        failures.join("\n")
    );
}
