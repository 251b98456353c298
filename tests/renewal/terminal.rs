//! Hooks at a terminal (tmux): each ends as an outcome line with its exit
//! status; a hook's output passes through above the status line, and output
//! that ends mid-line is not written over (issue 18 item 3).

use super::World;
use crate::support::tty::Tty;

#[test]
fn hooks_end_as_outcome_lines_and_their_output_passes_through() {
    let w = World::new();
    w.standalone(&["-d", "tty.example.com"]).ok();
    let args = [
        "renew",
        "--no-random-sleep-on-renew",
        "--force-renewal",
        "--pre-hook",
        "echo getting ready",
        "--deploy-hook",
        "printf partial; sleep 1",
        "--post-hook",
        "exit 3",
    ];
    let mut tty = Tty::start(&w.command(&args));
    let (code, screen) = tty.wait_exit();
    // A failing post hook is reported; the run still succeeds, as Certbot's.
    assert_eq!(code, 0, "{screen}");
    for expected in [
        "getting ready\npre hook \"echo getting ready\": exit 0 (",
        "partial\ndeploy hook \"printf partial; sleep 1\": exit 0 (",
        "\npost hook \"exit 3\": exit 3 (",
        "\ncertsmith: post hook \"exit 3\" failed (exit status: 3)",
    ] {
        assert!(screen.contains(expected), "{expected:?} missing:\n{screen}");
    }
    assert!(!screen.contains("..."), "a status line was left:\n{screen}");
}
