//! Certbot's `update_symlinks`: each live link re-pointed into the archive
//! directory the renewal conf names, keeping the file (the version) it links.

use super::{KINDS, Lineage, relative_target};
use crate::storage::StorageError;
use crate::storage::fsutil::replace_symlink;
use std::fs;
use std::path::{Path, PathBuf};

/// One live link to switch: the link, and its new (relative) target.
type Switch = (PathBuf, PathBuf);

impl Lineage {
    /// Re-point every live link into [`Lineage::archive_dir`] (the conf's
    /// `archive_dir`, else `archive/NAME`), each keeping the file name it
    /// links to, as Certbot's `update_symlinks` does: a lineage whose archive
    /// moved, or whose links were edited by hand to another directory, is
    /// mended. Every new target is checked before any link changes; each
    /// switch is atomic ([`replace_symlink`]). Returns the links changed
    /// (links already pointing there, relatively, are left alone).
    pub fn update_symlinks(&self) -> Result<Vec<PathBuf>, StorageError> {
        let archive = self.archive_dir();
        let mut switches: Vec<Switch> = Vec::new();
        for kind in KINDS {
            let link = self.path(kind);
            if let Some(switch) = planned_switch(&link, &archive)? {
                switches.push(switch);
            }
        }
        let mut changed = Vec::new();
        for (link, target) in switches {
            replace_symlink(&target, &link)?;
            changed.push(link);
        }
        Ok(changed)
    }
}

/// The switch `link` needs to point into `archive`, if any; an error when
/// it is not a symlink or the archive lacks its file.
fn planned_switch(link: &Path, archive: &Path) -> Result<Option<Switch>, StorageError> {
    let target = fs::read_link(link).map_err(|e| {
        let why = if e.kind() == std::io::ErrorKind::InvalidInput {
            "is not a symlink (live files must link into the archive)".to_string()
        } else {
            e.to_string()
        };
        StorageError::corrupt(link.to_path_buf(), why)
    })?;
    let Some(file) = target.file_name() else {
        return Err(StorageError::corrupt(
            link.to_path_buf(),
            format!("points at {}", target.display()),
        ));
    };
    let new_target = archive.join(file);
    if !new_target.is_file() {
        return Err(StorageError::corrupt(
            link.to_path_buf(),
            format!(
                "links to {}, but {} does not exist",
                target.display(),
                new_target.display()
            ),
        ));
    }
    let relative = relative_target(link, &new_target);
    Ok((relative != target).then(|| (link.to_path_buf(), relative)))
}
