//! Issuance and storage benchmark, certsmith against Debian's certbot and
//! lego in one run on one local Pebble:
//! 1. wall time of `certonly --standalone` (http-01) for a new name, each
//!    client already registered (first, untimed run);
//! 2. wall time of `certificates` over 1,000 lineages (certsmith vs certbot).
//!
//! Run: `scripts/bench issuance` (release build). Prints medians and ratios.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::TempDir;
use support::pebble::Pebble;

const RUNS: usize = 5;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let pebble = Pebble::builder()
        .nonce_reject(0)
        .env("PEBBLE_AUTHZREUSE", "0")
        .start();
    let dir = TempDir::new("bench");
    println!(
        "Issuance: certonly --standalone, http-01, one new name per run, median of {RUNS} (after one untimed run)"
    );
    let ours = median(issue_runs(&pebble, &dir, Client::Certsmith));
    let theirs_cb = median(issue_runs(&pebble, &dir, Client::Certbot));
    let lego = median(issue_runs(&pebble, &dir, Client::Lego));
    println!("  certsmith {:>8.1} ms", ms(ours));
    println!(
        "  certbot   {:>8.1} ms   certbot/certsmith = {:.1}x",
        ms(theirs_cb),
        ratio(theirs_cb, ours)
    );
    println!(
        "  lego      {:>8.1} ms   lego/certsmith    = {:.1}x",
        ms(lego),
        ratio(lego, ours)
    );

    println!("certificates with 1,000 lineages, median of {RUNS}");
    let config = dir.join("many");
    support::lineages::copy_lineage(&dir.join("certsmith"), "warm-cs.example.com", &config, 1000);
    let ours = median(
        (0..RUNS)
            .map(|_| time(certsmith(&config, &["certificates"])))
            .collect(),
    );
    let theirs = median(
        (0..RUNS)
            .map(|_| time(certbot(&pebble, &dir, &config, &["certificates"])))
            .collect(),
    );
    println!("  certsmith {:>8.1} ms", ms(ours));
    println!(
        "  certbot   {:>8.1} ms   certbot/certsmith = {:.1}x",
        ms(theirs),
        ratio(theirs, ours)
    );
}

#[derive(Clone, Copy)]
enum Client {
    Certsmith,
    Certbot,
    Lego,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Run a command to success and return its wall time.
fn time(mut cmd: Command) -> Duration {
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

fn certsmith(config: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_certsmith"));
    cmd.args(args).arg("--config-dir").arg(config).arg("-n");
    cmd
}

fn certbot(pebble: &Pebble, dir: &TempDir, config: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("certbot");
    cmd.args(args)
        .arg("--config-dir")
        .arg(config)
        .arg("--work-dir")
        .arg(dir.join("certbot-work"))
        .arg("--logs-dir")
        .arg(dir.join("certbot-logs"))
        .arg("-n");
    for (k, v) in pebble.client_env() {
        cmd.env(k, v);
    }
    cmd
}

fn issue_command(pebble: &Pebble, dir: &TempDir, client: Client, name: &str) -> Command {
    let port = pebble.http_port.to_string();
    let server = pebble.directory_url();
    match client {
        Client::Certsmith => {
            let mut cmd = certsmith(
                &dir.join("certsmith"),
                &[
                    "certonly",
                    "--standalone",
                    "--agree-tos",
                    "-m",
                    "b@example.com",
                ],
            );
            cmd.args([
                "--http-01-address",
                "127.0.0.1",
                "--http-01-port",
                &port,
                "--server",
                &server,
                "-d",
                name,
            ])
            .arg("--ca-bundle")
            .arg(&pebble.ca_bundle);
            cmd
        }
        Client::Certbot => {
            let mut cmd = certbot(
                pebble,
                dir,
                &dir.join("certbot"),
                &[
                    "certonly",
                    "--standalone",
                    "--agree-tos",
                    "-m",
                    "b@example.com",
                ],
            );
            cmd.args([
                "--http-01-address",
                "127.0.0.1",
                "--http-01-port",
                &port,
                "--server",
                &server,
                "-d",
                name,
            ]);
            cmd
        }
        Client::Lego => {
            let mut cmd = Command::new("lego");
            cmd.args([
                "--accept-tos",
                "--email",
                "b@example.com",
                "--http",
                "--http.port",
                &format!("127.0.0.1:{port}"),
            ])
            .args(["--server", &server, "-d", name, "--path"])
            .arg(dir.join("lego"))
            .arg("run");
            for (k, v) in pebble.client_env() {
                cmd.env(k, v);
            }
            cmd
        }
    }
}

fn issue_runs(pebble: &Pebble, dir: &TempDir, client: Client) -> Vec<Duration> {
    let tag = match client {
        Client::Certsmith => "cs",
        Client::Certbot => "cb",
        Client::Lego => "lg",
    };
    time(issue_command(
        pebble,
        dir,
        client,
        &format!("warm-{tag}.example.com"),
    ));
    (0..RUNS)
        .map(|i| {
            time(issue_command(
                pebble,
                dir,
                client,
                &format!("run{i}-{tag}.example.com"),
            ))
        })
        .collect()
}
