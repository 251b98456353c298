//! `certificates --json`: the listing as one JSON object, described (and
//! checked by the tests) in `docs/schema/certificates.schema.json`. Field
//! names are part of the interface: add fields with a new `version`, never
//! rename one.

use super::{Facts, Invalid};
use crate::commands::{Config, issue};
use crate::renewal::due::{self, Rule};
use crate::storage::Lineage;
use crate::storage::renewal_conf::PARAMS;
use crate::x509::{CertInfo, format_rfc3339};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The schema's `version`: bumped when a field changes meaning or goes away.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Listing {
    version: u32,
    config_dir: String,
    certificates: Vec<Certificate>,
    invalid: Vec<InvalidConf>,
}

#[derive(Serialize)]
struct InvalidConf {
    renewal_conf: String,
    error: String,
}

#[derive(Serialize)]
struct Certificate {
    name: String,
    domains: Vec<String>,
    serial: String,
    key: Key,
    not_before: String,
    not_after: String,
    days_left: i64,
    status: Status,
    paths: Paths,
    renewal_conf: String,
    renewal: Option<Renewal>,
    installed: Installed,
}

#[derive(Serialize)]
struct Key {
    #[serde(rename = "type")]
    kind: String,
    bits: Option<usize>,
    curve: Option<&'static str>,
}

#[derive(Serialize)]
struct Status {
    valid: bool,
    text: String,
    reasons: Vec<&'static str>,
}

#[derive(Serialize)]
struct Paths {
    cert: String,
    chain: String,
    fullchain: String,
    privkey: String,
}

#[derive(Serialize)]
struct Renewal {
    /// Always `local`: `certificates` does not fetch the CA's ARI window.
    source: &'static str,
    rule: &'static str,
    start: String,
    end: String,
    due: bool,
    ari_cert_id: Option<String>,
}

#[derive(Serialize)]
struct Installed {
    installer: Option<String>,
    references: Vec<Reference>,
    error: Option<String>,
}

#[derive(Serialize)]
struct Reference {
    file: String,
    line: usize,
    directive: String,
}

/// A path as absolute text (a relative `--config-dir` made absolute; bytes
/// that are not UTF-8 become U+FFFD, as `display` shows them).
fn text(path: &Path) -> String {
    crate::installer::absolute(path)
        .to_string_lossy()
        .into_owned()
}

/// Print the listing to stdout, pretty-printed, with a final line break.
pub fn print(
    config: &Config,
    shown: &[Facts],
    invalid: &[Invalid],
    now: i64,
) -> anyhow::Result<()> {
    let listing = Listing {
        version: VERSION,
        config_dir: text(&config.paths.config_dir),
        // Each entry may read a server's configuration: in parallel, as the
        // lineages were read.
        certificates: super::in_parallel(shown, |f| certificate(config, f, now)),
        invalid: invalid
            .iter()
            .map(|i| InvalidConf {
                renewal_conf: text(&i.conf),
                error: i.error.clone(),
            })
            .collect(),
    };
    let mut out = serde_json::to_string_pretty(&listing)?;
    out.push('\n');
    std::io::Write::write_all(&mut std::io::stdout().lock(), out.as_bytes())?;
    Ok(())
}

fn certificate(config: &Config, facts: &Facts, now: i64) -> Certificate {
    let (lineage, info) = (&facts.lineage, &facts.info);
    let reasons = super::invalid_reasons(info.not_after, now, facts.test_cert, facts.revoked);
    let path = |kind| text(&lineage.path(kind));
    Certificate {
        name: lineage.name.clone(),
        domains: info.names.clone(),
        serial: info.serial_hex.clone(),
        key: key(info),
        not_before: format_rfc3339(info.not_before),
        not_after: format_rfc3339(info.not_after),
        days_left: (info.not_after - now).div_euclid(86_400),
        status: Status {
            valid: reasons.is_empty(),
            text: facts.validity(now),
            reasons,
        },
        paths: Paths {
            cert: path("cert"),
            chain: path("chain"),
            fullchain: path("fullchain"),
            privkey: path("privkey"),
        },
        renewal_conf: text(&lineage.conf_path),
        renewal: renewal(config, lineage, info, now),
        installed: installed(config, lineage, info),
    }
}

fn key(info: &CertInfo) -> Key {
    let curve_bits = match info.curve {
        Some("secp256r1") => Some(256),
        Some("secp384r1") => Some(384),
        Some("secp521r1") => Some(521),
        _ => None,
    };
    Key {
        kind: info.key_type.clone(),
        bits: info.rsa_bits.or(curve_bits),
        curve: info.curve,
    }
}

/// The window `renew` would use by the lineage's own rules: from the time
/// it renews to expiry. `None` when `renew_before_expiry` cannot be read.
fn renewal(config: &Config, lineage: &Lineage, info: &CertInfo, now: i64) -> Option<Renewal> {
    let (start, rule) = issue::local_renewal(config, lineage, info).ok()?;
    let rule_name = match rule {
        Rule::BeforeExpiry(_) => "renew_before_expiry",
        _ => "lifetime",
    };
    Some(Renewal {
        source: "local",
        rule: rule_name,
        start: format_rfc3339(start),
        end: format_rfc3339(info.not_after),
        due: due::decide(start, rule, info.not_after, now).due,
        ari_cert_id: crate::acme::ari::cert_id(&info.der).ok(),
    })
}

/// Where the lineage is installed: the directives of the configuration of
/// the installer its renewal conf names (its server root as `renew` would
/// use it) that name one of its live files.
fn installed(config: &Config, lineage: &Lineage, info: &CertInfo) -> Installed {
    // Certbot writes `installer = None` for a certificate it did not install.
    let name = lineage
        .conf
        .get(PARAMS, "installer")
        .filter(|n| n != "None");
    let mut out = Installed {
        installer: name.clone(),
        references: Vec::new(),
        error: None,
    };
    let Some(name) = name else {
        return out;
    };
    match references(config, lineage, info, &name) {
        Ok(found) => {
            out.references = found
                .into_iter()
                .map(|r| Reference {
                    file: text(&r.file),
                    line: r.line,
                    directive: r.directive,
                })
                .collect();
        }
        Err(e) => out.error = Some(e),
    }
    out
}

fn references(
    config: &Config,
    lineage: &Lineage,
    info: &CertInfo,
    installer: &str,
) -> Result<Vec<crate::installer::references::Reference>, String> {
    let entry = config
        .registry
        .by_name(installer)
        .and_then(|p| p.installer.as_ref())
        .ok_or_else(|| {
            format!("the {installer:?} installer is not available in this version of certsmith")
        })?;
    let options = crate::cli::renewal::lineage_options(
        config,
        &lineage.conf,
        &lineage.conf_path,
        &info.key_type,
        &config.registry.choosers(),
    )
    .map_err(|e| e.to_string())?;
    let files: Vec<PathBuf> = ["cert", "chain", "fullchain", "privkey"]
        .into_iter()
        .map(|kind| lineage.path(kind))
        .collect();
    (entry.references)(&options, &files)
}
