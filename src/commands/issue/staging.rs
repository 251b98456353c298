//! Certbot's guard against a test certificate replacing a real one.

use super::Config;
use crate::acme;
use crate::storage::{self, Lineage};
use anyhow::bail;

/// A known test / staging ACME server, by Certbot's rule (`util.is_staging`):
/// Let's Encrypt's staging directory, or any URL with "staging" in it.
pub fn is_staging(url: &str) -> bool {
    url == acme::LETS_ENCRYPT_STAGING || url.contains("staging")
}

/// Certbot's refusal (renewal.py `_avoid_invalidating_lineage`), before the CA
/// is contacted: a certificate from a staging server does not replace one
/// from a server that is not (the lineage's conf `server`, Let's Encrypt
/// production when absent) unless `--break-my-certs` (or `--dry-run`).
pub fn check_staging_replacement(
    new_server: &str,
    original_server: Option<&str>,
    break_my_certs: bool,
    names: &[String],
) -> anyhow::Result<()> {
    let original = original_server.unwrap_or(acme::LETS_ENCRYPT);
    if is_staging(new_server) && !is_staging(original) && !break_my_certs {
        bail!(
            "You've asked to renew/replace a seemingly valid certificate with a test certificate (domains: {}). We will not do that unless you use the --break-my-certs flag!",
            names.join(", ")
        );
    }
    Ok(())
}

/// [`check_staging_replacement`] for `lineage`, replaced with a certificate
/// for `names` from this run's server.
pub fn avoid_invalidating_lineage(
    config: &Config,
    lineage: &Lineage,
    names: &[String],
) -> anyhow::Result<()> {
    let original = lineage.conf.get(storage::renewal_conf::PARAMS, "server");
    check_staging_replacement(
        &config.directory_url(),
        original.as_deref(),
        config.break_my_certs,
        names,
    )
}

#[cfg(test)]
mod tests {
    use super::check_staging_replacement;
    use crate::acme::{LETS_ENCRYPT, LETS_ENCRYPT_STAGING};

    #[test]
    fn a_staging_certificate_replaces_a_production_one_only_with_break_my_certs() {
        let names = ["a.example".to_string(), "b.example".to_string()];
        let err = check_staging_replacement(LETS_ENCRYPT_STAGING, None, false, &names)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "You've asked to renew/replace a seemingly valid certificate with a test certificate (domains: a.example, b.example). We will not do that unless you use the --break-my-certs flag!"
        );
        let prod = Some("https://ca.example/dir");
        assert!(
            check_staging_replacement("https://ca.example/staging/dir", prod, false, &names)
                .is_err()
        );
        assert!(check_staging_replacement(LETS_ENCRYPT_STAGING, prod, true, &names).is_ok());
        // Staging to staging, production to anything: allowed.
        assert!(
            check_staging_replacement(
                LETS_ENCRYPT_STAGING,
                Some(LETS_ENCRYPT_STAGING),
                false,
                &names
            )
            .is_ok()
        );
        assert!(check_staging_replacement(LETS_ENCRYPT, None, false, &names).is_ok());
        assert!(
            check_staging_replacement(LETS_ENCRYPT, Some("https://x/staging"), false, &names)
                .is_ok()
        );
    }
}
