//! Running Apache through its control program (`apache2ctl` on Debian, `apachectl`
//! elsewhere, or `--apache-ctl`): the configuration test, the facts the loader needs
//! (`-t -D DUMP_RUN_CFG -D DUMP_MODULES`, `-v`), graceful restart and start.
//!
//! A tree outside the distribution's default place is addressed the way the control
//! program supports it: Debian's `apache2ctl` reads `APACHE_CONFDIR` (and that tree's
//! `envvars`); elsewhere `-d ROOT -f FILE` go before every command (apachectl hands
//! unknown arguments to httpd).
//!
//! A graceful restart is asynchronous: the parent re-reads its configuration and replaces
//! its children. [`Ctl::graceful`] waits until a child of the new generation runs, or the
//! parent is gone (a configuration that passes `-t` can still fail at start-up: a key that
//! does not match its certificate, a stapling cache that cannot be re-created), so when it
//! returns, Apache answers with the new configuration or is known to be down.

use super::cond::{Modules, Version};
use super::dump::{self, RunConfig};
use super::layout::{Distro, Layout};
use crate::installer::{TESTING, end_restart};
use crate::log::progress::Wait;
use std::collections::HashSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long a restart or a start may take before certsmith gives up waiting.
const WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(3);

/// The control program and how to point it at one configuration.
#[derive(Debug, Clone)]
pub struct Ctl {
    pub binary: PathBuf,
    /// Put before every command (`-d ROOT -f FILE`).
    prefix: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
}

#[derive(Debug, thiserror::Error)]
pub enum CtlError {
    #[error(
        "cannot run {}: {error} (is Apache installed? give its control program with --apache-ctl)",
        binary.display()
    )]
    NotFound {
        binary: PathBuf,
        error: std::io::Error,
    },
    #[error("Apache's configuration test (`{} -t`) fails:\n{output}", binary.display())]
    ConfigTest { binary: PathBuf, output: String },
    #[error("`{} {command}` failed:\n{output}", binary.display())]
    Failed {
        binary: PathBuf,
        command: String,
        output: String,
    },
    #[error(
        "Apache stopped during the graceful restart (the configuration passed the test but failed at start-up); see its error log"
    )]
    Died,
    #[error("Apache did not {what} within {} s (pid file {})", WAIT.as_secs(), pid_file.display())]
    Timeout {
        what: &'static str,
        pid_file: PathBuf,
    },
    #[error("Apache's run configuration names no PidFile; cannot tell whether it runs")]
    NoPidFile,
}

/// What Apache says about itself with the current configuration.
#[derive(Debug, Clone)]
pub struct ServerInfo {
    pub modules: Modules,
    pub run: RunConfig,
    pub version: Option<Version>,
    /// What the configuration test printed although it passed (AH00558 and such).
    pub warnings: Vec<String>,
}

impl ServerInfo {
    pub fn pid_file(&self) -> Result<&Path, CtlError> {
        self.run.pid_file.as_deref().ok_or(CtlError::NoPidFile)
    }
}

/// What [`Ctl::graceful`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restart {
    /// Apache ran and took the new configuration.
    Restarted,
    /// Apache was not running and was started.
    Started,
}

impl Ctl {
    /// The control program for `layout`: `binary` (`--apache-ctl`), else `apache2ctl` on
    /// Debian and `apachectl` elsewhere, looked up in `PATH` and the sbin directories.
    pub fn new(binary: Option<&Path>, layout: &Layout) -> Ctl {
        let binary = binary.map(Path::to_path_buf).unwrap_or_else(|| {
            let name = match layout.distro {
                Distro::Debian => "apache2ctl",
                _ => "apachectl",
            };
            find_program(name)
        });
        let mut ctl = Ctl {
            binary,
            prefix: Vec::new(),
            env: vec![("LANG".into(), "C".into()), ("LC_ALL".into(), "C".into())],
        };
        let default_root = match layout.distro {
            Distro::Debian => Path::new("/etc/apache2"),
            Distro::Rhel => Path::new("/etc/httpd"),
            Distro::Plain => Path::new(""),
        };
        if layout.server_root != default_root {
            if layout.distro == Distro::Debian {
                ctl.env
                    .push(("APACHE_CONFDIR".into(), layout.server_root.clone().into()));
            } else {
                ctl.prefix = vec![
                    "-d".into(),
                    layout.server_root.clone().into(),
                    "-f".into(),
                    layout.config_file.clone().into(),
                ];
            }
        }
        ctl
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.binary);
        cmd.args(&self.prefix)
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stderr(Stdio::null());
        cmd
    }

    fn run(&self, args: &[&str]) -> Result<Output, CtlError> {
        let mut cmd = self.command(args);
        cmd.stderr(Stdio::piped())
            .output()
            .map_err(|error| CtlError::NotFound {
                binary: self.binary.clone(),
                error,
            })
    }

    fn failed(&self, command: &str, output: &Output) -> CtlError {
        CtlError::Failed {
            binary: self.binary.clone(),
            command: command.to_string(),
            output: text(output),
        }
    }

    /// `-t`: `Ok(warnings)` when the configuration passes.
    pub fn configtest(&self) -> Result<Vec<String>, CtlError> {
        let out = self.run(&["-t"])?;
        if !out.status.success() {
            return Err(CtlError::ConfigTest {
                binary: self.binary.clone(),
                output: text(&out),
            });
        }
        Ok(warnings(&text(&out)))
    }

    /// Loaded modules, defines, pid file and version, in two runs of the control program
    /// (at the same time); fails like [`Ctl::configtest`] when the configuration does not
    /// pass.
    pub fn inspect(&self) -> Result<ServerInfo, CtlError> {
        let version = self.command(&["-v"]).stdout(Stdio::piped()).spawn();
        let out = self.run(&["-t", "-D", "DUMP_RUN_CFG", "-D", "DUMP_MODULES"]);
        let version_out = version.and_then(|child| child.wait_with_output());
        let out = out?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            return Err(CtlError::ConfigTest {
                binary: self.binary.clone(),
                output: text(&out),
            });
        }
        let version_out = version_out.map_err(|error| CtlError::NotFound {
            binary: self.binary.clone(),
            error,
        })?;
        Ok(ServerInfo {
            modules: dump::parse_modules(&stdout),
            run: dump::parse_run_cfg(&stdout),
            version: Version::parse(&String::from_utf8_lossy(&version_out.stdout)),
            warnings: warnings(&String::from_utf8_lossy(&out.stderr)),
        })
    }

    /// Graceful restart (Apache starts when it was not running), waiting until the new
    /// configuration answers.
    pub fn graceful(&self, pid_file: &Path) -> Result<Restart, CtlError> {
        let Some(parent) = running(pid_file) else {
            self.start(pid_file)?;
            return Ok(Restart::Started);
        };
        let before: HashSet<u32> = children(parent).into_iter().collect();
        let out = self.run(&["-k", "graceful"])?;
        if !out.status.success() {
            return Err(self.failed("-k graceful", &out));
        }
        let deadline = Instant::now() + WAIT;
        loop {
            if !alive(parent) {
                return Err(CtlError::Died);
            }
            if children(parent).iter().any(|c| !before.contains(c)) {
                return Ok(Restart::Restarted);
            }
            if Instant::now() > deadline {
                return Err(CtlError::Timeout {
                    what: "finish a graceful restart",
                    pid_file: pid_file.to_path_buf(),
                });
            }
            std::thread::sleep(POLL);
        }
    }

    /// Start Apache and wait until its first children run.
    pub fn start(&self, pid_file: &Path) -> Result<(), CtlError> {
        // Apache refuses to start while its pid file names a process that exists, and a
        // parent that just died exists as a zombie until it is reaped.
        let deadline = Instant::now() + WAIT;
        while read_pid(pid_file).is_some_and(zombie) && Instant::now() < deadline {
            std::thread::sleep(POLL);
        }
        let out = self.run(&["-k", "start"])?;
        if !out.status.success() {
            return Err(self.failed("-k start", &out));
        }
        loop {
            if let Some(parent) = running(pid_file)
                && !children(parent).is_empty()
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(CtlError::Timeout {
                    what: "start",
                    pid_file: pid_file.to_path_buf(),
                });
            }
            std::thread::sleep(POLL);
        }
    }
}

/// What the status line says while Apache restarts.
const RESTARTING: &str = "restarting gracefully";

impl Ctl {
    /// Start a wait for Apache (`Apache: testing the configuration...`), for
    /// [`Ctl::test_on`] and [`Ctl::restart_on`], ended by [`finish`].
    pub fn wait(&self) -> Wait {
        Wait::start("Apache", TESTING)
    }

    /// `work` (a configuration test: [`Ctl::configtest`], [`Ctl::inspect`]),
    /// shown on `wait`.
    pub fn test_on<T>(&self, wait: &Wait, work: impl FnOnce() -> T) -> T {
        wait.step(TESTING, work)
    }

    /// `work` (a graceful restart, or a start), shown on `wait`.
    pub fn restart_on<T>(&self, wait: &Wait, work: impl FnOnce() -> T) -> T {
        wait.step(RESTARTING, work)
    }
}

/// End `wait` with the outcome of a restart (`tested`: a configuration test
/// passed before it).
pub fn finish(wait: Wait, result: Result<Restart, &CtlError>, tested: bool) {
    let done = match result {
        Ok(Restart::Restarted) => Ok("restarted gracefully"),
        Ok(Restart::Started) => Ok("was not running: started"),
        Err(CtlError::ConfigTest { .. }) => Err("configuration test failed"),
        Err(CtlError::NotFound { .. }) => Err("could not be run"),
        Err(_) => Err("restart failed"),
    };
    end_restart(wait, done, tested);
}

/// `name` in `PATH`, else in the sbin directories (root's `PATH` on some systems lacks
/// them), else the bare name (the error then says it could not be run).
fn find_program(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(
            ["/usr/sbin", "/usr/local/sbin", "/sbin"]
                .iter()
                .map(PathBuf::from),
        )
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from(name))
}

fn text(out: &Output) -> String {
    let mut s = String::from_utf8_lossy(&out.stderr).into_owned();
    s.push_str(&String::from_utf8_lossy(&out.stdout));
    s.trim_end().to_string()
}

/// Lines worth showing from a passing configuration test.
fn warnings(output: &str) -> Vec<String> {
    output
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "Syntax OK")
        .map(str::to_string)
        .collect()
}

fn read_pid(pid_file: &Path) -> Option<u32> {
    std::fs::read_to_string(pid_file).ok()?.trim().parse().ok()
}

/// The pid in `pid_file` when that process is alive.
pub fn running(pid_file: &Path) -> Option<u32> {
    read_pid(pid_file).filter(|&pid| alive(pid))
}

/// Exited, not yet reaped.
fn zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .is_some_and(|stat| stat_fields(&stat).is_some_and(|(state, _)| state == "Z"))
}

fn alive(pid: u32) -> bool {
    // A zombie has exited: only its parent has not collected it yet.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat_fields(&stat).is_some_and(|(state, _)| state != "Z"),
        Err(_) => false,
    }
}

/// (state, parent pid) from a `/proc/PID/stat` line; the command name in parentheses
/// may hold spaces and parentheses, so fields are counted after the last `)`.
fn stat_fields(stat: &str) -> Option<(&str, u32)> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((state, ppid))
}

/// Live children of `parent`.
fn children(parent: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|s| stat_fields(&s).map(|(state, ppid)| ppid == parent && state != "Z"))
                .unwrap_or(false)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_with_odd_command_names() {
        assert_eq!(
            stat_fields("123 (apache2) S 1 123 123 0 -1"),
            Some(("S", 1))
        );
        assert_eq!(stat_fields("9 (a) b) (c) Z 42 0"), Some(("Z", 42)));
        assert_eq!(stat_fields("garbage"), None);
    }

    #[test]
    fn this_process_runs_and_is_a_child_of_its_parent() {
        let me = std::process::id();
        assert!(alive(me));
        let stat = std::fs::read_to_string(format!("/proc/{me}/stat")).unwrap();
        let (_, parent) = stat_fields(&stat).unwrap();
        assert!(children(parent).contains(&me));
    }

    #[test]
    fn warnings_skip_syntax_ok() {
        assert_eq!(
            warnings("AH00558: apache2: Could not ...\nSyntax OK\n"),
            vec!["AH00558: apache2: Could not ...".to_string()]
        );
    }
}
