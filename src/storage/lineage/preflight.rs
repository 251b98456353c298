//! What can be checked about a new lineage before its certificate is
//! ordered: a failure at the save would throw the certificate away (and
//! spend the CA's rate limit), so every check that does not need the
//! certificate runs first.

use super::create::{Staging, TMP_SUFFIX};
use super::validate_name;
use crate::storage::StorageError;
use std::fs;
use std::path::{Path, PathBuf};

/// The longest file name made from a lineage name is the pending conf,
/// `.NAME.conf.new`: this many bytes more than the name.
const NAME_OVERHEAD: usize = ".".len() + ".conf".len() + TMP_SUFFIX.len();
/// NAME_MAX where the file system does not say.
const DEFAULT_NAME_MAX: usize = 255;

/// Why a new lineage cannot be saved under a name.
#[derive(Debug, thiserror::Error)]
pub enum NewLineageError {
    #[error(
        "the certificate name is {len} bytes; at most {max} fit (file names in {} are limited to {name_max} bytes, and the renewal conf is saved as .NAME.conf{TMP_SUFFIX} first)",
        .dir.display()
    )]
    NameTooLong {
        name: String,
        len: usize,
        max: usize,
        name_max: usize,
        dir: PathBuf,
    },
    #[error(
        "{} exists, but {} does not: it is no certificate certsmith or Certbot can use (an interrupted save by Certbot or an older certsmith, or a renewal conf deleted by hand); move it away or delete it to use the name {name:?}",
        .path.display(), .conf.display()
    )]
    Orphan {
        name: String,
        path: PathBuf,
        conf: PathBuf,
    },
    #[error("{}: {detail}", .path.display())]
    BadDir { path: PathBuf, detail: String },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Check that a new lineage `name` can be saved under `config_dir`: a usable
/// name that fits the file systems' name length, `archive/`, `live/` and
/// `renewal/` directories (or absent), nothing left at `archive/NAME` or
/// `live/NAME`. An empty directory there is removed (Certbot reuses one).
/// Run [`super::leftovers::recover_interrupted`] first, with the lock held.
pub fn check_new_lineage(config_dir: &Path, name: &str) -> Result<(), NewLineageError> {
    check_name_fits(config_dir, name)?;
    for sub in ["archive", "live", "renewal"] {
        check_parent(&config_dir.join(sub))?;
    }
    let staging = Staging::new(config_dir, name);
    if staging.conf.exists() {
        return Err(StorageError::Invalid(format!(
            "a certificate named {name:?} already exists ({})",
            staging.conf.display()
        ))
        .into());
    }
    for path in [&staging.archive, &staging.live] {
        check_free(path, &staging.conf, name)?;
    }
    Ok(())
}

/// A usable name ([`validate_name`]) whose files fit the file name limit
/// of every directory it goes in (or of the nearest existing ancestor, for
/// those not made yet). Needs no lock and writes nothing.
pub fn check_name_fits(config_dir: &Path, name: &str) -> Result<(), NewLineageError> {
    validate_name(name)?;
    check_length(config_dir, name)
}

/// `dir` may be missing (it is made) but not a dangling link or a file.
fn check_parent(dir: &Path) -> Result<(), NewLineageError> {
    let Ok(own) = fs::symlink_metadata(dir) else {
        return Ok(());
    };
    let detail = match fs::metadata(dir) {
        Ok(m) if m.is_dir() => return Ok(()),
        Ok(_) => "is not a directory".to_string(),
        Err(e) if own.file_type().is_symlink() => {
            let target = fs::read_link(dir).unwrap_or_default();
            format!(
                "is a symlink to {}, which cannot be used: {e}",
                target.display()
            )
        }
        Err(e) => e.to_string(),
    };
    Err(NewLineageError::BadDir {
        path: dir.to_path_buf(),
        detail,
    })
}

/// The name's bytes, and the file name limit of every directory it goes in.
fn check_length(config_dir: &Path, name: &str) -> Result<(), NewLineageError> {
    for sub in ["archive", "live", "renewal"] {
        let dir = existing_ancestor(&config_dir.join(sub));
        let name_max = name_max(&dir);
        let max = name_max.saturating_sub(NAME_OVERHEAD);
        if name.len() > max {
            return Err(NewLineageError::NameTooLong {
                name: name.to_string(),
                len: name.len(),
                max,
                name_max,
                dir,
            });
        }
    }
    Ok(())
}

/// `dir`, or its nearest ancestor that exists (whose file system the
/// missing part will be made on).
fn existing_ancestor(dir: &Path) -> PathBuf {
    dir.ancestors()
        .find(|a| a.is_dir())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

fn name_max(dir: &Path) -> usize {
    rustix::fs::statvfs(dir)
        .ok()
        .and_then(|s| usize::try_from(s.f_namemax).ok())
        .filter(|&n| n > 0)
        .unwrap_or(DEFAULT_NAME_MAX)
}

/// Nothing at `path`; an empty directory (not a link) is removed.
fn check_free(path: &Path, conf: &Path, name: &str) -> Result<(), NewLineageError> {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Ok(());
    };
    if meta.is_dir() && fs::remove_dir(path).is_ok() {
        return Ok(());
    }
    Err(NewLineageError::Orphan {
        name: name.to_string(),
        path: path.to_path_buf(),
        conf: conf.to_path_buf(),
    })
}
