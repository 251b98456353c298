//! Running nginx itself: `nginx -c CONF -t`, `-s reload`, and starting it
//! when it is not running.
//!
//! Whether nginx runs is read from the pid file its configuration names
//! (`pid`, else the default compiled into the binary, from `nginx -V`), and
//! checked against `/proc`. A reload is asynchronous in nginx: the master
//! re-reads its configuration, starts new workers (or, if it cannot apply
//! the configuration, e.g. a port is taken, logs it and keeps the old
//! ones), and only about 100 ms later asks the old workers to finish; until
//! then both old and new workers accept connections. So
//! [`Ctl::reload_or_start`] waits until new workers run (a reload nginx
//! could not apply is an error, not a silent success) and the old workers
//! stopped accepting: when it returns, every request sees the new
//! configuration (what the http-01 challenge needs, since the CA fetches
//! the token several times, and what a user curling right after expects).

use super::load::NginxConfig;
use crate::installer::{TESTING, end_restart};
use crate::log::progress::Wait;
use std::collections::HashSet;
use std::ffi::OsString;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long a reload or a start may take before certsmith gives up waiting.
const WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(3);

/// The nginx binary and the main configuration file it is run with.
#[derive(Debug, Clone)]
pub struct Ctl {
    pub binary: PathBuf,
    pub conf: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum CtlError {
    #[error(
        "cannot run nginx as {}: {error} (is nginx installed? give its path with --nginx-ctl)",
        binary.display()
    )]
    NotFound {
        binary: PathBuf,
        error: std::io::Error,
    },
    #[error("`nginx -t` fails for {}:\n{output}", conf.display())]
    ConfigTest { conf: PathBuf, output: String },
    #[error("`nginx -s reload` failed:\n{output}")]
    Reload { output: String },
    #[error("starting nginx failed:\n{output}")]
    Start { output: String },
    #[error("nginx (pid {pid}) did not take the new configuration within {} s; see its error log", WAIT.as_secs())]
    ReloadTimeout { pid: u32 },
    #[error("nginx did not start within {} s (no live process in its pid file {})", WAIT.as_secs(), pid_file.display())]
    StartTimeout { pid_file: PathBuf },
    #[error(
        "nginx is not running, and {} says `daemon off;`: start it the way you normally do",
        conf.display()
    )]
    DaemonOff { conf: PathBuf },
}

/// A running `nginx -t` ([`Ctl::spawn_configtest`]).
#[derive(Debug)]
pub struct PendingTest {
    child: std::process::Child,
    conf: PathBuf,
    binary: PathBuf,
}

impl PendingTest {
    /// Wait for the verdict: the warnings nginx printed, or its error.
    pub fn finish(self) -> Result<Vec<String>, CtlError> {
        let out = self
            .child
            .wait_with_output()
            .map_err(|error| CtlError::NotFound {
                binary: self.binary.clone(),
                error,
            })?;
        let text = text_of(&out);
        if out.status.success() {
            Ok(text.lines().filter_map(warning_text).collect())
        } else {
            Err(CtlError::ConfigTest {
                conf: self.conf,
                output: text.trim_end().to_string(),
            })
        }
    }
}

/// What [`Ctl::reload_or_start`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restart {
    Reloaded,
    Started,
}

/// Facts from `nginx -V`.
#[derive(Debug, Clone, Default)]
pub struct BuildInfo {
    pub prefix: Option<PathBuf>,
    pub pid_path: Option<PathBuf>,
}

impl Ctl {
    pub fn new(binary: impl Into<PathBuf>, conf: impl Into<PathBuf>) -> Ctl {
        Ctl {
            binary: binary.into(),
            conf: conf.into(),
        }
    }

    fn output(&self, mut cmd: Command) -> Result<Output, CtlError> {
        cmd.stdin(Stdio::null())
            .output()
            .map_err(|error| CtlError::NotFound {
                binary: self.binary.clone(),
                error,
            })
    }

    /// `nginx -t`. `Ok` carries the warnings nginx printed.
    pub fn configtest(&self) -> Result<Vec<String>, CtlError> {
        self.spawn_configtest()?.finish()
    }

    /// Start `nginx -t` and let the caller do other work meanwhile (it
    /// reads the files as they are now).
    pub fn spawn_configtest(&self) -> Result<PendingTest, CtlError> {
        let child = Command::new(&self.binary)
            .arg("-c")
            .arg(&self.conf)
            .arg("-t")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| CtlError::NotFound {
                binary: self.binary.clone(),
                error,
            })?;
        Ok(PendingTest {
            child,
            conf: self.conf.clone(),
            binary: self.binary.clone(),
        })
    }

    /// `nginx -V`: the compiled-in prefix and pid path.
    pub fn build_info(&self) -> Result<BuildInfo, CtlError> {
        let mut cmd = Command::new(&self.binary);
        cmd.arg("-V");
        let out = self.output(cmd)?;
        let text = text_of(&out);
        // `configure arguments: --prefix=... --pid-path=...`
        let configured = |name: &str| {
            text.split_whitespace()
                .find_map(|w| w.strip_prefix(name))
                .map(PathBuf::from)
        };
        Ok(BuildInfo {
            prefix: configured("--prefix="),
            pid_path: configured("--pid-path="),
        })
    }

    /// The pid file: the configuration's `pid`, else the compiled default
    /// (relative paths are relative to nginx's prefix).
    pub fn pid_file(&self, config: &NginxConfig) -> Result<PathBuf, CtlError> {
        if let Some(p) = main_value(config, "pid").map(PathBuf::from)
            && p.is_absolute()
        {
            return Ok(p);
        }
        let info = self.build_info()?;
        let prefix = info
            .prefix
            .clone()
            .unwrap_or_else(|| PathBuf::from("/usr/share/nginx"));
        let path = match main_value(config, "pid") {
            Some(p) => PathBuf::from(p),
            None => info
                .pid_path
                .unwrap_or_else(|| PathBuf::from("logs/nginx.pid")),
        };
        Ok(if path.is_absolute() {
            path
        } else {
            prefix.join(path)
        })
    }

    /// The master's pid when nginx runs with this pid file.
    pub fn running(&self, pid_file: &Path) -> Option<u32> {
        let text = std::fs::read_to_string(pid_file).ok()?;
        let pid: u32 = text.trim().parse().ok()?;
        is_nginx(pid).then_some(pid)
    }

    /// Reload nginx, or start it when it is not running, and wait as
    /// until the new configuration serves every request. Run
    /// [`Ctl::configtest`] first.
    pub fn reload_or_start(&self, config: &NginxConfig) -> Result<Restart, CtlError> {
        let pid_file = self.pid_file(config)?;
        match self.running(&pid_file) {
            Some(pid) => {
                let before = children(pid);
                // What `nginx -s reload` does, without it parsing the
                // whole configuration again just to find the pid.
                let raw = i32::try_from(pid).ok().filter(|p| *p > 0);
                let master = raw
                    .and_then(rustix::process::Pid::from_raw)
                    .ok_or_else(|| CtlError::Reload {
                        output: format!("{}: invalid pid {pid}", pid_file.display()),
                    })?;
                rustix::process::kill_process(master, rustix::process::Signal::HUP).map_err(
                    |e| CtlError::Reload {
                        output: format!("cannot signal the nginx master process {pid}: {e}"),
                    },
                )?;
                wait_for_new_workers(pid, &before)?;
                Ok(Restart::Reloaded)
            }
            None => {
                if main_value(config, "daemon").is_some_and(|v| v == "off") {
                    return Err(CtlError::DaemonOff {
                        conf: self.conf.clone(),
                    });
                }
                self.start()?;
                self.wait_started(&pid_file)?;
                Ok(Restart::Started)
            }
        }
    }

    /// Start nginx. It daemonizes, and the daemon keeps the stderr it was
    /// given: a pipe would never reach end of file, so its output goes to
    /// a file read once the starting process has exited.
    fn start(&self) -> Result<(), CtlError> {
        let log = std::env::temp_dir().join(format!(
            "certsmith-nginx-start-{}-{}.log",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        // nginx's daemon keeps its inherited stdout open, so its output goes to
        // a file, not a pipe read to the end. The name is new (O_EXCL, which
        // never follows a symlink planted in the shared temp dir) and private.
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&log)
            .map_err(|e| CtlError::Start {
                output: format!("cannot create {}: {e}", log.display()),
            })?;
        let err = file.try_clone().map_err(|e| CtlError::Start {
            output: e.to_string(),
        })?;
        let status = Command::new(&self.binary)
            .arg("-c")
            .arg(&self.conf)
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(err)
            .status();
        let output = std::fs::read_to_string(&log).unwrap_or_default();
        let _ = std::fs::remove_file(&log);
        let status = status.map_err(|error| CtlError::NotFound {
            binary: self.binary.clone(),
            error,
        })?;
        if status.success() {
            Ok(())
        } else {
            Err(CtlError::Start {
                output: output.trim_end().to_string(),
            })
        }
    }

    fn wait_started(&self, pid_file: &Path) -> Result<(), CtlError> {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(pid) = self.running(pid_file)
                && (!children(pid).is_empty() || !master_process(pid))
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(CtlError::StartTimeout {
                    pid_file: pid_file.to_path_buf(),
                });
            }
            std::thread::sleep(POLL);
        }
    }
}

/// What the status line says while nginx reloads.
const RELOADING: &str = "reloading";

impl Ctl {
    /// Start a wait for nginx (`nginx: testing the configuration...`), for
    /// [`Ctl::test_on`] and [`Ctl::reload_on`], ended by [`finish`].
    pub fn wait(&self) -> Wait {
        Wait::start("nginx", TESTING)
    }

    /// [`Ctl::configtest`], shown on `wait`.
    pub fn test_on(&self, wait: &Wait) -> Result<Vec<String>, CtlError> {
        wait.step(TESTING, || self.configtest())
    }

    /// [`Ctl::reload_or_start`], shown on `wait`.
    pub fn reload_on(&self, wait: &Wait, config: &NginxConfig) -> Result<Restart, CtlError> {
        wait.step(RELOADING, || self.reload_or_start(config))
    }

    /// `nginx -t`, then reload (or start), as one wait with its outcome line.
    pub fn test_and_reload(&self, config: &NginxConfig) -> Result<Restart, CtlError> {
        let wait = self.wait();
        let result = self
            .test_on(&wait)
            .and_then(|_| self.reload_on(&wait, config));
        finish(wait, result.as_ref().copied(), true);
        result
    }

    /// A reload (or start) without a test, as one wait with its outcome line
    /// (after undoing edits: the configuration is one nginx ran before).
    pub fn reload_alone(&self, config: &NginxConfig) -> Result<Restart, CtlError> {
        let wait = Wait::start("nginx", RELOADING);
        let result = self.reload_on(&wait, config);
        finish(wait, result.as_ref().copied(), false);
        result
    }
}

/// End `wait` with the outcome of a reload (`tested`: `nginx -t` passed
/// before it).
pub fn finish(wait: Wait, result: Result<Restart, &CtlError>, tested: bool) {
    let done = match result {
        Ok(Restart::Reloaded) => Ok("reloaded"),
        Ok(Restart::Started) => Ok("was not running: started"),
        Err(CtlError::ConfigTest { .. }) => Err("configuration test failed"),
        Err(CtlError::NotFound { .. }) => Err("could not be run"),
        Err(_) => Err("reload failed"),
    };
    end_restart(wait, done, tested);
}

/// `2025/01/01 10:00:00 [warn] 123#123: TEXT` -> `TEXT` (comparable
/// between runs).
fn warning_text(line: &str) -> Option<String> {
    let rest = &line[line.find("[warn] ")? + "[warn] ".len()..];
    let text = match rest.split_once(": ") {
        Some((pid, text)) if pid.bytes().all(|b| b.is_ascii_digit() || b == b'#') => text,
        _ => rest,
    };
    Some(text.to_string())
}

fn text_of(out: &Output) -> String {
    let mut s = String::from_utf8_lossy(&out.stderr).into_owned();
    s.push_str(&String::from_utf8_lossy(&out.stdout));
    s
}

/// A directive of the main context (`pid`, `daemon`), includes followed.
fn main_value(config: &NginxConfig, name: &str) -> Option<String> {
    config.top().iter().rev().find_map(|n| {
        let d = config.directive(n)?;
        if d.is(name) && d.block().is_none() {
            d.args().next().map(|a| a.value_str().into_owned())
        } else {
            None
        }
    })
}

fn proc_file(pid: u32, name: &str) -> Option<Vec<u8>> {
    std::fs::read(format!("/proc/{pid}/{name}")).ok()
}

fn is_nginx(pid: u32) -> bool {
    proc_file(pid, "comm").is_some_and(|c| c.starts_with(b"nginx"))
}

/// A master process has "master process" in its title; with
/// `master_process off` the single process has no workers to wait for.
fn master_process(pid: u32) -> bool {
    proc_file(pid, "cmdline").is_some_and(|c| contains(&c, b"master process"))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The pids whose parent is `parent`.
fn children(parent: u32) -> HashSet<u32> {
    // The kernel's own list (CONFIG_PROC_CHILDREN; the nginx master has
    // one thread) is one small read; scanning /proc, the fallback, reads
    // every process's stat while nginx needs the CPU to reload.
    if let Ok(list) = std::fs::read_to_string(format!("/proc/{parent}/task/{parent}/children")) {
        return list
            .split_whitespace()
            .filter_map(|p| p.parse().ok())
            .collect();
    }
    let mut out = HashSet::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in entries.flatten() {
        let name: OsString = entry.file_name();
        let Some(pid) = name.to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Some(stat) = proc_file(pid, "stat") else {
            continue;
        };
        // `pid (comm) state ppid ...`: comm may hold spaces and parentheses.
        let Some(close) = stat.iter().rposition(|&b| b == b')') else {
            continue;
        };
        let rest = String::from_utf8_lossy(&stat[close + 1..]).into_owned();
        let ppid = rest
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(parent) {
            out.insert(pid);
        }
    }
    out
}

/// A new worker running, and the old ones gone or
/// told to finish ("shutting down": they no longer accept connections).
fn wait_for_new_workers(master: u32, before: &HashSet<u32>) -> Result<(), CtlError> {
    if before.is_empty() {
        // No workers to compare with (`master_process off`): nothing to wait for.
        return Ok(());
    }
    let deadline = Instant::now() + WAIT;
    loop {
        let now = children(master);
        let fresh = now.iter().any(|p| !before.contains(p));
        let old_done = before.iter().all(|&p| {
            !now.contains(&p)
                || proc_file(p, "cmdline").is_none_or(|c| contains(&c, b"shutting down"))
        });
        if fresh && old_done {
            return Ok(());
        }
        if !is_nginx(master) {
            return Err(CtlError::Reload {
                output: format!("the nginx master process {master} exited during the reload"),
            });
        }
        if Instant::now() > deadline {
            return Err(CtlError::ReloadTimeout { pid: master });
        }
        std::thread::sleep(POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_compare_without_time_and_pid() {
        let a = "2026/11/29 10:00:00 [warn] 123#123: conflicting server name \"a\" on 0.0.0.0:80, ignored";
        let b =
            "2026/11/29 11:11:11 [warn] 9#9: conflicting server name \"a\" on 0.0.0.0:80, ignored";
        assert_eq!(warning_text(a), warning_text(b));
        assert_eq!(
            warning_text(a).as_deref(),
            Some("conflicting server name \"a\" on 0.0.0.0:80, ignored")
        );
        assert_eq!(
            warning_text("nginx: configuration file x test is successful"),
            None
        );
        assert_eq!(
            warning_text("[warn] no pid here").as_deref(),
            Some("no pid here")
        );
    }

    #[test]
    fn only_a_live_nginx_counts_as_running() {
        let tmp_dir = tempfile::tempdir().unwrap();
        let dir = tmp_dir.path().to_path_buf();
        std::fs::create_dir_all(&dir).unwrap();
        let pid_file = dir.join("nginx.pid");
        let ctl = Ctl::new("nginx", dir.join("nginx.conf"));
        assert_eq!(ctl.running(&pid_file), None, "no pid file");
        // This test process is alive but is not nginx.
        std::fs::write(&pid_file, format!("{}\n", std::process::id())).unwrap();
        assert_eq!(ctl.running(&pid_file), None);
        std::fs::write(&pid_file, "garbage\n").unwrap();
        assert_eq!(ctl.running(&pid_file), None);
    }
}
