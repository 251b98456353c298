//! Installers: load a server's config files (following includes as the server does), pick
//! server blocks or virtual hosts, make TLS and enhancement edits, answer http-01 through the
//! web server, configtest and reload. Certbot-specific policy lives here, I/O included;
//! the syntax layer below stays pure.

pub mod apache;
pub mod nginx;
pub mod temp_edits;

use std::path::{Path, PathBuf};

/// The certificate files a site is pointed at (Certbot's `live/NAME/` links
/// for a lineage), absolute: the server may run from any directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertFiles {
    /// Certificate and chain (nginx `ssl_certificate`, Apache `SSLCertificateFile`).
    pub fullchain: PathBuf,
    /// Private key.
    pub key: PathBuf,
}

/// `p` made absolute against the current directory, without resolving links
/// (the server, and renewal, may run from another directory).
pub fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}
