//! `certificates`: list lineages with names, expiry, key type and paths
//! (Certbot's field names, so scripts that read its output keep working),
//! and whether the CA's OCSP responder says a certificate is revoked. On a
//! terminal each lineage also gets a timeline bar (`bar.rs`); `--json`
//! prints the same facts and more as one object (`json.rs`).

mod bar;
mod json;

use crate::commands::{Config, issue};
use crate::ocsp;
use crate::storage::renewal_conf::PARAMS;
use crate::storage::{self, Lineage};
use crate::x509 as certinfo;
use std::fmt::Write;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Why a certificate is not valid, in Certbot's order: `TEST_CERT` (a
/// staging CA's certificate, which no browser trusts), `EXPIRED`, and
/// `REVOKED` (by its OCSP responder; never asked about an expired one).
pub fn invalid_reasons(
    not_after: i64,
    now: i64,
    test_cert: bool,
    revoked: bool,
) -> Vec<&'static str> {
    let mut reasons = Vec::new();
    if test_cert {
        reasons.push("TEST_CERT");
    }
    if not_after - now <= 0 {
        reasons.push("EXPIRED");
    } else if revoked {
        reasons.push("REVOKED");
    }
    reasons
}

/// Certbot's status texts: `VALID: 89 days`, `VALID: 1 day`, `VALID: 5
/// hour(s)`, or `INVALID: ` with the [`invalid_reasons`].
pub fn validity(not_after: i64, now: i64, test_cert: bool, revoked: bool) -> String {
    let reasons = invalid_reasons(not_after, now, test_cert, revoked);
    if !reasons.is_empty() {
        return format!("INVALID: {}", reasons.join(", "));
    }
    let left = not_after - now;
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

/// What `certificates` knows about one lineage it shows.
struct Facts {
    lineage: Lineage,
    info: certinfo::CertInfo,
    test_cert: bool,
    /// Revoked, by a verified answer of its OCSP responder.
    revoked: bool,
    /// About its OCSP response, for stderr.
    warning: Option<String>,
}

impl Facts {
    fn validity(&self, now: i64) -> String {
        validity(self.info.not_after, now, self.test_cert, self.revoked)
    }
}

/// A lineage as `certificates` shows it (`None`: not wanted by
/// `--cert-name`/`-d`), or why it cannot be shown. Its OCSP responder is
/// asked only about a certificate that is shown and has not expired
/// (Certbot's order).
fn describe(
    config: &Config,
    checker: &ocsp::Checker,
    lineage: Lineage,
    now: i64,
) -> Result<Option<Facts>, String> {
    let (info, cert, chain) = checked_info(&lineage)?;
    if !wanted(config, &lineage, &info.names) {
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
    Ok(Some(Facts {
        test_cert: is_test_cert(&lineage),
        lineage,
        info,
        revoked: verdict.revoked,
        warning: verdict.warning,
    }))
}

/// One lineage in Certbot's layout; on a terminal (`timeline`), with the
/// validity bar under its expiry date.
fn entry_text(facts: &Facts, now: i64, timeline: Option<String>) -> String {
    let (lineage, info) = (&facts.lineage, &facts.info);
    let mut out = String::new();
    let _ = writeln!(out, "  Certificate Name: {}", lineage.name);
    let _ = writeln!(out, "    Serial Number: {}", info.serial_hex);
    let _ = writeln!(out, "    Key Type: {}", info.key_type);
    let _ = writeln!(out, "    Domains: {}", info.names.join(" "));
    let _ = writeln!(
        out,
        "    Expiry Date: {} ({})",
        certinfo::format_utc(info.not_after),
        facts.validity(now)
    );
    if let Some(line) = timeline {
        let _ = writeln!(out, "    Timeline: {line}");
    }
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
    out
}

/// The timeline bar of a lineage: issued, the start of the renewal time
/// `renew` would use by its own rules, expiry, and today. `None` when the
/// lineage's `renew_before_expiry` cannot be read.
fn timeline(config: &Config, facts: &Facts, now: i64, colour: bool) -> Option<String> {
    let (renew_at, _) = issue::local_renewal(config, &facts.lineage, &facts.info).ok()?;
    let span = bar::Span {
        issued: facts.info.not_before,
        renew_at,
        expires: facts.info.not_after,
    };
    let invalid = facts.revoked || facts.test_cert;
    Some(bar::render(&span, now, invalid, colour))
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

/// A lineage that could not be read: its renewal conf and why.
struct Invalid {
    conf: PathBuf,
    error: String,
}

/// Lists every lineage it can read; one it cannot (a bad conf, a missing or
/// corrupt file, a fullchain that is not cert + chain) is named under
/// Certbot's heading "The following renewal configurations were invalid:"
/// with the reason on stderr, and the exit status stays 0, as in Certbot.
/// `--json`: the same as one JSON object (docs/schema/certificates.schema.json).
pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let now = now();
    let (shown, invalid) = gather(config, now)?;
    if config.output.json {
        json::print(config, &shown, &invalid, now)?;
    } else {
        print_text(config, &shown, &invalid, now);
    }
    Ok(ExitCode::SUCCESS)
}

/// Every lineage, read in parallel: those shown, and those that cannot be
/// read (each warned about on stderr).
fn gather(config: &Config, now: i64) -> anyhow::Result<(Vec<Facts>, Vec<Invalid>)> {
    let config_dir = &config.paths.config_dir;
    let names = storage::list(config_dir)?;
    let checker = ocsp::Checker::new();
    let describe_one = |name: &String| {
        Lineage::load(config_dir, name)
            .map_err(|e| e.to_string())
            .and_then(|lineage| describe(config, &checker, lineage, now))
    };
    let (mut shown, mut invalid) = (Vec::new(), Vec::new());
    for (name, described) in names.iter().zip(in_parallel(&names, describe_one)) {
        match described {
            Ok(Some(facts)) => {
                if let Some(warning) = &facts.warning
                    && !config.output.quiet
                {
                    eprintln!("certsmith: warning: {warning}");
                }
                shown.push(facts);
            }
            Ok(None) => {}
            Err(error) => {
                let conf = config_dir.join("renewal").join(format!("{name}.conf"));
                crate::log::warning(format!("{}: {error}", conf.display()));
                eprintln!(
                    "certsmith: Renewal configuration file {} produced an unexpected error: {error}. Skipping.",
                    conf.display()
                );
                invalid.push(Invalid { conf, error });
            }
        }
    }
    Ok((shown, invalid))
}

/// Certbot's text. A terminal also gets each lineage's timeline (coloured
/// unless `NO_COLOR`); anything else gets exactly Certbot's format.
fn print_text(config: &Config, shown: &[Facts], invalid: &[Invalid], now: i64) {
    let terminal = std::io::stdout().is_terminal();
    let colour = crate::diff::colour_wanted(terminal);
    let mut out = String::new();
    for facts in shown {
        let line = terminal
            .then(|| timeline(config, facts, now, colour))
            .flatten();
        out.push_str(&entry_text(facts, now, line));
    }
    if out.is_empty() && invalid.is_empty() {
        println!("No certificates found.");
    }
    if !out.is_empty() {
        print!("Found the following certificates:\n{out}");
    }
    if !invalid.is_empty() {
        println!("\nThe following renewal configurations were invalid:");
        for entry in invalid {
            println!("  {}", entry.conf.display());
        }
    }
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
