//! Shared test support. Include from a test binary with
//! `#[path = "support/mod.rs"] mod support;`.
#![allow(dead_code)]

pub mod ari;
pub mod bind;
pub mod netns;
pub mod nginx;
pub mod pebble;
pub mod run;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A number unique within this test process.
pub fn unique() -> u32 {
    COUNTER.fetch_add(1, Ordering::SeqCst)
}

/// A directory removed (with its contents) on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "certsmith-test-{}-{}-{label}",
            std::process::id(),
            unique()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
    pub fn join(&self, p: impl AsRef<Path>) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A loopback port that was free a moment ago (free on 127.0.0.1 and on the
/// wildcard address). Each test process probes its own slice of 10000-32000,
/// below Linux's ephemeral range, so parallel processes rarely collide.
pub fn free_port() -> u16 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let start = (std::process::id() % 220) * 100;
    for _ in 0..22_000 {
        let offset = NEXT.fetch_add(1, Ordering::SeqCst);
        let Ok(port) = u16::try_from(10_000 + (start + offset) % 22_000) else {
            continue;
        };
        let wildcard = std::net::TcpListener::bind(("0.0.0.0", port)).is_ok();
        if wildcard && std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port found");
}
