//! Obtain a certificate and keep it: the shared path of `certonly` and of the
//! installers' `run` (which pass their own solver). Decides which lineage the
//! certificate goes to, the way Certbot does (`--cert-name`, same names,
//! `--expand`, `--duplicate`), orders it, and saves it with renewal options.

use super::hooks::HookRunner;
use super::{account, acme_args};
use crate::acme::{Issued, Session, Solver};
use crate::cli::Config;
use crate::installer::absolute;
use crate::storage::{self, Lineage, RenewalParams, StorageError};
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};

/// Where the certificate will go.
pub enum Target {
    New(String),
    Replace(Lineage),
    /// The lineage already has these names and is not due: nothing to do.
    Keep(Lineage),
}

const RENEW_BEFORE_DAYS: i64 = 30;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn due(lineage: &Lineage) -> bool {
    lineage.cert_info().map_or(true, |info| {
        info.not_after - now() < RENEW_BEFORE_DAYS * 86_400
    })
}

fn same_names(a: &[String], b: &[String]) -> bool {
    a.len() == b.len()
        && a.iter()
            .all(|n| b.iter().any(|m| m.eq_ignore_ascii_case(n)))
}

fn lineage_names(lineage: &Lineage) -> Vec<String> {
    lineage.cert_info().map(|i| i.names).unwrap_or_default()
}

pub fn choose_target(config: &Config, names: &[String]) -> anyhow::Result<Target> {
    let force = config.args.flag("force-renewal");
    let keep_or_replace = |lineage: Lineage| {
        if !force && same_names(&lineage_names(&lineage), names) && !due(&lineage) {
            Target::Keep(lineage)
        } else {
            Target::Replace(lineage)
        }
    };
    let base = names
        .first()
        .map(|n| n.trim_start_matches("*.").to_string())
        .unwrap_or_default();
    if let Some(name) = config.args.value("cert-name") {
        storage::validate_name(name)?;
        return match Lineage::load(&config.config_dir, name) {
            Ok(lineage) => Ok(keep_or_replace(lineage)),
            Err(StorageError::NotFound(_)) => Ok(Target::New(name.to_string())),
            Err(e) => Err(e.into()),
        };
    }
    if config.args.flag("duplicate") {
        return Ok(Target::New(storage::available_name(
            &config.config_dir,
            &base,
        )));
    }
    for name in storage::list(&config.config_dir)? {
        let Ok(lineage) = Lineage::load(&config.config_dir, &name) else {
            continue;
        };
        let existing = lineage_names(&lineage);
        if same_names(&existing, names) {
            return Ok(keep_or_replace(lineage));
        }
        let subset = !existing.is_empty()
            && existing
                .iter()
                .all(|n| names.iter().any(|m| m.eq_ignore_ascii_case(n)));
        if subset {
            if config.args.flag("expand") {
                return Ok(Target::Replace(lineage));
            }
            bail!(
                "certificate {name:?} has {} of these names; add --expand to replace it with one for all of them, \
                 or --duplicate for a separate certificate",
                existing.join(", ")
            );
        }
    }
    Ok(Target::New(storage::available_name(
        &config.config_dir,
        &base,
    )))
}

/// The renewal conf values every lineage gets (renewal saves them again,
/// with the options it was given).
pub fn common_params(
    config: &Config,
    session: &Session,
    account_id: &str,
    installer: Option<&str>,
    params: &mut RenewalParams,
) -> anyhow::Result<()> {
    params
        .set("account", account_id)
        .set("server", session.directory_url.clone());
    // A private CA's roots are needed again at every renewal (certsmith's
    // own key; Certbot reads REQUESTS_CA_BUNDLE instead and ignores it).
    match config.args.path("ca-bundle") {
        Some(bundle) => {
            params.set("ca_bundle", absolute(&bundle).display().to_string());
        }
        None => params.remove.push("ca_bundle".into()),
    }
    let (key_type, (size_key, size)) = acme_args::key_spec(config)?.conf_values();
    params.set("key_type", key_type).set(size_key, size);
    if let Some(i) = installer {
        params.set("installer", i);
    }
    let challenges = acme_args::preferred_challenges(config)?;
    if !challenges.is_empty() {
        params.set_list(
            "pref_challs",
            challenges.iter().map(|c| c.as_str().to_string()).collect(),
        );
    }
    for (flag, key) in [
        ("must-staple", "must_staple"),
        ("reuse-key", "reuse_key"),
        ("allow-subset-of-names", "allow_subset_of_names"),
    ] {
        match config.args.switch(flag) {
            Some(true) => {
                params.set(key, "True");
            }
            // Turned off now (`--new-key`): the stored value goes.
            Some(false) => params.remove.push(key.to_string()),
            None => {}
        }
    }
    for (flag, key) in [
        ("preferred-chain", "preferred_chain"),
        ("profile", "profile"),
        ("pre-hook", "pre_hook"),
        ("post-hook", "post_hook"),
        // Certbot's name for the deploy hook in renewal confs.
        ("deploy-hook", "renew_hook"),
    ] {
        if let Some(v) = config.args.value(flag) {
            params.set(key, v);
        }
    }
    Ok(())
}

/// Obtain a certificate for `names` (checked with [`acme_args::check_name`];
/// `certonly` passes the `-d` names, an installer may pass names it found)
/// with `solver` and save it as a lineage. `None` for `--dry-run` (nothing
/// saved) and when the existing certificate is kept. `params` holds the
/// authenticator's renewal values (`authenticator = ...` and its options).
pub fn obtain_and_save(
    config: &Config,
    names: &[String],
    solver: &mut dyn Solver,
    params: RenewalParams,
    installer: Option<&str>,
) -> anyhow::Result<Option<Lineage>> {
    let names: Vec<String> = names
        .iter()
        .map(|n| acme_args::check_name(n))
        .collect::<anyhow::Result<_>>()?;
    if let Some(name) = config.args.value("cert-name") {
        storage::validate_name(name)?;
    }
    let mut request = acme_args::cert_request(config, names.clone())?;
    if request.csr_der.is_some() {
        bail!("--csr writes files, not a lineage: use certonly --csr");
    }
    if names.is_empty() {
        bail!("no names given: use -d example.com (repeatable, or comma-separated)");
    }
    crate::acme::check_wildcards(&names, solver)?;
    let _lock = storage::lock_config_dir(&config.config_dir)?;
    let target = choose_target(config, &names)?;
    if let Target::Keep(lineage) = &target
        && !config.dry_run
    {
        if !config.quiet {
            println!(
                "Certificate {:?} is not yet due for renewal; keeping it (use --force-renewal to renew now).",
                lineage.name
            );
        }
        return Ok(None);
    }
    if let Target::Replace(lineage) | Target::Keep(lineage) = &target
        && config.args.flag("reuse-key")
    {
        request.reuse_key_pem = Some(lineage.read("privkey")?);
    }
    let mut hooks = HookRunner::new(config)?;
    hooks.pre(config.args.value("pre-hook"));
    hooks.queue_post(config.args.value("post-hook"));
    let saved = obtain_into(config, &names, solver, params, installer, request, target);
    match &saved {
        Ok(Some(lineage)) => {
            let live = lineage.path("cert").parent().map(PathBuf::from);
            let failed = hooks.deploy(
                &live.unwrap_or_default(),
                &names,
                config.args.value("deploy-hook"),
            );
            hooks.run_posts(&names, &[]);
            if let Some(e) = failed.into_iter().next() {
                bail!("the certificate was saved, but deploying it failed: {e}");
            }
        }
        Ok(None) => hooks.run_posts(&[], &[]),
        Err(_) => hooks.run_posts(&[], &names),
    }
    saved
}

/// Order the certificate and save it to its target (nothing in a dry run).
fn obtain_into(
    config: &Config,
    names: &[String],
    solver: &mut dyn Solver,
    mut params: RenewalParams,
    installer: Option<&str>,
    request: crate::acme::CertRequest,
    target: Target,
) -> anyhow::Result<Option<Lineage>> {
    let session = Session::new(&acme_args::options(config))?;
    let wanted = match &target {
        Target::Replace(l) | Target::Keep(l) => {
            l.conf.get(storage::renewal_conf::PARAMS, "account")
        }
        Target::New(_) => None,
    };
    let (handle, stored) = account::login_or_register(config, &session, wanted.as_deref())?;
    if !config.quiet {
        println!("Requesting a certificate for {}", names.join(", "));
    }
    let issued = session.obtain(&handle, &request, solver)?;
    common_params(config, &session, &stored.id, installer, &mut params)?;
    if config.dry_run {
        if !config.quiet {
            println!("The dry run was successful (nothing was saved).");
        }
        return Ok(None);
    }
    let lineage = match target {
        Target::New(name) => Lineage::save_new(&config.config_dir, &name, &issued, &params)?,
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
    if !config.quiet {
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
    if let Ok(info) = storage::certinfo::parse_pem(&issued.cert_pem) {
        println!(
            "This certificate expires on {}.",
            &storage::certinfo::format_utc(info.not_after)[..10]
        );
    }
}

/// `certonly --csr`: the certificate goes to `--cert-path`, `--chain-path`,
/// `--fullchain-path` (else `./0000_cert.pem`... numbered to not overwrite).
pub fn obtain_for_csr(config: &Config, solver: &mut dyn Solver) -> anyhow::Result<()> {
    let request = acme_args::cert_request(config, Vec::new())?;
    let options = acme_args::options(config);
    let session = Session::new(&options)?;
    let (handle, _) = {
        let _lock = storage::lock_config_dir(&config.config_dir)?;
        account::login_or_register(config, &session, None)?
    };
    let issued = session.obtain(&handle, &request, solver)?;
    if config.dry_run {
        println!("The dry run was successful (nothing was saved).");
        return Ok(());
    }
    for (flag, stem, text) in [
        ("cert-path", "cert", &issued.cert_pem),
        ("chain-path", "chain", &issued.chain_pem),
        ("fullchain-path", "fullchain", &issued.fullchain_pem),
    ] {
        let path = config
            .args
            .path(flag)
            .unwrap_or_else(|| free_numbered(Path::new("."), stem));
        reverter::write_atomic(&path, text.as_bytes(), reverter::NewFileMode(0o644))
            .with_context(|| format!("--{flag}: cannot write {}", path.display()))?;
        if !config.quiet {
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
    match choose_target(config, names)? {
        Target::Keep(l) | Target::Replace(l) => Ok(Some((l, false))),
        Target::New(_) => Ok(None),
    }
}
