//! dns-01 at a terminal (tmux): with dns-rfc2136 each authoritative server's
//! TXT records and each name's validation get their outcome line, with
//! `--manual` each run of a hook; no status line is left behind; through a
//! pipe none of these appear (issue 18 item 3).

use super::World;
use crate::support::tty::Tty;
use std::os::unix::fs::PermissionsExt;

#[test]
fn each_server_and_each_name_get_an_outcome_line_at_a_terminal() {
    let w = World::new();
    let cred = w.credentials(&[]).display().to_string();
    let args = [
        "certonly",
        "--dns-rfc2136",
        "--dns-rfc2136-credentials",
        &cred,
        "--agree-tos",
        "-m",
        "dns@example.com",
        "-d",
        "example.test",
        "-d",
        "*.example.test",
    ];
    let mut tty = Tty::start(&w.command(&args));
    let (code, screen) = tty.wait_exit();
    assert_eq!(code, 0, "{screen}");
    let server = format!("{}: TXT records visible (", w.bind.addr());
    for expected in [
        server.as_str(),
        "\nexample.test: validated (",
        "\n*.example.test: validated (",
    ] {
        assert!(screen.contains(expected), "{expected:?} missing:\n{screen}");
    }
    assert!(!screen.contains("..."), "a status line was left:\n{screen}");

    let piped = w
        .certsmith(&[&args[..], &["--force-renewal"]].concat())
        .ok();
    let all = format!("{}{}", piped.stdout, piped.stderr);
    assert!(
        !all.contains("TXT records visible") && !all.contains("validated ("),
        "{all}"
    );
    assert!(!all.contains('\x1b') && !all.contains('\r'), "{all:?}");
}

#[test]
fn manual_hooks_end_as_outcome_lines_at_a_terminal() {
    let w = World::new();
    let (name, algorithm, secret) = w.bind.keys[0].clone();
    let script = |verb: &str| {
        let path = w.dir.join(format!("{verb}.sh"));
        let body = format!(
            "#!/bin/sh\nprintf 'server 127.0.0.1 {port}\\nupdate {verb} _acme-challenge.%s. 60 TXT \"%s\"\\nsend\\n' \
             \"$CERTBOT_DOMAIN\" \"$CERTBOT_VALIDATION\" | nsupdate -y {algorithm}:{name}:{secret}\n",
            port = w.bind.port
        );
        std::fs::write(&path, body).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path.display().to_string()
    };
    let (add, delete) = (script("add"), script("delete"));
    let args = [
        "certonly",
        "--manual",
        "--preferred-challenges",
        "dns",
        "--manual-auth-hook",
        &add,
        "--manual-cleanup-hook",
        &delete,
        "--agree-tos",
        "-m",
        "m@example.com",
        "-d",
        "hooks.example.test",
        "-d",
        "*.hooks.example.test",
    ];
    let mut tty = Tty::start(&w.command(&args));
    let (code, screen) = tty.wait_exit();
    assert_eq!(code, 0, "{screen}");
    for (flag, script) in [("manual-auth-hook", &add), ("manual-cleanup-hook", &delete)] {
        for name in ["hooks.example.test", "*.hooks.example.test"] {
            let line = format!("\n{flag} {script:?} for {name}: exit 0 (");
            assert!(screen.contains(&line), "{line:?} missing:\n{screen}");
        }
    }
    assert!(!screen.contains("..."), "a status line was left:\n{screen}");
}
