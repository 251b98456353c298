//! `certsmith rollback [--checkpoints N] [--dry-run]`: undo the newest N
//! checkpoints (default 1), newest first, byte for byte.

use super::session::Session;
use crate::cli::Config;
use anyhow::Result;
use reverter::time::iso8601;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(config: &Config, session: &mut Session) -> Result<ExitCode> {
    let wanted = config.args.parsed::<usize>("checkpoints")?.unwrap_or(1);
    if config.dry_run {
        return preview(config, wanted);
    }
    let reverter = session.reverter()?;
    let available = reverter.checkpoints()?.len();
    let say = |text: String| {
        if !config.quiet {
            print!("{text}");
        }
    };
    if available == 0 {
        say(format!(
            "No checkpoints to roll back in {}.\n",
            reverter.work_dir().display()
        ));
        return Ok(ExitCode::SUCCESS);
    }
    if wanted > available {
        eprintln!("certsmith: only {available} checkpoint(s) exist; rolling back all of them");
    }
    let mut changed: BTreeSet<PathBuf> = BTreeSet::new();
    for _ in 0..wanted.min(available) {
        let Some(summary) = reverter.rollback_latest()? else {
            break;
        };
        let when = summary.committed.map(iso8601).unwrap_or_default();
        let id = summary.id.map(|id| format!("{id} ")).unwrap_or_default();
        say(format!(
            "Rolled back checkpoint {id}\"{}\" ({when}):\n{summary}",
            summary.title
        ));
        changed.extend(summary.changed_files().map(PathBuf::from));
    }
    if !changed.is_empty() {
        say(format!(
            "{} file(s) changed: reload or restart the servers that use them.\n",
            changed.len()
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// `--dry-run`: what would be undone, changing nothing.
fn preview(config: &Config, wanted: usize) -> Result<ExitCode> {
    let status = reverter::inspect(&config.work_dir)?;
    if status.checkpoints.is_empty() {
        println!(
            "No checkpoints to roll back in {}.",
            config.work_dir.display()
        );
    }
    for checkpoint in status.checkpoints.iter().take(wanted) {
        print!("Would roll back:\n{checkpoint}");
    }
    Ok(ExitCode::SUCCESS)
}
