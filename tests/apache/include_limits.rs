//! Include chains and odd include targets, each checked against the real `apache2 -t`
//! (issue 17: L1 deep chains, L13 deep splicing, L2 devices and FIFOs).

use super::common::*;
use certsmith::installer::apache::{self, LoadOptions, Loaded, query};
use certsmith::syntax::path::{self, Path as TreePath};
use std::time::{Duration, Instant};

const MPM: &str = "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n";

fn load(dir: &TempDir) -> Result<Loaded, apache::LoadError> {
    let mut options = LoadOptions::new(dir.path(), "httpd.conf");
    options.follow_server_root = false;
    apache::load(&options)
}

fn configtest(dir: &TempDir) -> (bool, String) {
    let scratch = TempDir::new("scratch");
    std::fs::create_dir_all(dir.path().join("logs")).unwrap();
    apache_configtest(
        dir.path(),
        &dir.path().join("httpd.conf"),
        scratch.path(),
        &[],
    )
}

/// `httpd.conf` includes `c0.conf`, each `cK.conf` includes the next on line 3 (inside an
/// `<IfModule>`, so sections nest across files too), and the last holds a vhost.
fn chain(dir: &TempDir, files: usize) {
    dir.write("httpd.conf", format!("{MPM}Include c0.conf\n"));
    for k in 0..files - 1 {
        dir.write(
            &format!("c{k}.conf"),
            format!(
                "# c{k}\n<IfModule !mod_nothing.c>\n  Include c{}.conf\n</IfModule>\n",
                k + 1
            ),
        );
    }
    dir.write(
        &format!("c{}.conf", files - 1),
        "<VirtualHost *:80>\n  ServerName deep.test\n</VirtualHost>\n",
    );
}

const TOO_DEEP: &str = "Exceeded maximum include depth of 128, There appears to be a recursion.";

#[test]
fn includes_nest_128_deep_as_in_apache() {
    let dir = TempDir::new("chain-128");
    chain(&dir, 128);
    let (ok, out) = configtest(&dir);
    assert!(ok, "apache2 reads 128 nested includes:\n{out}");
    let loaded = load(&dir).expect("load");
    assert_eq!(loaded.files().len(), 129);
    // Spliced and walked to the bottom (these stopped at 64 before).
    let names = path::select(
        &loaded,
        &TreePath::parse("//VirtualHost[ServerName=\"deep.test\"]").unwrap(),
    );
    assert_eq!(names.len(), 1);
    assert_eq!(query::active_named(&loaded, "ServerName").len(), 1);
}

#[test]
fn the_129th_nested_include_is_apaches_error_at_the_include() {
    let dir = TempDir::new("chain-129");
    chain(&dir, 129);
    // Apache cuts its message (nested "Syntax error on line 3 of cK.conf:" prefixes) before
    // the end; the 128/129 boundary with the test above pins its limit.
    let (ok, out) = configtest(&dir);
    assert!(!ok && out.contains("Syntax error on line 3 of"), "{out}");
    let e = load(&dir).unwrap_err().to_string();
    let at = dir.path().join("c127.conf");
    assert_eq!(e, format!("{}:3:3: {TOO_DEEP}", at.display()));
}

#[test]
fn a_ten_thousand_file_chain_stops_at_apaches_limit_without_overflow() {
    let dir = TempDir::new("chain-10k");
    chain(&dir, 10_000);
    let e = load(&dir).unwrap_err().to_string();
    assert!(e.ends_with(TOO_DEEP), "{e}");
    assert!(e.contains("c127.conf:3:3: "), "{e}");
}

#[test]
fn only_regular_files_and_dev_null_are_read_as_in_apache() {
    let dir = TempDir::new("devices");
    dir.write("httpd.conf", format!("{MPM}Include /dev/null\n"));
    let (ok, out) = configtest(&dir);
    assert!(ok, "{out}");
    let loaded = load(&dir).expect("load");
    assert_eq!(loaded.files()[1].original, b"");
    for dev in ["/dev/zero", "/dev/urandom"] {
        for word in ["Include", "IncludeOptional"] {
            dir.write("httpd.conf", format!("{MPM}\n  {word} {dev}\n"));
            let (ok, out) = configtest(&dir);
            assert!(!ok && out.contains("not a regular file"), "{out}");
            let e = load(&dir).unwrap_err().to_string();
            assert_eq!(
                e,
                format!(
                    "{}:3:3: Could not open configuration file {dev}: not a regular file \
                     (Apache reads only regular files and /dev/null)",
                    dir.path().join("httpd.conf").display()
                )
            );
        }
    }
}

#[test]
fn a_fifo_include_is_refused_at_once() {
    let dir = TempDir::new("fifo");
    dir.write("httpd.conf", format!("{MPM}Include conf.d\n"));
    dir.write("conf.d/a.conf", "ServerAdmin a@b\n");
    let fifo = dir.path().join("conf.d/b.fifo");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let e = load(&dir).unwrap_err().to_string();
    assert!(started.elapsed() < Duration::from_secs(5), "did not block");
    assert!(
        e.starts_with(&format!(
            "{}:2:1: Could not open configuration file {}: not a regular file",
            dir.path().join("httpd.conf").display(),
            fifo.display()
        )),
        "{e}"
    );
}
