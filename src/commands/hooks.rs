//! When hooks run, for every verb that obtains certificates.
//!
//! - pre: before the first certificate is requested; each distinct hook
//!   once per run (`renew` runs them only when something is due).
//! - deploy: after each certificate is saved (never in a dry run), with
//!   `RENEWED_LINEAGE` (the live folder) and `RENEWED_DOMAINS`.
//! - post: once each, at the end, with `RENEWED_DOMAINS` and `FAILED_DOMAINS`
//!   (space-separated).
//!
//! The executables in `renewal-hooks/{pre,deploy,post}` run first, for every
//! verb that obtains certificates (`renew`, `certonly`, `run`), as Certbot
//! does since 3.2 (the user guide; Debian's 2.1 ran them for `renew` only),
//! unless `--no-directory-hooks`; then the command from the flag or the
//! lineage's conf, skipped when it names a directory hook already run.
//! A failing hook (pre, deploy or post) is reported and changes nothing
//! else: a renewal whose deploy hook failed still counts as done, and the
//! run's exit status is 0, as with Certbot.

use crate::commands::Config;
use crate::renewal::hooks::{self, Hook, HookError, Stage};
use std::path::Path;
use std::time::Duration;

pub struct HookRunner {
    timeout: Duration,
    quiet: bool,
    /// `renewal-hooks/` executables apply (not with `--no-directory-hooks`).
    directory: Option<std::path::PathBuf>,
    pre_done: Vec<Hook>,
    post_queue: Vec<Hook>,
}

fn shell(command: Option<&str>) -> Option<Hook> {
    command
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| Hook::Shell(c.to_string()))
}

/// Say a hook failed, on stderr and in the log.
pub fn report(e: &HookError) {
    crate::log::error(e);
    eprintln!("certsmith: {e}");
}

impl HookRunner {
    pub fn new(config: &Config) -> anyhow::Result<HookRunner> {
        let timeout = config.hooks.timeout_secs;
        let directory = (!config.hooks.no_directory_hooks).then(|| config.paths.config_dir.clone());
        Ok(HookRunner {
            timeout: Duration::from_secs(timeout.max(1)),
            quiet: config.output.quiet,
            directory,
            pre_done: Vec::new(),
            post_queue: Vec::new(),
        })
    }

    fn directory_hooks(&self, stage: Stage) -> Vec<Hook> {
        let Some(dir) = &self.directory else {
            return Vec::new();
        };
        let (run, skipped) = hooks::directory_hooks(dir, stage);
        for path in skipped {
            crate::log::warning(format!("skipping {}: not executable", path.display()));
            if !self.quiet {
                eprintln!(
                    "certsmith: warning: skipping {} (not executable)",
                    path.display()
                );
            }
        }
        run
    }

    fn run(&self, stage: Stage, hook: &Hook, env: &[(&str, String)]) -> Result<(), HookError> {
        hooks::run(stage, hook, env, self.timeout, self.quiet)
    }

    /// Run the pre hooks not run yet in this run (directory ones, then
    /// `command`). Failures are reported, not returned.
    pub fn pre(&mut self, command: Option<&str>) {
        let mut wanted = self.directory_hooks(Stage::Pre);
        wanted.extend(shell(command));
        for hook in wanted {
            if self.pre_done.iter().any(|done| done.same_as(&hook)) {
                continue;
            }
            if let Err(e) = self.run(Stage::Pre, &hook, &[]) {
                report(&e);
            }
            self.pre_done.push(hook);
        }
    }

    /// Remember post hooks to run at the end (directory ones, then `command`).
    pub fn queue_post(&mut self, command: Option<&str>) {
        let mut wanted = self.directory_hooks(Stage::Post);
        wanted.extend(shell(command));
        for hook in wanted {
            if !self.post_queue.iter().any(|q| q.same_as(&hook)) {
                self.post_queue.push(hook);
            }
        }
    }

    /// Run the queued post hooks once each. Failures are reported.
    pub fn run_posts(&mut self, renewed: &[String], failed: &[String]) {
        let env = [
            ("RENEWED_DOMAINS", renewed.join(" ")),
            ("FAILED_DOMAINS", failed.join(" ")),
        ];
        for hook in std::mem::take(&mut self.post_queue) {
            if let Err(e) = self.run(Stage::Post, &hook, &env) {
                report(&e);
            }
        }
    }

    /// Run the deploy hooks for one saved lineage; every hook runs, and the
    /// failures are returned (each already reported).
    pub fn deploy(
        &self,
        live_dir: &Path,
        domains: &[String],
        command: Option<&str>,
    ) -> Vec<HookError> {
        let env = [
            ("RENEWED_LINEAGE", live_dir.display().to_string()),
            ("RENEWED_DOMAINS", domains.join(" ")),
        ];
        let mut done: Vec<Hook> = Vec::new();
        let mut failures = Vec::new();
        let mut wanted = self.directory_hooks(Stage::Deploy);
        wanted.extend(shell(command));
        for hook in wanted {
            if done.iter().any(|d| d.same_as(&hook)) {
                crate::log::info(format!("deploy hook {hook} already ran; not again"));
                continue;
            }
            if let Err(e) = self.run(Stage::Deploy, &hook, &env) {
                report(&e);
                failures.push(e);
            }
            done.push(hook);
        }
        failures
    }
}
