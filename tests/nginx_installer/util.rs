//! Helpers shared by the nginx installer tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn certsmith_bin() -> &'static str {
    env!("CARGO_BIN_EXE_certsmith")
}

pub use crate::support::TempDir;

pub fn write(path: &Path, text: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// A finished command: exit code and output (the one type all tests share).
pub use crate::support::run::Run;

/// Every regular file and symlink under `dir` with its content (a link's
/// target), lock files included: a released lock leaves no file behind.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            let rel = path
                .strip_prefix(base)
                .expect("under base")
                .display()
                .to_string();
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_symlink() {
                let target = std::fs::read_link(&path).expect("read link");
                out.insert(rel, format!("-> {}", target.display()).into_bytes());
            } else if kind.is_dir() {
                walk(base, &path, out);
            } else {
                out.insert(rel, std::fs::read(&path).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Which files differ between two snapshots, for messages.
pub fn differing(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in a {
        match b.get(k) {
            Some(w) if w == v => {}
            Some(_) => out.push(format!("{k}: changed")),
            None => out.push(format!("{k}: gone")),
        }
    }
    for k in b.keys() {
        if !a.contains_key(k) {
            out.push(format!("{k}: new"));
        }
    }
    out
}

/// A self-signed certificate for `names` (ECDSA P-256) written as
/// `DIR/cert.pem`, `fullchain.pem`, `privkey.pem`, `chain.pem`.
pub fn test_certificate(dir: &Path, names: &[&str]) {
    let key = rcgen::KeyPair::generate().expect("key");
    let params =
        rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .expect("params");
    let cert = params.self_signed(&key).expect("self-sign");
    std::fs::create_dir_all(dir).expect("mkdir");
    write(&dir.join("cert.pem"), cert.pem());
    write(&dir.join("fullchain.pem"), cert.pem());
    write(&dir.join("chain.pem"), cert.pem());
    write(&dir.join("privkey.pem"), key.serialize_pem());
}
