//! Integration tests of ACME issuance, accounts, lineage storage and the
//! standalone/webroot/manual authenticators, against real Pebble (and real
//! nginx and Debian's certbot where a test says so). One binary; each test has
//! its own Pebble on its own ports, so they run in parallel.

#[path = "support/mod.rs"]
mod support;

#[path = "acme/bad_input.rs"]
mod bad_input;
#[path = "acme/colour.rs"]
mod colour;
#[path = "acme/compat_flags.rs"]
mod compat_flags;
#[path = "acme/crash.rs"]
mod crash;
#[path = "acme/interop.rs"]
mod interop;
#[path = "acme/issue.rs"]
mod issue;
#[path = "acme/json.rs"]
mod json;
#[path = "acme/killed.rs"]
mod killed;
#[path = "acme/lifecycle.rs"]
mod lifecycle;
#[path = "acme/prompts.rs"]
mod prompts;
#[path = "acme/proxy.rs"]
mod proxy;
#[path = "acme/screens.rs"]
mod screens;
#[path = "acme/verbs.rs"]
mod verbs;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::TempDir;
use support::pebble::Pebble;
pub use support::run::Run;

/// One test's world: a Pebble and a config dir.
pub struct World {
    pub pebble: Pebble,
    pub dir: TempDir,
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

impl World {
    pub fn new() -> World {
        World::with(Pebble::start())
    }
    pub fn with(pebble: Pebble) -> World {
        World {
            pebble,
            dir: TempDir::new("acme"),
        }
    }
    pub fn config_dir(&self) -> PathBuf {
        self.dir.join("etc")
    }
    /// The certsmith binary with this world's work and logs dirs (the rest
    /// is the caller's), so no test touches /var/lib or /var/log.
    pub fn bin(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_certsmith"));
        cmd.arg("--work-dir")
            .arg(self.dir.join("work"))
            .arg("--logs-dir")
            .arg(self.dir.join("logs"));
        cmd
    }
    /// Run certsmith with this world's server, CA bundle and config dir.
    pub fn certsmith(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().unwrap())
    }
    /// The command [`World::certsmith`] runs.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_certsmith"));
        cmd.args(args)
            .arg("--config-dir")
            .arg(self.config_dir())
            .arg("--work-dir")
            .arg(self.dir.join("work"))
            .arg("--logs-dir")
            .arg(self.dir.join("logs"))
            .arg("--server")
            .arg(self.pebble.directory_url())
            .arg("--ca-bundle")
            .arg(&self.pebble.ca_bundle)
            .arg("-n");
        cmd
    }
    /// `certonly --standalone` on Pebble's http-01 port.
    pub fn standalone(&self, extra: &[&str]) -> Run {
        Run::from(self.standalone_command(extra).output().unwrap())
    }
    /// The command [`World::standalone`] runs.
    pub fn standalone_command(&self, extra: &[&str]) -> Command {
        let port = self.pebble.http_port.to_string();
        let mut args = vec![
            "certonly",
            "--standalone",
            "--agree-tos",
            "-m",
            "test@example.com",
            "--http-01-address",
            "127.0.0.1",
            "--http-01-port",
            &port,
        ];
        args.extend_from_slice(extra);
        self.command(&args)
    }
    /// Debian's certbot with this world's dirs and Pebble.
    pub fn certbot(&self, args: &[&str]) -> Run {
        support::run::certbot(&self.pebble, self.dir.path(), &self.config_dir(), args)
    }
    pub fn live(&self, name: &str, file: &str) -> PathBuf {
        self.config_dir().join("live").join(name).join(file)
    }
    /// The lineage's chain verifies against Pebble's root.
    #[track_caller]
    pub fn assert_verifies(&self, name: &str) {
        if let Err(e) = self
            .pebble
            .verify(&self.live(name, "cert.pem"), &self.live(name, "chain.pem"))
        {
            panic!("chain of {name} does not verify: {e}");
        }
    }
}

/// Names of the certificate at `path`, and its serial (hex).
pub fn cert_names_and_serial(path: &Path) -> (Vec<String>, String) {
    let info = certsmith::x509::parse_pem(&std::fs::read_to_string(path).unwrap()).unwrap();
    (info.names, info.serial_hex)
}

/// Every path under `dir`, sorted, lock files included: a released lock
/// leaves no file behind.
pub fn tree(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            out.push(path.strip_prefix(base).unwrap().display().to_string());
            if e.file_type().unwrap().is_dir() {
                walk(base, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}
