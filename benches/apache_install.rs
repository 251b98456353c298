//! Apache installer benchmark, certsmith against Debian's certbot (python3-certbot-apache)
//! in one run, inside one network namespace with one Pebble (`PEBBLE_VA_NOSLEEP=1`,
//! authorization reuse off) and real Apache:
//! 1. full issuance: `--apache -d NAME --redirect` (http-01 through Apache, install,
//!    redirect, restart), a new name and a fresh Debian tree per run, Apache not running
//!    before (each tool starts it); median of RUNS after one untimed run per client;
//! 2. `install --apache --redirect --hsts` of a test certificate for one name into a
//!    Debian tree of 1,000 vhost files, Apache running; median of RUNS.
//!
//! Both tools run Apache's control program through the same wrapper, which logs how long
//! each call took: the time inside Apache (configuration tests, restarts) is printed
//! apart from each tool's own time.
//!
//! Run: `scripts/bench apache_install` (release build, as root).

#[path = "../tests/support/mod.rs"]
mod support;

#[allow(dead_code)]
#[path = "../tests/apache_installer/common.rs"]
mod common;

use common::Tree;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::netns::{ACME_URL, Netns};

const RUNS: usize = 5;
const VHOSTS: usize = 1000;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    if std::env::var_os("APACHE_BENCH_PHASES_ONLY").is_some() {
        phases();
        return;
    }
    let ns = Netns::up();
    let certsmith = PathBuf::from(env!("CARGO_BIN_EXE_certsmith"));

    println!(
        "Full issuance: --apache -d NAME --redirect, http-01 through Apache, median of {RUNS} (after one untimed run)"
    );
    let ours = median(issue_runs(&ns, &certsmith, Client::Certsmith));
    let theirs = median(issue_runs(&ns, &certsmith, Client::Certbot));
    report(ours, theirs);

    println!(
        "install --apache --redirect --hsts into {VHOSTS} vhost files, Apache running, median of {RUNS}"
    );
    let ours = median(install_runs(&ns, &certsmith, Client::Certsmith));
    let theirs = median(install_runs(&ns, &certsmith, Client::Certbot));
    report(ours, theirs);
    phases();
}

/// Where certsmith's time goes on the 1,000-vhost tree, in process (no restart: Apache
/// is not running): medians of RUNS.
fn phases() {
    use certsmith::installer::apache::{install, no_questions};
    let names: Vec<String> = (0..VHOSTS)
        .map(|i| format!("site{i:04}.example.test"))
        .collect();
    let target = &names[VHOSTS / 2];
    let mut rows: Vec<[Duration; 5]> = Vec::new();
    for _ in 0..RUNS {
        let tree = tree_with_sites("bench-phases", &names);
        let cert = tree.test_cert(&[target]);
        let mut request = tree.request(&[target], &cert);
        request.enhance.hsts = true;
        let apache = tree.apache();
        let t = Instant::now();
        let info = apache.inspect().unwrap();
        let inspect = t.elapsed();
        let t = Instant::now();
        let mut plan = apache.load(&info).unwrap();
        let load = t.elapsed();
        let t = Instant::now();
        install(&mut plan, &request, &mut no_questions).unwrap();
        let planned = t.elapsed();
        let t = Instant::now();
        let mut reverter = reverter::Reverter::open(tree.work()).unwrap();
        let mut tx = reverter.begin(reverter::Kind::Permanent, "bench").unwrap();
        plan.check_writable().unwrap();
        plan.write(&mut tx).unwrap();
        tx.commit().unwrap();
        let written = t.elapsed();
        let t = Instant::now();
        apache.ctl.configtest().unwrap();
        let tested = t.elapsed();
        rows.push([inspect, load, planned, written, tested]);
    }
    println!("certsmith's phases on the {VHOSTS}-vhost tree, in process, median of {RUNS}:");
    for (i, what) in [
        "inspect (apache2ctl -t -D DUMP_RUN_CFG -D DUMP_MODULES, -v)",
        "load (read + parse every file, vhost model)",
        "plan (choose, SSL twin, mod_ssl, Listen, redirect, HSTS)",
        "write (one reverter checkpoint, fsyncs)",
        "apache2ctl -t after the change",
    ]
    .iter()
    .enumerate()
    {
        let mut v: Vec<Duration> = rows.iter().map(|r| r[i]).collect();
        v.sort();
        println!("  {:>8.1} ms  {what}", ms(v[v.len() / 2]));
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Client {
    Certsmith,
    Certbot,
}

/// Wall time, and the part of it spent in Apache's control program.
#[derive(Clone, Copy)]
struct Timing {
    wall: Duration,
    ctl: Duration,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<Timing>) -> Timing {
    v.sort_by_key(|t| t.wall);
    v[v.len() / 2]
}

fn report(ours: Timing, theirs: Timing) {
    let own = |t: Timing| t.wall.saturating_sub(t.ctl);
    println!(
        "  certsmith {:>8.1} ms  (in apache2ctl {:>7.1} ms, own {:>7.1} ms)",
        ms(ours.wall),
        ms(ours.ctl),
        ms(own(ours))
    );
    println!(
        "  certbot   {:>8.1} ms  (in apache2ctl {:>7.1} ms, own {:>7.1} ms)",
        ms(theirs.wall),
        ms(theirs.ctl),
        ms(own(theirs))
    );
    println!(
        "  certbot/certsmith: {:.1}x end to end, {:.1}x own time",
        theirs.wall.as_secs_f64() / ours.wall.as_secs_f64(),
        own(theirs).as_secs_f64() / own(ours).as_secs_f64().max(1e-9)
    );
}

/// An apache2ctl wrapper that logs the start and end (ns since the epoch) of each call.
fn timed_ctl(tree: &Tree) -> (PathBuf, PathBuf) {
    let log = tree.dir.join("ctl-times");
    let wrapper = tree.dir.join("ctl");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\ns=$(date +%s%N)\n/usr/sbin/apache2ctl \"$@\"\nrc=$?\necho \"$s $(date +%s%N)\" >> {}\nexit $rc\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(
        &wrapper,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    (wrapper, log)
}

fn ctl_time(log: &Path) -> Duration {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let nanos: u64 = text
        .lines()
        .filter_map(|l| {
            let (s, e) = l.split_once(' ')?;
            Some(e.trim().parse::<u64>().ok()? - s.parse::<u64>().ok()?)
        })
        .sum();
    Duration::from_nanos(nanos)
}

fn site(name: &str, www: &Path) -> String {
    format!(
        "<VirtualHost *:80>\n\tServerName {name}\n\tServerAlias www.{name}\n\tDocumentRoot {}\n\tErrorLog ${{APACHE_LOG_DIR}}/error.log\n\tCustomLog ${{APACHE_LOG_DIR}}/access.log combined\n</VirtualHost>\n",
        www.display()
    )
}

fn tree_with_sites(label: &str, names: &[String]) -> Tree {
    let tree = Tree::debian(label, &[]);
    let www = tree.dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), "hello\n").unwrap();
    for name in names {
        let file = format!("{}.conf", name.split('.').next().unwrap());
        tree.write(&format!("sites-available/{file}"), &site(name, &www));
        std::os::unix::fs::symlink(
            format!("../sites-available/{file}"),
            tree.root.join("sites-enabled").join(&file),
        )
        .unwrap();
    }
    tree
}

/// Stop the Apache of `tree` (started in the namespace) and wait until it is gone.
fn stop_apache(tree: &Tree) {
    let pid_file = tree.state().join("run/apache2.pid");
    let Ok(pid) = std::fs::read_to_string(&pid_file) else {
        return;
    };
    let pid = pid.trim().to_string();
    let _ = Command::new("kill").args(["-TERM", &pid]).status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn run_timed(cmd: &mut Command, what: &str, log: &Path) -> Duration {
    let start = Instant::now();
    let out = cmd.output().unwrap();
    let took = start.elapsed();
    if !out.status.success() {
        let log = std::fs::read_to_string(log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(60).collect();
        panic!(
            "{what} failed:\n{}\n{}\nlog:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    took
}

fn common_dirs(cmd: &mut Command, tree: &Tree, prefix: &str) {
    for (flag, dir) in [
        ("--config-dir", "config"),
        ("--work-dir", "work"),
        ("--logs-dir", "logs"),
    ] {
        cmd.arg(flag).arg(tree.dir.join(format!("{prefix}{dir}")));
    }
}

fn issue_runs(ns: &Netns, certsmith: &Path, client: Client) -> Vec<Timing> {
    // One account per client for all runs: shared config, work and logs dirs.
    let base = support::TempDir::new("bench-apache");
    std::fs::set_permissions(
        base.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let mut out = Vec::new();
    for run in 0..=RUNS {
        let name = format!(
            "{}{run}-{}.example.test",
            if client == Client::Certsmith {
                "cs"
            } else {
                "cb"
            },
            std::process::id()
        );
        let tree = tree_with_sites("bench-issue", std::slice::from_ref(&name));
        let (ctl, ctl_log) = timed_ctl(&tree);
        let mut cmd = match client {
            Client::Certsmith => {
                let mut c = ns.cmd(certsmith);
                c.args(["--apache", "--ca-bundle"]).arg(&ns.ca_bundle);
                c
            }
            Client::Certbot => {
                let mut c = ns.cmd("certbot");
                c.arg("--apache")
                    .arg("--apache-vhost-root")
                    .arg(tree.root.join("sites-available"))
                    .env("REQUESTS_CA_BUNDLE", &ns.ca_bundle)
                    .env("APACHE_CONFDIR", &tree.root)
                    .env("APACHE_STATE_DIRECTORY", tree.dir.join("a2state"));
                c
            }
        };
        cmd.args([
            "-d",
            &name,
            "--redirect",
            "-n",
            "--agree-tos",
            "-m",
            "bench@example.org",
        ])
        .args(["--server", ACME_URL])
        .arg("--apache-server-root")
        .arg(&tree.root)
        .arg("--apache-ctl")
        .arg(&ctl);
        for (flag, dir) in [
            ("--config-dir", "config"),
            ("--work-dir", "work"),
            ("--logs-dir", "logs"),
        ] {
            let d = base.join(format!(
                "{}-{dir}",
                if client == Client::Certsmith {
                    "cs"
                } else {
                    "cb"
                }
            ));
            cmd.arg(flag).arg(d);
        }
        let prefix = if client == Client::Certsmith {
            "cs"
        } else {
            "cb"
        };
        let log = base.join(format!("{prefix}-logs/letsencrypt.log"));
        let wall = run_timed(&mut cmd, "issuance", &log);
        let ctl = ctl_time(&ctl_log);
        stop_apache(&tree);
        if run > 0 {
            out.push(Timing { wall, ctl });
        }
    }
    out
}

fn install_runs(ns: &Netns, certsmith: &Path, client: Client) -> Vec<Timing> {
    let names: Vec<String> = (0..VHOSTS)
        .map(|i| format!("site{i:04}.example.test"))
        .collect();
    let target = &names[VHOSTS / 2];
    let mut out = Vec::new();
    for _ in 0..RUNS {
        let tree = tree_with_sites("bench-1000", &names);
        let cert = tree.test_cert(&[target]);
        let start = Command::new("ip")
            .args([
                "netns",
                "exec",
                &ns.name,
                "/usr/sbin/apache2ctl",
                "-k",
                "start",
            ])
            .env("APACHE_CONFDIR", &tree.root)
            .status()
            .unwrap();
        assert!(start.success(), "Apache did not start");
        wait_running(&tree);
        let (ctl, log) = timed_ctl(&tree);
        let mut cmd = match client {
            Client::Certsmith => {
                let mut c = ns.cmd(certsmith);
                c.args(["install", "--apache"]);
                c
            }
            Client::Certbot => {
                let mut c = ns.cmd("certbot");
                c.args(["install", "--apache", "--apache-vhost-root"])
                    .arg(tree.root.join("sites-available"))
                    .arg("--chain-path")
                    .arg(&cert.fullchain)
                    .env("APACHE_CONFDIR", &tree.root)
                    .env("APACHE_STATE_DIRECTORY", tree.dir.join("a2state"));
                c
            }
        };
        cmd.arg("--cert-path")
            .arg(&cert.fullchain)
            .arg("--fullchain-path")
            .arg(&cert.fullchain)
            .arg("--key-path")
            .arg(&cert.key)
            .args(["-d", target, "--redirect", "--hsts", "-n"])
            .arg("--apache-server-root")
            .arg(&tree.root)
            .arg("--apache-ctl")
            .arg(&ctl);
        common_dirs(&mut cmd, &tree, "run-");
        let wall = run_timed(
            &mut cmd,
            "install",
            &tree.dir.join("run-logs/letsencrypt.log"),
        );
        out.push(Timing {
            wall,
            ctl: ctl_time(&log),
        });
        stop_apache(&tree);
    }
    out
}

fn wait_running(tree: &Tree) {
    let pid_file = tree.state().join("run/apache2.pid");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(pid) = std::fs::read_to_string(&pid_file)
            && Path::new(&format!("/proc/{}", pid.trim())).exists()
        {
            return;
        }
        assert!(Instant::now() < deadline, "Apache did not start");
        std::thread::sleep(Duration::from_millis(10));
    }
}
