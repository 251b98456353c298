//! The questions about what to use: the plugin, the account, the certificates to
//! delete, the web root of a name, and what to do with an existing certificate.
//! Each asks at a terminal or, under `-n`, fails naming the flag that answers it
//! (or takes Certbot's default where Certbot has one).

use super::{menu, require_terminal, yes_no};
use crate::commands::Config;
use crate::plugins::{Plugin, WebrootGaps};
use crate::storage::{self, Lineage, accounts::StoredAccount};
use anyhow::{Result, bail};
use std::path::PathBuf;

/// `--standalone`, `--nginx`... of `plugins` (`-a NAME` for one without a switch).
fn switches(plugins: &[&Plugin]) -> String {
    let each = plugins.iter().map(|p| match p.selector {
        Some(flag) => format!("--{}", flag.long),
        None => format!("-a {}", p.name),
    });
    each.collect::<Vec<_>>().join(", ")
}

fn pick_plugin(question: &str, offered: &[&Plugin]) -> Result<String> {
    if let [only] = offered {
        return Ok(only.name.to_string());
    }
    let labels: Vec<String> = offered
        .iter()
        .map(|p| format!("{} ({})", p.description, p.name))
        .collect();
    Ok(offered[menu(question, &labels)?].name.to_string())
}

/// `certonly` with no authenticator chosen: the plugin to prove control with.
pub fn authenticator(config: &Config) -> Result<String> {
    let offered: Vec<&Plugin> = config
        .registry
        .iter()
        .filter(|p| p.authenticator.is_some())
        .collect();
    require_terminal(
        config,
        "no authenticator chosen",
        &format!("--authenticator NAME ({})", switches(&offered)),
    )?;
    pick_plugin(
        "How would you like to prove control of the names to the CA?",
        &offered,
    )
}

/// `run` (a web server that authenticates and installs), `install`, `enhance`
/// with no installer chosen: the web server to install into.
pub fn installer(config: &Config, authenticates: bool) -> Result<String> {
    let offered: Vec<&Plugin> = config
        .registry
        .iter()
        .filter(|p| p.installer.as_ref().is_some_and(|i| i.root_flag.is_some()))
        .filter(|p| !authenticates || p.authenticator.is_some())
        .collect();
    require_terminal(
        config,
        "no installer chosen",
        &format!("--installer NAME ({})", switches(&offered)),
    )?;
    let question = match authenticates {
        true => "How would you like to obtain and install the certificate?",
        false => "Which web server should the certificate be installed into?",
    };
    pick_plugin(question, &offered)
}

/// A directory typed at the terminal, made absolute; asks again after one that
/// is not a directory.
fn type_root(name: &str) -> Result<PathBuf> {
    loop {
        let answer = super::ask(&format!("Web root for {name} (c: cancel): "))?;
        let answer = answer.trim();
        if super::is_cancel(answer) {
            bail!("cancelled: every name needs a web root (-w DIR)");
        }
        let path = crate::installer::absolute(std::path::Path::new(answer));
        if !answer.is_empty() && path.is_dir() {
            return Ok(path);
        }
        println!("{answer:?} is not a directory.");
    }
}

/// The web root of `name`: one of `known` or a new one.
fn root_for(name: &str, known: &[PathBuf]) -> Result<PathBuf> {
    if known.is_empty() {
        return type_root(name);
    }
    let mut labels = vec!["Enter a new web root".to_string()];
    labels.extend(known.iter().map(|p| p.display().to_string()));
    match menu(&format!("Web root for {name}:"), &labels)? {
        0 => type_root(name),
        i => Ok(known[i - 1].clone()),
    }
}

/// The options with a web root asked for each name `gaps` lists (at a terminal;
/// under `-n` they are left out and the webroot plugin names `-w`).
pub fn webroots(config: &Config, gaps: WebrootGaps) -> Result<crate::cli::Options> {
    let mut options = config.options.clone();
    if gaps.names.is_empty() || !config.output.interactive() {
        return Ok(options);
    }
    let mut known = gaps.known;
    for name in gaps.names {
        let root = root_for(&name, &known)?;
        // The latest answer first, for the next name.
        known.retain(|k| *k != root);
        known.insert(0, root.clone());
        options.webroot.asked.push((name, root));
    }
    Ok(options)
}

/// Several accounts for the server and no `--account`: which one (its index).
pub fn account(config: &Config, found: &[StoredAccount]) -> Result<usize> {
    require_terminal(
        config,
        &format!("{} accounts are stored for this server", found.len()),
        "--account ID",
    )?;
    let labels: Vec<String> = found
        .iter()
        .map(|a| {
            let host = a.meta["creation_host"].as_str().unwrap_or("?");
            format!("{} (made {} on {host})", a.id, a.creation_dt())
        })
        .collect();
    menu("Which account should be used?", &labels)
}

/// `delete` with no `--cert-name`: the certificates to delete, picked from a list.
pub fn certificates_to_delete(config: &Config) -> Result<Vec<String>> {
    let found = storage::list(&config.paths.config_dir)?;
    if found.is_empty() {
        bail!(
            "no certificates found in {}",
            config.paths.config_dir.display()
        );
    }
    require_terminal(config, "which certificate to delete", "--cert-name NAME")?;
    let picked = super::checklist("Which certificates would you like to delete?", &found)?;
    if picked.is_empty() {
        bail!("no certificate chosen");
    }
    Ok(picked)
}

/// A certificate with the same names, not due: keep it (`true`) or renew and
/// replace it. Certbot's default, and the answer under `-n` or `--keep`: keep.
pub fn keep_identical(config: &Config, lineage: &Lineage) -> Result<bool> {
    if !config.output.interactive() || config.cert.keep_until_expiring {
        return Ok(true);
    }
    let keep = match config.verb {
        "run" => "Install the existing certificate again",
        _ => "Keep the existing certificate for now",
    };
    let choices = [
        keep.to_string(),
        "Renew and replace the certificate now (counts against the CA's rate limits)".to_string(),
    ];
    let question = format!(
        "Certificate {:?} already has these names and is not yet due for renewal. What would you like to do?",
        lineage.name
    );
    Ok(menu(&question, &choices)? == 0)
}

/// A certificate with some of the names: replace it with one for all (`--expand`)
/// or stop. Under `-n` the error names `--expand` and `--duplicate`.
pub fn expand(config: &Config, lineage: &Lineage, has: &[String], names: &[String]) -> Result<()> {
    let what = format!(
        "certificate {:?} has {} of these names",
        lineage.name,
        has.join(", ")
    );
    require_terminal(
        config,
        &what,
        "--expand to replace it with one for all of them, or --duplicate for a separate certificate",
    )?;
    let question = format!(
        "Certificate {:?} has these names: {}.\nYou asked for: {}.\nExpand it (replace it with a certificate for all of them)?",
        lineage.name,
        has.join(", "),
        names.join(", ")
    );
    if !yes_no(&question, true)? {
        bail!("not expanded: use --duplicate for a separate certificate with these names");
    }
    Ok(())
}

/// `--cert-name` names a certificate with other names: confirm the change. Certbot's
/// default, and the answer under `-n`: yes.
pub fn confirm_new_names(
    config: &Config,
    lineage: &Lineage,
    old: &[String],
    new: &[String],
) -> Result<()> {
    if !config.output.interactive() || config.cert.renew_with_new_domains {
        return Ok(());
    }
    let added: Vec<&str> = new
        .iter()
        .filter(|n| !has(old, n))
        .map(String::as_str)
        .collect();
    let removed: Vec<&str> = old
        .iter()
        .filter(|n| !has(new, n))
        .map(String::as_str)
        .collect();
    let question = format!(
        "Certificate {:?} will now name: {}\n  added: {}\n  removed: {}\nGo ahead?",
        lineage.name,
        new.join(", "),
        none_or(&added),
        none_or(&removed)
    );
    if !yes_no(&question, true)? {
        bail!("cancelled: the certificate's names were not changed");
    }
    Ok(())
}

fn has(names: &[String], name: &str) -> bool {
    names.iter().any(|n| n.eq_ignore_ascii_case(name))
}

fn none_or(names: &[&str]) -> String {
    match names.is_empty() {
        true => "(none)".to_string(),
        false => names.join(", "),
    }
}
