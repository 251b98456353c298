//! The Debian package on this machine: `scripts/package --lint` builds it
//! (from the binary `cargo test` built, stripped as the release one is;
//! lintian errors fail), `dpkg -i` installs it, the installed
//! `certsmith --version` and `certsmith certificates` run (on a scratch
//! config dir holding an openssl-made lineage, and on /etc/letsencrypt when
//! it exists), then `dpkg -r` and `dpkg -P` take it away. Every file under
//! /etc/letsencrypt (Debian's certbot's, perhaps real certificates) and under
//! the scratch config dir is the same before and after, to the byte, mode and
//! owner.
//!
//! The machine is left as it was, also when the test fails: the package is
//! purged at the end, an /etc/letsencrypt the package created is removed
//! again (only when empty), and /var/log/certsmith (which purge removes) is
//! moved aside for the test and put back.

#[path = "support/common.rs"]
mod common;

use common::{TempDir, require_root};
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_certsmith");
const CONFIG_DIR: &str = "/etc/letsencrypt";
const LOG_DIR: &str = "/var/log/certsmith";
const PACKAGE: &str = "certsmith";
const NAME: &str = "pkg-test.example";

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        )
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"))
}

#[track_caller]
fn ok(program: &str, args: &[&str]) -> String {
    let out = run(program, args);
    assert!(
        out.status.success(),
        "{program} {args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `dpkg ARGS`, retried while another dpkg or apt (another builder's
/// scripts/setup) holds dpkg's lock.
fn dpkg(args: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let out = run("dpkg", args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.success() {
            return;
        }
        assert!(
            stderr.contains("lock") && Instant::now() < deadline,
            "dpkg {args:?}: {}\n{stderr}",
            String::from_utf8_lossy(&out.stdout)
        );
        std::thread::sleep(Duration::from_secs(2));
    }
}

/// dpkg's status word for the package (`installed`, `config-files`), or
/// `None` when dpkg does not know it.
fn status() -> Option<String> {
    let out = run("dpkg-query", &["-W", "-f=${db:Status-Status}", PACKAGE]);
    let word = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !word.is_empty() && word != "not-installed").then_some(word)
}

/// What a tree holds: per relative path, its type, mode, owner, and the
/// content (files) or target (links).
fn snapshot(root: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    if root.symlink_metadata().is_ok() {
        walk(root, root, &mut out);
    }
    out
}

fn walk(root: &Path, path: &Path, out: &mut BTreeMap<PathBuf, String>) {
    let meta = path.symlink_metadata().unwrap();
    let kind = meta.file_type();
    let what = if kind.is_symlink() {
        format!("link -> {}", std::fs::read_link(path).unwrap().display())
    } else if kind.is_file() {
        let bytes = std::fs::read(path).unwrap();
        format!("file {} bytes {:x}", bytes.len(), fnv(&bytes))
    } else {
        "dir".to_string()
    };
    let rel = path.strip_prefix(root).unwrap().to_path_buf();
    out.insert(
        rel,
        format!(
            "{what} mode {:o} {}:{}",
            meta.mode(),
            meta.uid(),
            meta.gid()
        ),
    );
    if kind.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for entry in entries {
            walk(root, &entry, out);
        }
    }
}

/// FNV-1a: enough to see that a file changed.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Puts the machine back however the test ends: purges the package, removes
/// an /etc/letsencrypt the package made (only when empty), and puts the
/// log dir that was moved aside back.
struct Restore {
    config_dir_existed: bool,
    saved_logs: Option<PathBuf>,
}

impl Restore {
    fn begin() -> Restore {
        let saved_logs = Path::new(LOG_DIR).exists().then(|| {
            let aside = PathBuf::from(format!("{LOG_DIR}.package-test-{}", std::process::id()));
            std::fs::rename(LOG_DIR, &aside).unwrap();
            aside
        });
        Restore {
            config_dir_existed: Path::new(CONFIG_DIR).exists(),
            saved_logs,
        }
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        if status().is_some() {
            let out = run("dpkg", &["--purge", PACKAGE]);
            if !out.status.success() {
                eprintln!("package test: dpkg --purge {PACKAGE} failed: {out:?}");
            }
        }
        if !self.config_dir_existed {
            // Only an empty directory: never anything someone put there.
            let _ = std::fs::remove_dir(CONFIG_DIR);
        }
        if let Some(aside) = &self.saved_logs {
            if Path::new(LOG_DIR).exists() {
                eprintln!(
                    "package test: {LOG_DIR} was made again meanwhile; the original is at {}",
                    aside.display()
                );
            } else if let Err(e) = std::fs::rename(aside, LOG_DIR) {
                eprintln!("package test: cannot put {} back: {e}", aside.display());
            }
        }
    }
}

/// A lineage in Certbot's layout under `config`, its certificate made by
/// openssl: archive/NAME/*1.pem, relative live links, renewal/NAME.conf.
fn make_lineage(config: &Path) {
    let archive = config.join("archive").join(NAME);
    let live = config.join("live").join(NAME);
    std::fs::create_dir_all(&archive).unwrap();
    std::fs::create_dir_all(&live).unwrap();
    std::fs::create_dir_all(config.join("renewal")).unwrap();
    let key = archive.join("privkey1.pem");
    let cert = archive.join("cert1.pem");
    let (key_s, cert_s) = (key.to_str().unwrap(), cert.to_str().unwrap());
    ok(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            &format!("/CN={NAME}"),
            "-addext",
            &format!("subjectAltName=DNS:{NAME}"),
            "-days",
            "90",
            "-keyout",
            key_s,
            "-out",
            cert_s,
        ],
    );
    let pem = std::fs::read_to_string(&cert).unwrap();
    std::fs::write(archive.join("chain1.pem"), &pem).unwrap();
    std::fs::write(archive.join("fullchain1.pem"), format!("{pem}{pem}")).unwrap();
    for kind in ["cert", "chain", "fullchain", "privkey"] {
        std::os::unix::fs::symlink(
            format!("../../archive/{NAME}/{kind}1.pem"),
            live.join(format!("{kind}.pem")),
        )
        .unwrap();
    }
    std::fs::write(
        config.join("renewal").join(format!("{NAME}.conf")),
        conf(config),
    )
    .unwrap();
}

fn conf(config: &Path) -> String {
    let c = config.display();
    format!(
        "version = 2.1.0\n\
         archive_dir = {c}/archive/{NAME}\n\
         cert = {c}/live/{NAME}/cert.pem\n\
         privkey = {c}/live/{NAME}/privkey.pem\n\
         chain = {c}/live/{NAME}/chain.pem\n\
         fullchain = {c}/live/{NAME}/fullchain.pem\n\
         \n\
         [renewalparams]\n\
         authenticator = standalone\n\
         server = https://acme-v02.api.letsencrypt.org/directory\n\
         key_type = ecdsa\n"
    )
}

/// `scripts/package --lint` from the test's binary: the certsmith .deb
/// (the compat package, not installed here, is checked as a file).
fn build_package(out: &Path) -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/package");
    let listed = ok(
        script.to_str().unwrap(),
        &["--binary", BIN, "--out", out.to_str().unwrap(), "--lint"],
    );
    let debs: Vec<&str> = listed.lines().collect();
    assert!(
        debs.len() == 2 && debs[0].contains("/certsmith_"),
        "{listed}"
    );
    check_compat(debs[1]);
    PathBuf::from(debs[0])
}

/// `certsmith-certbot-compat`: the `certbot` link, conflicting with
/// Debian's certbot (which this machine has, so it is not installed here).
fn check_compat(deb: &str) {
    assert!(deb.contains("/certsmith-certbot-compat_"), "{deb}");
    let conflicts = ok("dpkg-deb", &["-f", deb, "Conflicts"]);
    assert_eq!(conflicts.trim(), "certbot");
    let depends = ok("dpkg-deb", &["-f", deb, "Depends"]);
    assert!(depends.starts_with("certsmith (= "), "{depends}");
    let files = ok("dpkg-deb", &["-c", deb]);
    assert!(
        files.contains("./usr/bin/certbot -> certsmith\n"),
        "{files}"
    );
}

/// The installed binary lists the lineage under `config` (work and logs
/// dirs in `scratch`, so nothing of the machine's is written).
fn certificates(config: &str, scratch: &Path) -> String {
    let work = scratch.join("work");
    let logs = scratch.join("logs");
    ok(
        "/usr/bin/certsmith",
        &[
            "certificates",
            "--config-dir",
            config,
            "--work-dir",
            work.to_str().unwrap(),
            "--logs-dir",
            logs.to_str().unwrap(),
        ],
    )
}

/// What the package installed: the units, the conffile, the man page and
/// the completions.
fn check_installed() {
    for file in [
        "/lib/systemd/system/certsmith.service",
        "/lib/systemd/system/certsmith.timer",
        "/etc/logrotate.d/certsmith",
        "/usr/share/man/man1/certsmith.1.gz",
        "/usr/share/bash-completion/completions/certsmith",
        "/usr/share/zsh/vendor-completions/_certsmith",
        "/usr/share/fish/vendor_completions.d/certsmith.fish",
    ] {
        assert!(Path::new(file).is_file(), "{file} not installed");
    }
    let service = std::fs::read_to_string("/lib/systemd/system/certsmith.service").unwrap();
    assert!(
        service.contains("\nExecStart=/usr/bin/certsmith renew -q"),
        "{service}"
    );
    // systemd's own checker, where it exists (the man page the units name
    // is installed with them).
    if Path::new("/usr/bin/systemd-analyze").exists() {
        ok(
            "systemd-analyze",
            &[
                "verify",
                "/lib/systemd/system/certsmith.timer",
                "/lib/systemd/system/certsmith.service",
            ],
        );
    }
    let conffiles = ok("dpkg-query", &["-W", "-f=${Conffiles}", PACKAGE]);
    assert!(
        conffiles.contains("/etc/logrotate.d/certsmith"),
        "{conffiles}"
    );
    let meta = std::fs::metadata(CONFIG_DIR).expect("postinst makes /etc/letsencrypt");
    assert!(meta.is_dir());
}

#[test]
fn package_installs_runs_and_purges_without_touching_lineages() {
    require_root("dpkg -i");
    // One package test at a time on this machine (another worktree's too).
    let lock =
        std::fs::File::create(std::env::temp_dir().join("certsmith-package-test.lock")).unwrap();
    lock.lock().unwrap();
    assert_eq!(
        status(),
        None,
        "a {PACKAGE} package is already on this machine: the test would remove it"
    );
    let tmp = TempDir::new("package");
    let scratch = tmp.join("config");
    make_lineage(&scratch);
    let deb = build_package(&tmp.join("debs"));

    let before = (snapshot(Path::new(CONFIG_DIR)), snapshot(&scratch));
    let restore = Restore::begin();
    dpkg(&["-i", deb.to_str().unwrap()]);
    check_installed();
    if !restore.config_dir_existed {
        let mode = std::fs::metadata(CONFIG_DIR).unwrap().mode() & 0o7777;
        assert_eq!(
            mode, 0o755,
            "/etc/letsencrypt as Certbot's package makes it"
        );
    }
    let version = ok("/usr/bin/certsmith", &["--version"]);
    assert_eq!(
        version.trim(),
        format!("certsmith {}", env!("CARGO_PKG_VERSION"))
    );
    let listed = certificates(scratch.to_str().unwrap(), tmp.path());
    assert!(
        listed.contains(&format!("Certificate Name: {NAME}")),
        "{listed}"
    );
    if restore.config_dir_existed {
        certificates(CONFIG_DIR, tmp.path());
    }

    dpkg(&["-r", PACKAGE]);
    assert!(!Path::new("/usr/bin/certsmith").exists());
    assert_eq!(status().as_deref(), Some("config-files"));
    assert!(
        Path::new("/etc/logrotate.d/certsmith").exists(),
        "remove keeps conffiles"
    );
    dpkg(&["-P", PACKAGE]);
    assert_eq!(status(), None);
    assert!(
        !Path::new("/etc/logrotate.d/certsmith").exists(),
        "purge removes conffiles"
    );

    let mut after_config = snapshot(Path::new(CONFIG_DIR));
    if !restore.config_dir_existed {
        // What postinst made: the empty directory alone.
        assert_eq!(after_config.len(), 1, "{after_config:?}");
        after_config.clear();
    }
    assert_eq!(before.0, after_config, "/etc/letsencrypt changed");
    assert_eq!(before.1, snapshot(&scratch), "the scratch lineage changed");
    drop(restore);
}
