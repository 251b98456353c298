//! `certificates`: list lineages with names, expiry, key type and paths
//! (Certbot's field names, so scripts that read its output keep working).

use crate::commands::Config;
use crate::storage::renewal_conf::PARAMS;
use crate::storage::{self, Lineage};
use crate::x509 as certinfo;
use std::fmt::Write;
use std::process::ExitCode;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Certbot's status texts: `VALID: 89 days`, `VALID: 1 day`, `VALID: 5
/// hour(s)`, or `INVALID: ` with the reasons, `TEST_CERT` (a staging CA's
/// certificate, which no browser trusts) and `EXPIRED`.
pub fn validity(not_after: i64, now: i64, test_cert: bool) -> String {
    let left = not_after - now;
    let mut reasons = Vec::new();
    if test_cert {
        reasons.push("TEST_CERT");
    }
    if left <= 0 {
        reasons.push("EXPIRED");
    }
    if !reasons.is_empty() {
        return format!("INVALID: {}", reasons.join(", "));
    }
    match left / 86_400 {
        0 => format!("VALID: {} hour(s)", left / 3600),
        1 => "VALID: 1 day".to_string(),
        days => format!("VALID: {days} days"),
    }
}

fn wanted(config: &Config, lineage: &Lineage, names: &[String]) -> bool {
    if let Some(n) = &config.cert.cert_name
        && *n != lineage.name
    {
        return false;
    }
    let domains = &config.cert.domains;
    domains.is_empty()
        || domains
            .iter()
            .all(|d| names.iter().any(|n| n.eq_ignore_ascii_case(d)))
}

/// Issued by a staging CA, by Certbot's rule: the server its renewal conf
/// names has "staging" in its URL (Let's Encrypt's staging directory does).
fn is_test_cert(lineage: &Lineage) -> bool {
    lineage
        .conf
        .get(PARAMS, "server")
        .is_some_and(|s| s.contains("staging"))
}

pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let mut out = String::new();
    let mut broken = Vec::new();
    let now = now();
    for name in storage::list(&config.paths.config_dir)? {
        let lineage = match Lineage::load(&config.paths.config_dir, &name) {
            Ok(l) => l,
            Err(e) => {
                broken.push(e.to_string());
                continue;
            }
        };
        let info = match lineage.cert_info() {
            Ok(i) => i,
            Err(e) => {
                broken.push(e.to_string());
                continue;
            }
        };
        if !wanted(config, &lineage, &info.names) {
            continue;
        }
        let _ = writeln!(out, "  Certificate Name: {}", lineage.name);
        let _ = writeln!(out, "    Serial Number: {}", info.serial_hex);
        let _ = writeln!(out, "    Key Type: {}", info.key_type);
        let _ = writeln!(out, "    Domains: {}", info.names.join(" "));
        let _ = writeln!(
            out,
            "    Expiry Date: {} ({})",
            certinfo::format_utc(info.not_after),
            validity(info.not_after, now, is_test_cert(&lineage))
        );
        let _ = writeln!(
            out,
            "    Certificate Path: {}",
            lineage.path("fullchain").display()
        );
        let _ = writeln!(
            out,
            "    Private Key Path: {}",
            lineage.path("privkey").display()
        );
    }
    if out.is_empty() {
        println!("No certificates found.");
    } else {
        print!("Found the following certificates:\n{out}");
    }
    if !broken.is_empty() {
        eprintln!("These renewal configurations could not be read (skipped):");
        for b in &broken {
            eprintln!("  {b}");
        }
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    #[test]
    fn validity_texts() {
        assert_eq!(super::validity(100, 200, false), "INVALID: EXPIRED");
        assert_eq!(super::validity(200 + 7200, 200, false), "VALID: 2 hour(s)");
        assert_eq!(super::validity(90 * 86_400 + 5, 0, false), "VALID: 90 days");
        assert_eq!(super::validity(86_400 + 5, 0, false), "VALID: 1 day");
        assert_eq!(super::validity(90 * 86_400, 0, true), "INVALID: TEST_CERT");
        assert_eq!(super::validity(0, 5, true), "INVALID: TEST_CERT, EXPIRED");
    }
}
