//! nginx installer benchmark, certsmith against Debian's certbot in one run,
//! in one private network namespace with Pebble, challtestsrv and a real
//! running nginx (the testbed of the integration tests):
//! 1. `--nginx -d NAME --redirect` end to end: http-01 answered by nginx,
//!    certificate issued, installed, nginx reloaded; one new name per run
//!    (each client registered in an untimed first run);
//! 2. `install --nginx` of a certificate into a config of 1,000 server
//!    blocks (`--redirect`), the config reset between runs.
//!
//! Run: `scripts/bench nginx_install` (release build). Prints medians and ratios.

#[path = "../tests/support/mod.rs"]
mod support;

#[allow(dead_code)]
#[path = "../tests/nginx_installer/util.rs"]
mod util;

#[allow(dead_code)]
#[path = "../tests/nginx_installer/testbed.rs"]
mod testbed;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use testbed::{ACME_URL, Testbed};
use util::{Run, TempDir, certsmith_bin, test_certificate, write};

const RUNS: usize = 5;
const BIG_RUNS: usize = 3;

#[derive(Clone, Copy, PartialEq)]
enum Client {
    Certsmith,
    Certbot,
}

struct Bench {
    tb: Testbed,
    dir: TempDir,
    root: PathBuf,
}

impl Bench {
    fn new() -> Bench {
        let tb = Testbed::up();
        let dir = TempDir::new("bench-nginx");
        let root = dir.join("nginx");
        let d = dir.path().display();
        write(
            &root.join("nginx.conf"),
            format!(
                "pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{\n    worker_connections 1024;\n}}\n\
                 http {{\n    access_log off;\n    server_names_hash_bucket_size 128;\n    server_names_hash_max_size 4096;\n\
                 \x20   client_body_temp_path {d}/tmp;\n    proxy_temp_path {d}/tmp;\n    fastcgi_temp_path {d}/tmp;\n\
                 \x20   uwsgi_temp_path {d}/tmp;\n    scgi_temp_path {d}/tmp;\n    include sites/*.conf;\n}}\n"
            ),
        );
        let b = Bench { tb, dir, root };
        b.set_sites(&one_site("warmup.example"));
        Run::from_command(b.tb.cmd("nginx").arg("-c").arg(b.root.join("nginx.conf"))).ok();
        b
    }

    /// Replace the sites and reload nginx (not timed).
    fn set_sites(&self, text: &str) {
        let sites = self.root.join("sites");
        let _ = std::fs::remove_dir_all(&sites);
        write(&sites.join("site.conf"), text);
        if self.dir.join("nginx.pid").exists() {
            Run::from_command(
                self.tb
                    .cmd("nginx")
                    .arg("-c")
                    .arg(self.root.join("nginx.conf"))
                    .args(["-s", "reload"]),
            )
            .ok();
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    fn command(&self, client: Client, args: &[&str]) -> Command {
        let tag = match client {
            Client::Certsmith => "certsmith",
            Client::Certbot => "certbot",
        };
        let program = match client {
            Client::Certsmith => certsmith_bin(),
            Client::Certbot => "certbot",
        };
        let mut cmd = self.tb.cmd(program);
        cmd.args(args)
            .arg("--nginx-server-root")
            .arg(&self.root)
            .arg("--config-dir")
            .arg(self.dir.join(tag).join("config"))
            .arg("--work-dir")
            .arg(self.dir.join(tag).join("work"))
            .arg("--logs-dir")
            .arg(self.dir.join(tag).join("logs"))
            .args(["-n", "--agree-tos", "-m", "bench@example.org"])
            .env("REQUESTS_CA_BUNDLE", &self.tb.ca_bundle);
        if client == Client::Certsmith {
            cmd.arg("--ca-bundle").arg(&self.tb.ca_bundle);
        }
        cmd
    }

    fn timed(&self, client: Client, args: &[&str]) -> Duration {
        let mut cmd = self.command(client, args);
        let start = Instant::now();
        let run = Run::from_command(&mut cmd);
        let took = start.elapsed();
        if run.code != 0 {
            panic!("{} failed:\n{}\n{}", args.join(" "), run.stdout, run.stderr);
        }
        took
    }
}

fn one_site(name: &str) -> String {
    format!("server {{\n    listen 80;\n    server_name {name};\n    root /var/www/html;\n}}\n")
}

/// 1,000 server blocks, each with two names, a root and two locations.
fn thousand_sites() -> String {
    let mut out = String::new();
    for i in 0..1000 {
        out.push_str(&format!(
            "server {{\n    listen 80;\n    server_name site{i}.example www.site{i}.example;\n    root /var/www/site{i};\n\
             \x20   location / {{\n        try_files $uri $uri/ =404;\n    }}\n    location /static/ {{\n        expires 7d;\n    }}\n}}\n\n"
        ));
    }
    out
}

fn issue(bench: &Bench, client: Client, name: &str) -> Duration {
    bench.set_sites(&one_site(name));
    let server = ["--server", ACME_URL];
    let mut args = vec!["--nginx", "-d", name, "--redirect"];
    args.extend(server);
    bench.timed(client, &args)
}

fn install_big(bench: &Bench, client: Client, cert: &Path) -> Duration {
    bench.set_sites(&thousand_sites());
    let f = |n: &str| cert.join(n).display().to_string();
    let (c, k, full, chain) = (
        f("cert.pem"),
        f("privkey.pem"),
        f("fullchain.pem"),
        f("chain.pem"),
    );
    bench.timed(
        client,
        &[
            "install",
            "--nginx",
            "--cert-path",
            &c,
            "--key-path",
            &k,
            "--fullchain-path",
            &full,
            "--chain-path",
            &chain,
            "-d",
            "site500.example",
            "--redirect",
        ],
    )
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn show(label: &str, ours: &[Duration], theirs: &[Duration]) {
    let (o, t) = (median(ours.to_vec()), median(theirs.to_vec()));
    let all = |v: &[Duration]| {
        v.iter()
            .map(|d| format!("{:.0}", ms(*d)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!("{label}");
    println!("  certsmith {:>9.1} ms  (runs: {} ms)", ms(o), all(ours));
    println!("  certbot   {:>9.1} ms  (runs: {} ms)", ms(t), all(theirs));
    println!(
        "  certbot/certsmith = {:.1}x",
        t.as_secs_f64() / o.as_secs_f64()
    );
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let bench = Bench::new();
    println!("load average before: {}", load_average());
    // Untimed first runs: each client registers its account.
    issue(&bench, Client::Certsmith, "first-cs.example");
    issue(&bench, Client::Certbot, "first-cb.example");
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for i in 0..RUNS {
        ours.push(issue(&bench, Client::Certsmith, &format!("cs{i}.example")));
        theirs.push(issue(&bench, Client::Certbot, &format!("cb{i}.example")));
    }
    show(
        &format!(
            "--nginx -d NAME --redirect (issue via nginx http-01 + install + reload), median of {RUNS}"
        ),
        &ours,
        &theirs,
    );

    let cert = bench.dir.join("cert");
    test_certificate(&cert, &["site500.example", "www.site500.example"]);
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for _ in 0..BIG_RUNS {
        ours.push(install_big(&bench, Client::Certsmith, &cert));
        theirs.push(install_big(&bench, Client::Certbot, &cert));
    }
    show(
        &format!(
            "install --nginx --redirect into 1,000 server blocks (nginx running), median of {BIG_RUNS}"
        ),
        &ours,
        &theirs,
    );
    println!("load average after: {}", load_average());
}
