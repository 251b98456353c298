//! certsmith's TLS settings file for nginx, written once into the config
//! dir and included by the server blocks that get TLS.
//!
//! Values: Mozilla's "intermediate" recommendation (TLS 1.2 and 1.3, AEAD
//! ciphers with forward secrecy, no session tickets, the RFC 7919
//! `ffdhe2048` group for DHE). The file is rewritten only when its content
//! is what certsmith last wrote (a SHA-256 of that is kept beside it): a
//! user's own changes are never overwritten.

use super::build;
use crate::digest::sha256_hex;
use crate::syntax::nginx::EditError;
use std::path::{Path, PathBuf};

pub const OPTIONS_FILE: &str = "certsmith-options-ssl-nginx.conf";
pub const DHPARAM_FILE: &str = "certsmith-ssl-dhparams.pem";
const DIGEST_FILE: &str = ".certsmith-options-ssl-nginx.conf.sha256";

/// RFC 7919 `ffdhe2048` (a published constant), as `openssl` spells it.
const FFDHE2048: &str = "-----BEGIN DH PARAMETERS-----
MIIBCAKCAQEA//////////+t+FRYortKmq/cViAnPTzx2LnFg84tNpWp4TZBFGQz
+8yTnc4kmz75fS/jY2MMddj2gbICrsRhetPfHtXV/WVhJDP1H18GbtCFY2VVPe0a
87VXE15/V8k1mE8McODmi3fipona8+/och3xWKE2rec1MKzKT0g6eXq8CrGCsyT7
YdEIqUuyyOP7uWrat2DX9GgdT0Kj3jlN9K5W7edjcrsZCwenyO4KbXCeAvzhzffi
7MA0BM0oNC9hkXL+nOmFg/+OTxIy7vKBg8P+OxtMb61zO7X8vC7CIAXFjvGDfRaD
ssbzSibBsu/6iGtCOGEoXJf//////////wIBAg==
-----END DH PARAMETERS-----
";

const HEADER: &str = "\
# TLS settings written by certsmith (Mozilla \"intermediate\": TLS 1.2 and 1.3).
# Included by the server blocks certsmith enabled TLS in. certsmith updates
# this file only while it is unchanged: once you edit it, it is yours.
";

const SETTINGS: &str = "\
ssl_session_cache shared:certsmith_ssl:10m;
ssl_session_timeout 1d;
ssl_session_tickets off;
ssl_protocols TLSv1.2 TLSv1.3;
ssl_ecdh_curve X25519:prime256v1:secp384r1;
ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305;
ssl_prefer_server_ciphers off;
";

/// A file to write with the configuration change (same checkpoint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    pub mode: u32,
}

/// The options file's path and what to write for it (nothing when it is
/// current or the user's), with a note when it is left alone.
#[derive(Debug, Clone)]
pub struct OptionsPlan {
    pub path: PathBuf,
    pub files: Vec<ExtraFile>,
    pub note: Option<String>,
}

/// What the options file should say for this config dir.
pub fn content(config_dir: &Path) -> Result<Vec<u8>, EditError> {
    let dhparam = build::with_path("ssl_dhparam", &config_dir.join(DHPARAM_FILE))?;
    let mut out = HEADER.as_bytes().to_vec();
    out.extend_from_slice(SETTINGS.as_bytes());
    out.extend_from_slice(&dhparam.print());
    out.push(b'\n');
    Ok(out)
}

/// Decide what to write under `config_dir`.
pub fn plan(config_dir: &Path) -> Result<OptionsPlan, EditError> {
    let path = config_dir.join(OPTIONS_FILE);
    let digest_path = config_dir.join(DIGEST_FILE);
    let dhparam = config_dir.join(DHPARAM_FILE);
    let want = content(config_dir)?;
    let mut files = Vec::new();
    let mut note = None;
    match std::fs::read(&path) {
        Err(_) => {
            files.push(ExtraFile {
                path: path.clone(),
                bytes: want.clone(),
                mode: 0o644,
            });
            files.push(digest_file(&digest_path, &want));
        }
        Ok(current) if current == want => {}
        Ok(current) => {
            let recorded = std::fs::read_to_string(&digest_path).unwrap_or_default();
            if recorded.trim() == sha256_hex(&current) {
                // Ours, unchanged since written: bring it up to date.
                files.push(ExtraFile {
                    path: path.clone(),
                    bytes: want.clone(),
                    mode: 0o644,
                });
                files.push(digest_file(&digest_path, &want));
            } else {
                note = Some(format!(
                    "{} was changed by hand; certsmith leaves it as it is",
                    path.display()
                ));
            }
        }
    }
    if !dhparam.exists() {
        files.push(ExtraFile {
            path: dhparam,
            bytes: FFDHE2048.as_bytes().to_vec(),
            mode: 0o644,
        });
    }
    Ok(OptionsPlan { path, files, note })
}

fn digest_file(path: &Path, content: &[u8]) -> ExtraFile {
    ExtraFile {
        path: path.to_path_buf(),
        bytes: format!("{}\n", sha256_hex(content)).into_bytes(),
        mode: 0o644,
    }
}
