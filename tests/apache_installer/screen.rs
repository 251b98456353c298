//! `certsmith --apache` at a terminal (tmux): Apache's configuration test and
//! graceful restart (for the challenge, after it, for the certificate) each
//! end as one outcome line, and no status line is left behind (issue 18
//! item 3).

use super::e2e::{command, site_tree};
use crate::support::netns::{ACME_URL, Netns};
use crate::support::tty::Tty;

#[test]
fn apache_test_and_restart_each_end_as_an_outcome_line() {
    let ns = Netns::up();
    let tree = site_tree(&["tty.example.test"]);
    let root = tree.root.display().to_string();
    let ca = ns.ca_bundle.display().to_string();
    let args = [
        "--apache",
        "-d",
        "tty.example.test",
        "-n",
        "--agree-tos",
        "-m",
        "tty@example.org",
        "--apache-server-root",
        &root,
        "--server",
        ACME_URL,
        "--ca-bundle",
        &ca,
    ];
    let mut tty = Tty::start(&command(&ns, &tree, &args));
    let (code, screen) = tty.wait_exit();
    assert_eq!(code, 0, "{screen}");
    let outcomes: Vec<&str> = screen
        .lines()
        .filter(|l| l.starts_with("Apache: ") || l.starts_with("tty.example.test: "))
        .map(|l| l.rsplit_once(" (").map_or(l, |(text, _)| text))
        .collect();
    // Apache was not running: the challenge starts it, its cleanup restarts
    // it (the configuration it ran before, untested), the deploy restarts it.
    assert_eq!(
        outcomes,
        [
            "Apache: configuration test passed, was not running: started",
            "tty.example.test: validated",
            "Apache: restarted gracefully",
            "Apache: configuration test passed, restarted gracefully",
        ],
        "{screen}"
    );
    assert!(!screen.contains("..."), "a status line was left:\n{screen}");
}
