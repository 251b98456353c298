//! Helpers shared by the Apache installer tests: configuration trees in temporary
//! directories (copies of the corpus, or generated), test certificates, snapshots for
//! byte-for-byte comparisons, golden files.

use crate::support::TempDir;
use certsmith::installer::apache::{Apache, CertFiles, Enhancements, InstallRequest, Settings};
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn corpus_tree(name: &str) -> PathBuf {
    repo()
        .join("fixtures/corpus/apache/trees")
        .join(name)
        .join("apache2")
}

/// A configuration tree in a temporary directory: `root` (the ServerRoot), `config`
/// (certsmith's config dir), `work`, `state` (Apache's run, lock and log dirs).
pub struct Tree {
    pub dir: TempDir,
    pub root: PathBuf,
}

impl Tree {
    pub fn config(&self) -> PathBuf {
        self.dir.join("config")
    }
    pub fn work(&self) -> PathBuf {
        self.dir.join("work")
    }
    pub fn state(&self) -> PathBuf {
        self.dir.join("state")
    }

    /// A copy of a corpus tree (Debian layout), its `envvars` pointing Apache's run,
    /// lock and log directories into the temporary directory.
    pub fn corpus(name: &str) -> Tree {
        let tree = Tree::empty(name);
        copy_tree(&corpus_tree(name), &tree.root);
        tree.write_envvars();
        tree
    }

    /// The Debian skeleton of the `simple_vhost` corpus tree without its sites, plus
    /// `files` (path relative to the root, content); `sites-enabled` links for every
    /// file written under `sites-available` unless its name starts with `disabled-`.
    pub fn debian(label: &str, files: &[(&str, &str)]) -> Tree {
        let tree = Tree::empty(label);
        copy_tree(&corpus_tree("simple_vhost"), &tree.root);
        for dir in ["sites-available", "sites-enabled"] {
            std::fs::remove_dir_all(tree.root.join(dir)).unwrap();
            std::fs::create_dir(tree.root.join(dir)).unwrap();
        }
        tree.write_envvars();
        for (rel, text) in files {
            tree.write(rel, text);
            if let Some(site) = rel.strip_prefix("sites-available/")
                && !site.starts_with("disabled-")
            {
                std::os::unix::fs::symlink(
                    format!("../sites-available/{site}"),
                    tree.root.join("sites-enabled").join(site),
                )
                .unwrap();
            }
        }
        tree
    }

    /// Just `files` (a RHEL or plain layout).
    pub fn plain(label: &str, files: &[(&str, &str)]) -> Tree {
        let tree = Tree::empty(label);
        for (rel, text) in files {
            tree.write(rel, text);
        }
        tree
    }

    fn empty(label: &str) -> Tree {
        let dir = TempDir::new(&format!("apache-{label}"));
        // Apache's user must reach files below (TempDir's parent is /tmp).
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let root = dir.join("apache2");
        std::fs::create_dir_all(&root).unwrap();
        for d in ["config", "work", "state/run", "state/lock", "state/log"] {
            std::fs::create_dir_all(dir.join(d)).unwrap();
        }
        Tree { dir, root }
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    fn write_envvars(&self) {
        let s = self.state();
        self.write(
            "envvars",
            &format!(
                "# test envvars: everything Apache writes stays in the test's directory\nexport APACHE_RUN_USER=www-data\nexport APACHE_RUN_GROUP=www-data\nexport APACHE_PID_FILE={0}/run/apache2.pid\nexport APACHE_RUN_DIR={0}/run\nexport APACHE_LOCK_DIR={0}/lock\nexport APACHE_LOG_DIR={0}/log\nexport LANG=C\n",
                s.display()
            ),
        );
    }

    /// Enable a Debian module as a2enmod would (its `.load` and `.conf`).
    pub fn enable_module(&self, name: &str) {
        for ext in ["load", "conf"] {
            let file = format!("{name}.{ext}");
            if self.root.join("mods-available").join(&file).exists() {
                std::os::unix::fs::symlink(
                    format!("../mods-available/{file}"),
                    self.root.join("mods-enabled").join(&file),
                )
                .unwrap();
            }
        }
    }

    pub fn apache(&self) -> Apache {
        Apache::new(Some(&self.root), None).unwrap()
    }

    /// Every file (content) and symlink (target) under the root, and certsmith's
    /// config dir.
    pub fn snapshot(&self) -> BTreeMap<PathBuf, Entry> {
        let mut out = BTreeMap::new();
        snapshot_into(&self.root, &mut out);
        snapshot_into(&self.config(), &mut out);
        out
    }

    /// `text` with the temporary directory replaced by `/TMP`.
    pub fn normalize(&self, text: &str) -> String {
        text.replace(&self.dir.path().display().to_string(), "/TMP")
    }

    /// A self-signed certificate for `names` in `config/live/test/`.
    pub fn test_cert(&self, names: &[&str]) -> CertFiles {
        let live = self.config().join("live/test");
        std::fs::create_dir_all(&live).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let params =
            rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        let cert = params.self_signed(&key).unwrap();
        let files = CertFiles {
            fullchain: live.join("fullchain.pem"),
            key: live.join("privkey.pem"),
        };
        std::fs::write(&files.fullchain, cert.pem()).unwrap();
        std::fs::write(&files.key, key.serialize_pem()).unwrap();
        files
    }

    /// Install + redirect + HSTS for `names` with `cert`, non-interactively.
    pub fn request(&self, names: &[&str], cert: &CertFiles) -> InstallRequest {
        InstallRequest {
            names: names.iter().map(|n| n.to_string()).collect(),
            cert: Some(cert.clone()),
            enhance: Enhancements {
                redirect: true,
                hsts: true,
                ..Default::default()
            },
            config_dir: self.config(),
            settings: Settings::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    File(Vec<u8>, u32),
    Link(PathBuf),
}

fn snapshot_into(dir: &Path, out: &mut BTreeMap<PathBuf, Entry>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let p = e.unwrap().path();
        let meta = std::fs::symlink_metadata(&p).unwrap();
        if meta.file_type().is_symlink() {
            out.insert(p.clone(), Entry::Link(std::fs::read_link(&p).unwrap()));
        } else if meta.is_dir() {
            snapshot_into(&p, out);
        } else {
            out.insert(
                p.clone(),
                Entry::File(std::fs::read(&p).unwrap(), meta.permissions().mode()),
            );
        }
    }
}

/// What differs between two snapshots, one line per path.
pub fn snapshot_diff(a: &BTreeMap<PathBuf, Entry>, b: &BTreeMap<PathBuf, Entry>) -> Vec<String> {
    let mut out = Vec::new();
    for (p, e) in a {
        match b.get(p) {
            None => out.push(format!("gone: {}", p.display())),
            Some(f) if f != e => out.push(format!("changed: {}", p.display())),
            _ => {}
        }
    }
    for p in b.keys().filter(|p| !a.contains_key(*p)) {
        out.push(format!("new: {}", p.display()));
    }
    out
}

pub use crate::support::copy_tree;

/// Compare `actual` with the golden file `fixtures/apache/install/REL` (written instead
/// when `UPDATE_GOLDEN=1`): `Err` describes the difference.
pub fn golden(rel: &str, actual: &str) -> Result<(), String> {
    let path = repo().join("fixtures/apache/install").join(rel);
    let want = crate::support::golden(&path, actual.as_bytes())?;
    if want == actual.as_bytes() {
        Ok(())
    } else {
        Err(format!(
            "{} differs (UPDATE_GOLDEN=1 rewrites it):\n{}",
            path.display(),
            String::from_utf8_lossy(&certsmith::diff::unified(&path, &want, actual.as_bytes()))
        ))
    }
}
