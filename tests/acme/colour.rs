//! Diffs a person can read: coloured in a real terminal (tmux), plain through
//! a pipe and under `NO_COLOR` (issue 18).

use super::support::TempDir;
use super::support::tty::Tty;
use std::process::Command;

const CONF: &str =
    "events {}\nhttp {\n    server {\n        listen 80;\n        server_name a.test;\n    }\n}\n";

/// `conf set --dry-run` on a scratch nginx tree, with or without `NO_COLOR`.
fn dry_run(t: &TempDir, no_color: bool) -> Command {
    let root = t.join("nginx");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("nginx.conf"), CONF).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_certsmith"));
    cmd.args(["conf", "set", "--dry-run", "--nginx-server-root"])
        .arg(&root)
        .args(["http/server/listen", "8080"])
        .arg("--work-dir")
        .arg(t.join("work"))
        .arg("--logs-dir")
        .arg(t.join("logs"))
        .arg("--config-dir")
        .arg(t.join("etc"))
        .env("CERTSMITH_NO_DEFAULT_CLI_INI", "1");
    if no_color {
        cmd.env("NO_COLOR", "1");
    } else {
        cmd.env_remove("NO_COLOR");
    }
    cmd
}

#[test]
fn diffs_are_coloured_on_a_terminal_only() {
    let t = TempDir::new("colour");
    let mut tty = Tty::start(&dry_run(&t, false));
    let (code, _) = tty.wait_exit();
    assert_eq!(code, 0);
    let screen = tty.screen_with_escapes();
    // Red for the removed line, green for the added one (tmux re-emits the
    // attributes it saw as SGR sequences).
    assert!(
        screen.contains("\x1b[31m-        listen 80;")
            && screen.contains("\x1b[32m+        listen 8080;"),
        "{screen:?}"
    );

    let mut tty = Tty::start(&dry_run(&t, true));
    let (code, _) = tty.wait_exit();
    assert_eq!(code, 0);
    let screen = tty.screen_with_escapes();
    assert!(screen.contains("+        listen 8080;"), "{screen:?}");
    assert!(
        !screen.contains("\x1b[31m") && !screen.contains("\x1b[32m"),
        "NO_COLOR: {screen:?}"
    );

    let piped = dry_run(&t, false).output().unwrap();
    assert!(piped.status.success());
    let text = String::from_utf8_lossy(&piped.stdout);
    assert!(text.contains("+        listen 8080;"), "{text}");
    assert!(
        !text.contains('\x1b'),
        "a pipe gets no control characters: {text:?}"
    );
}
