//! Include chains and odd include targets, each checked against the real `nginx -t`
//! (issue 17: L1 deep chains, L13 deep splicing, L2 devices and FIFOs).

use crate::util::{TempDir, nginx_t};
use certsmith::installer::nginx::NginxConfig;
use certsmith::syntax::path::{self, Path as TreePath};
use std::path::Path;
use std::time::{Duration, Instant};

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// `nginx.conf` includes `c0.conf` inside `http`, each `cK.conf` includes the next, and the
/// last holds a server block.
fn chain(dir: &Path, files: usize) {
    write(
        dir,
        "nginx.conf",
        "error_log error.log;\npid nginx.pid;\nevents {}\nhttp {\n    include c0.conf;\n}\n",
    );
    for k in 0..files - 1 {
        write(
            dir,
            &format!("c{k}.conf"),
            &format!("include c{}.conf;\n", k + 1),
        );
    }
    write(
        dir,
        &format!("c{}.conf", files - 1),
        "server { listen 8080; server_name deep.test; }\n",
    );
}

fn deep_servers(config: &NginxConfig) -> usize {
    let found = path::select(
        config,
        &TreePath::parse("http/server[server_name=\"deep.test\"]/listen").expect("path"),
    );
    found.len()
}

#[test]
fn a_ten_thousand_file_include_chain_loads_as_nginx_reads_it() {
    let t = TempDir::new("chain-10k");
    chain(t.path(), 10_000);
    nginx_t(t.path()).expect("nginx accepts the chain");
    let config = NginxConfig::load(t.path()).expect("load");
    assert_eq!(config.files.len(), 10_001);
    assert_eq!(deep_servers(&config), 1, "the last file is spliced in");
    assert_eq!(config.servers().len(), 1);
}

#[test]
fn includes_deeper_than_64_are_spliced() {
    let t = TempDir::new("chain-100");
    chain(t.path(), 100);
    let config = NginxConfig::load(t.path()).expect("load");
    assert_eq!(deep_servers(&config), 1);
    assert_eq!(config.servers().len(), 1);
    assert!(
        config
            .all()
            .iter()
            .all(|n| !config.directive(n).expect("node").is("include")),
        "every include is replaced by its file"
    );
}

#[test]
fn character_devices_read_as_nginx_reads_them_empty() {
    let t = TempDir::new("devices");
    for dev in ["/dev/zero", "/dev/urandom", "/dev/null"] {
        write(
            t.path(),
            "nginx.conf",
            &format!(
                "error_log error.log;\npid nginx.pid;\nevents {{}}\nhttp {{\n    include {dev};\n    server {{ listen 8080; }}\n}}\n"
            ),
        );
        nginx_t(t.path()).unwrap_or_else(|e| panic!("nginx reads {dev} as empty: {e}"));
        let config = NginxConfig::load(t.path()).expect("load");
        assert_eq!(config.files.len(), 2, "{dev}");
        assert_eq!(config.files[1].original, b"", "{dev}");
        assert_eq!(config.servers().len(), 1, "{dev}");
    }
}

#[test]
fn a_fifo_include_is_refused_at_once() {
    let t = TempDir::new("fifo");
    write(
        t.path(),
        "nginx.conf",
        "events {}\nhttp {\n    include conf.d/*;\n}\n",
    );
    write(t.path(), "conf.d/a.conf", "server { listen 8080; }\n");
    let fifo = t.path().join("conf.d/b.fifo");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(status.success());
    let started = Instant::now();
    let e = NginxConfig::load(t.path()).expect_err("fifo").to_string();
    assert!(started.elapsed() < Duration::from_secs(5), "did not block");
    assert!(
        e.starts_with(&format!(
            "{}:3:5: include \"conf.d/*\": cannot read {}: is a FIFO",
            t.path().join("nginx.conf").display(),
            fifo.display()
        )),
        "{e}"
    );
}
