//! The temporary files a killed write left in the lineage directories.
//!
//! Every file there is written beside its final name and renamed into place
//! (`reverter::write_atomic`: `.NAME.certsmith-tmp.PID.N`; a live link
//! switch, `fsutil::replace_symlink`: `.NAME.certsmith-tmp.PID`). A process
//! killed before the rename leaves that temporary behind: the final file is
//! whole (old or new), but nothing else would ever remove it. Swept when a
//! writing verb takes the config dir's lock (no certsmith writes there
//! then, and Certbot never makes names with this mark).

use super::StorageError;
use std::fs;
use std::path::Path;

/// The mark in the name of every temporary certsmith writes.
const MARK: &str = ".certsmith-tmp.";

/// Remove the temporaries in `archive/`, `live/`, `renewal/` and each
/// lineage's `archive/NAME/` and `live/NAME/`; how many were removed.
pub fn remove_killed_writes_temps(config_dir: &Path) -> Result<usize, StorageError> {
    let mut removed = 0;
    for sub in ["archive", "live", "renewal"] {
        let top = config_dir.join(sub);
        removed += sweep(&top)?;
        if sub == "renewal" {
            continue;
        }
        for entry in read_dir(&top)? {
            // Lineage dirs only: a symlinked live/NAME or archive dir is
            // someone's layout, whose files we only write through.
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                removed += sweep(&entry.path())?;
            }
        }
    }
    Ok(removed)
}

fn read_dir(dir: &Path) -> Result<Vec<fs::DirEntry>, StorageError> {
    match fs::read_dir(dir) {
        Ok(entries) => Ok(entries.flatten().collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(StorageError::io(dir, e)),
    }
}

/// Remove the temporaries (files or symlinks, never directories) directly
/// in `dir`.
fn sweep(dir: &Path) -> Result<usize, StorageError> {
    let mut removed = 0;
    for entry in read_dir(dir)? {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let is_temp = name.starts_with('.') && name.contains(MARK);
        if is_temp && !entry.file_type().is_ok_and(|t| t.is_dir()) {
            let path = entry.path();
            fs::remove_file(&path).map_err(|e| StorageError::io(&path, e))?;
            removed += 1;
        }
    }
    if removed > 0 {
        super::fsutil::sync_dir(dir)?;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_temporaries_of_killed_writes_go_and_nothing_else() {
        let tmp = tempfile::tempdir().unwrap();
        let etc = tmp.path();
        let live = etc.join("live/a.example");
        let archive = etc.join("archive/a.example");
        for dir in [&live, &archive, &etc.join("renewal")] {
            fs::create_dir_all(dir).unwrap();
        }
        let temps = [
            etc.join("live/.README.certsmith-tmp.12.0"),
            etc.join("renewal/..a.example.conf.new.certsmith-tmp.12.0"),
            archive.join(".cert2.pem.certsmith-tmp.12.0"),
        ];
        for t in &temps {
            fs::write(t, "partial").unwrap();
        }
        let link_temp = live.join(".cert.pem.certsmith-tmp.12");
        std::os::unix::fs::symlink("../../archive/a.example/cert2.pem", &link_temp).unwrap();
        let kept = [
            etc.join("renewal/a.example.conf"),
            etc.join("renewal/.a.example.conf.new"),
            archive.join("cert1.pem"),
            etc.join("live/README"),
        ];
        for k in &kept {
            fs::write(k, "kept").unwrap();
        }
        fs::create_dir(etc.join("archive/.b.certsmith-tmp.1")).unwrap();
        assert_eq!(remove_killed_writes_temps(etc).unwrap(), 4);
        assert!(temps.iter().all(|t| !t.exists()));
        assert!(fs::symlink_metadata(&link_temp).is_err());
        assert!(kept.iter().all(|k| k.exists()));
        assert!(etc.join("archive/.b.certsmith-tmp.1").is_dir());
        assert_eq!(remove_killed_writes_temps(&etc.join("absent")).unwrap(), 0);
    }
}
