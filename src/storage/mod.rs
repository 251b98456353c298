//! Certificate lineages and accounts on disk, in Certbot's layout, so a
//! config dir can be shared with (or handed back to) Certbot.
//!
//! ```text
//! <config-dir>/archive/NAME/{cert,chain,fullchain,privkey}N.pem   (archive 0700, privkey 0600)
//! <config-dir>/live/NAME/{cert,chain,fullchain,privkey}.pem        relative symlinks + README
//! <config-dir>/renewal/NAME.conf                                   Certbot's ConfigObj format
//! <config-dir>/accounts/<server>/<id>/{meta,regr,private_key}.json
//! ```

pub mod accounts;
mod fsutil;
mod lineage;
pub mod lock;
pub mod renewal_conf;
mod temps;

pub use lineage::{
    Lineage, LinkRepair, NewLineageError, ParamValue, Recovered, RenewalParams, Version,
    available_name, check_name_fits, check_new_lineage, list, make_hook_dirs, recover_interrupted,
    validate_name,
};
pub use lock::CertbotLock;
pub use renewal_conf::RenewalConf;

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {detail}", .path.display())]
    Corrupt { path: PathBuf, detail: String },
    #[error("{0}")]
    Invalid(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error(transparent)]
    Lock(#[from] lock::LockError),
}

impl StorageError {
    pub fn corrupt(path: PathBuf, detail: String) -> StorageError {
        StorageError::Corrupt { path, detail }
    }
    pub fn io(path: &Path, source: std::io::Error) -> StorageError {
        StorageError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Make the config dir if needed and take Certbot's lock on it; hold the
/// returned guard while writing anything under it. The temporaries killed
/// writes left there are removed (see `temps.rs`).
pub fn lock_config_dir(config_dir: &Path) -> Result<CertbotLock, StorageError> {
    let lock = lock_config_dir_unchanged(config_dir)?;
    // Only now is no other certsmith writing there.
    temps::remove_killed_writes_temps(config_dir)?;
    Ok(lock)
}

/// [`lock_config_dir`] without removing anything: for a dry run, which
/// leaves the config dir as it was.
pub fn lock_config_dir_unchanged(config_dir: &Path) -> Result<CertbotLock, StorageError> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(config_dir)
        .map_err(|e| StorageError::io(config_dir, e))?;
    // The directory lock (`reverter::DirLock`) is taken for every writing
    // verb by `commands::session`; this adds Certbot's own lock on top.
    Ok(CertbotLock::acquire(config_dir)?)
}
