//! `certsmith rollback` and `certsmith checkpoints` end to end, with the
//! built binary in a temp work dir: listings, rollback output and effect,
//! recovery at start after a real SIGKILL, and the lock between instances.

use reverter::{DirLock, Kind, Reverter, UndoAction};
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The shared test basics (temp dirs, PRNG, golden files), without the
/// server helpers of `support/mod.rs`.
#[path = "support/common.rs"]
mod common;

use common::TempDir;

struct Dirs {
    root: TempDir,
}

impl Dirs {
    fn new(name: &str) -> Dirs {
        let root = TempDir::new(&format!("cli-{name}"));
        fs::create_dir_all(root.join("live")).unwrap();
        Dirs { root }
    }

    fn live(&self, rel: &str) -> PathBuf {
        self.root.join("live").join(rel)
    }

    fn work(&self) -> PathBuf {
        self.root.join("work")
    }

    /// Run certsmith with every directory in the temp dir.
    fn certsmith(&self, args: &[&str]) -> Output {
        let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        for (flag, dir) in [
            ("--work-dir", "work"),
            ("--config-dir", "config"),
            ("--logs-dir", "logs"),
        ] {
            all.push(flag.into());
            all.push(self.root.join(dir).display().to_string());
        }
        Command::new(env!("CARGO_BIN_EXE_certsmith"))
            .args(&all)
            .output()
            .unwrap()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// (content, mode, uid, gid) of a file.
fn state(path: &Path) -> (Vec<u8>, u32, u32, u32) {
    let meta = fs::metadata(path).unwrap();
    (
        fs::read(path).unwrap(),
        meta.mode() & 0o7777,
        meta.uid(),
        meta.gid(),
    )
}

#[test]
fn checkpoints_lists_and_rollback_undoes_newest_first() {
    let d = Dirs::new("rollback");
    let default = d.live("default");
    fs::write(&default, "server { listen 80; }\n").unwrap();
    fs::set_permissions(&default, fs::Permissions::from_mode(0o640)).unwrap();
    let original = state(&default);

    let mut r = Reverter::open(d.work()).unwrap();
    let mut tx = r
        .begin(Kind::Permanent, "Deployed certificate for example.com")
        .unwrap();
    tx.write(&default, b"server { listen 443 ssl; }\n").unwrap();
    tx.create(
        d.live("options-ssl.conf"),
        b"ssl_protocols TLSv1.3;\n",
        0o644,
    )
    .unwrap();
    tx.record(UndoAction::ModuleEnabled {
        server: "apache".into(),
        module: "ssl".into(),
    })
    .unwrap();
    tx.commit().unwrap();
    let after_first = state(&default);
    let mut tx = r
        .begin(Kind::Permanent, "Added HSTS to example.com")
        .unwrap();
    tx.write(
        &default,
        b"server { listen 443 ssl; add_header Strict-Transport-Security max-age=1; }\n",
    )
    .unwrap();
    tx.commit().unwrap();
    drop(r);

    let out = d.certsmith(&["checkpoints"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    eprintln!("--- certsmith checkpoints\n{listing}");
    let hsts = listing.find("Added HSTS to example.com").expect(&listing);
    let deployed = listing
        .find("Deployed certificate for example.com")
        .expect(&listing);
    assert!(hsts < deployed, "newest first:\n{listing}");
    assert!(
        listing.contains("created   ") && listing.contains("options-ssl.conf"),
        "{listing}"
    );
    assert!(
        listing.contains("modified  ") && listing.contains("enabled apache module ssl"),
        "{listing}"
    );
    assert!(listing.contains("Z  "), "ISO-8601 UTC times:\n{listing}");

    let out = d.certsmith(&["rollback", "--dry-run"]);
    assert!(
        text(&out.stdout).contains("Would roll back"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        state(&default).0,
        b"server { listen 443 ssl; add_header Strict-Transport-Security max-age=1; }\n"
    );

    let out = d.certsmith(&["rollback"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    eprintln!("--- certsmith rollback\n{report}");
    assert!(
        report.contains("Rolled back checkpoint 2 \"Added HSTS to example.com\""),
        "{report}"
    );
    assert!(
        report.contains("restored") && report.contains("/live/default"),
        "{report}"
    );
    assert!(report.contains("reload or restart"), "{report}");
    assert_eq!(state(&default), after_first);

    let out = d.certsmith(&["rollback", "--checkpoints", "5"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("only 1 checkpoint(s) exist"),
        "{}",
        text(&out.stderr)
    );
    let report = text(&out.stdout);
    assert!(
        report.contains("removed") && report.contains("options-ssl.conf"),
        "{report}"
    );
    assert!(report.contains("disabled apache module ssl"), "{report}");
    assert_eq!(state(&default), original, "byte for byte, mode and owner");
    assert!(!d.live("options-ssl.conf").exists());

    let out = d.certsmith(&["checkpoints"]);
    assert!(
        text(&out.stdout).starts_with("No checkpoints"),
        "{}",
        text(&out.stdout)
    );
    let out = d.certsmith(&["rollback", "--checkpoints", "many"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--checkpoints: invalid value \"many\""),
        "{}",
        text(&out.stderr)
    );
}

const CHILD_ENV: &str = "CERTSMITH_TEST_CRASH_ROOT";

/// Child process: apply a temporary transaction, say so, and wait to be
/// killed.
#[test]
#[ignore = "entry point of a child process started by the recovery test"]
fn crash_child() {
    let root = PathBuf::from(std::env::var_os(CHILD_ENV).expect("run by the recovery test only"));
    let mut r = Reverter::open(root.join("work")).unwrap();
    let mut tx = r
        .begin(Kind::Temporary, "http-01 challenge for example.com")
        .unwrap();
    tx.write(
        root.join("live/default"),
        b"location /.well-known/acme-challenge {}\n",
    )
    .unwrap();
    tx.create(
        root.join("live/challenge.conf"),
        b"return 200 key-auth;\n",
        0o644,
    )
    .unwrap();
    writeln!(std::io::stderr(), "ready").unwrap();
    std::thread::sleep(std::time::Duration::from_secs(600));
}

#[test]
fn a_killed_run_is_recovered_and_reported_by_the_next_command() {
    let d = Dirs::new("recover");
    let default = d.live("default");
    fs::write(&default, "server { listen 80; }\n").unwrap();
    let original = state(&default);

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, d.root.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    while !line.starts_with("ready") {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "the child died before it was ready"
        );
    }
    child.kill().unwrap(); // SIGKILL, mid-transaction
    child.wait().unwrap();
    assert_ne!(
        state(&default),
        original,
        "the killed run had changed the file"
    );

    // A command that only reads warns and changes nothing.
    let out = d.certsmith(&["checkpoints"]);
    let warning = text(&out.stderr);
    assert!(
        warning.contains("interrupted run")
            && warning.contains("http-01 challenge for example.com"),
        "{warning}"
    );
    assert_ne!(state(&default), original);

    // The next command that writes recovers first, and says so.
    let out = d.certsmith(&["rollback"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let message = text(&out.stderr);
    eprintln!("--- certsmith rollback after a kill (stderr)\n{message}");
    assert!(
        message.contains("certsmith: recovered from an interrupted run: rolled back the temporary checkpoint \"http-01 challenge for example.com\""),
        "{message}"
    );
    assert!(
        message.contains("restored") && message.contains("challenge.conf"),
        "{message}"
    );
    assert!(
        text(&out.stdout).contains("No checkpoints to roll back"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(state(&default), original);
    assert!(!d.live("challenge.conf").exists());

    let out = d.certsmith(&["rollback"]);
    assert!(
        !text(&out.stderr).contains("recovered"),
        "recovered once only"
    );
}

#[test]
fn a_second_instance_fails_naming_the_directory_and_the_pid() {
    let d = Dirs::new("lock");
    let held = DirLock::acquire(d.work()).unwrap();
    let out = d.certsmith(&["rollback"]);
    assert_eq!(out.status.code(), Some(1));
    let message = text(&out.stderr);
    assert!(
        message.contains(&held.dir().display().to_string()),
        "{message}"
    );
    assert!(
        message.contains(&format!("pid {}", std::process::id())),
        "{message}"
    );
    // Reading needs no lock.
    assert!(d.certsmith(&["checkpoints"]).status.success());
    drop(held);
    assert!(d.certsmith(&["rollback"]).status.success());
}
