//! One lineage's renewal: check it, decide whether it is due, and renew it
//! with the options it was made with (the command line's winning).

use super::RunState;
use crate::acme::{Registration, Session, ari};
use crate::commands::{Config, account, issue};
use crate::renewal::due::{self, Decision, Rule};
use crate::storage::renewal_conf::PARAMS;
use crate::storage::{Lineage, RenewalParams, Version};
use crate::x509::CertInfo;
use anyhow::{Context, bail};

/// A lineage read and checked, with the configuration it renews with.
pub struct Loaded<'r> {
    pub lineage: Lineage,
    pub info: CertInfo,
    pub config: Config<'r>,
}

impl Loaded<'_> {
    /// The names the renewed certificate is for: the current certificate's.
    pub fn names(&self) -> &[String] {
        &self.info.names
    }
}

/// Read a lineage and check that it is whole: a corrupt conf, a missing
/// archive file or a broken link fails here, naming the file.
pub fn load<'r>(config: &Config<'r>, name: &str) -> anyhow::Result<Loaded<'r>> {
    let lineage = Lineage::load(&config.paths.config_dir, name)?;
    // A renewal killed between two link switches is finished here (a dry
    // run changes nothing: check_links then names the mixed links).
    if !config.dry_run
        && let Some(repair) = lineage.repair_links()?
    {
        crate::log::warning(format!("{name}: {repair}"));
        eprintln!("certsmith: {name}: {repair}");
    }
    lineage.check_links()?;
    let info = lineage.cert_info()?;
    if info.names.is_empty() {
        bail!(
            "{}: the certificate names no domain (no subjectAltName)",
            lineage.path("cert").display()
        );
    }
    let options = crate::cli::renewal::lineage_options(
        config,
        &lineage.conf,
        &lineage.conf_path,
        &info.key_type,
        &config.registry.choosers(),
    )?;
    let config = config.with_options(options);
    Ok(Loaded {
        lineage,
        info,
        config,
    })
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A uniform random fraction in [0, 1).
pub fn random_fraction() -> f64 {
    use rand_core::RngCore;
    (rand_core::OsRng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// Due or not, and by which rule: `--force-renewal` and `--dry-run` first,
/// then revocation (Certbot's `should_autorenew` asks the OCSP responder
/// before looking at any date), then the CA's ARI window (when its
/// directory offers `renewalInfo`), else the lineage's own rules.
pub fn decide(state: &mut RunState, loaded: &Loaded) -> anyhow::Result<Decision> {
    let (config, info) = (&loaded.config, &loaded.info);
    let now = now();
    if config.cert.force_renewal {
        return Ok(due::always(Rule::Forced, info.not_after, now));
    }
    if config.dry_run {
        return Ok(due::always(Rule::DryRun, info.not_after, now));
    }
    if revoked(state, loaded, now) {
        return Ok(due::always(Rule::Revoked, info.not_after, now));
    }
    if let Some(window) = state.ari_window(config, &info.der) {
        let at = due::ari_point(&window, random_fraction());
        return Ok(due::decide(at, Rule::Ari(window), info.not_after, now));
    }
    let (at, rule) = issue::local_renewal(config, &loaded.lineage, info).map_err(|e| {
        anyhow::anyhow!(
            "{}: renew_before_expiry: {e}",
            loaded.lineage.conf_path.display()
        )
    })?;
    Ok(due::decide(at, rule, info.not_after, now))
}

/// The lineage's certificate is revoked by a verified OCSP answer. Any
/// failure (files, network, a response that does not verify) counts as not
/// revoked, as in Certbot: the date rules still apply. An expired
/// certificate is not asked about (it is due anyway).
fn revoked(state: &RunState, loaded: &Loaded, now: i64) -> bool {
    if loaded.info.not_after <= now {
        return false;
    }
    let lineage = &loaded.lineage;
    let (cert, chain) = match (lineage.read("cert"), lineage.read("chain")) {
        (Ok(cert), Ok(chain)) => (cert, chain),
        (Err(e), _) | (_, Err(e)) => {
            crate::log::warning(format!("OCSP: {}: {e}", lineage.name));
            return false;
        }
    };
    let label = lineage.path("cert").display().to_string();
    let verdict = state.ocsp.verdict(&cert, &chain, &label, now);
    if let Some(warning) = verdict.warning
        && !loaded.config.output.quiet
    {
        eprintln!("certsmith: warning: {warning}");
    }
    verdict.revoked
}

/// The account to renew with: the lineage's (else the oldest for the
/// server). A dry run against a server the user has no account on (Let's
/// Encrypt's staging) uses a throw-away account that is not saved, since a
/// dry run saves nothing.
fn renewal_account(
    config: &Config,
    session: &Session,
    wanted: Option<&str>,
) -> anyhow::Result<(crate::acme::AccountHandle, String)> {
    // Renewal never asks: with no account named, the oldest one.
    let stored = match wanted.or(config.account.id.as_deref()) {
        Some(_) => account::find(config, &session.directory_url, wanted)?,
        None => account::first(config, &session.directory_url)?,
    };
    if let Some(stored) = stored {
        return Ok((account::login(session, &stored)?, stored.id));
    }
    if config.dry_run {
        crate::log::info(format!(
            "dry run: no account at {}; using an unsaved one",
            session.directory_url
        ));
        let handle = session.register(&Registration {
            emails: Vec::new(),
            agree_tos: true,
            eab: None,
        })?;
        let id = handle.key.certbot_account_id();
        return Ok((handle, id));
    }
    let (handle, stored) = account::register(config, session).with_context(|| {
        format!(
            "no ACME account for {} in {}",
            session.directory_url,
            config.paths.config_dir.display()
        )
    })?;
    Ok((handle, stored.id))
}

/// Order a new certificate for the lineage and save it as the next version
/// (`None` in a dry run: nothing is saved), with the renewal options it was
/// obtained with (returned too: `reconfigure` saves them).
pub fn renew(
    state: &mut RunState,
    reverter: &mut reverter::Reverter,
    loaded: &mut Loaded,
) -> anyhow::Result<(Option<Version>, RenewalParams)> {
    let config = &loaded.config;
    if config.cert.csr.is_some() {
        bail!("--csr cannot renew a lineage");
    }
    let names = crate::acme::check_names(loaded.names())?;
    issue::avoid_invalidating_lineage(config, &loaded.lineage, &names)?;
    let registry = config.registry;
    let Some(auth_name) = registry.chosen_authenticator(config)? else {
        bail!(
            "{}: no authenticator stored (authenticator = ...); give one, e.g. --standalone",
            loaded.lineage.conf_path.display()
        );
    };
    let plugin = registry.authenticator(&auth_name)?;
    let installer = registry.chosen_installer(config)?;
    if let Some(installer) = &installer {
        registry.installer(installer)?;
    }
    let mut request = issue::cert_request(config, names.clone())?;
    if config.cert.reuse_key == Some(true) && !config.cert.new_key {
        request.reuse_key_pem = Some(loaded.lineage.read("privkey")?);
    }
    let session = state.session(config)?;
    request.replaces = replaces(&session, config, &loaded.lineage, &loaded.info);
    let wanted = loaded.lineage.conf.get(PARAMS, "account");
    let (handle, account_id) = renewal_account(config, &session, wanted.as_deref())?;
    let Some(build) = plugin.authenticator else {
        bail!("the {auth_name:?} authenticator is not available in this version of certsmith");
    };
    let (mut solver, extra) = build(config, &names, reverter)?;
    let issued = session.obtain(&handle, &request, solver.as_mut())?;
    drop(solver);
    let mut params = registry.renewal_params(config, &auth_name, installer.as_deref(), extra);
    issue::common_params(config, &session, &account_id, &mut params);
    if installer.is_none() {
        params.remove.push("installer".into());
    }
    if config.dry_run {
        return Ok((None, params));
    }
    // Every archived version is kept, as Certbot keeps them: a server
    // config may name an archive file directly.
    let version = loaded.lineage.save_renewal(&issued, &params)?;
    Ok((Some(version), params))
}

/// ARI `replaces`: only for the CA that issued the certificate (the
/// lineage's stored server), when it offers renewalInfo, and never in a
/// dry run (that would spend the replacement on a test order).
fn replaces(
    session: &Session,
    config: &Config,
    lineage: &Lineage,
    info: &CertInfo,
) -> Option<String> {
    if config.dry_run {
        return None;
    }
    let stored = lineage.conf.get(PARAMS, "server")?;
    if stored.trim_end_matches('/') != session.directory_url.trim_end_matches('/') {
        return None;
    }
    let offered = session
        .directory()
        .ok()
        .is_some_and(|d| d["renewalInfo"].is_string());
    if !offered {
        return None;
    }
    ari::cert_id(&info.der).ok()
}
