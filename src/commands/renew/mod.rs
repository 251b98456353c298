//! `renew`: renew every lineage that is due (or the one `--cert-name`
//! names), each with the options it was made with; the command line's win
//! and are saved. Lineages are independent: one that fails (bad conf,
//! broken links, validation, the server's reload) is reported and the
//! others go on; the exit status is non-zero only if one failed. A failing
//! deploy hook is reported and does not fail a renewal that succeeded
//! (Certbot's rule).

mod lineage;

use super::hooks::HookRunner;
use super::{Config, issue};
use crate::acme::{Session, ari::Window};
use crate::storage;
use anyhow::bail;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Duration;

pub use lineage::{Loaded, decide, load, random_fraction, renew};

/// What one `renew` run shares between lineages: ACME sessions (one per
/// server), ARI availability, the OCSP checker, hooks already run, the
/// random sleep.
pub struct RunState {
    sessions: HashMap<(String, Option<PathBuf>), Rc<Session>>,
    /// Servers whose directory could not be read this run (no retry per lineage).
    unreachable: Vec<String>,
    pub hooks: HookRunner,
    pub ocsp: crate::ocsp::Checker,
    slept: bool,
}

impl RunState {
    pub fn new(config: &Config) -> anyhow::Result<RunState> {
        Ok(RunState {
            sessions: HashMap::new(),
            unreachable: Vec::new(),
            hooks: HookRunner::new(config)?,
            ocsp: crate::ocsp::Checker::new(),
            slept: false,
        })
    }

    /// The ACME session for the configuration's server (made once per run).
    pub fn session(&mut self, config: &Config) -> anyhow::Result<Rc<Session>> {
        let options = issue::acme_options(config);
        let key = (options.directory_url.clone(), options.ca_bundle.clone());
        if let Some(s) = self.sessions.get(&key) {
            return Ok(s.clone());
        }
        crate::log::info(format!("ACME server {}", options.directory_url));
        let session = Rc::new(Session::new(&options)?);
        self.sessions.insert(key, session.clone());
        Ok(session)
    }

    /// The CA's suggested window for this certificate, when its directory
    /// offers renewalInfo. Any failure falls back to the local rules (and is
    /// logged): ARI improves the timing, it must not stop renewals.
    pub fn ari_window(&mut self, config: &Config, cert_der: &[u8]) -> Option<Window> {
        let url = config.directory_url();
        if self.unreachable.contains(&url) {
            return None;
        }
        let session = match self.session(config) {
            Ok(s) => s,
            Err(e) => {
                crate::log::warning(format!("ARI: {e:#}; using the local rules"));
                self.unreachable.push(url);
                return None;
            }
        };
        if let Err(e) = session.directory() {
            crate::log::warning(format!("ARI: {e}; using the local rules"));
            self.unreachable.push(url);
            return None;
        }
        match session.renewal_window(cert_der) {
            Ok(window) => window,
            Err(e) => {
                crate::log::warning(format!("ARI: {e}; using the local rules"));
                None
            }
        }
    }

    /// Certbot's habit for unattended runs: before the first renewal, sleep
    /// a random 1 s to 8 min so that machines on the same schedule do not
    /// all call the CA at once. Not at a terminal, not with
    /// `--no-random-sleep-on-renew`.
    fn sleep_once(&mut self, config: &Config) {
        if self.slept {
            return;
        }
        self.slept = true;
        if config.renew.no_random_sleep || std::io::stdin().is_terminal() {
            return;
        }
        let secs = 1.0 + random_fraction() * 479.0;
        let message = format!(
            "Non-interactive renewal: waiting {secs:.0} s first (--no-random-sleep-on-renew skips this)"
        );
        crate::log::info(&message);
        if !config.output.quiet {
            println!("{message}");
        }
        let wait =
            crate::log::progress::Wait::start("renew", "random sleep before the first renewal");
        wait.blocking(|| std::thread::sleep(Duration::from_secs_f64(secs)));
        wait.done("slept");
    }
}

enum Outcome {
    NotDue,
    Renewed(Vec<String>),
    /// Domains (or the lineage name when they are unknown) and why.
    Failed(Vec<String>, anyhow::Error),
    /// Renewed, but the installer could not reload the server: in both
    /// lists of the post hooks. (A failing deploy hook is reported only,
    /// as in Certbot.)
    DeployFailed(Vec<String>, anyhow::Error),
}

fn say(config: &Config, line: &str) {
    crate::log::info(line);
    if !config.output.quiet {
        println!("{line}");
    }
}

/// Decide, and renew when due.
fn process(
    state: &mut RunState,
    reverter: &mut reverter::Reverter,
    config: &Config,
    name: &str,
) -> Outcome {
    let mut loaded = match load(config, name) {
        Ok(l) => l,
        Err(e) => return Outcome::Failed(vec![name.to_string()], e),
    };
    let names = loaded.names().to_vec();
    // Certbot: a lineage with `autorenew = False` is renewed only when
    // forced (or simulated in a dry run), `--cert-name` or not.
    let lconf = &loaded.config;
    if lconf.renew.autorenew == Some(false) && !lconf.cert.force_renewal && !lconf.dry_run {
        say(
            config,
            &format!(
                "{name}: not renewed: autorenew = False in its renewal conf (--force-renewal renews it, --autorenew turns it back on)"
            ),
        );
        return Outcome::NotDue;
    }
    let decision = match decide(state, &loaded) {
        Ok(d) => d,
        Err(e) => return Outcome::Failed(names, e),
    };
    if !decision.due {
        say(config, &format!("{name}: {decision}"));
        return Outcome::NotDue;
    }
    say(config, &format!("{name}: {decision}; renewing"));
    state.sleep_once(config);
    let lconfig = loaded.config.clone();
    state.hooks.pre(lconfig.hooks.pre.as_deref());
    state.hooks.queue_post(lconfig.hooks.post.as_deref());
    let version = match renew(state, reverter, &mut loaded) {
        Ok((v, _)) => v,
        Err(e) => {
            // The server may still run challenge edits whose reload was owed.
            reload_if_owed(reverter, &lconfig);
            return Outcome::Failed(names, e);
        }
    };
    let Some(version) = version else {
        say(
            config,
            &format!("{name}: the dry run succeeded (nothing saved)"),
        );
        return Outcome::Renewed(names);
    };
    say(
        config,
        &format!(
            "{name}: renewed (version {version}): {}",
            loaded.lineage.path("fullchain").display()
        ),
    );
    let live = loaded.lineage.path("cert").parent().map(PathBuf::from);
    let failures = state.hooks.deploy(
        &live.unwrap_or_default(),
        &names,
        lconfig.hooks.deploy.as_deref(),
    );
    if !failures.is_empty() {
        // As in Certbot: the failure is reported (above, by the hook
        // runner) and the renewal, which succeeded, still counts as one.
        let line = format!(
            "{name}: renewed, but {} deploy hook(s) failed (reported above); the renewal stands",
            failures.len()
        );
        crate::log::warning(&line);
        eprintln!("certsmith: warning: {line}");
    }
    // A reload the challenge's cleanup left owed is paid by this one; taken just
    // before it (a crash before then: the next start reloads the server).
    let reloaded = crate::installer::temp_edits::take_owed_reload(reverter)
        .map_err(anyhow::Error::from)
        .and_then(|_| reload_installer(&lconfig));
    if let Err(e) = reloaded {
        return Outcome::DeployFailed(names, e.context("the server was not reloaded"));
    }
    Outcome::Renewed(names)
}

/// After a failed renewal: when its challenge left the server's reload owed
/// (the server still runs the undone edits), reload it now; a failure to is a
/// warning, the renewal's own error is the one reported.
fn reload_if_owed(reverter: &mut reverter::Reverter, config: &Config) {
    let reloaded = crate::installer::temp_edits::take_owed_reload(reverter)
        .map_err(anyhow::Error::from)
        .and_then(|owed| {
            if owed {
                reload_installer(config)
            } else {
                Ok(())
            }
        });
    if let Err(e) = reloaded {
        eprintln!("certsmith: warning: reloading the server after the challenge failed: {e:#}");
    }
}

/// Make the lineage's installer (if it has one) use the renewed files: the live
/// paths do not change, so a configuration test and reload is all it takes.
fn reload_installer(config: &Config) -> anyhow::Result<()> {
    let Some(name) = config.registry.chosen_installer(config)? else {
        return Ok(());
    };
    let plugin = config.registry.installer(&name)?;
    let Some(entry) = &plugin.installer else {
        return Ok(());
    };
    (entry.build)(config)?.restart()?;
    Ok(())
}

/// The lineages this run looks at.
fn lineage_names(config: &Config) -> anyhow::Result<Vec<String>> {
    if let Some(name) = &config.cert.cert_name {
        storage::validate_name(name)?;
        if !config
            .paths
            .config_dir
            .join("renewal")
            .join(format!("{name}.conf"))
            .exists()
        {
            bail!(
                "--cert-name: no certificate named {name:?} in {}",
                config.paths.config_dir.display()
            );
        }
        return Ok(vec![name.clone()]);
    }
    Ok(storage::list(&config.paths.config_dir)?)
}

pub fn run(config: &Config, session: &mut crate::commands::Session) -> anyhow::Result<ExitCode> {
    if !config.cert.domains.is_empty() {
        bail!(
            "-d: renew renews lineages as they are; to change a certificate's names use \
             certonly --cert-name NAME -d ..."
        );
    }
    // Bad options (--hook-timeout) fail first, whatever is due; numeric
    // values (--renew-before-expiry) were checked when the flags were read.
    let mut state = RunState::new(config)?;
    let names = lineage_names(config)?;
    if names.is_empty() {
        summary(config, 0, 0, 0);
        return Ok(ExitCode::SUCCESS);
    }
    let lock = if config.dry_run {
        storage::lock_config_dir_unchanged(&config.paths.config_dir)?
    } else {
        storage::lock_config_dir(&config.paths.config_dir)?
    };
    let (mut renewed, mut failed, mut not_due) = (Vec::new(), Vec::new(), 0usize);
    let mut errors = 0usize;
    let mut interrupted = false;
    for name in &names {
        // A signal between two orders (in a hook, say) is seen here.
        if state.sessions.values().any(|s| s.interrupted()) {
            interrupted = true;
            break;
        }
        match process(&mut state, session.reverter()?, config, name) {
            Outcome::NotDue => not_due += 1,
            Outcome::Renewed(domains) => renewed.extend(domains),
            Outcome::Failed(domains, e) => {
                errors += 1;
                fail(name, &e);
                failed.extend(domains);
                if was_interrupted(&e) {
                    // Ctrl-C or SIGTERM means stop, not "next lineage".
                    interrupted = true;
                    break;
                }
            }
            Outcome::DeployFailed(domains, e) => {
                errors += 1;
                fail(name, &e);
                renewed.extend(domains.iter().cloned());
                failed.extend(domains);
            }
        }
    }
    state.hooks.run_posts(&renewed, &failed);
    // Releasing removes the lock file, as Certbot's release does.
    drop(lock);
    if interrupted {
        eprintln!("certsmith: interrupted: the remaining certificates were not looked at");
        return Ok(ExitCode::from(130));
    }
    summary(config, names.len(), not_due, errors);
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The run was cut short by Ctrl-C or SIGTERM (the ACME layer's cleanup ran).
fn was_interrupted(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<crate::acme::AcmeError>(),
            Some(crate::acme::AcmeError::Interrupted)
        )
    })
}

fn fail(name: &str, e: &anyhow::Error) {
    crate::log::error(format!("{name}: {e:#}"));
    eprintln!("certsmith: {name}: renewal failed: {e:#}");
}

fn summary(config: &Config, total: usize, not_due: usize, errors: usize) {
    let attempted = total - not_due;
    let line = if total == 0 {
        format!("No certificates in {}.", config.paths.config_dir.display())
    } else if attempted == 0 {
        format!("No renewals were attempted: {total} certificate(s) not due.")
    } else if errors == 0 {
        format!(
            "{} {attempted} certificate(s); {not_due} not due.",
            if config.dry_run {
                "Dry run succeeded for"
            } else {
                "Renewed"
            }
        )
    } else {
        format!("{errors} of {attempted} renewal(s) failed; {not_due} certificate(s) not due.")
    };
    crate::log::info(&line);
    if errors > 0 {
        eprintln!("certsmith: {line}");
    } else if !config.output.quiet {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests {
    use crate::acme::AcmeError;

    #[test]
    fn an_interrupt_is_told_apart_from_other_failures() {
        let cut = anyhow::Error::from(AcmeError::Interrupted).context("renewing a.example");
        assert!(super::was_interrupted(&cut));
        let other = anyhow::Error::from(AcmeError::Other("refused".into())).context("renewing");
        assert!(!super::was_interrupted(&other));
    }
}
