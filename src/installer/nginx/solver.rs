//! The nginx authenticator: answers http-01 through the running nginx.
//!
//! `present` makes the challenge edits (see `challenge.rs`) in a temporary
//! reverter transaction (undone at the next start if certsmith dies), runs
//! `nginx -t` (undoing and failing with nginx's message if it fails),
//! reloads nginx (starting it if it was not running) and checks locally
//! that every token is answered. `cleanup` undoes the transaction and
//! reloads: the user's files are byte for byte as before. When the caller
//! reloads nginx right after anyway (`run`: the install), `cleanup` leaves
//! that reload owed instead (`temp_edits`), so the edits going out and the
//! certificate coming in are one reload.

use super::challenge;
use super::ctl::{self, CtlError};
use super::server::Nginx;
use crate::acme::{Challenge, ChallengeKind, SolveError, Solver};
use crate::installer::temp_edits::TempEdits;
use crate::log::progress::Wait;
use reverter::Reverter;
use std::time::Duration;

/// How long the local check waits for nginx to answer a token.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

pub struct NginxSolver<'r> {
    nginx: Nginx,
    http_port: u16,
    /// The challenge edits, open between `present` and `cleanup`.
    edits: TempEdits<'r>,
    quiet: bool,
    /// Leave the reload after undoing the edits to the caller.
    owe_reload: bool,
}

impl<'r> NginxSolver<'r> {
    pub fn new(nginx: Nginx, http_port: u16, reverter: &'r mut Reverter, quiet: bool) -> Self {
        NginxSolver {
            nginx,
            http_port,
            edits: TempEdits::new(reverter),
            quiet,
            owe_reload: false,
        }
    }

    /// `cleanup` undoes the edits but leaves the reload owed, for a caller that
    /// reloads nginx next (and takes the debt first: `temp_edits::take_owed_reload`).
    pub fn owing_reload(mut self) -> Self {
        self.owe_reload = true;
        self
    }

    fn say(&self, text: &str) {
        if !self.quiet {
            println!("{text}");
        }
    }
}

fn message(text: String) -> SolveError {
    SolveError::Message(text)
}

fn ctl_error(e: CtlError) -> SolveError {
    message(e.to_string())
}

impl Solver for NginxSolver<'_> {
    fn name(&self) -> &str {
        "nginx"
    }

    fn preferred(&self) -> Vec<ChallengeKind> {
        vec![ChallengeKind::Http01]
    }

    fn present(&mut self, challenges: &[Challenge]) -> Result<(), SolveError> {
        let tokens = crate::acme::solver::http01_tokens(challenges, "nginx")?;
        let mut config = self.nginx.load().map_err(|e| message(e.to_string()))?;
        let probes = challenge::add(&mut config, &tokens, self.http_port)
            .map_err(|e| message(e.to_string()))?;
        let names: Vec<&str> = tokens.iter().map(|t| t.name.as_str()).collect();
        let tx = self.edits.begin(&names, self.nginx.reload_action())?;
        self.nginx
            .write(tx, &config, &[])
            .map_err(|e| message(e.to_string()))?;
        let wait = self.nginx.ctl.wait();
        if let Err(e) = self.nginx.ctl.test_on(&wait) {
            ctl::finish(wait, Err(&e), true);
            self.edits.undo()?;
            return Err(message(format!(
                "nginx rejects the challenge edits (undone): {e}"
            )));
        }
        let reloaded = self.nginx.ctl.reload_on(&wait, &config);
        ctl::finish(wait, reloaded.as_ref().copied(), true);
        reloaded.map_err(ctl_error)?;
        // Its outcome is the line below (or the warning).
        let wait = Wait::start("nginx", "checking it answers the challenge");
        let answered = wait.blocking(|| challenge::check(&probes, CHECK_TIMEOUT));
        drop(wait);
        if let Err(failures) = answered {
            eprintln!(
                "Warning: nginx does not answer the challenge locally yet; asking the CA anyway:\n  {}",
                failures.join("\n  ")
            );
        }
        self.say(&format!(
            "nginx answers the http-01 challenge for {}",
            names.join(", ")
        ));
        Ok(())
    }

    fn cleanup(&mut self, _challenges: &[Challenge]) -> Result<(), SolveError> {
        if self.owe_reload {
            return self.edits.undo_owing_reload().map(|_| ());
        }
        if !self.edits.undo()? {
            return Ok(());
        }
        let config = self.nginx.load().map_err(|e| message(e.to_string()))?;
        let pid_file = self.nginx.ctl.pid_file(&config).map_err(ctl_error)?;
        if self.nginx.ctl.running(&pid_file).is_some() {
            self.nginx.ctl.reload_alone(&config).map_err(ctl_error)?;
        }
        Ok(())
    }
}
