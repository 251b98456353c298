//! `certsmith install --nginx --cert-name NAME` (or `--cert-path`,
//! `--key-path`, `--fullchain-path`): install a certificate certsmith did
//! not just obtain. Names: `-d`, else those of the certificate.

use super::cert_files::lineage_files;
use super::nginx as ng;
use super::run::{install_lineage, installer_name};
use super::session::Session;
use crate::cli::Config;
use crate::installer::absolute;
use crate::storage::{self, Lineage};
use anyhow::{Result, bail};
use std::process::ExitCode;

pub fn run(config: &Config, session: &mut Session) -> Result<ExitCode> {
    match installer_name(config)?.as_deref() {
        Some("nginx") => {}
        Some("apache") => return super::apache::install_verb(config, session),
        Some(other) => bail!("the {other} installer is not available in this version of certsmith"),
        None => bail!("install: say where to install: --nginx or --apache"),
    }
    let nginx = ng::nginx(config);
    if let Some(name) = config.args.value("cert-name") {
        storage::validate_name(name)?;
        let lineage = Lineage::load(&config.config_dir, name)?;
        let opened = ng::open(session, &nginx)?;
        let names = names_or(config, lineage.cert_info()?.names)?;
        let enhance = ng::enhancements(config, true)?;
        let request = ng::request(
            config,
            names.clone(),
            Some(lineage_files(&lineage)),
            None,
            enhance,
        )?;
        let (_, warnings, ()) =
            opened.preflight_with(|loaded| ng::check_plan(&nginx, loaded, &request))?;
        install_lineage(config, session, &nginx, &lineage, names, enhance, &warnings)?;
        return Ok(ExitCode::SUCCESS);
    }
    let (cert, names) = super::cert_files::from_flags(config, "--nginx")?;
    let opened = ng::open(session, &nginx)?;
    let names = names_or(config, names)?;
    let enhance = ng::enhancements(config, true)?;
    let chain = config.args.path("chain-path").map(|p| absolute(&p));
    let request = ng::request(config, names.clone(), Some(cert), chain, enhance)?;
    let (_, warnings, ()) =
        opened.preflight_with(|loaded| ng::check_plan(&nginx, loaded, &request))?;
    if !config.quiet {
        println!(
            "Deploying {} to nginx ({}):",
            request
                .cert
                .as_ref()
                .map_or(String::new(), |c| c.fullchain.display().to_string()),
            nginx.conf().display()
        );
    }
    let title = format!("Installed certificate for {}", names.join(", "));
    ng::deploy(config, session, &nginx, &request, &title, &warnings)?;
    Ok(ExitCode::SUCCESS)
}

/// `-d` names if given, else the certificate's.
fn names_or(config: &Config, from_cert: Vec<String>) -> Result<Vec<String>> {
    let given = super::acme_args::names(config)?;
    if !given.is_empty() {
        for name in given.iter().filter(|n| !covers(&from_cert, n)) {
            eprintln!(
                "Warning: the certificate does not name {name} (it names {}): browsers will refuse it for that name",
                from_cert.join(", ")
            );
        }
        return Ok(given);
    }
    let mut out = Vec::new();
    for n in from_cert {
        let n = super::acme_args::check_name(&n)?;
        if !out.contains(&n) {
            out.push(n);
        }
    }
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
