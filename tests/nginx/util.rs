//! Helpers shared by the nginx tests.

use std::path::{Path, PathBuf};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every regular file under `dir` (symlinks to files included), sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if !e.file_type().is_ok_and(|t| t.is_symlink()) {
                    stack.push(p);
                }
            } else if p.is_file() {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

pub use crate::common::TempDir;

/// Copy the tree `from` into `to` (files and directories).
pub fn copy_tree(from: &Path, to: &Path) {
    for file in files_under(from) {
        let rel = file.strip_prefix(from).expect("under from");
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&file, &dest).expect("copy");
    }
}

/// Run the real `nginx -t` on the tree whose main file is `DIR/nginx.conf`;
/// `Err` carries nginx's output.
pub fn nginx_t(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir.join("logs")).expect("logs dir");
    let prefix = format!("{}/", dir.display());
    let conf = dir.join("nginx.conf");
    let out = std::process::Command::new("/usr/sbin/nginx")
        .args(["-t", "-q", "-e", "stderr", "-p", &prefix, "-c"])
        .arg(&conf)
        .output()
        .map_err(|e| format!("cannot run /usr/sbin/nginx: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Split a line into words; double quotes group (no escapes).
pub fn split_words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}
