//! nginx engine benchmark: parse throughput on a generated 10,000-server
//! config, the time of parse + find a server by name + edit + print, and
//! Certbot's own parser (Debian's python3-certbot-nginx) on a 1,000-server
//! config for a per-MB ratio; and path matching (`conf match`'s `path::select`) over a
//! loaded config of 16,000 and 64,000 servers. Run: `scripts/bench nginx_engine`.

use certsmith::installer::nginx::NginxConfig;
use certsmith::syntax::nginx::{Directive, Document, Word};
use certsmith::syntax::path::{self, Path as TreePath};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn server(i: usize) -> String {
    format!(
        "    server {{
        listen 80;
        listen [::]:80;
        server_name site{i}.example.com www.site{i}.example.com;
        root /var/www/site{i};

        location / {{
            try_files $uri $uri/ =404;
        }}

        location ~ \\.php$ {{
            include snippets/fastcgi-php.conf;
            fastcgi_pass unix:/run/php/php-fpm.sock;
        }}
    }}\n"
    )
}

fn config(servers: usize) -> Vec<u8> {
    let mut s = String::from(
        "user www-data;\nworker_processes auto;\n\nevents {\n    worker_connections 768;\n}\n\nhttp {\n    sendfile on;\n    include mime.types;\n\n",
    );
    for i in 0..servers {
        s.push_str(&server(i));
    }
    s.push_str("}\n");
    s.into_bytes()
}

/// Best of `runs` timings of `f` (dropping its result is not timed).
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            let out = black_box(f());
            let elapsed = t.elapsed();
            drop(out);
            elapsed
        })
        .min()
        .unwrap_or_default()
}

/// Parse, find the server named `name`, add a commented `listen`, print.
/// Returns the tree too, so that dropping it is not timed.
fn find_edit_print(src: &[u8], name: &str) -> (Document, Vec<u8>) {
    let mut doc = Document::parse(src).expect("parse");
    let http = doc.body().position("http").expect("http");
    let server = doc
        .body_at(&[http])
        .expect("http body")
        .find_all("server")
        .find(|(_, s)| {
            s.block()
                .and_then(|b| b.find("server_name"))
                .is_some_and(|n| n.args().any(|a| a.is(name)))
        })
        .map(|(i, _)| i)
        .expect("server found");
    let listen = Directive::new(
        "listen",
        [Word::new("443").expect("w"), Word::new("ssl").expect("w")],
    )
    .expect("d");
    let at = doc.push(&[http, server], listen).expect("push");
    doc.set_comment(&at, "managed by certsmith")
        .expect("comment");
    let out = doc.print();
    (doc, out)
}

/// Seconds Certbot's parser takes to parse `path`, measured inside Python.
fn certbot_seconds(path: &std::path::Path) -> Result<f64, String> {
    let code = "import sys, time\nfrom certbot_nginx._internal import nginxparser\ndata = open(sys.argv[1]).read()\nt = time.perf_counter()\nnginxparser.loads(data)\nprint(time.perf_counter() - t)\n";
    let out = std::process::Command::new("/usr/bin/python3")
        .args(["-c", code])
        .arg(path)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|e| format!("{e}"))
}

/// `path::select` (what `conf get|match` evaluate) over a loaded config of `servers`
/// servers: `//server` (every node searched, each server kept) and `http/server/listen`
/// (two per server).
fn bench_match(servers: usize) {
    let dir = std::env::temp_dir().join(format!(
        "certsmith-bench-match-{}-{servers}",
        std::process::id()
    ));
    std::fs::create_dir_all(dir.join("snippets")).expect("bench dir");
    std::fs::write(dir.join("nginx.conf"), config(servers)).expect("write config");
    std::fs::write(dir.join("mime.types"), "").expect("write mime.types");
    std::fs::write(dir.join("snippets/fastcgi-php.conf"), "").expect("write snippet");
    let loaded = NginxConfig::load(&dir).expect("load");
    for (text, want) in [("//server", servers), ("http/server/listen", 2 * servers)] {
        let query = TreePath::parse(text).expect("path");
        assert_eq!(path::select(&loaded, &query).len(), want, "{text}");
        let took = best(3, || path::select(&loaded, &query));
        println!(
            "nginx_engine: match {text} over {servers} servers ({want} matches): {:.1} ms",
            took.as_secs_f64() * 1e3
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    if std::env::args().any(|a| a == "match") {
        // `scripts/bench nginx_engine` runs everything; `-- --bench match` only this.
        bench_match(16_000);
        bench_match(64_000);
        return;
    }
    let big = config(10_000);
    let mb = big.len() as f64 / 1e6;
    // The first parse in the process touches fresh memory (page faults), as
    // a one-shot CLI run does; the best of many runs measures the parser.
    let cold = best(1, || Document::parse(&big).expect("parse"));
    let parse = best(30, || Document::parse(&big).expect("parse"));
    let mbps = mb / parse.as_secs_f64();
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("nginx_engine: load average: {}", load.trim());
    }
    println!("nginx_engine: generated config: 10000 servers, {mb:.2} MB");
    println!(
        "nginx_engine: parse: {:.2} ms = {:.0} MB/s (target >= 200 MB/s)",
        parse.as_secs_f64() * 1e3,
        mbps
    );
    println!(
        "nginx_engine: first parse in the process (fresh memory): {:.2} ms = {:.0} MB/s",
        cold.as_secs_f64() * 1e3,
        mb / cold.as_secs_f64()
    );
    let doc = Document::parse(&big).expect("parse");
    let print = best(15, || doc.print());
    println!(
        "nginx_engine: print: {:.2} ms = {:.0} MB/s",
        print.as_secs_f64() * 1e3,
        mb / print.as_secs_f64()
    );
    let (_, edited) = find_edit_print(&big, "site7777.example.com");
    assert!(edited.len() > big.len());
    let whole = best(20, || find_edit_print(&big, "site7777.example.com"));
    println!(
        "nginx_engine: parse + find server by name + edit + print: {:.2} ms (target < 50 ms)",
        whole.as_secs_f64() * 1e3
    );

    let small = config(1_000);
    let small_mb = small.len() as f64 / 1e6;
    let path = std::env::temp_dir().join(format!("certsmith-bench-{}.conf", std::process::id()));
    std::fs::write(&path, &small).expect("write temp config");
    let ours = best(15, || Document::parse(&small).expect("parse"));
    match certbot_seconds(&path) {
        Ok(secs) => {
            let theirs_per_mb = secs / small_mb;
            let ours_per_mb = ours.as_secs_f64() / small_mb;
            println!(
                "nginx_engine: 1000 servers ({small_mb:.2} MB): certbot nginxparser.loads {secs:.2} s = {:.3} MB/s; certsmith {:.2} ms",
                small_mb / secs,
                ours.as_secs_f64() * 1e3
            );
            println!(
                "nginx_engine: ratio per MB (certbot / certsmith): {:.0}x",
                theirs_per_mb / ours_per_mb
            );
        }
        Err(e) => println!("nginx_engine: certbot parser not run: {e}"),
    }
    let _ = std::fs::remove_file(&path);
    bench_match(16_000);
    bench_match(64_000);
}
