//! `certsmith conf ... --nginx`: check, print, get, match, set, rm (dry run
//! and real writes), with the real binary.

use crate::util::{TempDir, repo};
use std::process::{Command, Output};

fn certsmith(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_certsmith"))
        .args(args)
        .output()
        .expect("run certsmith")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const CONF: &str = "events {}\nhttp {\n    server {\n        listen 80; # plain\n        server_name a.test;\n    }\n    server {\n        listen 8080;\n        server_name b.test;\n    }\n}\n";

#[test]
fn check_reports_every_file() {
    let t = TempDir::new("cli-check");
    let good = t.path().join("good.conf");
    let bad = t.path().join("bad.conf");
    std::fs::write(&good, CONF).expect("write");
    std::fs::write(&bad, "http {\n  server {\n").expect("write");
    let (g, b) = (
        good.to_string_lossy().into_owned(),
        bad.to_string_lossy().into_owned(),
    );
    let out = certsmith(&["conf", "check", "--nginx", &g, &b]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        format!("{g}: ok\n{b}:3:1: unexpected end of file: unclosed block started at 2:10\n")
    );
    let out = certsmith(&["conf", "check", "--nginx", &g]);
    assert_eq!(
        (out.status.code(), stdout(&out)),
        (Some(0), format!("{g}: ok\n"))
    );
    let pem = repo().join("fixtures/corpus/nginx/trees/lots/nginx/key2.pem");
    let out = certsmith(&["conf", "print", "--nginx", &g]);
    assert_eq!(stdout(&out), CONF);
    assert_eq!(
        certsmith(&[
            "conf",
            "check",
            "--quiet",
            "--nginx",
            &pem.to_string_lossy()
        ])
        .status
        .code(),
        Some(1)
    );
}

#[test]
fn get_match_set_rm() {
    let t = TempDir::new("cli-edit");
    std::fs::write(t.path().join("nginx.conf"), CONF).expect("write");
    let root = t.path().to_string_lossy().into_owned();
    // Writing verbs lock their work dir: keep it private to this test.
    let work = t.path().join("work").to_string_lossy().into_owned();
    let r = |args: &[&str]| {
        let mut all = vec!["conf"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--nginx-server-root", &root, "--work-dir", &work]);
        certsmith(&all)
    };
    assert_eq!(
        stdout(&r(&["get", "http/server[server_name=\"b.test\"]/listen"])),
        "8080\n"
    );
    let m = stdout(&r(&["match", "//listen"]));
    assert_eq!(
        m,
        format!(
            "http[1]/server[1]/listen[1]\t{root}/nginx.conf:4\nhttp[1]/server[2]/listen[1]\t{root}/nginx.conf:8\n"
        )
    );
    assert_eq!(r(&["get", "http/nothing"]).status.code(), Some(1));

    let dry = r(&["set", "--dry-run", "http/server[1]/listen", "443", "ssl"]);
    assert!(
        stdout(&dry).contains("-        listen 80; # plain\n+        listen 443 ssl; # plain\n"),
        "{}",
        stdout(&dry)
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("nginx.conf")).expect("read"),
        CONF,
        "dry run writes nothing"
    );

    assert!(
        r(&["set", "http/server[2]/root", "/srv/b b"])
            .status
            .success()
    );
    assert!(r(&["rm", "http/server[1]/listen"]).status.success());
    let after = std::fs::read_to_string(t.path().join("nginx.conf")).expect("read");
    assert_eq!(
        after,
        CONF.replace("        listen 80; # plain\n", "").replace(
            "        server_name b.test;\n",
            "        server_name b.test;\n        root \"/srv/b b\";\n"
        )
    );
    let refused = r(&["set", "http/server[2]/root", "a\nb"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("control character"));

    // Each edit is a checkpoint: rollback undoes both, byte for byte.
    let listed = stdout(&certsmith(&["checkpoints", "--work-dir", &work]));
    assert!(
        listed.contains("conf rm http/server[1]/listen")
            && listed.contains("conf set http/server[2]/root /srv/b b"),
        "{listed}"
    );
    let (config_dir, logs_dir) = (t.path().join("etc"), t.path().join("logs"));
    let undone = certsmith(&[
        "rollback",
        "--checkpoints",
        "2",
        "--work-dir",
        &work,
        "--config-dir",
        config_dir.to_str().expect("utf-8"),
        "--logs-dir",
        logs_dir.to_str().expect("utf-8"),
    ]);
    assert!(undone.status.success(), "{undone:?}");
    assert_eq!(
        std::fs::read_to_string(t.path().join("nginx.conf")).expect("read"),
        CONF
    );
}

#[test]
fn an_edit_is_refused_while_an_installer_holds_the_server_root() {
    let t = TempDir::new("cli-lock");
    std::fs::write(t.path().join("nginx.conf"), CONF).expect("write");
    let root = t.path().to_string_lossy().into_owned();
    let work = t.path().join("work").to_string_lossy().into_owned();
    // What an installer holds while it edits this server root.
    let held = reverter::DirLock::acquire(t.path()).expect("lock");
    let out = certsmith(&[
        "conf",
        "set",
        "http/server[1]/listen",
        "8081",
        "--nginx-server-root",
        &root,
        "--work-dir",
        &work,
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in use by another certsmith process"), "{err}");
    drop(held);
    assert_eq!(
        std::fs::read_to_string(t.path().join("nginx.conf")).expect("read"),
        CONF
    );
    let missing = t.path().join("nowhere").to_string_lossy().into_owned();
    let out = certsmith(&[
        "conf",
        "set",
        "http/x",
        "1",
        "--nginx-server-root",
        &missing,
        "--work-dir",
        &work,
    ]);
    assert!(!out.status.success());
    assert!(
        !t.path().join("nowhere").exists(),
        "a missing root is not created"
    );
}

/// A malformed `conf` command line is a usage error (exit 2, as any other),
/// found before any directory is created or locked.
#[test]
fn usage_errors_exit_2_and_touch_nothing() {
    let t = TempDir::new("cli-usage");
    let root = t.path().join("nginx");
    std::fs::create_dir_all(&root).expect("mkdir");
    std::fs::write(root.join("nginx.conf"), CONF).expect("write");
    let root = root.to_string_lossy().into_owned();
    let work = t.path().join("work");
    let dirs = [
        "--work-dir".to_string(),
        work.to_string_lossy().into_owned(),
        "--config-dir".to_string(),
        t.path().join("etc").to_string_lossy().into_owned(),
    ];
    let cases: [(&[&str], &str); 8] = [
        (
            &["conf", "--nginx-server-root", &root],
            "expected get, match",
        ),
        (
            &["conf", "frob", "--nginx-server-root", &root],
            "unknown subcommand",
        ),
        (
            &["conf", "set", "http", "--nginx-server-root", &root],
            "expected a PATH and one or more ARG",
        ),
        (
            &["conf", "rm", "--nginx-server-root", &root],
            "expected a PATH",
        ),
        (
            &["conf", "rm", "http", "x", "--nginx-server-root", &root],
            "expected only a PATH",
        ),
        (
            &["conf", "set", "http[", "x", "--nginx-server-root", &root],
            "conf set: \"http[\"",
        ),
        (&["conf", "get", "http"], "say which server"),
        (
            &["conf", "print", "--nginx-server-root", &root],
            "expected exactly one FILE",
        ),
    ];
    for (args, want) in cases {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(dirs.iter().map(String::as_str));
        let out = certsmith(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!work.exists(), "{args:?} created the work dir");
    }
}
