//! Reading configuration files the way each server opens them, so that no include can make
//! certsmith wait forever or read without end.
//!
//! Every file is opened with `O_NONBLOCK` and examined with `fstat` on the open descriptor
//! (no race between a check and the open): opening a FIFO without it would block until a
//! writer comes, and a device such as `/dev/zero` never ends. What happens next is the
//! server's own rule:
//!
//! - nginx reads a file by the size `fstat` gives (`ngx_conf_read_token` stops at
//!   `file_size`), so a character device (size 0) reads as empty: `include /dev/zero;` and
//!   `include /dev/null;` pass `nginx -t`. A FIFO is refused: nginx itself would block in
//!   `open` waiting for a writer, so no configuration that includes one can start.
//! - Apache (`ap_pcfg_openfile`) refuses anything but a regular file, except the path
//!   `/dev/null` exactly.

use std::fs::{File, Metadata};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// Why a configuration file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// nginx would block opening it until some process writes to it.
    #[error("is a FIFO: nginx would wait for a writer opening it")]
    Fifo,
    /// Apache's "Access to file ... denied by server: not a regular file".
    #[error("not a regular file (Apache reads only regular files and /dev/null)")]
    NotRegular,
}

/// The bytes nginx would read from `path`: at most the size `fstat` reports.
pub fn as_nginx(path: &Path) -> Result<Vec<u8>, ReadError> {
    let (file, meta) = open(path)?;
    if meta.file_type().is_fifo() {
        return Err(ReadError::Fifo);
    }
    if meta.is_dir() {
        // nginx's pread fails the same way.
        return Err(std::io::Error::from(std::io::ErrorKind::IsADirectory).into());
    }
    read_up_to(file, meta.len())
}

/// The bytes Apache would read from `path`: a regular file, or `/dev/null`.
pub fn as_apache(path: &Path) -> Result<Vec<u8>, ReadError> {
    let (file, meta) = open(path)?;
    if !meta.is_file() {
        if path == Path::new("/dev/null") {
            return Ok(Vec::new());
        }
        return Err(ReadError::NotRegular);
    }
    read_up_to(file, meta.len())
}

/// Open without blocking (a FIFO opens at once) and `fstat` what was opened.
fn open(path: &Path) -> Result<(File, Metadata), ReadError> {
    let nonblock = rustix::fs::OFlags::NONBLOCK.bits();
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(i32::try_from(nonblock).unwrap_or(0o4000))
        .open(path)?;
    let meta = file.metadata()?;
    Ok((file, meta))
}

/// Read at most `size` bytes: a file growing while it is read does not make the read
/// endless, and a device reporting size 0 is not read at all.
fn read_up_to(file: File, size: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(1 << 26));
    file.take(size).read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_read_as_their_server_reads_them() {
        assert_eq!(as_nginx(Path::new("/dev/zero")).unwrap(), b"");
        assert_eq!(as_nginx(Path::new("/dev/urandom")).unwrap(), b"");
        assert_eq!(as_nginx(Path::new("/dev/null")).unwrap(), b"");
        assert!(matches!(
            as_apache(Path::new("/dev/zero")),
            Err(ReadError::NotRegular)
        ));
        assert_eq!(as_apache(Path::new("/dev/null")).unwrap(), b"");
        assert!(as_nginx(Path::new("/")).is_err());
    }
}
