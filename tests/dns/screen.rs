//! dns-rfc2136 at a terminal (tmux): each authoritative server's TXT
//! records and each name's validation get their outcome line, and no status
//! line is left behind; through a pipe neither appears (issue 18 item 3).

use super::World;
use crate::support::tty::Tty;

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
