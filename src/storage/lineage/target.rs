//! The target a live link gets.
//!
//! Certbot links `live/NAME/cert.pem` to `../../archive/NAME/cert1.pem`,
//! computed from the paths as written. The kernel resolves `..` from where
//! the link physically is, so when `live/` (or `live/NAME`) is a symlink to
//! a directory elsewhere, that relative target points into the other
//! directory's parent and dangles. Certbot has no answer for this (its own
//! writes go through the dangling links and fail after the certificate was
//! issued). Here the relative target is kept whenever it reaches the archive
//! file, so ordinary lineages stay byte-for-byte Certbot's; otherwise the
//! link gets the archive file's absolute path, which the kernel and Certbot's
//! reader (`storage.get_link_target`: a lexical join for relative targets
//! only) both resolve to the same file.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The target for a link at `link` to the archive file `target`.
pub(crate) fn relative_target(link: &Path, target: &Path) -> PathBuf {
    let dir = link.parent().unwrap_or(Path::new("."));
    target_from(link, dir, target)
}

/// [`relative_target`] for a link that is made in `build_dir`, a sibling
/// of `link`'s directory that is renamed onto it afterwards (same parent,
/// so `..` resolves the same from either).
pub(crate) fn target_from(link: &Path, build_dir: &Path, target: &Path) -> PathBuf {
    let relative = lexical_relative(link, target);
    match reaches(&build_dir.join(&relative), target) {
        // An archive file that does not exist yet cannot be checked:
        // Certbot's form, as before.
        None | Some(true) => relative,
        Some(false) => std::path::absolute(target).unwrap_or_else(|_| target.to_path_buf()),
    }
}

/// Whether `path` is the file `target` (following links); `None` when
/// `target` itself cannot be read.
fn reaches(path: &Path, target: &Path) -> Option<bool> {
    let want = std::fs::metadata(target).ok()?;
    Some(
        std::fs::metadata(path).is_ok_and(|got| got.dev() == want.dev() && got.ino() == want.ino()),
    )
}

/// `target` relative to the directory of `link` by the paths as written
/// (`../../archive/NAME/x.pem`), as Certbot's `os.path.relpath`.
fn lexical_relative(link: &Path, target: &Path) -> PathBuf {
    let from: Vec<_> = link
        .parent()
        .map(|p| p.components().collect())
        .unwrap_or_default();
    let to: Vec<_> = target.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &to[common..] {
        out.push(part);
    }
    out
}
