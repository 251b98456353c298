//! The Apache authenticator: answers http-01 through the running Apache.
//!
//! `present` makes the challenge edits (`challenge.rs`) in a temporary reverter
//! transaction (undone at the next start if certsmith dies), tests the configuration
//! (undoing and failing with Apache's message if it fails), restarts Apache gracefully
//! (starting it if it was not running) and asks it locally for every token, so the CA is
//! asked as soon as Apache answers. `cleanup` undoes the transaction and restarts Apache
//! again (starting it anew if the restart stopped it): the user's files are byte for
//! byte as before.

use super::challenge::{self, Token};
use super::ctl::{CtlError, ServerInfo, running};
use super::install::Settings;
use super::probe;
use super::server::Apache;
use crate::acme::{Challenge, ChallengeKind, SolveError, Solver};
use reverter::{Kind, Reverter, Transaction};
use std::path::PathBuf;
use std::time::Duration;

/// How long the local check waits for Apache to answer a token.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

pub struct ApacheSolver<'r> {
    apache: Apache,
    info: ServerInfo,
    settings: Settings,
    dir: PathBuf,
    /// Held until `present` opens the challenge transaction on it.
    reverter: Option<&'r mut Reverter>,
    open: Option<Transaction<'r>>,
    quiet: bool,
}

impl<'r> ApacheSolver<'r> {
    /// `info`: from [`Apache::inspect`] (which refused a broken configuration);
    /// challenge files go under `work_dir`.
    pub fn new(
        apache: Apache,
        info: ServerInfo,
        settings: Settings,
        work_dir: &std::path::Path,
        reverter: &'r mut Reverter,
        quiet: bool,
    ) -> Self {
        ApacheSolver {
            apache,
            info,
            settings,
            dir: challenge::challenge_dir(work_dir),
            reverter: Some(reverter),
            open: None,
            quiet,
        }
    }

    fn say(&self, text: &str) {
        if !self.quiet {
            println!("{text}");
        }
    }

    /// Undo the open transaction, if any.
    fn undo(&mut self) -> Result<bool, SolveError> {
        let Some(tx) = self.open.take() else {
            return Ok(false);
        };
        let (result, reverter) = tx.rollback_release();
        self.reverter = Some(reverter);
        result.map_err(|e| message(format!("undoing the challenge edits: {e}")))?;
        Ok(true)
    }

    /// Restart after undoing, and start Apache again if the restart stopped it.
    fn restart_after_undo(&self, was_running: bool) -> Result<(), SolveError> {
        let pid_file = self.info.pid_file().map_err(ctl_error)?;
        if running(pid_file).is_none() {
            return match was_running {
                true => self.apache.ctl.start(pid_file).map_err(ctl_error),
                false => Ok(()),
            };
        }
        match self.apache.ctl.graceful(pid_file) {
            Err(CtlError::Died) => self.apache.ctl.start(pid_file).map_err(ctl_error),
            other => other.map(drop).map_err(ctl_error),
        }
    }

    fn present_inner(&mut self, tokens: &[Token]) -> Result<(), SolveError> {
        let mut plan = self
            .apache
            .load(&self.info)
            .map_err(|e| message(e.to_string()))?;
        let probes = challenge::add(
            &mut plan,
            tokens,
            &self.dir,
            self.settings.http_port,
            self.settings.modules(),
        )
        .map_err(|e| message(e.to_string()))?;
        plan.check_writable().map_err(|e| message(e.to_string()))?;
        let reverter = self
            .reverter
            .take()
            .ok_or_else(|| message("internal error: challenge edits already open".into()))?;
        let names: Vec<&str> = tokens.iter().map(|t| t.name.as_str()).collect();
        let title = format!("http-01 challenge for {} (temporary)", names.join(", "));
        let tx = reverter
            .begin(Kind::Temporary, &title)
            .map_err(|e| message(e.to_string()))?;
        let tx = self.open.insert(tx);
        // The record first: a crash after any write below finds it, and the recovery
        // restarts Apache once the edits are undone.
        tx.record(self.apache.reload_action())
            .map_err(|e| message(e.to_string()))?;
        plan.write(tx).map_err(|e| message(e.to_string()))?;
        if let Err(e) = self.apache.ctl.configtest() {
            self.undo()?;
            return Err(message(format!(
                "Apache rejects the challenge edits (undone): {e}"
            )));
        }
        let pid_file = self.info.pid_file().map_err(ctl_error)?.to_path_buf();
        if let Err(e) = self.apache.ctl.graceful(&pid_file) {
            return Err(ctl_error(e));
        }
        if let Err(failures) = probe::check(&probes, CHECK_TIMEOUT) {
            eprintln!(
                "Warning: Apache does not answer the challenge locally; asking the CA anyway:\n  {}",
                failures.join("\n  ")
            );
        }
        self.say(&format!(
            "Apache answers the http-01 challenge for {}",
            names.join(", ")
        ));
        Ok(())
    }
}

fn message(text: String) -> SolveError {
    SolveError::Message(text)
}

fn ctl_error(e: CtlError) -> SolveError {
    message(e.to_string())
}

impl Solver for ApacheSolver<'_> {
    fn name(&self) -> &str {
        "apache"
    }

    fn preferred(&self) -> Vec<ChallengeKind> {
        vec![ChallengeKind::Http01]
    }

    fn present(&mut self, challenges: &[Challenge]) -> Result<(), SolveError> {
        let tokens = crate::acme::solver::http01_tokens(challenges, "Apache")?;
        self.present_inner(&tokens)
    }

    fn cleanup(&mut self, _challenges: &[Challenge]) -> Result<(), SolveError> {
        let was_running = self.info.pid_file().ok().and_then(running).is_some();
        if !self.undo()? {
            return Ok(());
        }
        self.restart_after_undo(was_running)
    }
}
