//! Apache engine benchmark: a generated config of 5,000 virtual hosts (~2 MB).
//! Times parse alone, then parse + include resolution + vhost listing (the installer's
//! start-up), then Augeas (`augtool` with the Httpd lens) loading the same file, and prints
//! the ratio. Run: `scripts/bench apache_engine` (release build).

use certsmith::installer::apache::{self, LoadOptions};
use certsmith::syntax::apache::Document;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const VHOSTS: usize = 5000;

fn vhost(i: usize) -> String {
    format!(
        "<VirtualHost *:80>\n    ServerName site{i}.example.com\n    ServerAlias www.site{i}.example.com\n    \
         DocumentRoot /var/www/site{i}\n    ErrorLog ${{APACHE_LOG_DIR}}/site{i}-error.log\n    \
         CustomLog ${{APACHE_LOG_DIR}}/site{i}-access.log combined\n    <Directory /var/www/site{i}>\n        \
         Options -Indexes +FollowSymLinks\n        AllowOverride All\n        Require all granted\n    </Directory>\n    \
         # Redirect to HTTPS\n    RewriteEngine On\n</VirtualHost>\n\n"
    )
}

/// (fastest, median) of `runs` timings of `f`, which returns its own timing. The machine is
/// shared: the fastest run is the one least disturbed by others.
fn timed(runs: usize, mut f: impl FnMut() -> Duration) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..runs).map(|_| f()).collect();
    times.sort();
    (times[0], times[runs / 2])
}

fn clock(f: impl FnOnce()) -> Duration {
    let t = Instant::now();
    f();
    t.elapsed()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("certsmith-apache-bench-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sites")).unwrap();
    let config: String = (0..VHOSTS).map(vhost).collect();
    let vhosts_file = dir.join("sites/vhosts.conf");
    std::fs::write(&vhosts_file, &config).unwrap();
    std::fs::write(
        dir.join("httpd.conf"),
        "Listen 80\nServerName localhost\nIncludeOptional sites/*.conf\n",
    )
    .unwrap();
    let mb = config.len() as f64 / 1e6;
    println!(
        "apache_engine: {VHOSTS} virtual hosts, {:.2} MB in one included file",
        mb
    );

    let mut options = LoadOptions::new(&dir, "httpd.conf");
    options
        .variables
        .insert("APACHE_LOG_DIR".into(), "/var/log/apache2".into());
    // What one certsmith run pays: the first load in a fresh process (fresh memory).
    let mut first = None;
    let cold = clock(|| {
        let loaded = apache::load(&options).unwrap();
        let vhosts = loaded.vhosts();
        first = Some((loaded, vhosts));
    });
    drop(first);
    println!(
        "  first load + vhost listing in the process:  {:8.2} ms",
        ms(cold)
    );

    let bytes = config.as_bytes();
    let (parse, parse_median) = timed(31, || {
        let mut file = None;
        let t = clock(|| file = Some(Document::parse(bytes).unwrap()));
        assert_eq!(file.map(|f| f.body.nodes.len()), Some(VHOSTS));
        t
    });
    println!(
        "  parse only:                                 {:8.2} ms  (median {:.2} ms; {:.0} MB/s)",
        ms(parse),
        ms(parse_median),
        mb / parse.as_secs_f64()
    );

    // Timed: read, parse, follow includes, list vhosts (dropping the result is not).
    let (full, full_median) = timed(31, || {
        let mut result = None;
        let t = clock(|| {
            let loaded = apache::load(&options).unwrap();
            let vhosts = loaded.vhosts();
            result = Some((loaded, vhosts));
        });
        let (_, vhosts) = result.unwrap();
        assert_eq!(vhosts.len(), VHOSTS);
        assert_eq!(
            vhosts[VHOSTS - 1].name().as_deref(),
            Some("site4999.example.com")
        );
        t
    });
    println!(
        "  read + parse + includes + vhost listing:    {:8.2} ms  (median {:.2} ms; target < 20 ms)",
        ms(full),
        ms(full_median)
    );

    let loaded = apache::load(&options).unwrap();
    let (listing, _) = timed(31, || {
        let mut vhosts = Vec::new();
        let t = clock(|| vhosts = loaded.vhosts());
        assert_eq!(vhosts.len(), VHOSTS);
        t
    });
    println!(
        "    of which the vhost listing:               {:8.2} ms",
        ms(listing)
    );
    let (print, _) = timed(31, || {
        let mut out = Vec::new();
        let t = clock(|| out = loaded.files()[1].tree.print());
        assert_eq!(out.len(), bytes.len());
        t
    });
    println!(
        "  print the file back:                        {:8.2} ms",
        ms(print)
    );

    match augeas(&vhosts_file) {
        Some((time, count)) => {
            println!(
                "  augtool (Httpd lens) load + match vhosts:   {:8.2} ms  (median of 3; {count} VirtualHost nodes)",
                ms(time)
            );
            println!(
                "  ratio augtool / certsmith (medians):        {:8.0}x",
                time.as_secs_f64() / full_median.as_secs_f64()
            );
        }
        None => println!("  augtool not found (apt-get install augeas-tools): no comparison"),
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "  load average during the run: {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Augeas loading only `file` with the Httpd lens, and counting its VirtualHost nodes.
fn augeas(file: &Path) -> Option<(Duration, usize)> {
    let file = file.to_str()?;
    let run = || {
        let t = Instant::now();
        let out = Command::new("augtool")
            .args([
                "-L",
                "-r",
                "/",
                "-A",
                "--transform",
                &format!("Httpd.lns incl {file}"),
            ])
            .args(["match", &format!("/files{file}/VirtualHost")])
            .output()
            .ok()?;
        let elapsed = t.elapsed();
        let count = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.contains("VirtualHost"))
            .count();
        out.status.success().then_some((elapsed, count))
    };
    let mut runs: Vec<(Duration, usize)> = (0..3).map(|_| run()).collect::<Option<_>>()?;
    runs.sort();
    Some(runs[1])
}
