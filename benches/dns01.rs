//! dns-01 issuance benchmark on one local BIND 9 + Pebble (resolving through
//! that BIND): wall time of `certonly --dns-rfc2136` for a wildcard + apex,
//! certsmith (polls the authoritative servers until the TXT records are
//! visible) against Debian's certbot with its RFC 2136 plugin (a fixed
//! propagation wait, 60 s by default). Both clients are registered in an
//! untimed run first.
//!
//! Run: `scripts/bench dns01` (release build). Prints the figures.
//! `--certbot-seconds N` gives certbot a shorter wait as well (its default
//! run is always measured).

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::TempDir;
use support::bind::Bind;
use support::pebble::Pebble;

const RUNS: usize = 5;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let bind = Bind::start();
    let pebble = Pebble::builder()
        .dns_server(&bind.addr())
        .nonce_reject(0)
        .env("PEBBLE_AUTHZREUSE", "0")
        .start();
    let dir = TempDir::new("bench-dns");
    let cred = bind.credentials(dir.path(), &[]);
    let world = World {
        pebble: &pebble,
        dir: &dir,
        cred: &cred,
    };

    world.run(world.certsmith("warmup"));
    let ours: Vec<Duration> = (0..RUNS)
        .map(|i| world.run(world.certsmith(&format!("c{i}"))))
        .collect();
    println!("dns-01, wildcard + apex, BIND 9 on 127.0.0.1, Pebble 2.4.0 (PEBBLE_VA_NOSLEEP=1)");
    println!(
        "  certsmith (poll until visible)     median of {RUNS}: {:>9.1} ms  (runs: {})",
        ms(median(ours.clone())),
        ours.iter()
            .map(|d| format!("{:.0}", ms(*d)))
            .collect::<Vec<_>>()
            .join(", ")
    );

    world.run(world.certbot_register());
    let certbot_default = world.run(world.certbot("b-default", None));
    println!(
        "  certbot (default 60 s wait)        one run:      {:>9.1} ms  certbot/certsmith = {:.1}x",
        ms(certbot_default),
        certbot_default.as_secs_f64() / median(ours.clone()).as_secs_f64()
    );
    if let Some(seconds) = arg_value(&args, "--certbot-seconds") {
        let short = world.run(world.certbot("b-short", Some(&seconds)));
        println!(
            "  certbot (--dns-rfc2136-propagation-seconds {seconds}) one run: {:>9.1} ms",
            ms(short)
        );
    }
}

fn arg_value(args: &[String], flag: &str) -> Option<String> {
    let i = args.iter().position(|a| a == flag)?;
    args.get(i + 1).cloned()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

struct World<'a> {
    pebble: &'a Pebble,
    dir: &'a TempDir,
    cred: &'a PathBuf,
}

impl World<'_> {
    /// Run to success; the wall time.
    fn run(&self, mut cmd: Command) -> Duration {
        cmd.stdout(Stdio::null()).stderr(Stdio::piped());
        let start = Instant::now();
        let out = cmd.output().expect("command runs");
        let elapsed = start.elapsed();
        assert!(
            out.status.success(),
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        elapsed
    }

    fn names(tag: &str) -> [String; 2] {
        let base = format!("{tag}.example.test");
        [base.clone(), format!("*.{base}")]
    }

    fn certsmith(&self, tag: &str) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_certsmith"));
        let [apex, wild] = World::names(tag);
        cmd.args(["certonly", "--dns-rfc2136", "--dns-rfc2136-credentials"])
            .arg(self.cred)
            .args([
                "-d",
                &apex,
                "-d",
                &wild,
                "--agree-tos",
                "-m",
                "b@example.com",
                "-n",
            ])
            .args(["--server", &self.pebble.directory_url()])
            .arg("--ca-bundle")
            .arg(&self.pebble.ca_bundle)
            .arg("--config-dir")
            .arg(self.dir.join("certsmith"));
        cmd
    }

    fn certbot_base(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("certbot");
        cmd.args(args)
            .args(["--server", &self.pebble.directory_url()])
            .arg("--config-dir")
            .arg(self.dir.join("certbot"))
            .arg("--work-dir")
            .arg(self.dir.join("certbot-work"))
            .arg("--logs-dir")
            .arg(self.dir.join("certbot-logs"))
            .arg("-n");
        for (k, v) in self.pebble.client_env() {
            cmd.env(k, v);
        }
        cmd
    }

    fn certbot_register(&self) -> Command {
        self.certbot_base(&["register", "--agree-tos", "-m", "b@example.com"])
    }

    fn certbot(&self, tag: &str, seconds: Option<&str>) -> Command {
        let [apex, wild] = World::names(tag);
        let cred: &Path = self.cred;
        let mut cmd = self.certbot_base(&["certonly", "--dns-rfc2136", "-d", &apex, "-d", &wild]);
        cmd.arg("--dns-rfc2136-credentials").arg(cred);
        if let Some(s) = seconds {
            cmd.args(["--dns-rfc2136-propagation-seconds", s]);
        }
        cmd
    }
}
