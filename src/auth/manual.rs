//! The manual authenticator: a person (at the prompt) or a hook
//! (`--manual-auth-hook`, `--manual-cleanup-hook`) puts the http-01 file or
//! dns-01 TXT record in place. Hooks run through `sh -c` with the variables
//! Certbot users' scripts read (`CERTBOT_DOMAIN`, `CERTBOT_VALIDATION`, ...).

use crate::acme::{Challenge, ChallengeKind, SolveError, Solver};
use crate::log::progress::{self, Wait};
use std::io::{BufRead, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub struct Manual {
    pub auth_hook: Option<String>,
    pub cleanup_hook: Option<String>,
    pub interactive: bool,
    /// Stdout of the auth hook per challenge (index), for the cleanup hook.
    outputs: Vec<Option<String>>,
}

impl Manual {
    pub fn new(
        auth_hook: Option<String>,
        cleanup_hook: Option<String>,
        interactive: bool,
    ) -> Result<Manual, SolveError> {
        if auth_hook.is_none() && !interactive {
            return Err(SolveError::Message(
                "--manual without --manual-auth-hook needs a person at the prompt; \
                 give --manual-auth-hook (and --manual-cleanup-hook) to run non-interactively"
                    .into(),
            ));
        }
        Ok(Manual {
            auth_hook,
            cleanup_hook,
            interactive,
            outputs: Vec::new(),
        })
    }
}

fn environment(challenges: &[Challenge], index: usize) -> Vec<(&'static str, String)> {
    let c = &challenges[index];
    let validation = match c.kind {
        ChallengeKind::Dns01 => c.dns_value.clone(),
        _ => c.key_authorization.clone(),
    };
    // One name per challenge, repeats kept: Certbot's manual.py joins
    // `achall.domain` over all the challenges (`example.com` and
    // `*.example.com` give `example.com,example.com`).
    let all: Vec<&str> = challenges.iter().map(|c| c.identifier.as_str()).collect();
    let mut env = vec![
        ("CERTBOT_DOMAIN", c.identifier.clone()),
        ("CERTBOT_VALIDATION", validation),
        (
            "CERTBOT_REMAINING_CHALLENGES",
            (challenges.len() - index - 1).to_string(),
        ),
        ("CERTBOT_ALL_DOMAINS", all.join(",")),
    ];
    if c.kind == ChallengeKind::Http01 {
        env.push(("CERTBOT_TOKEN", c.token.clone()));
    }
    env
}

/// Run a hook; its stdout is returned, its stderr passed through (past the
/// status line that shows it running).
fn run_hook(
    flag: &str,
    command: &str,
    env: &[(&str, String)],
    who: &str,
) -> Result<String, SolveError> {
    let wait = Wait::start(format!("{flag} {command:?} for {who}"), "running");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| SolveError::io(format!("--{flag}: cannot run {command:?}"), e))?;
    let (relayed, done) = mpsc::channel();
    if let Some(mut pipe) = child.stderr.take() {
        std::thread::spawn(move || {
            progress::relay(&mut pipe, true, true);
            let _ = relayed.send(());
        });
    }
    let output = wait
        .blocking(|| child.wait_with_output())
        .map_err(|e| SolveError::io(format!("--{flag}: cannot run {command:?}"), e))?;
    // Its last words before its outcome line; not waited for beyond a
    // moment (a process it left running may hold the pipe).
    let _ = done.recv_timeout(Duration::from_millis(500));
    let status = output.status;
    wait.exited(status);
    if !status.success() {
        let code = status
            .code()
            .map_or("a signal".to_string(), |c| format!("status {c}"));
        return Err(SolveError::Message(format!(
            "--{flag} {command:?} failed for {who} (exit {code})"
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .trim_end()
        .to_string())
}

fn instructions(c: &Challenge) -> String {
    match c.kind {
        ChallengeKind::Dns01 => format!(
            "Create a DNS TXT record\n  name:  {}\n  value: {}\nand wait until it is visible from the internet.",
            c.dns_name(),
            c.dns_value
        ),
        _ => format!(
            "Make this file available over plain HTTP\n  URL:     http://{}{}\n  content: {}",
            c.identifier,
            c.http_path(),
            c.key_authorization
        ),
    }
}

impl Solver for Manual {
    fn name(&self) -> &str {
        "manual"
    }

    fn preferred(&self) -> Vec<ChallengeKind> {
        vec![ChallengeKind::Http01, ChallengeKind::Dns01]
    }

    fn present(&mut self, challenges: &[Challenge]) -> Result<(), SolveError> {
        self.outputs = vec![None; challenges.len()];
        for index in 0..challenges.len() {
            let env = environment(challenges, index);
            match &self.auth_hook {
                Some(hook) => {
                    let out = run_hook(
                        "manual-auth-hook",
                        hook,
                        &env,
                        &challenges[index].ordered_name(),
                    )?;
                    self.outputs[index] = Some(out);
                }
                None => {
                    let mut stdout = std::io::stdout();
                    let _ = writeln!(
                        stdout,
                        "\n{}\n\nPress Enter to continue.",
                        instructions(&challenges[index])
                    );
                    let _ = stdout.flush();
                    let mut line = String::new();
                    match std::io::stdin().lock().read_line(&mut line) {
                        Ok(0) | Err(_) => return Err(SolveError::Interrupted),
                        Ok(_) => self.outputs[index] = Some(String::new()),
                    }
                }
            }
        }
        Ok(())
    }

    fn cleanup(&mut self, challenges: &[Challenge]) -> Result<(), SolveError> {
        let Some(hook) = self.cleanup_hook.clone() else {
            return Ok(());
        };
        let mut first_error = None;
        for index in 0..challenges.len() {
            // Only what the auth hook set up (it may have failed half-way).
            let Some(output) = self.outputs.get(index).cloned().flatten() else {
                continue;
            };
            let mut env = environment(challenges, index);
            env.push(("CERTBOT_AUTH_OUTPUT", output));
            if let Err(e) = run_hook(
                "manual-cleanup-hook",
                &hook,
                &env,
                &challenges[index].ordered_name(),
            ) {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge(name: &str, kind: ChallengeKind) -> Challenge {
        Challenge {
            identifier: name.into(),
            wildcard: false,
            kind,
            token: format!("tok-{name}"),
            key_authorization: format!("tok-{name}.k"),
            dns_value: format!("dns-{name}"),
            digest: [0; 32],
        }
    }

    #[test]
    fn all_domains_keeps_a_name_per_challenge_as_certbot_does() {
        let mut wildcard = challenge("example.com", ChallengeKind::Dns01);
        wildcard.wildcard = true;
        let chs = [
            challenge("example.com", ChallengeKind::Dns01),
            wildcard,
            challenge("www.example.com", ChallengeKind::Dns01),
        ];
        for index in 0..chs.len() {
            let env = environment(&chs, index);
            let all = env
                .iter()
                .find(|(k, _)| *k == "CERTBOT_ALL_DOMAINS")
                .unwrap();
            assert_eq!(all.1, "example.com,example.com,www.example.com");
        }
    }

    #[test]
    fn hooks_get_certbots_variables_and_cleanup_sees_auth_output() {
        let tmp_dir = tempfile::tempdir().unwrap();
        let dir = tmp_dir.path().to_path_buf();
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("log");
        let auth = format!(
            "echo \"auth $CERTBOT_DOMAIN $CERTBOT_VALIDATION ${{CERTBOT_TOKEN:-none}} $CERTBOT_REMAINING_CHALLENGES $CERTBOT_ALL_DOMAINS\" >> {0}; echo out-$CERTBOT_DOMAIN",
            log.display()
        );
        let cleanup = format!(
            "echo \"cleanup $CERTBOT_DOMAIN $CERTBOT_AUTH_OUTPUT\" >> {}",
            log.display()
        );
        let mut solver = Manual::new(Some(auth), Some(cleanup), false).unwrap();
        let chs = [
            challenge("a.example", ChallengeKind::Http01),
            challenge("b.example", ChallengeKind::Dns01),
        ];
        solver.present(&chs).unwrap();
        solver.cleanup(&chs).unwrap();
        assert_eq!(
            std::fs::read_to_string(&log).unwrap(),
            "auth a.example tok-a.example.k tok-a.example 1 a.example,b.example\n\
             auth b.example dns-b.example none 0 a.example,b.example\n\
             cleanup a.example out-a.example\n\
             cleanup b.example out-b.example\n"
        );
    }

    #[test]
    fn failing_hook_names_itself_and_only_presented_challenges_are_cleaned() {
        let tmp_dir = tempfile::tempdir().unwrap();
        let dir = tmp_dir.path().to_path_buf();
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("log");
        let auth = "test \"$CERTBOT_DOMAIN\" = a.example".to_string();
        let cleanup = format!("echo $CERTBOT_DOMAIN >> {}", log.display());
        let mut solver = Manual::new(Some(auth), Some(cleanup), false).unwrap();
        let chs = [
            challenge("a.example", ChallengeKind::Http01),
            challenge("b.example", ChallengeKind::Http01),
        ];
        let err = solver.present(&chs).unwrap_err().to_string();
        assert!(
            err.contains("--manual-auth-hook")
                && err.contains("b.example")
                && err.contains("status 1"),
            "{err}"
        );
        solver.cleanup(&chs).unwrap();
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "a.example\n");
        assert!(Manual::new(None, None, false).is_err());
    }
}
