//! The run's log file, and (`progress`) the status line shown during waits.
//!
//! Each run that acts (not `--help`, not read-only verbs) writes one file in
//! `--logs-dir`: `certsmith.log`, the previous runs rotated to
//! `certsmith.log.1`, `.2`, ... keeping `--max-log-backups` of them (default
//! 1000); with 0 there is no rotation and every run appends to
//! `certsmith.log` (Debian's cli.ini sets that and leaves rotation to
//! logrotate). Lines are written as they happen, so a crash leaves what led
//! to it.
//!
//! What goes in: the command line (values of secret flags replaced), the
//! cli.ini files read, decisions, ACME URLs, hooks run and their exit status,
//! errors. What never goes in: private keys, EAB HMAC keys, TSIG secrets,
//! hook environments and hook output (which may carry any of those). Callers
//! log values, never key material; the command line comes in already redacted
//! (`cli::redacted_command_line`). This module depends on nothing above it.

pub mod progress;

use std::fmt::Display;
use std::fs::{self, File, OpenOptions};
use std::io::{self, LineWriter, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

pub const FILE_NAME: &str = "certsmith.log";
/// The file name when invoked as `certbot` (Certbot's), so tools that read
/// Certbot's log keep working.
pub const CERTBOT_FILE_NAME: &str = "letsencrypt.log";

static SINK: Mutex<Option<LineWriter<File>>> = Mutex::new(None);
static QUIET: AtomicBool = AtomicBool::new(false);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug,
    Info,
    Warning,
    Error,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
        }
    }
}

/// Open this run's log file `name` ([`FILE_NAME`] or [`CERTBOT_FILE_NAME`])
/// in `dir` (made 0700 if missing), rotating the older ones. Returns the
/// file's path.
pub fn init(dir: &Path, name: &str, max_backups: usize) -> io::Result<PathBuf> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let path = dir.join(name);
    if max_backups > 0 && path.exists() {
        rotate(dir, name, max_backups)?;
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&path)?;
    if let Ok(mut sink) = SINK.lock() {
        *sink = Some(LineWriter::new(file));
    }
    Ok(path)
}

/// `certsmith.log` -> `.1` -> `.2` ...; backups numbered `max` and above go.
fn rotate(dir: &Path, name: &str, max: usize) -> io::Result<()> {
    let prefix = format!("{name}.");
    let mut numbered: Vec<usize> = fs::read_dir(dir)?
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_prefix(&prefix)?
                .parse::<usize>()
                .ok()
        })
        .collect();
    // Highest first, so each rename lands on a name already moved away.
    numbered.sort_unstable_by(|a, b| b.cmp(a));
    for n in numbered {
        let from = dir.join(format!("{prefix}{n}"));
        if n >= max {
            fs::remove_file(&from)?;
        } else {
            fs::rename(&from, dir.join(format!("{prefix}{}", n + 1)))?;
        }
    }
    fs::rename(dir.join(name), dir.join(format!("{prefix}1")))
}

/// Errors only on the terminal (`-q`): no status or outcome lines either
/// ([`progress`]).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

pub fn write(level: Level, message: impl Display) {
    let Ok(mut sink) = SINK.lock() else {
        return;
    };
    let Some(file) = sink.as_mut() else {
        return;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let stamp = utc_stamp(now.as_secs() as i64);
    // One write per line; a message with newlines stays one record.
    let text = message.to_string().replace('\n', "\n    ");
    let _ = writeln!(
        file,
        "{stamp}.{:03} {:<7} {text}",
        now.subsec_millis(),
        level.as_str()
    );
}

/// `2026-12-07 16:37:28`: seconds since the Unix epoch as a UTC date and time
/// (outside the years -9999..=9999, the nearest end).
pub fn utc_stamp(unix: i64) -> String {
    let t = ::time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(if unix < 0 {
        ::time::PrimitiveDateTime::MIN.assume_utc()
    } else {
        ::time::PrimitiveDateTime::MAX.assume_utc()
    });
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

pub fn debug(message: impl Display) {
    write(Level::Debug, message);
}
pub fn info(message: impl Display) {
    write(Level::Info, message);
}
pub fn warning(message: impl Display) {
    write(Level::Warning, message);
}
pub fn error(message: impl Display) {
    write(Level::Error, message);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_keeps_the_newest_backups() {
        let tmp_dir = tempfile::tempdir().unwrap();
        let dir = tmp_dir.path().to_path_buf();
        fs::create_dir_all(&dir).unwrap();
        for run in 0..5 {
            if dir.join(FILE_NAME).exists() {
                rotate(&dir, FILE_NAME, 3).unwrap();
            }
            fs::write(dir.join(FILE_NAME), format!("run {run}")).unwrap();
        }
        let read = |name: &str| fs::read_to_string(dir.join(name)).unwrap();
        assert_eq!(read(FILE_NAME), "run 4");
        assert_eq!(read("certsmith.log.1"), "run 3");
        assert_eq!(read("certsmith.log.3"), "run 1");
        assert!(!dir.join("certsmith.log.4").exists());
    }
}
