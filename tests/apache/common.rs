//! Helpers shared by the Apache integration tests.

use std::path::{Path, PathBuf};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn corpus() -> PathBuf {
    repo().join("fixtures/corpus/apache")
}

/// Every regular file under `dir` (following symlinks), sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else if p.is_file() {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

pub use crate::support::{TempDir, copy_tree};

/// The Apache binary (Debian: /usr/sbin/apache2, not always on a user's PATH).
pub fn apache2() -> PathBuf {
    for p in ["/usr/sbin/apache2", "/usr/local/sbin/apache2"] {
        if Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    PathBuf::from("apache2")
}

/// `apache2 -d ROOT -f FILE -t` with the variables Debian's envvars would set (run, lock and
/// log directories under `scratch`): (success, output).
pub fn apache_configtest(
    root: &Path,
    file: &Path,
    scratch: &Path,
    extra: &[&str],
) -> (bool, String) {
    for d in ["run", "lock", "log"] {
        std::fs::create_dir_all(scratch.join(d)).unwrap();
    }
    let out = std::process::Command::new(apache2())
        .arg("-d")
        .arg(root)
        .arg("-f")
        .arg(file)
        .args(extra)
        .arg("-t")
        .env("APACHE_RUN_USER", "www-data")
        .env("APACHE_RUN_GROUP", "www-data")
        .env("APACHE_PID_FILE", scratch.join("run/apache2.pid"))
        .env("APACHE_RUN_DIR", scratch.join("run"))
        .env("APACHE_LOCK_DIR", scratch.join("lock"))
        .env("APACHE_LOG_DIR", scratch.join("log"))
        .env("LANG", "C")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {} (scripts/setup installs apache2): {e}",
                apache2().display()
            )
        });
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}
