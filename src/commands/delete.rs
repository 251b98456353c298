//! `delete`: remove a lineage, but not while a web server config still
//! points at its files (unless `--force`): deleting them would break the
//! server at its next reload.

use crate::commands::Config;
use crate::storage::renewal_conf::PARAMS;
use crate::storage::{self, Lineage};
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Files under the server roots that mention the lineage's live or archive
/// paths, as `file:line`.
pub fn references(config: &Config, lineage: &Lineage) -> Vec<String> {
    let mut needles: Vec<String> = ["cert", "chain", "fullchain", "privkey"]
        .iter()
        .map(|k| lineage.path(k).to_string_lossy().into_owned())
        .collect();
    needles.push(
        lineage
            .archive_dir()
            .join("")
            .to_string_lossy()
            .into_owned(),
    );
    let mut found = Vec::new();
    for root in server_roots(config, lineage) {
        scan(&root, &needles, 0, &mut found);
    }
    found.sort();
    found.dedup();
    found
}

/// Where a server config naming the lineage may be: the roots given now,
/// the roots the lineage was installed into (its renewal conf), and the
/// usual places of nginx and Apache (Debian and RHEL layouts).
fn server_roots(config: &Config, lineage: &Lineage) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = Vec::new();
    let installers: Vec<_> = config
        .registry
        .iter()
        .filter_map(|p| p.installer.as_ref())
        .collect();
    for entry in &installers {
        let Some(root_flag) = entry.root_flag else {
            continue;
        };
        roots.extend(config.args().path(root_flag));
        let stored = root_flag.conf.and_then(|key| lineage.conf.get(PARAMS, key));
        roots.extend(stored.map(PathBuf::from));
    }
    for entry in &installers {
        roots.extend(entry.default_roots.iter().map(PathBuf::from));
    }
    let mut seen = Vec::new();
    roots.retain(|r| {
        let key = std::fs::canonicalize(r).unwrap_or_else(|_| r.clone());
        let new = !seen.contains(&key);
        seen.push(key);
        new
    });
    roots
}

fn scan(path: &Path, needles: &[String], depth: usize, found: &mut Vec<String>) {
    if depth > 16 {
        return;
    }
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    if meta.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        for entry in entries.flatten() {
            scan(&entry.path(), needles, depth + 1, found);
        }
    } else if meta.is_file() && meta.len() < 8 << 20 {
        let Ok(bytes) = std::fs::read(path) else {
            return;
        };
        let text = String::from_utf8_lossy(&bytes);
        for (index, line) in text.lines().enumerate() {
            let code = line.split('#').next().unwrap_or("");
            if needles.iter().any(|n| code.contains(n.as_str())) {
                found.push(format!("{}:{}", path.display(), index + 1));
            }
        }
    }
}

pub fn confirm(question: &str) -> anyhow::Result<bool> {
    // No answer (end of input) is "no".
    let answer = super::prompt::ask(&format!("{question} (y/N): ")).unwrap_or_default();
    Ok(answer.trim().to_ascii_lowercase().starts_with('y'))
}

/// Delete `lineage` unless a server config uses it (and `--force` is off).
pub fn delete_checked(config: &Config, lineage: Lineage) -> anyhow::Result<()> {
    let refs = references(config, &lineage);
    if !refs.is_empty() && !config.revoke.force {
        bail!(
            "certificate {:?} is still used by {}; remove it from the server config first, or use --force",
            lineage.name,
            refs.join(", ")
        );
    }
    let name = lineage.name.clone();
    lineage
        .delete()
        .with_context(|| format!("deleting {name}"))?;
    if !config.output.quiet {
        println!("Deleted all files relating to certificate {name}.");
    }
    Ok(())
}

pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let names = match &config.cert.cert_name {
        Some(n) => vec![n.clone()],
        // Picked from a list at a terminal; `-n`: an error naming --cert-name.
        None => super::prompt::choices::certificates_to_delete(config)?,
    };
    for name in &names {
        storage::validate_name(name)?;
    }
    let _lock = storage::lock_config_dir(&config.paths.config_dir)?;
    let mut lineages = Vec::new();
    for name in &names {
        lineages.push(Lineage::load(&config.paths.config_dir, name)?);
    }
    let question = match names.as_slice() {
        [one] => format!("Delete the certificate {one}?"),
        many => format!("Delete the certificates {}?", many.join(", ")),
    };
    if config.output.interactive() && !confirm(&question)? {
        bail!("not deleted");
    }
    for lineage in lineages {
        delete_checked(config, lineage)?;
    }
    Ok(ExitCode::SUCCESS)
}
