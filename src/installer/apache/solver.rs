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
use super::ctl::{self, CtlError, Restart, ServerInfo, running};
use super::install::Settings;
use super::probe;
use super::server::Apache;
use crate::acme::{Challenge, ChallengeKind, SolveError, Solver};
use crate::installer::temp_edits::TempEdits;
use crate::log::progress::Wait;
use reverter::Reverter;
use std::path::PathBuf;
use std::time::Duration;

/// How long the local check waits for Apache to answer a token.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

pub struct ApacheSolver<'r> {
    apache: Apache,
    info: ServerInfo,
    settings: Settings,
    dir: PathBuf,
    /// The challenge edits, open between `present` and `cleanup`.
    edits: TempEdits<'r>,
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
            edits: TempEdits::new(reverter),
            quiet,
        }
    }

    fn say(&self, text: &str) {
        if !self.quiet {
            println!("{text}");
        }
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
        let control = &self.apache.ctl;
        let wait = control.wait();
        let restarted = control.restart_on(&wait, || match control.graceful(pid_file) {
            Err(CtlError::Died) => control.start(pid_file).map(|()| Restart::Started),
            other => other,
        });
        ctl::finish(wait, restarted.as_ref().copied(), false);
        restarted.map(drop).map_err(ctl_error)
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
        let names: Vec<&str> = tokens.iter().map(|t| t.name.as_str()).collect();
        let tx = self.edits.begin(&names, self.apache.reload_action())?;
        plan.write(tx).map_err(|e| message(e.to_string()))?;
        let control = &self.apache.ctl;
        let wait = control.wait();
        if let Err(e) = control.test_on(&wait, || control.configtest()) {
            ctl::finish(wait, Err(&e), true);
            self.edits.undo()?;
            return Err(message(format!(
                "Apache rejects the challenge edits (undone): {e}"
            )));
        }
        let pid_file = self.info.pid_file().map_err(ctl_error)?.to_path_buf();
        let restarted = control.restart_on(&wait, || control.graceful(&pid_file));
        ctl::finish(wait, restarted.as_ref().copied(), true);
        restarted.map_err(ctl_error)?;
        // Its outcome is the line below (or the warning).
        let wait = Wait::start("Apache", "checking it answers the challenge");
        let answered = wait.blocking(|| probe::check(&probes, CHECK_TIMEOUT));
        drop(wait);
        if let Err(failures) = answered {
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
        if !self.edits.undo()? {
            return Ok(());
        }
        self.restart_after_undo(was_running)
    }
}
