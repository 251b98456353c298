//! Durable file-system primitives. Each change is made so that a crash at
//! any instant leaves the path wholly old or wholly new: new content goes to
//! a temp file beside the target, is fsynced, renamed over the target, and
//! the directory is fsynced. A fail point sits between every two steps.

use std::ffi::{OsStr, OsString};
use std::fs::{self, DirBuilder, File, FileTimes, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Marks certsmith's temp files: `.NAME.certsmith-tmp.PID.N`.
const TEMP_MARK: &[u8] = b".certsmith-tmp.";
/// Keeps temp names within NAME_MAX (255) for long file names.
const MAX_STEM: usize = 200;

/// The directory holding `path` ("." for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The prefix every temp file made for `name` starts with.
fn temp_prefix(name: &OsStr) -> Vec<u8> {
    let bytes = name.as_bytes();
    let stem = &bytes[..bytes.len().min(MAX_STEM)];
    let mut prefix = Vec::with_capacity(stem.len() + TEMP_MARK.len() + 1);
    prefix.push(b'.');
    prefix.extend_from_slice(stem);
    prefix.extend_from_slice(TEMP_MARK);
    prefix
}

fn temp_candidates(path: &Path) -> impl Iterator<Item = PathBuf> + '_ {
    let dir = parent_dir(path);
    let prefix = temp_prefix(path.file_name().unwrap_or(OsStr::new("file")));
    let pid = std::process::id();
    (0..1000u32).map(move |attempt| {
        let mut name = prefix.clone();
        name.extend_from_slice(format!("{pid}.{attempt}").as_bytes());
        dir.join(OsString::from_vec(name))
    })
}

/// Remove temp files a killed process left beside `path`. Only called with
/// the work dir locked, so no other certsmith is writing there.
pub(crate) fn remove_stale_temps(path: &Path) -> io::Result<usize> {
    let Some(name) = path.file_name() else {
        return Ok(0);
    };
    let prefix = temp_prefix(name);
    let entries = match fs::read_dir(parent_dir(path)) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        if entry.file_name().as_bytes().starts_with(&prefix) {
            fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

fn create_temp_beside(path: &Path) -> io::Result<(PathBuf, File)> {
    for candidate in temp_candidates(path) {
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&candidate)
        {
            Ok(file) => return Ok((candidate, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(
        "could not find a free temporary file name",
    ))
}

/// Mode, owner and modification time for a file written by [`replace_file`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attrs {
    pub mode: u32,
    pub owner: Option<(u32, u32)>,
    /// When false, a failed chown is tolerated if the file already has that
    /// owner (an unprivileged user keeping their own file).
    pub owner_strict: bool,
    pub mtime: Option<SystemTime>,
}

impl Attrs {
    pub fn mode(mode: u32) -> Attrs {
        Attrs {
            mode,
            owner: None,
            owner_strict: true,
            mtime: None,
        }
    }
}

fn apply_attrs(file: &File, attrs: &Attrs) -> io::Result<()> {
    file.set_permissions(fs::Permissions::from_mode(attrs.mode & 0o7777))?;
    if let Some((uid, gid)) = attrs.owner {
        if let Err(e) = std::os::unix::fs::fchown(file, Some(uid), Some(gid)) {
            let meta = file.metadata()?;
            if attrs.owner_strict || meta.uid() != uid || meta.gid() != gid {
                return Err(e);
            }
        }
        // chown clears set-id bits: put the mode back.
        file.set_permissions(fs::Permissions::from_mode(attrs.mode & 0o7777))?;
    }
    if let Some(mtime) = attrs.mtime {
        file.set_times(FileTimes::new().set_modified(mtime))?;
    }
    Ok(())
}

/// Replace `path` itself (a final symlink is replaced, not followed) by a
/// regular file holding `data`.
pub(crate) fn replace_file(path: &Path, data: &[u8], attrs: &Attrs) -> io::Result<()> {
    replace_file_unsynced(path, data, attrs)?;
    sync_dir(&parent_dir(path))?;
    failpoint!("replace_file: directory synced")
}

/// [`replace_file`] without the final fsync of the directory: the rename
/// is durable only once the caller syncs it (after several, once).
pub(crate) fn replace_file_unsynced(path: &Path, data: &[u8], attrs: &Attrs) -> io::Result<()> {
    let (tmp_path, mut tmp) = create_temp_beside(path)?;
    let result = (|| {
        failpoint!("replace_file: temp created")?;
        tmp.write_all(data)?;
        failpoint!("replace_file: temp written")?;
        apply_attrs(&tmp, attrs)?;
        tmp.sync_all()?;
        failpoint!("replace_file: temp synced")?;
        fs::rename(&tmp_path, path)?;
        failpoint!("replace_file: renamed")
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp_path);
    }
    result
}

/// Make `link` a symbolic link to `target`, replacing what is there.
pub(crate) fn replace_symlink(
    link: &Path,
    target: &Path,
    owner: Option<(u32, u32)>,
) -> io::Result<()> {
    let mut made = None;
    for candidate in temp_candidates(link) {
        match std::os::unix::fs::symlink(target, &candidate) {
            Ok(()) => {
                made = Some(candidate);
                break;
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    let tmp_path =
        made.ok_or_else(|| io::Error::other("could not find a free temporary link name"))?;
    let result = (|| {
        failpoint!("replace_symlink: temp link created")?;
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::lchown(&tmp_path, Some(uid), Some(gid))?;
        }
        fs::rename(&tmp_path, link)?;
        failpoint!("replace_symlink: renamed")?;
        sync_dir(&parent_dir(link))?;
        failpoint!("replace_symlink: directory synced")
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp_path);
    }
    result
}

/// Remove a file or symbolic link durably. `Ok(false)` when it was absent.
pub(crate) fn remove(path: &Path) -> io::Result<bool> {
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    }
    failpoint!("remove: removed")?;
    sync_dir(&parent_dir(path))?;
    failpoint!("remove: directory synced")?;
    Ok(true)
}

/// Create one directory with exactly `mode` (no umask), durably.
pub(crate) fn make_dir(path: &Path, mode: u32) -> io::Result<()> {
    DirBuilder::new().mode(mode).create(path)?;
    failpoint!("make_dir: created")?;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    sync_dir(&parent_dir(path))?;
    failpoint!("make_dir: directory synced")
}

/// What happened to a directory that rollback wanted gone.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DirRemoval {
    Removed,
    Absent,
    NotEmpty,
}

pub(crate) fn remove_empty_dir(path: &Path) -> io::Result<DirRemoval> {
    match fs::remove_dir(path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(DirRemoval::Absent),
        Err(e) if e.kind() == io::ErrorKind::DirectoryNotEmpty => return Ok(DirRemoval::NotEmpty),
        Err(e) => return Err(e),
    }
    failpoint!("remove_empty_dir: removed")?;
    sync_dir(&parent_dir(path))?;
    failpoint!("remove_empty_dir: directory synced")?;
    Ok(DirRemoval::Removed)
}

/// Rename durably: both directories are fsynced.
pub(crate) fn rename(from: &Path, to: &Path) -> io::Result<()> {
    fs::rename(from, to)?;
    failpoint!("rename: renamed")?;
    sync_dir(&parent_dir(to))?;
    if parent_dir(from) != parent_dir(to) {
        sync_dir(&parent_dir(from))?;
    }
    failpoint!("rename: directories synced")
}

/// fsync a directory so a rename or create inside it is durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Copy `src` to a new file `dest` (mode 0600) and fsync it. Its directory
/// entry becomes durable with the caller's next fsync of that directory
/// (the manifest's, which lives beside the backups and is written next).
/// Returns the length and [`Fnv`] hash of what was copied.
pub(crate) fn copy_durable(src: &mut File, dest: &Path) -> io::Result<(u64, u64)> {
    let mut out = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(dest)?;
    failpoint!("copy_durable: created")?;
    let mut hash = Fnv::new();
    let mut len = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match src.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        out.write_all(&buf[..n])?;
        hash.update(&buf[..n]);
        len += n as u64;
    }
    failpoint!("copy_durable: written")?;
    out.sync_all()?;
    failpoint!("copy_durable: synced")?;
    Ok((len, hash.finish()))
}

/// Length and hash of a file's content.
pub(crate) fn hash_file(path: &Path) -> io::Result<(u64, u64)> {
    let mut file = File::open(path)?;
    let mut hash = Fnv::new();
    let mut len = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hash.update(&buf[..n]);
        len += n as u64;
    }
    Ok((len, hash.finish()))
}

/// FNV-1a, 64 bits: detects torn or altered manifests and backups (not an
/// adversary: the work dir is root's).
pub(crate) struct Fnv(u64);

impl Fnv {
    pub fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    pub fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    pub fn finish(&self) -> u64 {
        self.0
    }

    pub fn of(bytes: &[u8]) -> u64 {
        let mut h = Fnv::new();
        h.update(bytes);
        h.finish()
    }
}

/// The modification time as (seconds, nanoseconds) since the epoch.
pub(crate) fn mtime_of(meta: &fs::Metadata) -> (i64, u32) {
    (meta.mtime(), u32::try_from(meta.mtime_nsec()).unwrap_or(0))
}

pub(crate) fn system_time(secs: i64, nanos: u32) -> SystemTime {
    let nanos = std::time::Duration::from_nanos(u64::from(nanos.min(999_999_999)));
    if secs >= 0 {
        SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs.unsigned_abs()) + nanos
    } else {
        SystemTime::UNIX_EPOCH - std::time::Duration::from_secs(secs.unsigned_abs()) + nanos
    }
}

/// Set only the modification time of an existing file, in place.
pub(crate) fn set_mtime(path: &Path, mtime: SystemTime) -> io::Result<()> {
    // A read-only descriptor is enough for the owner (or root) to set times.
    let file = File::open(path)?;
    file.set_times(FileTimes::new().set_modified(mtime))?;
    file.sync_all()
}
