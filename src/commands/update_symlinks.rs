//! `update_symlinks [--cert-name NAME]`: Certbot's verb. Each lineage's live
//! links are re-pointed into the archive directory its renewal conf names,
//! each keeping the version it links to ([`Lineage::update_symlinks`]); with
//! `--cert-name`, that lineage only. A lineage that cannot be mended is
//! reported and the others still are; the exit status is then 1.

use super::Config;
use crate::storage::{self, Lineage};
use anyhow::Context;
use std::process::ExitCode;

pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let dir = &config.paths.config_dir;
    let _lock = storage::lock_config_dir(dir)?;
    let names = match &config.cert.cert_name {
        Some(name) => vec![name.clone()],
        None => storage::list(dir)?,
    };
    let mut failed = 0;
    for name in &names {
        match update(config, name) {
            Ok(line) => {
                if !config.output.quiet {
                    println!("{line}");
                }
            }
            Err(e) => {
                failed += 1;
                crate::log::error(format!("{e:#}"));
                eprintln!("certsmith: error: {e:#}");
            }
        }
    }
    if names.is_empty() && !config.output.quiet {
        println!("No certificates found in {}.", dir.display());
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// One lineage; the line saying what was done.
fn update(config: &Config, name: &str) -> anyhow::Result<String> {
    let lineage = Lineage::load(&config.paths.config_dir, name)?;
    let changed = lineage
        .update_symlinks()
        .with_context(|| format!("{name}: the live links were not updated"))?;
    let archive = lineage.archive_dir();
    crate::log::info(format!(
        "update_symlinks {name}: {} link(s) re-pointed into {}",
        changed.len(),
        archive.display()
    ));
    Ok(match changed.len() {
        0 => format!(
            "{name}: the live links already point into {}",
            archive.display()
        ),
        n => format!(
            "{name}: {n} live link(s) re-pointed into {}",
            archive.display()
        ),
    })
}
