//! `certsmith checkpoints`: list the checkpoints `rollback` can undo,
//! newest first, with what each changed. Reads only: no lock is taken, so
//! it works while another certsmith runs.

use super::session::Session;
use crate::commands::Config;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(config: &Config, _session: &mut Session) -> Result<ExitCode> {
    let status = reverter::inspect(&config.paths.work_dir)?;
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
