//! Shared test support. Include from a test binary with
//! `#[path = "support/mod.rs"] mod support;`. Temp dirs, unique names, the
//! seeded PRNG, golden files and the root check are in `common` (re-exported
//! here), which binaries without this module include on its own.
#![allow(dead_code)]

pub mod ari;
pub mod bind;
pub mod cloudflare;
pub mod common;
pub mod digitalocean;
pub mod dnsimple;
pub mod dnsmadeeasy;
pub mod failpoints;
pub mod gehirn;
pub mod google;
pub mod https;
pub mod lineages;
pub mod linode;
pub mod load;
pub mod luadns;
pub mod netns;
pub mod nginx;
pub mod nsone;
pub mod ocsp;
pub mod ovh;
pub mod pebble;
pub mod proxy;
pub mod route53;
pub mod run;
pub mod sakuracloud;
pub mod tty;
pub mod whole;

#[allow(unused_imports)] // not every binary uses every helper
pub use common::{Rng, TempDir, golden, is_root, require_root, unique, unique_name};

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

/// A loopback port that is free (on 127.0.0.1 and on the wildcard address)
/// and claimed for this test process. Many ports are handed out unbound
/// (Pebble's http-01 port is only bound by the client under test, later), so
/// "free right now" is not enough when test processes run in parallel: each
/// port is also claimed in a directory shared by every test process, and a
/// claim holds until its process has exited.
pub fn free_port() -> u16 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let claims = std::env::temp_dir().join("certsmith-test-ports");
    std::fs::create_dir_all(&claims).unwrap();
    // One lock serialises claiming across processes; it is released on drop.
    let guard = std::fs::File::create(claims.join(".lock")).unwrap();
    guard.lock().unwrap();
    let me = std::process::id();
    // Each process starts at its own place in 10000-31999, below Linux's
    // ephemeral range, so few candidates are already claimed.
    let start = (me % 220) * 100;
    for _ in 0..22_000 {
        let offset = NEXT.fetch_add(1, Ordering::SeqCst);
        let Ok(port) = u16::try_from(10_000 + (start + offset) % 22_000) else {
            continue;
        };
        let wildcard = std::net::TcpListener::bind(("0.0.0.0", port)).is_ok();
        if wildcard
            && std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
            && claim(&claims.join(port.to_string()), me)
        {
            return port;
        }
    }
    panic!("no free port found");
}

/// Claim `file` for process `me`: it is free when missing or when the
/// process named in it has exited. Called with the claims lock held.
fn claim(file: &Path, me: u32) -> bool {
    let holder = std::fs::read_to_string(file)
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok());
    match holder {
        Some(pid) if pid == me || Path::new(&format!("/proc/{pid}")).exists() => false,
        _ => std::fs::write(file, me.to_string()).is_ok(),
    }
}

/// Copy a directory tree, recreating symlinks as symlinks.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path()).unwrap(), &target).unwrap();
        } else if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
