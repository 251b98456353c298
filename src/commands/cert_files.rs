//! The certificate files `install` points a server at when no lineage is named: the
//! `--cert-path`/`--key-path`/`--fullchain-path` flags.

use crate::commands::Config;
use crate::installer::CertFiles;
use crate::x509 as certinfo;
use anyhow::{Context, Result, bail};

use crate::installer::absolute;

/// `--cert-path`, `--key-path`, `--fullchain-path`: checked to exist and
/// to be a certificate; the names are the certificate's. `server` is the
/// installer flag (`--nginx`, `--apache`) for messages.
pub fn from_flags(config: &Config, server: &str) -> Result<(CertFiles, Vec<String>)> {
    let files = &config.files;
    let (Some(cert), Some(key)) = (files.cert_path.clone(), files.key_path.clone()) else {
        bail!("install: give --cert-name NAME, or --cert-path, --key-path and --fullchain-path");
    };
    let Some(fullchain) = files.fullchain_path.clone() else {
        bail!(
            "install {server}: give --fullchain-path too (the server sends the certificate with its chain)"
        );
    };
    let pem = std::fs::read_to_string(&cert)
        .with_context(|| format!("--cert-path: cannot read {}", cert.display()))?;
    let info = certinfo::parse_pem(&pem)
        .map_err(|e| anyhow::anyhow!("--cert-path {}: {}", cert.display(), e.0))?;
    for (flag, path) in [("key-path", &key), ("fullchain-path", &fullchain)] {
        if !path.is_file() {
            bail!("--{flag}: {} does not exist", path.display());
        }
    }
    Ok((
        CertFiles {
            fullchain: absolute(&fullchain),
            key: absolute(&key),
        },
        info.names,
    ))
}
