//! The write-ahead manifest of one transaction (or checkpoint): what each
//! touched path was before the transaction, in the order first touched.
//!
//! A line-based text format, one record per line, fields separated by one
//! space and escaped (see [`escape`]), ending with a line that counts the
//! lines before it and carries their FNV-1a hash, so a truncated or altered
//! manifest is detected rather than half-read:
//!
//! ```text
//! certsmith-reverter-manifest 1
//! kind permanent
//! title Deployed%20certificate%20for%20example.com
//! started 1732871000 123456789
//! committed 1732871002 0
//! mkdir /etc/nginx/snippets
//! file /etc/nginx/sites-available/default 0 1234 9f3a...c2 644 0 0 1732000000 0 after file 1301 77e1...01
//! absent /etc/nginx/snippets/ssl.conf after file 88 0c2b...9e
//! link /etc/nginx/sites-enabled/x ../sites-available/x 0 0 after absent
//! note Apache%20module%20ssl%20enabled
//! end 10 4b1e0a9d3c7f2e15
//! ```
//!
//! Each manifest is written twice (`manifest`, then `manifest.mirror`), each
//! atomically (temp file, fsync, rename), then the directory is fsynced once,
//! which also makes the backup just copied beside them durable. A live file
//! is touched only after that, so either copy alone lists every change that
//! may have happened.

use crate::error::Error;
use crate::fsops::{self, Attrs, Fnv};
use crate::{Kind, UndoAction};
use std::ffi::OsString;
use std::fs;
use std::io;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub(crate) const MANIFEST: &str = "manifest";
pub(crate) const MIRROR: &str = "manifest.mirror";
const MAGIC: &str = "certsmith-reverter-manifest 1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Manifest {
    pub kind: Kind,
    pub title: String,
    pub started: SystemTime,
    pub committed: Option<SystemTime>,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Entry {
    /// A file or link path, as it was before its first change.
    Path {
        path: PathBuf,
        original: Original,
        /// What the transaction left there; filled in at commit.
        after: Option<After>,
    },
    /// A directory the transaction created (removed on rollback if empty).
    CreatedDir(PathBuf),
    Action(UndoAction),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Original {
    Absent,
    File(FileBackup),
    Link { target: PathBuf, uid: u32, gid: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileBackup {
    /// The backup's number: file `backup.ID` beside the manifest.
    pub id: u32,
    pub len: u64,
    pub hash: u64,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub mtime: (i64, u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum After {
    Absent,
    File { len: u64, hash: u64 },
    Link(PathBuf),
    Other,
}

/// Escape a field: bytes `!`..`~` stand for themselves except `%`; every
/// other byte (space, newline, non-ASCII, `%`) is `%XX`. The empty field is
/// `%-`. Paths are bytes on Unix, so non-UTF-8 names survive.
pub(crate) fn escape(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "%-".into();
    }
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if (0x21..=0x7e).contains(&b) && b != b'%' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(crate) fn unescape(field: &str) -> Result<Vec<u8>, String> {
    if field == "%-" {
        return Ok(Vec::new());
    }
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = field
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("bad escape in {field:?}"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

fn path_field(path: &Path) -> String {
    escape(path.as_os_str().as_bytes())
}

fn text_field(text: &str) -> String {
    escape(text.as_bytes())
}

impl Manifest {
    pub fn new(kind: Kind, title: &str) -> Manifest {
        Manifest {
            kind,
            title: title.to_string(),
            started: SystemTime::now(),
            committed: None,
            entries: Vec::new(),
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut lines = vec![MAGIC.to_string()];
        lines.push(format!("kind {}", self.kind));
        lines.push(format!("title {}", text_field(&self.title)));
        let (s, n) = crate::time::to_parts(self.started);
        lines.push(format!("started {s} {n}"));
        if let Some(t) = self.committed {
            let (s, n) = crate::time::to_parts(t);
            lines.push(format!("committed {s} {n}"));
        }
        lines.extend(self.entries.iter().map(encode_entry));
        let mut out = lines.join("\n").into_bytes();
        out.push(b'\n');
        let hash = Fnv::of(&out);
        out.extend_from_slice(format!("end {} {hash:016x}\n", lines.len()).as_bytes());
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Manifest, (usize, String)> {
        let body_end = find_end_line(bytes)?;
        let (body, end) = bytes.split_at(body_end);
        let text = std::str::from_utf8(body).map_err(|e| {
            let line = body[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            (line, "not UTF-8 text".to_string())
        })?;
        let lines: Vec<&str> = text.lines().collect();
        check_end(end, lines.len(), Fnv::of(body))?;
        let mut header = Header::default();
        let mut entries = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let at = |reason: String| (i + 1, reason);
            if i == 0 {
                if *line != MAGIC {
                    return Err(at("not a certsmith manifest (bad first line)".into()));
                }
                continue;
            }
            let fields: Vec<&str> = line.split(' ').collect();
            if header.read(&fields).map_err(at)? {
                continue;
            }
            entries.push(decode_entry(&fields).map_err(at)?);
        }
        header.finish(entries).map_err(|reason| (1, reason))
    }
}

/// The offset where the `end` line starts.
fn find_end_line(bytes: &[u8]) -> Result<usize, (usize, String)> {
    let last_line = bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    let truncated = || (last_line, "truncated (no end line)".to_string());
    let without_newline = bytes.strip_suffix(b"\n").ok_or_else(truncated)?;
    let start = without_newline
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    if !bytes[start..].starts_with(b"end ") {
        return Err(truncated());
    }
    Ok(start)
}

fn check_end(end: &[u8], lines: usize, hash: u64) -> Result<(), (usize, String)> {
    let here = lines + 1;
    let text = std::str::from_utf8(end).map_err(|_| (here, "bad end line".to_string()))?;
    let fields: Vec<&str> = text.trim_end().split(' ').collect();
    let [_, count, sum] = fields[..] else {
        return Err((here, "bad end line".into()));
    };
    if count != lines.to_string() {
        return Err((
            here,
            format!("end line counts {count} lines, found {lines}"),
        ));
    }
    if sum != format!("{hash:016x}") {
        return Err((here, "checksum mismatch: the manifest was altered".into()));
    }
    Ok(())
}

#[derive(Default)]
struct Header {
    kind: Option<Kind>,
    title: Option<String>,
    started: Option<SystemTime>,
    committed: Option<SystemTime>,
}

impl Header {
    /// Take a header line; `Ok(false)` when the line is an entry.
    fn read(&mut self, fields: &[&str]) -> Result<bool, String> {
        match fields {
            ["kind", "permanent"] => self.kind = Some(Kind::Permanent),
            ["kind", "temporary"] => self.kind = Some(Kind::Temporary),
            ["kind", other] => return Err(format!("unknown kind {other:?}")),
            ["title", t] => self.title = Some(text(t)?),
            ["started", s, n] => self.started = Some(time(s, n)?),
            ["committed", s, n] => self.committed = Some(time(s, n)?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(self, entries: Vec<Entry>) -> Result<Manifest, String> {
        Ok(Manifest {
            kind: self.kind.ok_or("no kind line")?,
            title: self.title.ok_or("no title line")?,
            started: self.started.ok_or("no started line")?,
            committed: self.committed,
            entries,
        })
    }
}

fn encode_entry(entry: &Entry) -> String {
    match entry {
        Entry::Path {
            path,
            original,
            after,
        } => {
            let mut line = match original {
                Original::Absent => format!("absent {}", path_field(path)),
                Original::File(b) => format!(
                    "file {} {} {} {:016x} {:o} {} {} {} {}",
                    path_field(path),
                    b.id,
                    b.len,
                    b.hash,
                    b.mode,
                    b.uid,
                    b.gid,
                    b.mtime.0,
                    b.mtime.1
                ),
                Original::Link { target, uid, gid } => {
                    format!(
                        "link {} {} {uid} {gid}",
                        path_field(path),
                        path_field(target)
                    )
                }
            };
            match after {
                None => {}
                Some(After::Absent) => line.push_str(" after absent"),
                Some(After::File { len, hash }) => {
                    line.push_str(&format!(" after file {len} {hash:016x}"))
                }
                Some(After::Link(t)) => line.push_str(&format!(" after link {}", path_field(t))),
                Some(After::Other) => line.push_str(" after other"),
            }
            line
        }
        Entry::CreatedDir(path) => format!("mkdir {}", path_field(path)),
        Entry::Action(UndoAction::Note(t)) => format!("note {}", text_field(t)),
        Entry::Action(UndoAction::ModuleEnabled { server, module }) => {
            format!("module {} {}", text_field(server), text_field(module))
        }
        Entry::Action(UndoAction::SiteEnabled { server, site }) => {
            format!("site {} {}", text_field(server), text_field(site))
        }
        Entry::Action(UndoAction::ReloadServer { server, config }) => {
            format!("reload {} {}", text_field(server), path_field(config))
        }
    }
}

fn decode_entry(fields: &[&str]) -> Result<Entry, String> {
    // Records about a path have a fixed number of fields, then maybe an
    // `after` part (a link target may itself read "after", so count).
    let fixed = match fields.first() {
        Some(&"absent") => 2,
        Some(&"link") => 5,
        Some(&"file") => 10,
        _ => fields.len(),
    };
    let (main, rest) = fields.split_at(fixed.min(fields.len()));
    let after = match rest {
        [] => None,
        ["after", tail @ ..] => Some(decode_after(tail)?),
        _ => return Err("unexpected fields at the end of the line".into()),
    };
    let path_entry = |path: &str, original| -> Result<Entry, String> {
        Ok(Entry::Path {
            path: path_of(path)?,
            original,
            after: after.clone(),
        })
    };
    match main {
        ["absent", p] => path_entry(p, Original::Absent),
        ["file", p, id, len, hash, mode, uid, gid, ms, mn] => {
            let backup = FileBackup {
                id: number(id)?,
                len: number(len)?,
                hash: u64::from_str_radix(hash, 16).map_err(|_| format!("bad hash {hash:?}"))?,
                mode: u32::from_str_radix(mode, 8).map_err(|_| format!("bad mode {mode:?}"))?,
                uid: number(uid)?,
                gid: number(gid)?,
                mtime: (number(ms)?, number(mn)?),
            };
            path_entry(p, Original::File(backup))
        }
        ["link", p, target, uid, gid] => {
            let original = Original::Link {
                target: target_of(target)?,
                uid: number(uid)?,
                gid: number(gid)?,
            };
            path_entry(p, original)
        }
        ["mkdir", p] => Ok(Entry::CreatedDir(path_of(p)?)),
        ["note", t] => Ok(Entry::Action(UndoAction::Note(text(t)?))),
        ["module", s, m] => Ok(Entry::Action(UndoAction::ModuleEnabled {
            server: text(s)?,
            module: text(m)?,
        })),
        ["site", s, m] => Ok(Entry::Action(UndoAction::SiteEnabled {
            server: text(s)?,
            site: text(m)?,
        })),
        ["reload", s, c] => Ok(Entry::Action(UndoAction::ReloadServer {
            server: text(s)?,
            config: path_of(c)?,
        })),
        [word, ..] => Err(format!("unknown or malformed record {word:?}")),
        [] => Err("empty line".into()),
    }
}

fn decode_after(fields: &[&str]) -> Result<After, String> {
    match fields {
        ["absent"] => Ok(After::Absent),
        ["file", len, hash] => Ok(After::File {
            len: number(len)?,
            hash: u64::from_str_radix(hash, 16).map_err(|_| format!("bad hash {hash:?}"))?,
        }),
        ["link", t] => Ok(After::Link(target_of(t)?)),
        ["other"] => Ok(After::Other),
        _ => Err("malformed after".into()),
    }
}

fn number<T: std::str::FromStr>(field: &str) -> Result<T, String> {
    field.parse().map_err(|_| format!("bad number {field:?}"))
}

fn time(secs: &str, nanos: &str) -> Result<SystemTime, String> {
    Ok(fsops::system_time(number(secs)?, number(nanos)?))
}

fn text(field: &str) -> Result<String, String> {
    String::from_utf8(unescape(field)?).map_err(|_| format!("not UTF-8: {field:?}"))
}

fn path_of(field: &str) -> Result<PathBuf, String> {
    let bytes = unescape(field)?;
    if bytes.first() != Some(&b'/') {
        return Err(format!("not an absolute path: {field:?}"));
    }
    Ok(PathBuf::from(OsString::from_vec(bytes)))
}

/// A symbolic link's target: any non-empty path, relative ones included.
fn target_of(field: &str) -> Result<PathBuf, String> {
    let bytes = unescape(field)?;
    if bytes.is_empty() {
        return Err("empty link target".into());
    }
    Ok(PathBuf::from(OsString::from_vec(bytes)))
}

/// Write both copies, each atomically (the manifest, then its mirror), and
/// make them durable with one fsync of the directory.
pub(crate) fn write(dir: &Path, manifest: &Manifest) -> Result<(), Error> {
    let bytes = manifest.encode();
    for name in [MANIFEST, MIRROR] {
        let path = dir.join(name);
        fsops::replace_file_unsynced(&path, &bytes, &Attrs::mode(0o600))
            .map_err(|e| Error::io(&path, "write manifest", e))?;
    }
    fsops::sync_dir(dir).map_err(|e| Error::io(dir, "sync manifest directory", e))?;
    failpoint!("manifest: directory synced")
        .map_err(|e| Error::io(dir, "sync manifest directory", e))
}

/// A manifest read back, with notes on anything odd about its copies.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub manifest: Manifest,
    pub notes: Vec<String>,
}

/// Read a transaction's manifest: the main copy when it is whole, else the
/// mirror. `Ok(None)` when neither copy exists.
pub(crate) fn read(dir: &Path) -> Result<Option<Loaded>, Error> {
    let main = read_one(&dir.join(MANIFEST))?;
    let mirror = || read_one(&dir.join(MIRROR));
    match main {
        Some(Ok(manifest)) => Ok(Some(Loaded {
            manifest,
            notes: vec![],
        })),
        None => match mirror()? {
            None => Ok(None),
            Some(Ok(manifest)) => Ok(Some(Loaded {
                manifest,
                notes: vec![],
            })),
            Some(Err(e)) => Err(e),
        },
        Some(Err(main_error)) => match mirror()? {
            Some(Ok(manifest)) => Ok(Some(Loaded {
                manifest,
                notes: vec![format!(
                    "{main_error}; used its mirror {}",
                    dir.join(MIRROR).display()
                )],
            })),
            _ => Err(main_error),
        },
    }
}

fn read_one(path: &Path) -> Result<Option<Result<Manifest, Error>>, Error> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, "read manifest", e)),
    };
    Ok(Some(Manifest::decode(&bytes).map_err(|(line, reason)| {
        Error::CorruptManifest {
            path: path.to_path_buf(),
            line,
            reason,
        }
    })))
}

#[cfg(test)]
mod tests;
