//! What `run`, `install`, `enhance` and `certonly --nginx|--apache` share, written once
//! against [`Installer`]: choosing and opening the server, names from its configuration,
//! the certificate obtained through it (or another authenticator), and the deploy step
//! with its report.

use super::session::Session;
use super::{Config, issue};
use crate::acme::check_name;
use crate::installer::{CertFiles, Deployment, Enhancements, Installer, Request, absolute};
use crate::storage::Lineage;
use anyhow::{Result, bail};

/// The installer the options choose (`-i NAME`, `--nginx`, `--apache`), or `None`.
pub fn chosen(config: &Config) -> Result<Option<(String, Box<dyn Installer>)>> {
    let Some(name) = config.registry.chosen_installer(config)? else {
        return Ok(None);
    };
    build(config, name).map(Some)
}

/// The installer the options choose or, with none chosen, the one picked from a
/// menu (`authenticates`: for `run`, a web server that also proves control); under
/// `-n` an error naming `--installer`.
pub fn chosen_or_asked(
    config: &Config,
    authenticates: bool,
) -> Result<(String, Box<dyn Installer>)> {
    match chosen(config)? {
        Some(found) => Ok(found),
        None => build(
            config,
            super::prompt::choices::installer(config, authenticates)?,
        ),
    }
}

fn build(config: &Config, name: String) -> Result<(String, Box<dyn Installer>)> {
    let plugin = config.registry.installer(&name)?;
    let Some(entry) = &plugin.installer else {
        bail!("the {name:?} installer is not available in this version of certsmith");
    };
    let built = (entry.build)(config)?;
    Ok((name, built))
}

/// Lock the server's root, then test and load its configuration (refusing one the
/// server already rejects: nothing is changed).
pub fn open(session: &mut Session, site: &mut dyn Installer) -> Result<()> {
    session.lock(&site.root())?;
    Ok(site.open()?)
}

/// `-d` names, or (interactive) the names the server's configuration serves.
pub fn names(config: &Config, site: &dyn Installer) -> Result<Vec<String>> {
    let given = super::names(config)?;
    if !given.is_empty() {
        return Ok(given);
    }
    let (found, where_names) = site.offered_names()?;
    let mut offered: Vec<String> = Vec::new();
    for n in found {
        if let Ok(name) = check_name(&n)
            && !name.starts_with("*.")
            && !offered.contains(&name)
        {
            offered.push(name);
        }
    }
    super::prompt::choose_names(config, site.label(), where_names, offered)
}

/// The enhancements asked for. `redirect_default`: what `--redirect` means when neither
/// it nor `--no-redirect` is given (`run`, `install`: ask, or yes under `-n`, as
/// Certbot; `enhance`: no).
pub fn enhancements(config: &Config, redirect_default: bool) -> Result<Enhancements> {
    let e = &config.enhance;
    Ok(Enhancements {
        redirect: super::prompt::redirect(config, redirect_default)?,
        hsts: e.hsts,
        uir: e.uir,
        staple_ocsp: e.staple_ocsp,
    })
}

/// The lineage's live files, as the server should name them.
pub fn lineage_files(lineage: &Lineage) -> CertFiles {
    CertFiles {
        fullchain: absolute(&lineage.path("fullchain")),
        key: absolute(&lineage.path("privkey")),
    }
}

/// The files the lineage for `names` will have, for planning before it exists.
pub fn future_files(config: &Config, names: &[String]) -> CertFiles {
    let first = names.first().map_or("x", |n| n.trim_start_matches("*."));
    let name = config.cert.cert_name.as_deref().unwrap_or(first);
    let live = absolute(&config.paths.config_dir).join("live").join(name);
    CertFiles {
        fullchain: live.join("fullchain.pem"),
        key: live.join("privkey.pem"),
    }
}

/// Obtain a certificate for `names` through `site` (its own authenticator, or no
/// authenticator chosen), else with the chosen authenticator. Returns the lineage and
/// whether its certificate is new (`false`: not yet due, kept); `None` only for
/// `--dry-run`. `installer`: the installer the lineage is kept with, if any.
pub fn obtain(
    config: &Config,
    session: &mut Session,
    site: &mut dyn Installer,
    site_name: &str,
    names: &[String],
    installer: Option<&str>,
) -> Result<Option<(Lineage, bool)>> {
    let authenticator = config.registry.chosen_authenticator(config)?;
    let got = match authenticator.as_deref().filter(|a| *a != site_name) {
        None => {
            let params =
                config
                    .registry
                    .renewal_params(config, site_name, installer, Default::default());
            let mut solver = site.solver(session.reverter()?)?;
            issue::obtain_and_save(config, names, solver.as_mut(), params)?
        }
        Some(other) => {
            let (mut solver, extra) = build_solver(config, other, names, session)?;
            let params = config
                .registry
                .renewal_params(config, other, installer, extra);
            issue::obtain_and_save(config, names, solver.as_mut(), params)?
        }
    };
    issue::obtained_or_kept(config, names, got)
}

/// Build the authenticator `name` from the registry.
pub fn build_solver<'s>(
    config: &Config,
    name: &str,
    names: &[String],
    session: &'s mut Session,
) -> Result<(
    Box<dyn crate::acme::Solver + 's>,
    crate::storage::RenewalParams,
)> {
    let plugin = config.registry.authenticator(name)?;
    let Some(build) = plugin.authenticator else {
        bail!("the {name:?} authenticator is not available in this version of certsmith");
    };
    if plugin.name == "webroot" {
        // A name with no web root given: asked at a terminal.
        let gaps = crate::plugins::webroot_gaps(config, names)?;
        let options = super::prompt::choices::webroots(config, gaps)?;
        return build(&options, names, session.reverter()?);
    }
    build(config, names, session.reverter()?)
}

/// Take the reload the site's solver left owed (`Installer::owe_challenge_reload`)
/// off the disk, right before the reload that pays it: `true` when one was owed.
pub fn take_owed_reload(session: &mut Session) -> Result<bool> {
    Ok(crate::installer::temp_edits::take_owed_reload(
        session.reverter()?,
    )?)
}

/// `failed` ends the command while a reload may be owed (`owed`, or still pending
/// on disk): the server still runs the undone challenge edits, so reload it now.
/// Returns `failed`, the command's error; a failure to reload is a warning beside it.
pub fn reload_after_failure(
    session: &mut Session,
    site: &dyn Installer,
    owed: bool,
    failed: anyhow::Error,
) -> anyhow::Error {
    let reloaded = match owed {
        true => Ok(true),
        false => take_owed_reload(session),
    }
    .and_then(|owed| match owed {
        true => site.restart().map(|_| true).map_err(Into::into),
        false => Ok(false),
    });
    if let Err(e) = reloaded {
        eprintln!(
            "certsmith: warning: reloading {} after undoing the challenge edits failed: {e:#}",
            site.label()
        );
    }
    failed
}

/// Print what a deploy said: stdout lines and the diff unless `-q`, warnings always.
pub fn report(config: &Config, deployment: &Deployment) -> Result<()> {
    for w in &deployment.warnings {
        eprintln!("{w}");
    }
    if config.output.quiet {
        return Ok(());
    }
    for line in &deployment.lines {
        println!("{line}");
    }
    crate::diff::print(&deployment.diff)?;
    Ok(())
}

/// Install `request` as one checkpoint (or show it, for `--dry-run`) and report.
/// Returns whether files changed.
pub fn deploy(
    config: &Config,
    session: &mut Session,
    site: &mut dyn Installer,
    request: &Request,
    title: &str,
) -> Result<bool> {
    let reverter = if config.dry_run {
        None
    } else {
        Some(session.reverter()?)
    };
    let deployment = site.deploy(reverter, request, title, config.dry_run)?;
    report(config, &deployment)?;
    Ok(deployment.changed)
}

/// Warn that stapling has nothing to staple when the certificate names no responder.
pub fn warn_without_ocsp(site: &dyn Installer, lineage: &Lineage) {
    if lineage.cert_info().is_ok_and(|i| i.ocsp_url.is_none()) {
        eprintln!(
            "Warning: certificate {:?} names no OCSP responder: {} has nothing to staple (the directives are added anyway)",
            lineage.name,
            site.label()
        );
    }
}

/// Install a lineage into `site` with the enhancements asked for, as one checkpoint.
/// Returns whether files changed.
pub fn install_lineage(
    config: &Config,
    session: &mut Session,
    site: &mut dyn Installer,
    lineage: &Lineage,
    names: Vec<String>,
    enhance: Enhancements,
) -> Result<bool> {
    if enhance.staple_ocsp {
        warn_without_ocsp(site, lineage);
    }
    let request = Request {
        names: names.clone(),
        cert: Some(lineage_files(lineage)),
        chain: Some(absolute(&lineage.path("chain"))),
        enhance,
    };
    if !config.output.quiet && site.serves() {
        println!(
            "Deploying certificate {:?} to {} ({}):",
            lineage.name,
            site.label(),
            site.location().display()
        );
    }
    let title = format!(
        "Installed certificate {} for {}",
        lineage.name,
        names.join(", ")
    );
    let changed = deploy(config, session, site, &request, &title)?;
    if !config.output.quiet && !config.dry_run && site.serves() {
        let urls: Vec<String> = names
            .iter()
            .filter(|n| !n.starts_with("*."))
            .map(|n| format!("https://{n}"))
            .collect();
        if !urls.is_empty() {
            println!("HTTPS is enabled for {}.", urls.join(" and "));
        }
    }
    Ok(changed)
}

/// `-d` names if given, else the certificate's (checked); `-d` names the certificate
/// does not cover get a warning.
pub fn names_or(config: &Config, from_cert: Vec<String>) -> Result<Vec<String>> {
    let given = super::names(config)?;
    if !given.is_empty() {
        for name in given.iter().filter(|n| !covers(&from_cert, n)) {
            eprintln!(
                "Warning: the certificate does not name {name} (it names {}): browsers will refuse it for that name",
                from_cert.join(", ")
            );
        }
        return Ok(given);
    }
    let out = crate::acme::check_names(&from_cert)?;
    if out.is_empty() {
        bail!("the certificate names no domain: give the names with -d");
    }
    Ok(out)
}

/// Whether a certificate for `names` is valid for `name` (`*.x` covers
/// one label in front of `x`).
fn covers(names: &[String], name: &str) -> bool {
    names.iter().any(|n| {
        n.eq_ignore_ascii_case(name)
            || n.strip_prefix("*.").is_some_and(|base| {
                name.split_once('.').is_some_and(|(label, rest)| {
                    !label.is_empty() && rest.eq_ignore_ascii_case(base)
                })
            })
    })
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn wildcards_cover_one_label() {
        let names = vec!["a.example".to_string(), "*.b.example".to_string()];
        assert!(covers(&names, "a.example"));
        assert!(covers(&names, "A.Example"));
        assert!(covers(&names, "x.b.example"));
        assert!(covers(&names, "*.b.example"));
        assert!(!covers(&names, "b.example"));
        assert!(!covers(&names, "x.y.b.example"));
        assert!(!covers(&names, "c.example"));
    }
}
