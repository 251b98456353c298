//! Reverter costs, on the temp dir's file system: an atomic write, a
//! 10-file transaction with commit, the rollback of that checkpoint, and
//! opening a work dir (lock + recovery check: every command pays it).
//! Every step fsyncs, so the disk sets the figures.
//!
//! `scripts/bench reverter` (or `cargo bench --bench reverter -- --bench`).

use reverter::{Kind, NewFileMode, Reverter};
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

const ROUNDS: usize = 200;
const FILES: usize = 10;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn report(what: &str, samples: Vec<Duration>) {
    let m = median(samples);
    println!("{what:<52} median {:>8.3} ms", m.as_secs_f64() * 1000.0);
}

fn content(round: usize, file: usize) -> Vec<u8> {
    format!("# round {round} file {file}\n")
        .repeat(4096 / 24)
        .into_bytes()
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let root =
        std::env::temp_dir().join(format!("certsmith-bench-reverter-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    let live = root.join("live");
    fs::create_dir_all(&live).unwrap();
    for f in 0..FILES {
        fs::write(live.join(format!("f{f}.conf")), content(0, f)).unwrap();
    }
    println!("{ROUNDS} rounds in {}; files of 4 KiB", root.display());

    let target = live.join("f0.conf");
    let samples = (1..=ROUNDS)
        .map(|round| {
            let start = Instant::now();
            reverter::write_atomic(&target, &content(round, 0), NewFileMode::default()).unwrap();
            start.elapsed()
        })
        .collect();
    report("write_atomic, one changed file", samples);

    let work = root.join("work");
    drop(Reverter::open(&work).unwrap());
    let samples = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            drop(Reverter::open(&work).unwrap());
            start.elapsed()
        })
        .collect();
    report("Reverter::open, nothing to recover", samples);

    let mut commits = Vec::new();
    let mut rollbacks = Vec::new();
    let mut r = Reverter::open(&work).unwrap();
    for round in 1..=ROUNDS {
        let start = Instant::now();
        let mut tx = r.begin(Kind::Permanent, "bench").unwrap();
        for f in 0..FILES {
            tx.write(live.join(format!("f{f}.conf")), &content(round, f))
                .unwrap();
        }
        tx.commit().unwrap();
        commits.push(start.elapsed());
        let start = Instant::now();
        r.rollback(1).unwrap();
        rollbacks.push(start.elapsed());
    }
    report(
        &format!("transaction: write {FILES} files + commit"),
        commits,
    );
    report(
        &format!("rollback of that checkpoint ({FILES} files)"),
        rollbacks,
    );
    assert_same_as_start(&live);
    let _ = fs::remove_dir_all(&root);
}

fn assert_same_as_start(live: &Path) {
    for f in 1..FILES {
        assert_eq!(
            fs::read(live.join(format!("f{f}.conf"))).unwrap(),
            content(0, f)
        );
    }
}
