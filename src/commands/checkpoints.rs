//! `certsmith checkpoints`: list the checkpoints `rollback` can undo,
//! newest first, with what each changed. Reads only: no lock is taken, so
//! it works while another certsmith runs. `--json`: the same as one JSON
//! object, described in `docs/schema/checkpoints.schema.json`.

use super::session::Session;
use crate::commands::Config;
use anyhow::Result;
use reverter::{Checkpoint, UndoAction};
use serde::Serialize;
use std::process::ExitCode;
use std::time::SystemTime;

/// The schema's `version`: bumped when a field changes meaning or goes away.
pub const JSON_VERSION: u32 = 1;

pub fn run(config: &Config, _session: &mut Session) -> Result<ExitCode> {
    let status = reverter::inspect(&config.paths.work_dir)?;
    if config.output.json {
        print_json(config, &status.checkpoints)?;
        return Ok(ExitCode::SUCCESS);
    }
    if status.checkpoints.is_empty() {
        println!("No checkpoints in {}.", config.paths.work_dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Checkpoints in {}, newest first (`certsmith rollback --checkpoints N` undoes the newest N):",
        config.paths.work_dir.display()
    );
    for checkpoint in &status.checkpoints {
        print!("{checkpoint}");
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct Listing {
    version: u32,
    work_dir: String,
    checkpoints: Vec<Entry>,
}

#[derive(Serialize)]
struct Entry {
    id: u64,
    title: String,
    started: String,
    committed: String,
    files: Vec<File>,
    actions: Vec<Action>,
}

#[derive(Serialize)]
struct File {
    path: String,
    /// `created`, `deleted`, `modified` or `replaced`, as the text shows.
    change: &'static str,
}

#[derive(Serialize)]
struct Action {
    kind: &'static str,
    /// As the text listing shows it.
    text: String,
}

fn rfc3339(t: SystemTime) -> String {
    reverter::time::iso8601(t)
}

fn action(a: &UndoAction) -> Action {
    let kind = match a {
        UndoAction::Note(_) => "note",
        UndoAction::ModuleEnabled { .. } => "module_enabled",
        UndoAction::SiteEnabled { .. } => "site_enabled",
        UndoAction::ReloadServer { .. } => "reload_server",
    };
    Action {
        kind,
        text: a.to_string(),
    }
}

fn entry(c: &Checkpoint) -> Entry {
    Entry {
        id: c.id,
        title: c.title.clone(),
        started: rfc3339(c.started),
        committed: rfc3339(c.committed),
        files: c
            .changes
            .iter()
            .map(|change| File {
                path: change.path.to_string_lossy().into_owned(),
                change: change.verb(),
            })
            .collect(),
        actions: c.actions.iter().map(action).collect(),
    }
}

/// Newest first, as the text lists them.
fn print_json(config: &Config, checkpoints: &[Checkpoint]) -> Result<()> {
    let listing = Listing {
        version: JSON_VERSION,
        work_dir: crate::installer::absolute(&config.paths.work_dir)
            .to_string_lossy()
            .into_owned(),
        checkpoints: checkpoints.iter().map(entry).collect(),
    };
    let mut out = serde_json::to_string_pretty(&listing)?;
    out.push('\n');
    std::io::Write::write_all(&mut std::io::stdout().lock(), out.as_bytes())?;
    Ok(())
}
