//! The webroot authenticator: http-01 files written under a web server's
//! document root, `<root>/.well-known/acme-challenge/<token>`. Directories it
//! creates are world-readable (the web server must read them) and, like the
//! files, removed at cleanup; anything that was already there stays.

use crate::acme::{Challenge, ChallengeKind, SolveError, Solver};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

pub struct Webroot {
    /// (name, root) in the order given; a name maps to its first entry.
    map: Vec<(String, PathBuf)>,
    /// Root for names not in the map (Certbot: the last `-w` given).
    fallback: Option<PathBuf>,
    created_files: Vec<PathBuf>,
    created_dirs: Vec<PathBuf>,
}

impl Webroot {
    /// Every root must exist now, so a typo fails before the CA is asked.
    pub fn new(
        map: Vec<(String, PathBuf)>,
        fallback: Option<PathBuf>,
    ) -> Result<Webroot, SolveError> {
        for root in map.iter().map(|(_, r)| r).chain(fallback.iter()) {
            if !root.is_dir() {
                return Err(SolveError::Message(format!(
                    "--webroot-path: {} does not exist or is not a directory",
                    root.display()
                )));
            }
        }
        Ok(Webroot {
            map,
            fallback,
            created_files: Vec::new(),
            created_dirs: Vec::new(),
        })
    }

    pub fn root_for(&self, name: &str) -> Option<&Path> {
        self.map
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, r)| r.as_path())
            .or(self.fallback.as_deref())
    }

    /// (name, root) for every name of the certificate, for `[[webroot_map]]`.
    pub fn mapping(&self, names: &[String]) -> Vec<(String, String)> {
        names
            .iter()
            .filter_map(|n| Some((n.clone(), self.root_for(n)?.to_string_lossy().into_owned())))
            .collect()
    }

    fn make_dirs(&mut self, dir: &Path) -> Result<(), SolveError> {
        let mut missing = Vec::new();
        let mut cursor = Some(dir);
        while let Some(d) = cursor {
            if d.is_dir() {
                break;
            }
            missing.push(d.to_path_buf());
            cursor = d.parent();
        }
        for d in missing.into_iter().rev() {
            fs::create_dir(&d)
                .map_err(|e| SolveError::io(format!("cannot create {}", d.display()), e))?;
            self.created_dirs.push(d.clone());
            fs::set_permissions(&d, fs::Permissions::from_mode(0o755))
                .map_err(|e| SolveError::io(format!("cannot make {} readable", d.display()), e))?;
        }
        Ok(())
    }
}

/// A web root is often writable by another user (the site's deploy user,
/// www-data). Such a user could make `.well-known` or `acme-challenge` a
/// symlink to, say, /etc/cron.d, and have this process write (and later
/// delete) files there. A link owned by this process's user (or by root) is
/// one an administrator made, and is followed; one another user owns is not.
fn refuse_foreign_link(path: &Path) -> Result<(), SolveError> {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Ok(());
    };
    let me = rustix::process::geteuid().as_raw();
    if meta.file_type().is_symlink() && meta.uid() != me && meta.uid() != 0 {
        return Err(SolveError::Message(format!(
            "{} is a symbolic link owned by uid {}: certsmith does not write through links \
             another user made (make it a directory, or give -w the directory it points to)",
            path.display(),
            meta.uid()
        )));
    }
    Ok(())
}

impl Solver for Webroot {
    fn name(&self) -> &str {
        "webroot"
    }

    fn preferred(&self) -> Vec<ChallengeKind> {
        vec![ChallengeKind::Http01]
    }

    fn present(&mut self, challenges: &[Challenge]) -> Result<(), SolveError> {
        for c in challenges {
            let root = self
                .root_for(&c.identifier)
                .map(Path::to_path_buf)
                .ok_or_else(|| {
                    SolveError::Message(format!(
                        "no web root for {}: give -w DIR before -d {}, or --webroot-map",
                        c.identifier, c.identifier
                    ))
                })?;
            let dir = root.join(".well-known").join("acme-challenge");
            for component in [root.join(".well-known"), dir.clone()] {
                refuse_foreign_link(&component)?;
            }
            self.make_dirs(&dir)?;
            let file = dir.join(&c.token);
            reverter::write_atomic(
                &file,
                c.key_authorization.as_bytes(),
                reverter::NewFileMode(0o644),
            )
            .map_err(|e| SolveError::io(format!("cannot write {}", file.display()), e))?;
            self.created_files.push(file);
        }
        Ok(())
    }

    fn cleanup(&mut self, _challenges: &[Challenge]) -> Result<(), SolveError> {
        let mut first_error = None;
        for file in self.created_files.drain(..) {
            if let Err(e) = fs::remove_file(&file)
                && e.kind() != std::io::ErrorKind::NotFound
                && first_error.is_none()
            {
                first_error = Some(SolveError::io(
                    format!("cannot remove {}", file.display()),
                    e,
                ));
            }
        }
        // Innermost first; a directory someone else put files in stays.
        for dir in self.created_dirs.drain(..).rev() {
            let _ = fs::remove_dir(&dir);
        }
        first_error.map_or(Ok(()), Err)
    }
}

/// Parse `--webroot-map` JSON: `{"a.com,www.a.com": "/var/www/a", ...}`.
pub fn parse_map(json: &str) -> Result<Vec<(String, PathBuf)>, String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("--webroot-map: not valid JSON ({e})"))?;
    let object = value
        .as_object()
        .ok_or("--webroot-map: expected a JSON object of names to paths")?;
    let mut out = Vec::new();
    for (names, root) in object {
        let root = root
            .as_str()
            .ok_or_else(|| format!("--webroot-map: the value for {names:?} is not a path"))?;
        for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            out.push((name.to_string(), PathBuf::from(root)));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge(name: &str, token: &str) -> Challenge {
        Challenge {
            identifier: name.into(),
            wildcard: false,
            kind: ChallengeKind::Http01,
            token: token.into(),
            key_authorization: format!("{token}.k"),
            dns_value: String::new(),
            digest: [0; 32],
        }
    }

    #[test]
    fn creates_readable_files_and_removes_only_its_own() {
        let tmp_root = tempfile::tempdir().unwrap();
        let root = tmp_root.path().to_path_buf();
        let other = root.join("b");
        fs::create_dir_all(other.join(".well-known")).unwrap();
        fs::write(other.join(".well-known/security.txt"), "x").unwrap();
        fs::create_dir_all(root.join("a")).unwrap();
        let mut solver = Webroot::new(
            vec![("a.example".into(), root.join("a"))],
            Some(other.clone()),
        )
        .unwrap();
        let chs = [challenge("a.example", "t1"), challenge("b.example", "t2")];
        solver.present(&chs).unwrap();
        let file = root.join("a/.well-known/acme-challenge/t1");
        assert_eq!(fs::read_to_string(&file).unwrap(), "t1.k");
        assert_eq!(
            fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o644
        );
        assert_eq!(
            fs::metadata(root.join("a/.well-known"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o755
        );
        assert_eq!(
            fs::read_to_string(other.join(".well-known/acme-challenge/t2")).unwrap(),
            "t2.k"
        );
        solver.cleanup(&chs).unwrap();
        assert!(!root.join("a/.well-known").exists());
        assert!(other.join(".well-known/security.txt").exists());
        assert!(!other.join(".well-known/acme-challenge").exists());
    }

    #[test]
    fn missing_root_and_bad_map_are_errors() {
        let err = Webroot::new(vec![], Some(PathBuf::from("/nonexistent/certsmith")))
            .err()
            .unwrap();
        assert!(
            err.to_string()
                .contains("/nonexistent/certsmith does not exist")
        );
        assert_eq!(
            parse_map(r#"{"a.com, www.a.com": "/w"}"#).unwrap(),
            vec![
                ("a.com".into(), PathBuf::from("/w")),
                ("www.a.com".into(), PathBuf::from("/w"))
            ]
        );
        assert!(parse_map("[1]").is_err());
        assert!(parse_map("{\"a\": 1}").is_err());
        assert!(parse_map("{").is_err());
    }

    /// A `.well-known/acme-challenge` link another user planted in the web
    /// root is not written through; one of ours is.
    #[test]
    fn links_other_users_made_are_not_followed() {
        if !rustix::process::geteuid().is_root() {
            panic!("this test needs root (it gives a link to another user); CI runs as root");
        }
        let dir = tempfile::tempdir().unwrap();
        let (root, victim) = (dir.path().join("www"), dir.path().join("victim"));
        fs::create_dir_all(root.join(".well-known")).unwrap();
        fs::create_dir_all(&victim).unwrap();
        let link = root.join(".well-known/acme-challenge");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let mut ours = Webroot::new(vec![], Some(root.clone())).unwrap();
        ours.present(&[challenge("a.example", "tok1")]).unwrap();
        assert!(victim.join("tok1").exists(), "root's own link is followed");
        ours.cleanup(&[]).unwrap();

        std::os::unix::fs::lchown(&link, Some(65534), None).unwrap();
        let mut theirs = Webroot::new(vec![], Some(root)).unwrap();
        let err = theirs
            .present(&[challenge("a.example", "tok2")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("owned by uid 65534"), "{err}");
        assert_eq!(
            fs::read_dir(&victim).unwrap().count(),
            0,
            "nothing written there"
        );
    }
}
