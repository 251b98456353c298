//! `certsmith rollback [--checkpoints N] [--dry-run]`: undo the newest N
//! checkpoints (default 1), newest first, byte for byte.

use super::session::Session;
use crate::cli::Config;
use crate::installer::nginx::Nginx;
use anyhow::Result;
use reverter::UndoAction;
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
    let mut actions: Vec<UndoAction> = Vec::new();
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
        actions.extend(summary.actions.iter().cloned());
    }
    let (reloaded, failed) = reload_servers(config, &actions);
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
/// server's configuration and reload it when it runs (nothing is started).
/// nginx runs as `--nginx-ctl` (default `nginx`). Returns (what was done,
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
        if server == "apache" {
            match super::apache::reload_after_undo(config, conf) {
                Ok(line) => done.push(line),
                Err(e) => failed.push(format!(
                    "restarting Apache ({}) failed: {e:#}",
                    conf.display()
                )),
            }
            continue;
        }
        if server != "nginx" {
            failed.push(format!(
                "{server} ({}) should be reloaded; certsmith does not know how",
                conf.display()
            ));
            continue;
        }
        let Some(root) = conf.parent() else {
            continue;
        };
        let ctl = config
            .args
            .path("nginx-ctl")
            .unwrap_or_else(|| PathBuf::from(super::nginx::DEFAULT_CTL));
        let mut nginx = Nginx::new(root, &ctl);
        nginx.ctl.conf = conf.clone();
        match nginx.reload_if_running() {
            Ok(true) => done.push(format!(
                "nginx -t: ok; nginx ({}) reloaded.",
                conf.display()
            )),
            Ok(false) => done.push(format!(
                "nginx ({}) is not running: nothing to reload.",
                conf.display()
            )),
            Err(e) => failed.push(format!("reloading nginx ({}) failed: {e}", conf.display())),
        }
    }
    (done, failed)
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
