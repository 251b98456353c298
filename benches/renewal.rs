//! Renewal benchmark: `renew` over 1,000 lineages of which none is due,
//! certsmith against Debian's certbot in one run, on one config dir.
//!
//! The lineages are copies of one real lineage issued by a local Pebble
//! (5-year certificate, renewal conf naming that Pebble). certsmith reads
//! Pebble's directory once per run (to see whether it offers ARI); certbot
//! 2.1 contacts nothing for lineages that are not due.
//!
//! Run: `scripts/bench renewal` (release build). Prints medians and the ratio.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::TempDir;
use support::pebble::Pebble;

const LINEAGES: usize = 1000;
const OUR_RUNS: usize = 11;
const CERTBOT_RUNS: usize = 3;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let pebble = Pebble::builder().nonce_reject(0).start();
    let dir = TempDir::new("bench-renewal");
    let source = dir.join("source");
    let port = pebble.http_port.to_string();
    let issued = Command::new(env!("CARGO_BIN_EXE_certsmith"))
        .args([
            "certonly",
            "--standalone",
            "--agree-tos",
            "-m",
            "b@example.com",
            "-n",
        ])
        .args(["--http-01-address", "127.0.0.1", "--http-01-port", &port])
        .args([
            "-d",
            "template.example.com",
            "--server",
            &pebble.directory_url(),
        ])
        .arg("--ca-bundle")
        .arg(&pebble.ca_bundle)
        .arg("--config-dir")
        .arg(&source)
        .arg("--logs-dir")
        .arg(dir.join("logs"))
        .arg("--work-dir")
        .arg(dir.join("work"))
        .output()
        .unwrap();
    assert!(
        issued.status.success(),
        "{}",
        String::from_utf8_lossy(&issued.stderr)
    );
    let config = dir.join("many");
    make_lineages(&source, &config, LINEAGES);

    println!("renew, {LINEAGES} lineages, none due (no random sleep, -q)");
    let ours_cmd = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_certsmith"));
        cmd.args(["renew", "-q", "--no-random-sleep-on-renew", "-n"])
            .arg("--config-dir")
            .arg(&config)
            .arg("--work-dir")
            .arg(dir.join("work"))
            .arg("--logs-dir")
            .arg(dir.join("logs"))
            .arg("--ca-bundle")
            .arg(&pebble.ca_bundle);
        cmd
    };
    let theirs_cmd = || {
        let mut cmd = Command::new("certbot");
        cmd.args(["renew", "-q", "--no-random-sleep-on-renew", "-n"])
            .arg("--config-dir")
            .arg(&config)
            .arg("--work-dir")
            .arg(dir.join("certbot-work"))
            .arg("--logs-dir")
            .arg(dir.join("certbot-logs"));
        for (k, v) in pebble.client_env() {
            cmd.env(k, v);
        }
        cmd
    };
    time(ours_cmd()); // warm the page cache
    let ours = median((0..OUR_RUNS).map(|_| time(ours_cmd())).collect());
    let theirs = median((0..CERTBOT_RUNS).map(|_| time(theirs_cmd())).collect());
    assert!(
        !config
            .join("archive/lineage-0000.example.com/cert2.pem")
            .exists(),
        "a lineage was renewed: the benchmark measures nothing-due runs"
    );
    println!("  certsmith {:>9.1} ms   (median of {OUR_RUNS})", ms(ours));
    println!(
        "  certbot   {:>9.1} ms   (median of {CERTBOT_RUNS})   certbot/certsmith = {:.1}x",
        ms(theirs),
        theirs.as_secs_f64() / ours.as_secs_f64()
    );
    println!("  target: certsmith < 200 ms and >= 20x faster than certbot");
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Run a command to success and return its wall time.
fn time(mut cmd: Command) -> Duration {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
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

/// `count` copies of the lineage `template.example.com` (archive files,
/// relative live links, renewal conf with its paths and name rewritten),
/// and the account it names.
fn make_lineages(source: &Path, config: &Path, count: usize) {
    let name = "template.example.com";
    for sub in [
        "renewal",
        "live",
        "archive",
        "renewal-hooks/pre",
        "renewal-hooks/deploy",
        "renewal-hooks/post",
    ] {
        std::fs::create_dir_all(config.join(sub)).unwrap();
    }
    let copied = Command::new("cp")
        .arg("-a")
        .arg(source.join("accounts"))
        .arg(config.join("accounts"))
        .status();
    assert!(copied.unwrap().success(), "cannot copy the accounts");
    support::lineages::copy_lineage(source, name, config, count);
}
