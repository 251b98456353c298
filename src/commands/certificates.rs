//! `certificates`: list lineages with names, expiry, key type and paths
//! (Certbot's field names, so scripts that read its output keep working),
//! and whether the CA's OCSP responder says a certificate is revoked.

use crate::commands::Config;
use crate::ocsp;
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
/// certificate, which no browser trusts), `EXPIRED`, and `REVOKED` (by its
/// OCSP responder; never asked about an expired one).
pub fn validity(not_after: i64, now: i64, test_cert: bool, revoked: bool) -> String {
    let left = not_after - now;
    let mut reasons = Vec::new();
    if test_cert {
        reasons.push("TEST_CERT");
    }
    if left <= 0 {
        reasons.push("EXPIRED");
    } else if revoked {
        reasons.push("REVOKED");
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

/// The certificate's facts and its PEM files (cert, chain), after Certbot's
/// check that the files were not corrupted on disk (the part that matters
/// to servers): fullchain.pem is cert.pem then chain.pem. Each file is
/// read once.
fn checked_info(lineage: &Lineage) -> Result<(certinfo::CertInfo, String, String), String> {
    let read = |kind| lineage.read(kind).map_err(|e| e.to_string());
    let cert = read("cert")?;
    let info = certinfo::parse_pem(&cert)
        .map_err(|e| format!("{}: {}", lineage.path("cert").display(), e.0))?;
    let (chain, fullchain) = (read("chain")?, read("fullchain")?);
    let joined = cert.len() + chain.len() == fullchain.len()
        && fullchain.starts_with(&cert)
        && fullchain.ends_with(&chain);
    if !joined {
        return Err(format!(
            "fullchain does not match cert + chain for {}!",
            lineage.name
        ));
    }
    Ok((info, cert, chain))
}

/// One lineage's entry, and a warning about its OCSP response if any.
struct Entry {
    text: String,
    warning: Option<String>,
}

/// A lineage as `certificates` shows it, or why it cannot be shown. Its
/// OCSP responder is asked only about a certificate that is shown and has
/// not expired (Certbot's order).
fn describe(
    config: &Config,
    checker: &ocsp::Checker,
    lineage: &Lineage,
    now: i64,
) -> Result<Option<Entry>, String> {
    let (info, cert, chain) = checked_info(lineage)?;
    if !wanted(config, lineage, &info.names) {
        return Ok(None);
    }
    let verdict = if info.not_after > now {
        let label = lineage.path("cert").display().to_string();
        checker.verdict(&cert, &chain, &label, now)
    } else {
        ocsp::Verdict {
            revoked: false,
            warning: None,
        }
    };
    let mut out = String::new();
    let _ = writeln!(out, "  Certificate Name: {}", lineage.name);
    let _ = writeln!(out, "    Serial Number: {}", info.serial_hex);
    let _ = writeln!(out, "    Key Type: {}", info.key_type);
    let _ = writeln!(out, "    Domains: {}", info.names.join(" "));
    let _ = writeln!(
        out,
        "    Expiry Date: {} ({})",
        certinfo::format_utc(info.not_after),
        validity(info.not_after, now, is_test_cert(lineage), verdict.revoked)
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
    Ok(Some(Entry {
        text: out,
        warning: verdict.warning,
    }))
}

/// `f` over `items` on every core, results in the order of `items`: reading a
/// thousand lineages is mostly waiting on small files (and on OCSP
/// responders).
fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let chunk = items.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let f = &f;
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Lists every lineage it can read; one it cannot (a bad conf, a missing or
/// corrupt file, a fullchain that is not cert + chain) is named under
/// Certbot's heading "The following renewal configurations were invalid:"
/// with the reason on stderr, and the exit status stays 0, as in Certbot.
pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let mut out = String::new();
    let mut invalid = Vec::new();
    let now = now();
    let config_dir = &config.paths.config_dir;
    let names = storage::list(config_dir)?;
    let checker = ocsp::Checker::new();
    let describe_one = |name: &String| {
        Lineage::load(config_dir, name)
            .map_err(|e| e.to_string())
            .and_then(|lineage| describe(config, &checker, &lineage, now))
    };
    for (name, described) in names.iter().zip(in_parallel(&names, describe_one)) {
        match described {
            Ok(Some(entry)) => {
                if let Some(warning) = entry.warning
                    && !config.output.quiet
                {
                    eprintln!("certsmith: warning: {warning}");
                }
                out.push_str(&entry.text);
            }
            Ok(None) => {}
            Err(e) => {
                let conf = config_dir.join("renewal").join(format!("{name}.conf"));
                crate::log::warning(format!("{}: {e}", conf.display()));
                eprintln!(
                    "certsmith: Renewal configuration file {} produced an unexpected error: {e}. Skipping.",
                    conf.display()
                );
                invalid.push(conf);
            }
        }
    }
    if out.is_empty() && invalid.is_empty() {
        println!("No certificates found.");
    }
    if !out.is_empty() {
        print!("Found the following certificates:\n{out}");
    }
    if !invalid.is_empty() {
        println!("\nThe following renewal configurations were invalid:");
        for conf in &invalid {
            println!("  {}", conf.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    #[test]
    fn validity_texts() {
        use super::validity;
        assert_eq!(validity(100, 200, false, false), "INVALID: EXPIRED");
        assert_eq!(validity(200 + 7200, 200, false, false), "VALID: 2 hour(s)");
        assert_eq!(validity(90 * 86_400 + 5, 0, false, false), "VALID: 90 days");
        assert_eq!(validity(86_400 + 5, 0, false, false), "VALID: 1 day");
        assert_eq!(validity(90 * 86_400, 0, true, false), "INVALID: TEST_CERT");
        assert_eq!(validity(0, 5, true, false), "INVALID: TEST_CERT, EXPIRED");
        assert_eq!(validity(90 * 86_400, 0, false, true), "INVALID: REVOKED");
        assert_eq!(
            validity(90 * 86_400, 0, true, true),
            "INVALID: TEST_CERT, REVOKED"
        );
        // Certbot does not ask about an expired certificate.
        assert_eq!(validity(0, 5, false, true), "INVALID: EXPIRED");
    }
}
