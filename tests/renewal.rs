//! Integration tests of renewal: `renew`, hooks, `reconfigure`, cli.ini,
//! logs and `install-timer`, against real Pebble (an ARI front of ours for
//! renewalInfo, Debian's certbot for interop). One binary; each test has its
//! own Pebble and directories, so they run in parallel.
//!
//! Every certsmith run gets `CERTSMITH_NO_DEFAULT_CLI_INI=1`, so the
//! machine's /etc/letsencrypt/cli.ini cannot change a result (except in the
//! test about default cli.ini locations).

#[path = "support/mod.rs"]
mod support;

#[path = "renewal/ari.rs"]
mod ari;
#[path = "renewal/bad_input.rs"]
mod bad_input;
#[path = "renewal/compat.rs"]
mod compat;
#[path = "renewal/compat2.rs"]
mod compat2;
#[path = "renewal/config.rs"]
mod config;
#[path = "renewal/hooks.rs"]
mod hooks;
#[path = "renewal/interop.rs"]
mod interop;
#[path = "renewal/ocsp.rs"]
mod ocsp;
#[path = "renewal/plugins.rs"]
mod plugins;
#[path = "renewal/renew.rs"]
mod renew;
#[path = "renewal/script.rs"]
mod script;
#[path = "renewal/terminal.rs"]
mod terminal;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::TempDir;
use support::pebble::Pebble;
pub use support::run::Run;

/// One test's world: a Pebble and a directory for config, work and logs.
pub struct World {
    pub pebble: Pebble,
    pub dir: TempDir,
    /// The directory URL lineages are made with (Pebble's, or a proxy's).
    pub server: String,
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

impl World {
    pub fn new() -> World {
        World::with(pebble().start())
    }
    pub fn with(pebble: Pebble) -> World {
        let server = pebble.directory_url();
        World {
            pebble,
            dir: TempDir::new("renewal"),
            server,
        }
    }
    pub fn config_dir(&self) -> PathBuf {
        self.dir.join("etc")
    }
    pub fn logs_dir(&self) -> PathBuf {
        self.dir.join("logs")
    }
    /// certsmith with this world's directories and CA bundle, without a
    /// terminal (stdin is null), default cli.ini locations off.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.bare_command(args);
        cmd.arg("--logs-dir")
            .arg(self.logs_dir())
            .env("CERTSMITH_NO_DEFAULT_CLI_INI", "1");
        cmd
    }
    /// Like [`World::command`] but without `--logs-dir` and with the
    /// default cli.ini locations in effect (the caller sets the rest).
    pub fn bare_command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_certsmith"));
        cmd.args(args)
            .arg("--config-dir")
            .arg(self.config_dir())
            .arg("--work-dir")
            .arg(self.dir.join("work"))
            .arg("--ca-bundle")
            .arg(&self.pebble.ca_bundle)
            .arg("-n")
            .env_remove("CERTSMITH_NO_DEFAULT_CLI_INI")
            .stdin(std::process::Stdio::null());
        cmd
    }
    pub fn certsmith(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().unwrap())
    }
    /// `renew` without the random sleep.
    pub fn renew(&self, args: &[&str]) -> Run {
        let mut all = vec!["renew", "--no-random-sleep-on-renew"];
        all.extend_from_slice(args);
        self.certsmith(&all)
    }
    /// `certonly --standalone` answering on Pebble's http-01 port.
    pub fn standalone(&self, extra: &[&str]) -> Run {
        let port = self.pebble.http_port.to_string();
        let mut args = vec![
            "certonly",
            "--standalone",
            "--server",
            &self.server,
            "--agree-tos",
            "-m",
            "test@example.com",
            "--http-01-address",
            "127.0.0.1",
            "--http-01-port",
            &port,
        ];
        args.extend_from_slice(extra);
        self.certsmith(&args)
    }
    /// Debian's certbot with this world's directories, trusting Pebble.
    pub fn certbot(&self, args: &[&str]) -> Run {
        support::run::certbot(&self.pebble, self.dir.path(), &self.config_dir(), args)
    }
    pub fn live(&self, name: &str, file: &str) -> PathBuf {
        self.config_dir().join("live").join(name).join(file)
    }
    pub fn conf_path(&self, name: &str) -> PathBuf {
        self.config_dir()
            .join("renewal")
            .join(format!("{name}.conf"))
    }
    pub fn conf(&self, name: &str) -> String {
        std::fs::read_to_string(self.conf_path(name)).unwrap()
    }
    /// Add lines at the end of a lineage's conf (its `[renewalparams]`).
    pub fn append_conf(&self, name: &str, lines: &str) {
        let text = self.conf(name);
        std::fs::write(self.conf_path(name), format!("{text}{lines}")).unwrap();
    }
    /// The archive version `live/NAME/cert.pem` points at.
    pub fn version(&self, name: &str) -> u32 {
        let target = std::fs::read_link(self.live(name, "cert.pem")).unwrap();
        let stem = target.file_stem().unwrap().to_string_lossy().into_owned();
        stem.trim_start_matches("cert").parse().unwrap()
    }
    pub fn cert(&self, name: &str) -> certsmith::x509::CertInfo {
        let pem = std::fs::read_to_string(self.live(name, "cert.pem")).unwrap();
        certsmith::x509::parse_pem(&pem).unwrap()
    }
    #[track_caller]
    pub fn assert_verifies(&self, name: &str) {
        if let Err(e) = self
            .pebble
            .verify(&self.live(name, "cert.pem"), &self.live(name, "chain.pem"))
        {
            panic!("chain of {name} does not verify: {e}");
        }
    }
    /// A script in this world's directory (mode 0755 unless `mode` says).
    pub fn script(&self, name: &str, body: &str, mode: u32) -> PathBuf {
        let path = self.dir.join(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        path
    }
}

/// Every entry under `dir`: relative path -> kind, mode and content (file
/// bytes or link target), for byte-for-byte comparisons of whole trees.
pub fn snapshot(dir: &Path) -> BTreeMap<String, (String, u32, Vec<u8>)> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, (String, u32, Vec<u8>)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            let rel = path.strip_prefix(base).unwrap().display().to_string();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let mode = meta.permissions().mode();
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.insert(
                    rel,
                    (
                        "link".into(),
                        mode,
                        target.into_os_string().into_encoded_bytes(),
                    ),
                );
            } else if meta.is_dir() {
                out.insert(rel, ("dir".into(), mode, Vec::new()));
                walk(base, &path, out);
            } else {
                out.insert(rel, ("file".into(), mode, std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Pebble for these tests: it rejects no good nonce. (By default it
/// rejects 5%, and instant-acme gives up after 3 badNonce answers in a row:
/// a 1-in-8000 failure per request, which the hundreds of requests of this
/// binary would hit now and then. Retrying badNonce is tested in tests/acme.)
pub fn pebble() -> support::pebble::Builder {
    Pebble::builder().nonce_reject(0)
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
