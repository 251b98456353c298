//! Saving a new lineage so that it appears whole or not at all.
//!
//! A lineage exists, for Certbot and for certsmith, when `renewal/NAME.conf`
//! does. Everything is first built under temporary names beside its final
//! place (`.NAME.new`, `.NAME.conf.new`: a leading dot, which no lineage
//! name has, so nothing else ever uses them) and renamed into place, the
//! conf last. The pending conf is written first: while it exists without
//! `NAME.conf`, `archive/NAME` and `live/NAME` belong to a save that did not
//! finish, and [`super::leftovers`] may remove them. Each step below leaves
//! the disk in a state that recovery understands; a kill between any two
//! steps is recovered on the next run (the tests run every prefix).

use super::target::target_from;
use super::{KINDS, LIVE_README, Lineage, RenewalParams, make_hook_dirs, new_conf, write_version};
use crate::storage::StorageError;
use crate::storage::fsutil::{fail_point, make_dir, rename_new, sync_dir, write_file};
use crate::x509::Issued;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The suffix of the temporary names a new lineage is built under.
pub(super) const TMP_SUFFIX: &str = ".new";

/// Where a new lineage's parts go, and the names they are built under.
pub(super) struct Staging {
    pub archive: PathBuf,
    pub archive_tmp: PathBuf,
    pub live: PathBuf,
    pub live_tmp: PathBuf,
    pub conf: PathBuf,
    pub conf_tmp: PathBuf,
}

impl Staging {
    pub fn new(config_dir: &Path, name: &str) -> Staging {
        let dir = |sub: &str, file: String| config_dir.join(sub).join(file);
        Staging {
            archive: dir("archive", name.to_string()),
            archive_tmp: dir("archive", format!(".{name}{TMP_SUFFIX}")),
            live: dir("live", name.to_string()),
            live_tmp: dir("live", format!(".{name}{TMP_SUFFIX}")),
            conf: dir("renewal", format!("{name}.conf")),
            conf_tmp: dir("renewal", format!(".{name}.conf{TMP_SUFFIX}")),
        }
    }

    /// The temporary paths, in the order they are removed (the pending
    /// conf last: it is what marks the final-named dirs as unfinished).
    pub fn temporaries(&self) -> [&Path; 3] {
        [&self.live_tmp, &self.archive_tmp, &self.conf_tmp]
    }
}

/// What the steps write.
struct Input<'a> {
    issued: &'a Issued,
    key: &'a str,
    conf_text: String,
}

type Step = fn(&Staging, &Input) -> Result<(), StorageError>;

/// The steps of a new lineage, in order.
const STEPS: [Step; 6] = [
    write_pending_conf,
    build_archive,
    publish_archive,
    build_live,
    publish_live,
    commit_conf,
];

impl Lineage {
    /// Save `issued` as the new lineage `name` (see the module doc for the
    /// order). On a failure everything this call made is removed again.
    pub fn save_new(
        config_dir: &Path,
        name: &str,
        issued: &Issued,
        params: &RenewalParams,
    ) -> Result<Lineage, StorageError> {
        let (staging, input) = prepare(config_dir, name, issued, params)?;
        if let Err(e) = STEPS.iter().try_for_each(|step| step(&staging, &input)) {
            undo(&staging);
            return Err(e);
        }
        Lineage::load(config_dir, name)
    }
}

/// Check the name and what is there, make the parent dirs, render the conf.
fn prepare<'a>(
    config_dir: &Path,
    name: &str,
    issued: &'a Issued,
    params: &RenewalParams,
) -> Result<(Staging, Input<'a>), StorageError> {
    super::validate_name(name)?;
    let staging = Staging::new(config_dir, name);
    for path in [&staging.conf, &staging.archive, &staging.live] {
        if fs::symlink_metadata(path).is_ok() {
            return Err(StorageError::Invalid(format!(
                "a certificate named {name:?} already exists ({} is there)",
                path.display()
            )));
        }
    }
    let key = issued.key_pem.as_deref().ok_or_else(|| {
        StorageError::Invalid("a lineage needs the private key (not available with --csr)".into())
    })?;
    for (dir, mode) in [("archive", 0o700), ("live", 0o700), ("renewal", 0o755)] {
        make_dir(&config_dir.join(dir), mode)?;
    }
    make_hook_dirs(config_dir)?;
    let live_readme = config_dir.join("live").join("README");
    if !live_readme.exists() {
        write_file(&live_readme, LIVE_README.as_bytes(), 0o644)?;
    }
    // Temporaries of an earlier, killed save of this name: ours by their
    // names, and the caller holds the config dir's lock.
    for tmp in staging.temporaries() {
        super::leftovers::remove_path(tmp)?;
    }
    let conf_text = new_conf(config_dir, name, params)?.render();
    let input = Input {
        issued,
        key,
        conf_text,
    };
    Ok((staging, input))
}

/// Remove what a failed save made: the final-named dirs exist only
/// because of it (prepare refused to start otherwise) unless the conf was
/// committed, in which case the lineage stands.
fn undo(staging: &Staging) {
    if fs::symlink_metadata(&staging.conf).is_ok() {
        return;
    }
    for path in [&staging.live, &staging.archive] {
        let _ = super::leftovers::remove_path(path);
    }
    for tmp in staging.temporaries() {
        let _ = super::leftovers::remove_path(tmp);
    }
}

fn write_pending_conf(s: &Staging, input: &Input) -> Result<(), StorageError> {
    write_file(&s.conf_tmp, input.conf_text.as_bytes(), 0o644)
}

fn build_archive(s: &Staging, input: &Input) -> Result<(), StorageError> {
    make_dir(&s.archive_tmp, 0o755)?;
    write_version(&s.archive_tmp, 1, input.issued, input.key)?;
    sync_dir(&s.archive_tmp)
}

fn publish_archive(s: &Staging, _: &Input) -> Result<(), StorageError> {
    rename_new(&s.archive_tmp, &s.archive)
}

/// The live links, made in `live/.NAME.new` with the targets they need
/// at `live/NAME` (same parent), each checked to reach its archive file.
fn build_live(s: &Staging, _: &Input) -> Result<(), StorageError> {
    make_dir(&s.live_tmp, 0o755)?;
    for kind in KINDS {
        let file = format!("{kind}.pem");
        let archived = s.archive.join(format!("{kind}1.pem"));
        let target = target_from(&s.live.join(&file), &s.live_tmp, &archived);
        let link = s.live_tmp.join(&file);
        std::os::unix::fs::symlink(&target, &link).map_err(|e| StorageError::io(&link, e))?;
        fail_point("new lineage: live link created", &link)?;
        check_reaches(&link, &archived)?;
    }
    write_file(&s.live_tmp.join("README"), LIVE_README.as_bytes(), 0o644)?;
    sync_dir(&s.live_tmp)
}

/// A link that does not reach its archive file is refused here, before
/// the lineage exists, rather than reported as saved.
fn check_reaches(link: &Path, archived: &Path) -> Result<(), StorageError> {
    let want = fs::metadata(archived).map_err(|e| StorageError::io(archived, e))?;
    let reached =
        fs::metadata(link).is_ok_and(|got| got.dev() == want.dev() && got.ino() == want.ino());
    if reached {
        return Ok(());
    }
    let target = fs::read_link(link).unwrap_or_default();
    Err(StorageError::corrupt(
        link.to_path_buf(),
        format!(
            "the link to {} (as {}) does not reach it",
            archived.display(),
            target.display()
        ),
    ))
}

fn publish_live(s: &Staging, _: &Input) -> Result<(), StorageError> {
    rename_new(&s.live_tmp, &s.live)
}

/// The commit: the renewal conf appears, whole, under its name.
fn commit_conf(s: &Staging, _: &Input) -> Result<(), StorageError> {
    rename_new(&s.conf_tmp, &s.conf)
}

/// Run only the first `steps` steps and stop without cleaning up: what a
/// process killed at that point leaves on disk.
#[cfg(test)]
pub(super) fn save_new_killed_after(
    config_dir: &Path,
    name: &str,
    issued: &Issued,
    params: &RenewalParams,
    steps: usize,
) -> Result<(), StorageError> {
    let (staging, input) = prepare(config_dir, name, issued, params)?;
    STEPS[..steps]
        .iter()
        .try_for_each(|step| step(&staging, &input))
}

/// How many steps [`save_new_killed_after`] can stop after (the last one
/// commits).
#[cfg(test)]
pub(super) const STEP_COUNT: usize = STEPS.len();
