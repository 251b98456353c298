//! `certsmith rollback [--checkpoints N] [--dry-run]`: undo the newest N
//! checkpoints (default 1), newest first, byte for byte.

use super::session::Session;
use crate::commands::Config;
use anyhow::Result;
use reverter::UndoAction;
use reverter::time::iso8601;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

/// The title of a rolled-back checkpoint's undo actions while its reloads
/// are owed.
const RELOAD_OWED: &str = "rollback: reload owed";

pub fn run(config: &Config, session: &mut Session) -> Result<ExitCode> {
    let wanted = config.rollback_checkpoints;
    if config.dry_run {
        return preview(config, wanted);
    }
    let reverter = session.reverter()?;
    let available = reverter.checkpoints()?.len();
    let say = |text: String| {
        if !config.output.quiet {
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
    let (mut reloaded, mut failed) = (Vec::new(), Vec::new());
    for _ in 0..wanted.min(available) {
        // The checkpoint's reloads stay recorded until they are done: a
        // rollback killed after its files are back, before the reload,
        // would otherwise leave the servers running the undone config.
        let Some(summary) = reverter.rollback_latest_keep_actions(RELOAD_OWED)? else {
            break;
        };
        let when = summary.committed.map(iso8601).unwrap_or_default();
        let id = summary.id.map(|id| format!("{id} ")).unwrap_or_default();
        say(format!(
            "Rolled back checkpoint {id}\"{}\" ({when}):\n{summary}",
            summary.title
        ));
        changed.extend(summary.changed_files().map(PathBuf::from));
        let (done, not_done) = reload_servers(config, &summary.actions);
        reloaded.extend(done);
        failed.extend(not_done);
        // Done (or reported as failed, as before): the record goes.
        reverter.recover()?;
    }
    for line in &reloaded {
        say(format!("{line}\n"));
    }
    for line in &failed {
        eprintln!("certsmith: {line}");
    }
    if !changed.is_empty() && reloaded.is_empty() && failed.is_empty() {
        say(format!(
            "{} file(s) changed: reload or restart the servers that use them.\n",
            changed.len()
        ));
    }
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Act on the `ReloadServer` records of what was undone: check each
/// server's configuration and reload it when it runs, through the installer
/// registered under the record's server name. Returns (what was done,
/// what failed), one line each.
pub fn reload_servers(config: &Config, actions: &[UndoAction]) -> (Vec<String>, Vec<String>) {
    let mut seen: Vec<(&str, &std::path::Path)> = Vec::new();
    let (mut done, mut failed) = (Vec::new(), Vec::new());
    for action in actions {
        let UndoAction::ReloadServer {
            server,
            config: conf,
        } = action
        else {
            continue;
        };
        if seen.contains(&(server.as_str(), conf.as_path())) {
            continue;
        }
        seen.push((server.as_str(), conf.as_path()));
        let entry = config
            .registry
            .by_name(server)
            .and_then(|p| p.installer.as_ref());
        let Some(entry) = entry else {
            failed.push(format!(
                "{server} ({}) should be reloaded; certsmith does not know how",
                conf.display()
            ));
            continue;
        };
        match (entry.after_rollback)(config, conf) {
            Ok(line) => done.push(line),
            Err(line) => failed.push(line),
        }
    }
    (done, failed)
}

/// `--dry-run`: what would be undone, changing nothing.
fn preview(config: &Config, wanted: usize) -> Result<ExitCode> {
    let status = reverter::inspect(&config.paths.work_dir)?;
    if status.checkpoints.is_empty() {
        println!(
            "No checkpoints to roll back in {}.",
            config.paths.work_dir.display()
        );
    }
    for checkpoint in status.checkpoints.iter().take(wanted) {
        print!("Would roll back:\n{checkpoint}");
    }
    Ok(ExitCode::SUCCESS)
}
