//! A finished command's exit code and output, with the assertions the
//! integration tests make on it.

use super::pebble::Pebble;
use std::path::Path;
use std::process::{Command, Output};

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn from_command(cmd: &mut Command) -> Run {
        Run::from(cmd.output().unwrap())
    }

    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn failed(self) -> Run {
        assert_ne!(
            self.code, 0,
            "expected failure; stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// A failure with exactly one line on stderr; returns that line.
    #[track_caller]
    pub fn one_error_line(self) -> String {
        assert_ne!(self.code, 0, "expected failure; stdout:\n{}", self.stdout);
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "expected one error line, got:\n{}",
            self.stderr
        );
        lines[0].to_string()
    }
}

/// Debian's certbot, non-interactive, trusting `pebble`, with `config_dir`
/// and its own work and logs dirs under `dir`.
pub fn certbot(pebble: &Pebble, dir: &Path, config_dir: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new("certbot");
    cmd.args(args)
        .arg("--config-dir")
        .arg(config_dir)
        .arg("--work-dir")
        .arg(dir.join("certbot-work"))
        .arg("--logs-dir")
        .arg(dir.join("certbot-logs"))
        .arg("-n");
    for (k, v) in pebble.client_env() {
        cmd.env(k, v);
    }
    Run::from(cmd.output().expect("certbot must be installed"))
}
