//! The basics every test binary shares: temporary directories, names unique
//! within a run, a seeded pseudo-random generator, golden files, and the
//! root check. Std and `tempfile` only, so that every test binary can
//! include it: `tests/support/mod.rs` re-exports it, the binaries without
//! that module include this file alone (`#[path = "support/common.rs"]`),
//! and so do the reverter crate's tests (`reverter/tests/reverter/support.rs`).
#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh, empty directory under the system temp dir (a `tempfile`
/// directory, mode 0755 so that servers' unprivileged workers can read
/// below it), removed with its contents on drop, also when the test fails.
/// To look at one after a failure, call [`TempDir::keep`] while debugging.
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    /// `label` goes into the directory's name (`certsmith-LABEL-XXXXXX`).
    pub fn new(label: &str) -> TempDir {
        let dir = tempfile::Builder::new()
            .prefix(&format!("certsmith-{label}-"))
            .tempdir()
            .expect("create temp dir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }

    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.0.path().join(rel)
    }

    /// Write `rel` (creating parent directories); its path.
    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
        path
    }

    /// Keep the directory (not removed on drop): for debugging only.
    pub fn keep(self) -> PathBuf {
        self.0.keep()
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        self.path()
    }
}

/// A number unique within this test process.
pub fn unique() -> u32 {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    COUNTER.fetch_add(1, Ordering::SeqCst)
}

/// A name unique on this machine while this process runs
/// (`PREFIX-PID-N`), for things that are not files in a [`TempDir`]:
/// network namespaces, files in shared directories.
pub fn unique_name(prefix: &str) -> String {
    format!("{prefix}-{}-{}", std::process::id(), unique())
}

/// A small seeded pseudo-random generator: the same seed gives the same
/// sequence, so a failing case can be replayed from its seed. Three
/// algorithms, because recorded seeds and the generated inputs (and the
/// expectations tuned on them) depend on each one's exact sequence.
pub struct Rng {
    state: u64,
    algorithm: Algorithm,
}

#[derive(Clone, Copy)]
enum Algorithm {
    SplitMix64,
    XorShift64Star,
    XorShift64,
}

impl Rng {
    /// SplitMix64 (the reverter property tests; `REVERTER_SEED` replays).
    pub fn new(seed: u64) -> Rng {
        Rng {
            state: seed,
            algorithm: Algorithm::SplitMix64,
        }
    }

    /// xorshift64* (the nginx property tests).
    pub fn xorshift64_star(seed: u64) -> Rng {
        Rng {
            state: seed,
            algorithm: Algorithm::XorShift64Star,
        }
    }

    /// xorshift64 with shifts 13, 7, 17; returns the new state (the nginx
    /// binary-input test).
    pub fn xorshift64(seed: u64) -> Rng {
        Rng {
            state: seed,
            algorithm: Algorithm::XorShift64,
        }
    }

    pub fn next(&mut self) -> u64 {
        match self.algorithm {
            Algorithm::SplitMix64 => {
                self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = self.state;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                z ^ (z >> 31)
            }
            Algorithm::XorShift64Star => {
                self.state ^= self.state >> 12;
                self.state ^= self.state << 25;
                self.state ^= self.state >> 27;
                self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
            }
            Algorithm::XorShift64 => {
                self.state ^= self.state << 13;
                self.state ^= self.state >> 7;
                self.state ^= self.state << 17;
                self.state
            }
        }
    }

    /// In `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True `percent` times in 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Up to `max` random bytes.
    pub fn bytes(&mut self, max: usize) -> Vec<u8> {
        let len = self.below(max + 1);
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// The environment variable that makes [`golden`] rewrite golden files.
pub const UPDATE_GOLDEN: &str = "UPDATE_GOLDEN";

/// The expected content for `actual` from the golden file `path`: the
/// file's content, or, when `UPDATE_GOLDEN` is set, `actual` once written
/// there (directories created), so that the caller's comparison passes.
/// `Err` names the file when it cannot be read.
pub fn golden(path: &Path, actual: &[u8]) -> Result<Vec<u8>, String> {
    if std::env::var_os(UPDATE_GOLDEN).is_some() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create golden file's directory");
        }
        std::fs::write(path, actual)
            .unwrap_or_else(|e| panic!("write golden file {}: {e}", path.display()));
        return Ok(actual.to_vec());
    }
    std::fs::read(path)
        .map_err(|e| format!("{}: {e} ({UPDATE_GOLDEN}=1 writes it)", path.display()))
}

/// True when running as root.
pub fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
}

/// For tests that need root (mounts, ownership, servers on low ports):
/// fail, not pass, when not root.
#[track_caller]
pub fn require_root(why: &str) {
    assert!(
        is_root(),
        "this test needs root: run as root, as CI does ({why})"
    );
}
