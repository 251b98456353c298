//! Obtain a certificate and keep it: the shared path of `certonly` and of the
//! installers' `run` (which pass their own solver). Decides which lineage the
//! certificate goes to, the way Certbot does (`--cert-name`, same names,
//! `--expand`, `--duplicate`), orders it, and saves it with renewal options.

use super::hooks::HookRunner;
use super::prompt::choices;
use super::{Config, account};
use crate::acme::{self, AcmeOptions, CertRequest, Issued, Session, Solver};
use crate::installer::absolute;
use crate::renewal::due;
use crate::storage::{self, Lineage, RenewalParams, StorageError};
use anyhow::{Context, bail};

mod key;
mod staging;
use key::{key_params, replacement_key};
pub use staging::{avoid_invalidating_lineage, is_staging};
use std::path::{Path, PathBuf};

/// Where the certificate will go.
pub enum Target {
    New(String),
    Replace(Lineage),
    /// The lineage already has these names and is not due: nothing to do.
    Keep(Lineage),
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Due by `renew`'s local rules: `--renew-before-expiry`, else the
/// lineage's `renew_before_expiry`, else the lifetime-based default. An
/// unreadable certificate or interval counts as due (it is replaced).
fn due(config: &Config, lineage: &Lineage) -> bool {
    let Ok(info) = lineage.cert_info() else {
        return true;
    };
    match local_renewal(config, lineage, &info) {
        Ok((at, rule)) => due::decide(at, rule, info.not_after, now()).due,
        Err(_) => true,
    }
}

/// When `renew` renews the lineage by its own rules (the CA's ARI window
/// aside): `--renew-before-expiry`, else the conf's `renew_before_expiry`,
/// else the lifetime share. The time and the rule that set it.
pub fn local_renewal(
    config: &Config,
    lineage: &Lineage,
    info: &crate::x509::CertInfo,
) -> Result<(i64, due::Rule), String> {
    let before = config
        .renew
        .renew_before_expiry_days
        .map(|days| format!("{days} days"))
        .or_else(|| lineage.conf.get(&[], "renew_before_expiry"));
    due::local(info.not_before, info.not_after, before.as_deref())
}

fn same_names(a: &[String], b: &[String]) -> bool {
    a.len() == b.len()
        && a.iter()
            .all(|n| b.iter().any(|m| m.eq_ignore_ascii_case(n)))
}

fn lineage_names(lineage: &Lineage) -> Vec<String> {
    lineage.cert_info().map(|i| i.names).unwrap_or_default()
}

/// What the names and `--cert-name` find among the lineages, before any question.
pub enum Found {
    Target(Target),
    /// A lineage with some of the names (the names it has), and no `--expand`.
    Subset(Lineage, Vec<String>),
    /// `--cert-name` names a lineage with other names (the names it has).
    NewNames(Lineage, Vec<String>),
}

/// Where the certificate goes, asking where Certbot asks: keep or replace a
/// certificate with the same names, expand one with some of them, change the
/// names of the one `--cert-name` names.
pub fn choose_target(config: &Config, names: &[String]) -> anyhow::Result<Target> {
    Ok(match find_target(config, names)? {
        Found::Target(Target::Keep(lineage)) if !config.dry_run => {
            match choices::keep_identical(config, &lineage)? {
                true => Target::Keep(lineage),
                false => Target::Replace(lineage),
            }
        }
        Found::Target(target) => target,
        Found::Subset(lineage, has) => {
            choices::expand(config, &lineage, &has, names)?;
            Target::Replace(lineage)
        }
        Found::NewNames(lineage, old) => {
            choices::confirm_new_names(config, &lineage, &old, names)?;
            Target::Replace(lineage)
        }
    })
}

/// [`choose_target`] without questions.
pub fn find_target(config: &Config, names: &[String]) -> anyhow::Result<Found> {
    let force = config.cert.force_renewal;
    let keep_or_replace = |lineage: Lineage| {
        if !force && same_names(&lineage_names(&lineage), names) && !due(config, &lineage) {
            Target::Keep(lineage)
        } else {
            Target::Replace(lineage)
        }
    };
    let base = names
        .first()
        .map(|n| n.trim_start_matches("*.").to_string())
        .unwrap_or_default();
    let config_dir = &config.paths.config_dir;
    if let Some(name) = &config.cert.cert_name {
        storage::validate_name(name)?;
        return match Lineage::load(config_dir, name) {
            Ok(lineage) => {
                let old = lineage_names(&lineage);
                Ok(match old.is_empty() || same_names(&old, names) {
                    true => Found::Target(keep_or_replace(lineage)),
                    false => Found::NewNames(lineage, old),
                })
            }
            Err(StorageError::NotFound(_)) => Ok(Found::Target(Target::New(name.clone()))),
            Err(e) => Err(e.into()),
        };
    }
    if config.cert.duplicate {
        let name = storage::available_name(config_dir, &base);
        return Ok(Found::Target(Target::New(name)));
    }
    for name in storage::list(config_dir)? {
        let Ok(lineage) = Lineage::load(config_dir, &name) else {
            continue;
        };
        let existing = lineage_names(&lineage);
        if same_names(&existing, names) {
            return Ok(Found::Target(keep_or_replace(lineage)));
        }
        let subset = !existing.is_empty()
            && existing
                .iter()
                .all(|n| names.iter().any(|m| m.eq_ignore_ascii_case(n)));
        if subset {
            // Certbot expands with --force-renewal (--renew-by-default) too.
            return Ok(match config.cert.expand || force {
                true => Found::Target(Target::Replace(lineage)),
                false => Found::Subset(lineage, existing),
            });
        }
    }
    Ok(Found::Target(Target::New(storage::available_name(
        config_dir, &base,
    ))))
}

/// How to reach the CA: the options' server and trust roots.
pub fn acme_options(config: &Config) -> AcmeOptions {
    AcmeOptions {
        directory_url: config.directory_url(),
        ca_bundle: config.acme.ca_bundle.clone(),
    }
}

/// The certificate request the options describe (the `--csr` file read now).
pub fn cert_request(config: &Config, names: Vec<String>) -> anyhow::Result<CertRequest> {
    let cert = &config.cert;
    let csr_der = match &cert.csr {
        Some(path) => {
            let bytes = std::fs::read(path)
                .with_context(|| format!("--csr: cannot read {}", path.display()))?;
            Some(
                acme::csr::read_csr(&bytes)
                    .map_err(|e| anyhow::anyhow!("--csr {}: {e}", path.display()))?
                    .0,
            )
        }
        None => None,
    };
    Ok(CertRequest {
        names,
        key: cert.key,
        reuse_key_pem: None,
        csr_der,
        must_staple: cert.must_staple == Some(true),
        profile: cert.profile.clone(),
        preferred_challenges: cert.preferred_challenges.clone(),
        allow_subset_of_names: cert.allow_subset_of_names == Some(true),
        preferred_chain: cert.preferred_chain.clone(),
        replaces: None,
    })
}

/// The renewal conf values of the certificate request and the CA every lineage
/// gets (the plugins' and hooks' come from the registry; renewal saves them again,
/// with the options it was given).
pub fn common_params(
    config: &Config,
    session: &Session,
    account_id: &str,
    params: &mut RenewalParams,
) {
    params
        .set("account", account_id)
        .set("server", session.directory_url.clone());
    // A private CA's roots are needed again at every renewal (certsmith's
    // own key; Certbot reads REQUESTS_CA_BUNDLE instead and ignores it).
    match &config.acme.ca_bundle {
        Some(bundle) => {
            params.set("ca_bundle", absolute(bundle).display().to_string());
        }
        None => params.remove.push("ca_bundle".into()),
    }
    let (key_type, (size_key, size)) = config.cert.key.conf_values();
    params.set("key_type", key_type).set(size_key, size);
    // Certbot keeps `autorenew = False` only; on is the default.
    match config.renew.autorenew {
        Some(false) => {
            params.set("autorenew", "False");
        }
        Some(true) => params.remove.push("autorenew".into()),
        None => {}
    }
    let challenges = &config.cert.preferred_challenges;
    if !challenges.is_empty() {
        params.set_list(
            "pref_challs",
            challenges.iter().map(|c| c.as_str().to_string()).collect(),
        );
    }
}

/// Obtain a certificate for `names` (checked with [`acme::check_name`];
/// `certonly` passes the `-d` names, an installer may pass names it found)
/// with `solver` and save it as a lineage. `None` for `--dry-run` (nothing
/// saved) and when the existing certificate is kept. `params` holds the
/// plugins' renewal values ([`crate::plugins::Registry::renewal_params`]).
pub fn obtain_and_save(
    config: &Config,
    names: &[String],
    solver: &mut dyn Solver,
    params: RenewalParams,
) -> anyhow::Result<Option<Lineage>> {
    let names = acme::check_names(names)?;
    if let Some(name) = &config.cert.cert_name {
        // Before the lock, which makes the config dir: a name that cannot
        // be saved leaves nothing behind.
        storage::check_name_fits(&config.paths.config_dir, name)
            .map_err(|e| anyhow::anyhow!("--cert-name: {e} (nothing was ordered)"))?;
    }
    let mut request = cert_request(config, names.clone())?;
    if request.csr_der.is_some() {
        bail!("--csr writes files, not a lineage: use certonly --csr");
    }
    if names.is_empty() {
        bail!("no names given: use -d example.com (repeatable, or comma-separated)");
    }
    crate::acme::check_wildcards(&names, solver)?;
    if let Some((key, e)) = params.unstorable() {
        let flag = config.flag_set().by_conf_key(&key);
        let name = flag.map_or_else(|| format!("renewal conf option {key}"), |f| f.display());
        bail!("{name}: {e} (nothing was ordered)");
    }
    let _lock = storage::lock_config_dir(&config.paths.config_dir)?;
    recover_interrupted_saves(config)?;
    let target = choose_target(config, &names)?;
    if let Target::New(name) = &target {
        check_new_lineage(config, name, &names)?;
    }
    if let Target::Keep(lineage) = &target
        && !config.dry_run
    {
        if !config.output.quiet {
            println!(
                "Certificate {:?} is not yet due for renewal; keeping it (use --force-renewal to renew now).",
                lineage.name
            );
        }
        return Ok(None);
    }
    if let Target::Replace(lineage) | Target::Keep(lineage) = &target {
        avoid_invalidating_lineage(config, lineage, &names)?;
        if config.cert.reuse_key == Some(true) && !config.cert.new_key {
            request.reuse_key_pem = Some(lineage.read("privkey")?);
        }
        request.key = replacement_key(config, lineage);
    }
    let mut hooks = HookRunner::new(config)?;
    hooks.pre(config.hooks.pre.as_deref());
    hooks.queue_post(config.hooks.post.as_deref());
    let saved = obtain_into(config, &names, solver, params, request, target);
    match &saved {
        Ok(Some(lineage)) => {
            let live = lineage.path("cert").parent().map(PathBuf::from);
            let failed = hooks.deploy(
                &live.unwrap_or_default(),
                &names,
                config.hooks.deploy.as_deref(),
            );
            hooks.run_posts(&names, &[]);
            if !failed.is_empty() {
                // As in Certbot: reported (by the hook runner), not an error.
                let line = format!(
                    "the certificate was saved, but {} deploy hook(s) failed (reported above)",
                    failed.len()
                );
                crate::log::warning(&line);
                eprintln!("certsmith: warning: {line}");
            }
        }
        Ok(None) => hooks.run_posts(&[], &[]),
        Err(_) => hooks.run_posts(&[], &names),
    }
    saved
}

/// Finish what a killed save of a new lineage left (see
/// `storage::recover_interrupted`), saying what was removed.
fn recover_interrupted_saves(config: &Config) -> anyhow::Result<()> {
    for recovered in storage::recover_interrupted(&config.paths.config_dir)? {
        crate::log::warning(&recovered);
        if !config.output.quiet {
            eprintln!("certsmith: warning: {recovered}");
        }
    }
    Ok(())
}

/// Refuse, before the order, a new lineage that could not be saved; the
/// error names the flag the name came from (`--cert-name`, else the first
/// `-d` name, which gives the lineage its name).
fn check_new_lineage(config: &Config, name: &str, names: &[String]) -> anyhow::Result<()> {
    let Err(e) = storage::check_new_lineage(&config.paths.config_dir, name) else {
        return Ok(());
    };
    let hint = match &config.cert.cert_name {
        Some(_) => "choose another name with --cert-name".to_string(),
        None => format!(
            "the name comes from -d {}; choose another with --cert-name",
            names.first().map_or("", String::as_str)
        ),
    };
    let flag = match &config.cert.cert_name {
        Some(_) => "--cert-name: ",
        None => "",
    };
    bail!("{flag}{e}; {hint} (nothing was ordered)")
}

/// Order the certificate and save it to its target (nothing in a dry run).
fn obtain_into(
    config: &Config,
    names: &[String],
    solver: &mut dyn Solver,
    mut params: RenewalParams,
    request: CertRequest,
    target: Target,
) -> anyhow::Result<Option<Lineage>> {
    let session = Session::new(&acme_options(config))?;
    let wanted = match &target {
        Target::Replace(l) | Target::Keep(l) => {
            l.conf.get(storage::renewal_conf::PARAMS, "account")
        }
        Target::New(_) => None,
    };
    let (handle, stored) = account::login_or_register(config, &session, wanted.as_deref())?;
    if !config.output.quiet {
        println!("Requesting a certificate for {}", names.join(", "));
    }
    let issued = session.obtain(&handle, &request, solver)?;
    common_params(config, &session, &stored.id, &mut params);
    key_params(config.cert.key, request.key, &mut params);
    if config.dry_run {
        if !config.output.quiet {
            println!("The dry run was successful (nothing was saved).");
        }
        return Ok(None);
    }
    let lineage = match target {
        Target::New(name) => Lineage::save_new(&config.paths.config_dir, &name, &issued, &params)?,
        Target::Replace(mut lineage) | Target::Keep(mut lineage) => {
            lineage.save_renewal(&issued, &params)?;
            lineage
        }
    };
    crate::log::info(format!(
        "saved {} ({})",
        lineage.name,
        lineage.path("fullchain").display()
    ));
    if !config.output.quiet {
        report(&lineage, &issued);
    }
    Ok(Some(lineage))
}

fn report(lineage: &Lineage, issued: &Issued) {
    println!("Successfully received certificate.");
    println!(
        "Certificate is saved at: {}",
        lineage.path("fullchain").display()
    );
    println!(
        "Key is saved at:         {}",
        lineage.path("privkey").display()
    );
    if let Ok(info) = crate::x509::parse_pem(&issued.cert_pem) {
        println!(
            "This certificate expires on {}.",
            &crate::x509::format_utc(info.not_after)[..10]
        );
    }
}

/// `certonly --csr`: the certificate goes to `--cert-path`, `--chain-path`,
/// `--fullchain-path` (else `./0000_cert.pem`... numbered to not overwrite).
pub fn obtain_for_csr(config: &Config, solver: &mut dyn Solver) -> anyhow::Result<()> {
    let request = cert_request(config, Vec::new())?;
    let session = Session::new(&acme_options(config))?;
    let (handle, _) = {
        let _lock = storage::lock_config_dir(&config.paths.config_dir)?;
        account::login_or_register(config, &session, None)?
    };
    let issued = session.obtain(&handle, &request, solver)?;
    if config.dry_run {
        println!("The dry run was successful (nothing was saved).");
        return Ok(());
    }
    let files = &config.files;
    for (flag, given, stem, text) in [
        ("cert-path", &files.cert_path, "cert", &issued.cert_pem),
        ("chain-path", &files.chain_path, "chain", &issued.chain_pem),
        (
            "fullchain-path",
            &files.fullchain_path,
            "fullchain",
            &issued.fullchain_pem,
        ),
    ] {
        let path = given
            .clone()
            .unwrap_or_else(|| free_numbered(Path::new("."), stem));
        reverter::write_atomic(&path, text.as_bytes(), reverter::NewFileMode(0o644))
            .with_context(|| format!("--{flag}: cannot write {}", path.display()))?;
        if !config.output.quiet {
            println!("Saved {stem} at {}", path.display());
        }
    }
    Ok(())
}

fn free_numbered(dir: &Path, stem: &str) -> PathBuf {
    (0..10_000)
        .map(|n| dir.join(format!("{n:04}_{stem}.pem")))
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join(format!("{stem}.pem")))
}

/// The lineage to install after [`obtain_and_save`]: the one it saved
/// (`true`: new), or, when nothing was due, the one it kept (`false`);
/// `None` on a dry run, which saves nothing.
pub fn obtained_or_kept(
    config: &Config,
    names: &[String],
    got: Option<Lineage>,
) -> anyhow::Result<Option<(Lineage, bool)>> {
    if let Some(l) = got {
        return Ok(Some((l, true)));
    }
    if config.dry_run {
        return Ok(None);
    }
    // The question was asked (and answered "keep") by obtain_and_save.
    match find_target(config, names)? {
        Found::Target(Target::Keep(l) | Target::Replace(l))
        | Found::Subset(l, _)
        | Found::NewNames(l, _) => Ok(Some((l, false))),
        Found::Target(Target::New(_)) => Ok(None),
    }
}
