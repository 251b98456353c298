//! Hooks: commands from `--pre-hook`/`--deploy-hook`/`--post-hook` (and the
//! lineages' renewal confs), run with `sh -c` as Certbot does, and the
//! executables in `<config-dir>/renewal-hooks/{pre,deploy,post}`, run
//! directly, in the byte order of their names.
//!
//! Each hook runs in its own process group, so `--hook-timeout` kills the
//! hook and everything it started. Its output is passed through (stdout
//! unless quiet, stderr always) and never logged: hooks see secrets.

use crate::log::progress::{self, Wait};
use std::fmt;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Pre,
    Deploy,
    Post,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Pre => "pre",
            Stage::Deploy => "deploy",
            Stage::Post => "post",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One hook to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hook {
    /// A shell command (from a flag or a renewal conf).
    Shell(String),
    /// An executable from `renewal-hooks/STAGE/`.
    File(PathBuf),
}

impl fmt::Display for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hook::Shell(c) => write!(f, "{c:?}"),
            Hook::File(p) => write!(f, "{}", p.display()),
        }
    }
}

impl Hook {
    /// True when both run the same program: equal commands, or a command
    /// that is just the path of the same file (`--deploy-hook` naming a
    /// file that also sits in `renewal-hooks/deploy/`).
    pub fn same_as(&self, other: &Hook) -> bool {
        if self == other {
            return true;
        }
        match (self.single_path(), other.single_path()) {
            (Some(a), Some(b)) => match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            },
            _ => false,
        }
    }

    fn single_path(&self) -> Option<&Path> {
        match self {
            Hook::File(p) => Some(p),
            Hook::Shell(c) if !c.trim().is_empty() && !c.trim().contains(char::is_whitespace) => {
                Some(Path::new(c.trim()))
            }
            Hook::Shell(_) => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HookError {
    #[error("{stage} hook {hook}: {path} is not executable (chmod +x it)")]
    NotExecutable {
        stage: Stage,
        hook: Hook,
        path: PathBuf,
    },
    #[error("{stage} hook {hook}: cannot start it: {source}")]
    Spawn {
        stage: Stage,
        hook: Hook,
        #[source]
        source: std::io::Error,
    },
    #[error("{stage} hook {hook} was still running after {} s and was killed (--hook-timeout)", .timeout.as_secs())]
    Timeout {
        stage: Stage,
        hook: Hook,
        timeout: Duration,
    },
    #[error("{stage} hook {hook} failed ({status})")]
    Failed {
        stage: Stage,
        hook: Hook,
        status: ExitStatus,
    },
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The executables in `<config_dir>/renewal-hooks/<stage>/`, sorted by the
/// bytes of their names, and the regular files there that are not
/// executable (skipped: say so). A missing folder has none.
pub fn directory_hooks(config_dir: &Path, stage: Stage) -> (Vec<Hook>, Vec<PathBuf>) {
    let dir = config_dir.join("renewal-hooks").join(stage.as_str());
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return (Vec::new(), Vec::new());
    };
    let mut names: Vec<std::ffi::OsString> = entries.flatten().map(|e| e.file_name()).collect();
    names.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
    let (mut run, mut skipped) = (Vec::new(), Vec::new());
    for name in names {
        let path = dir.join(name);
        if is_executable(&path) {
            run.push(Hook::File(path));
        } else if path.is_file() {
            skipped.push(path);
        }
    }
    (run, skipped)
}

/// A path the shell would try to execute first, when it names an existing
/// file that cannot be executed (so the error can say so plainly).
fn unexecutable_program(command: &str) -> Option<PathBuf> {
    let first = command.split_whitespace().next()?;
    if !first.contains('/') {
        return None;
    }
    let path = PathBuf::from(first);
    (path.is_file() && !is_executable(&path)).then_some(path)
}

/// Run one hook with extra environment variables; `Ok` when it exited 0.
pub fn run(
    stage: Stage,
    hook: &Hook,
    env: &[(&str, String)],
    timeout: Duration,
    quiet: bool,
) -> Result<(), HookError> {
    let mut cmd = match hook {
        Hook::Shell(command) => {
            if let Some(path) = unexecutable_program(command) {
                return Err(HookError::NotExecutable {
                    stage,
                    hook: hook.clone(),
                    path,
                });
            }
            let mut c = Command::new("sh");
            c.arg("-c").arg(command);
            c
        }
        Hook::File(path) => Command::new(path),
    };
    cmd.envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    crate::log::info(format!("running {stage} hook {hook}"));
    let mut child = cmd.spawn().map_err(|source| HookError::Spawn {
        stage,
        hook: hook.clone(),
        source,
    })?;
    let (tx, rx) = mpsc::channel();
    for (pipe, to_stderr) in [
        (
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
            false,
        ),
        (
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
            true,
        ),
    ] {
        if let Some(mut pipe) = pipe {
            let tx = tx.clone();
            // Its output passes the status line, which it would write over.
            std::thread::spawn(move || {
                progress::relay(&mut *pipe, to_stderr, to_stderr || !quiet);
                let _ = tx.send(());
            });
        }
    }
    let wait = Wait::start(format!("{stage} hook {hook}"), "running");
    let deadline = Instant::now() + timeout;
    let status = wait.blocking(|| {
        loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() >= deadline => break None,
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                Err(_) => break None,
            }
        }
    });
    let Some(status) = status else {
        kill_group(child.id());
        let _ = child.wait();
        crate::log::error(format!("{stage} hook {hook} killed after {timeout:?}"));
        wait.failed(&format!(
            "killed after {} s (--hook-timeout)",
            timeout.as_secs()
        ));
        return Err(HookError::Timeout {
            stage,
            hook: hook.clone(),
            timeout,
        });
    };
    // Output of processes the hook left running in the background is not
    // waited for beyond a moment: a hook that starts a daemon must not hang us.
    let grace = Instant::now() + Duration::from_millis(500);
    for _ in 0..2 {
        let left = grace.saturating_duration_since(Instant::now());
        if rx.recv_timeout(left).is_err() {
            break;
        }
    }
    crate::log::info(format!("{stage} hook {hook}: {status}"));
    wait.exited(status);
    if status.success() {
        Ok(())
    } else {
        Err(HookError::Failed {
            stage,
            hook: hook.clone(),
            status,
        })
    }
}

/// SIGKILL the hook's process group (it leads its own, see `process_group(0)`).
fn kill_group(pid: u32) {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .filter(|p| *p > 1)
        .and_then(rustix::process::Pid::from_raw)
    else {
        return;
    };
    let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn temp() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn directory_hooks_in_byte_order_and_non_executables_skipped() {
        let tmp = temp();
        let config = tmp.path().to_path_buf();
        let dir = config.join("renewal-hooks/deploy");
        fs::create_dir_all(&dir).unwrap();
        for (name, mode) in [("b", 0o755), ("B", 0o755), ("a", 0o755), ("README", 0o644)] {
            let path = dir.join(name);
            fs::write(&path, "#!/bin/sh\n").unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        }
        let (run, skipped) = directory_hooks(&config, Stage::Deploy);
        let names: Vec<String> = run
            .iter()
            .map(|h| match h {
                Hook::File(p) => p.file_name().unwrap().to_string_lossy().into_owned(),
                Hook::Shell(_) => unreachable!(),
            })
            .collect();
        assert_eq!(names, ["B", "a", "b"]);
        assert_eq!(skipped, vec![dir.join("README")]);
        assert!(Hook::Shell(dir.join("a").display().to_string()).same_as(&run[1]));
        assert!(!Hook::Shell(format!("{} x", dir.join("a").display())).same_as(&run[1]));
        assert!(directory_hooks(&config, Stage::Pre).0.is_empty());
    }

    #[test]
    fn environment_exit_status_and_timeout() {
        let tmp = temp();
        let dir = tmp.path().to_path_buf();
        let out = dir.join("out");
        let hook = Hook::Shell(format!("echo \"$RENEWED_DOMAINS\" > {}", out.display()));
        let env = [("RENEWED_DOMAINS", "a.example b.example".to_string())];
        run(Stage::Deploy, &hook, &env, Duration::from_secs(10), true).unwrap();
        assert_eq!(fs::read_to_string(&out).unwrap(), "a.example b.example\n");

        let failed = run(
            Stage::Post,
            &Hook::Shell("exit 3".into()),
            &[],
            Duration::from_secs(10),
            true,
        );
        assert!(
            matches!(failed, Err(HookError::Failed { .. })),
            "{failed:?}"
        );

        // The hook's child (sleep) holds the pipes too: the whole group dies.
        let started = Instant::now();
        let hung = run(
            Stage::Pre,
            &Hook::Shell("sleep 30; true".into()),
            &[],
            Duration::from_millis(300),
            true,
        );
        assert!(matches!(hung, Err(HookError::Timeout { .. })), "{hung:?}");
        assert!(started.elapsed() < Duration::from_secs(10));

        let script = dir.join("not-exec.sh");
        fs::write(&script, "#!/bin/sh\n").unwrap();
        let err = run(
            Stage::Deploy,
            &Hook::Shell(format!("{} --flag", script.display())),
            &[],
            Duration::from_secs(10),
            true,
        )
        .unwrap_err();
        assert!(err.to_string().contains("is not executable"), "{err}");
    }
}
