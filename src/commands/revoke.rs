//! `revoke`: revoke a certificate (by `--cert-name` or `--cert-path`) with
//! the account key or, with `--key-path`, the certificate's own key; then
//! offer to delete its lineage.

use super::{Config, account, delete};
use crate::acme::{self, AcmeOptions, JwsKey, Session};
use crate::storage::{self, Lineage, renewal_conf::PARAMS};
use crate::x509 as certinfo;
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The lineage a certificate file belongs to (its live or archive path).
fn lineage_of(config: &Config, cert: &Path) -> Option<Lineage> {
    let wanted = std::fs::canonicalize(cert).ok()?;
    storage::list(&config.paths.config_dir)
        .ok()?
        .into_iter()
        .find_map(|name| {
            let lineage = Lineage::load(&config.paths.config_dir, &name).ok()?;
            let live = std::fs::canonicalize(lineage.path("cert")).ok();
            let in_archive = wanted.starts_with(std::fs::canonicalize(lineage.archive_dir()).ok()?);
            (live.as_deref() == Some(wanted.as_path()) || in_archive).then_some(lineage)
        })
}

fn target(config: &Config) -> anyhow::Result<(PathBuf, Option<Lineage>)> {
    match (&config.cert.cert_name, config.files.cert_path.clone()) {
        (Some(_), Some(_)) => bail!("give --cert-name or --cert-path, not both"),
        (Some(name), None) => {
            storage::validate_name(name)?;
            let lineage = Lineage::load(&config.paths.config_dir, name)?;
            Ok((lineage.path("cert"), Some(lineage)))
        }
        (None, Some(path)) => {
            let lineage = lineage_of(config, &path);
            Ok((path, lineage))
        }
        (None, None) => {
            bail!("say which certificate to revoke: --cert-name NAME or --cert-path FILE")
        }
    }
}

pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let reason = match config.revoke.reason.as_deref() {
        Some(r) => Some(acme::revocation_reason(r).with_context(|| {
            format!("--reason: {r:?} is not one of unspecified, keycompromise, affiliationchanged, superseded, cessationofoperation")
        })?),
        None => None,
    };
    let (cert_path, lineage) = target(config)?;
    let pem = std::fs::read_to_string(&cert_path)
        .with_context(|| format!("--cert-path: cannot read {}", cert_path.display()))?;
    let info =
        certinfo::parse_pem(&pem).map_err(|e| anyhow::anyhow!("{}: {e}", cert_path.display()))?;
    // The lineage's CA unless --server says otherwise.
    let directory_url = match (&config.acme.server, &lineage) {
        (None, Some(l)) => l
            .conf
            .get(PARAMS, "server")
            .unwrap_or_else(|| config.directory_url()),
        _ => config.directory_url(),
    };
    let session = Session::new(&AcmeOptions {
        directory_url,
        ca_bundle: config.acme.ca_bundle.clone(),
    })?;
    let _lock = storage::lock_config_dir(&config.paths.config_dir)?;
    match &config.files.key_path {
        Some(key_path) => {
            let text = std::fs::read_to_string(key_path)
                .with_context(|| format!("--key-path: cannot read {}", key_path.display()))?;
            let key = JwsKey::from_pem(&text)
                .with_context(|| format!("--key-path {}", key_path.display()))?;
            session.revoke_with_cert_key(key, &info.der, reason)?;
        }
        None => {
            let wanted = lineage.as_ref().and_then(|l| l.conf.get(PARAMS, "account"));
            let Some(stored) = account::find(config, &session.directory_url, wanted.as_deref())?
            else {
                bail!(
                    "no account for {} to revoke with: give --key-path with the certificate's private key",
                    session.directory_url
                );
            };
            let handle = account::login(&session, &stored)?;
            session.revoke(&handle, &info.der, reason)?;
        }
    }
    if !config.output.quiet {
        println!(
            "Revoked the certificate {} (serial {}).",
            cert_path.display(),
            info.serial_hex
        );
    }
    if let Some(lineage) = lineage {
        let delete = match config.revoke.delete_after_revoke {
            Some(choice) => choice,
            None if !config.output.interactive() => true,
            None => delete::confirm(&format!(
                "Delete the revoked certificate's lineage {}?",
                lineage.name
            ))?,
        };
        if delete {
            let refs = delete::references(config, &lineage);
            if refs.is_empty() || config.revoke.force {
                delete::delete_checked(config, lineage)?;
            } else {
                eprintln!(
                    "Kept the lineage {}: still used by {}",
                    lineage.name,
                    refs.join(", ")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
