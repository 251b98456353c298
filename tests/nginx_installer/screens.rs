//! What a person sees (issue 18 item 3): every wait as one status line that
//! is replaced by its outcome line. The screens of `certsmith --nginx -d NAME`
//! and `certsmith renew` (a deploy hook that sleeps 2 s, captured once during
//! that wait and once at the end) in a real terminal (tmux), compared with
//! `fixtures/screens/{nginx-issuance,renew-during,renew}.txt` after
//! `tty::normalize` (`UPDATE_GOLDEN=1` rewrites them). The same commands
//! through a pipe show no escape sequence and no `\r`, and with `-q` print
//! nothing at all (at a terminal too); colour only on a terminal, never under
//! `NO_COLOR`.

use super::e2e::Site;
use super::util::{Run, repo};
use crate::support::golden;
use crate::support::tty::{Tty, normalize};
use std::path::Path;
use std::process::Command;

const SITES: &str = "server {\n    listen 80;\n    server_name screen.example pipe.example quiet.example;\n    root @DIR@/www;\n}\n";

/// The deploy hook: says something (passed through past the status line),
/// then keeps certsmith waiting long enough to be seen mid-wait.
const HOOK: &str = "echo deployed to $RENEWED_DOMAINS; sleep 2";

fn issue(name: &str) -> Vec<String> {
    ["--nginx", "-d", name, "-n", "--agree-tos", "-m"]
        .iter()
        .map(ToString::to_string)
        .chain([format!("admin@{name}")])
        .collect()
}

fn renew(name: &str) -> Vec<String> {
    let args = ["renew", "--force-renewal", "--no-random-sleep-on-renew"];
    args.iter()
        .map(ToString::to_string)
        .chain(["--cert-name".into(), name.into()])
        .chain(["--deploy-hook".into(), HOOK.into()])
        .collect()
}

fn command(site: &Site, args: &[String]) -> Command {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    site.command(&args)
}

/// `screen` normalized, checked against `fixtures/screens/NAME`.
#[track_caller]
fn check_screen(site: &Site, name: &str, screen: &str) {
    let shown = normalize(screen, &[(site.dir.path(), "$SITE")]);
    let path = repo().join("fixtures/screens").join(name);
    let expected = golden(&path, shown.as_bytes()).unwrap();
    assert_eq!(
        shown,
        String::from_utf8_lossy(&expected),
        "{} differs (UPDATE_GOLDEN=1 rewrites it)",
        path.display()
    );
}

/// Run to the end through pipes: no control characters at all.
#[track_caller]
fn piped(site: &Site, args: &[String]) -> Run {
    let run = Run::from_command(&mut command(site, args)).ok();
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(
            !text.contains('\x1b') && !text.contains('\r'),
            "{stream} through a pipe has control characters: {text:?}"
        );
    }
    run
}

#[test]
fn issuance_and_renewal_screens() {
    let site = Site::new(&[("screen.conf", SITES)]);
    site.start_nginx();

    let mut tty = Tty::start(&command(&site, &issue("screen.example")));
    let (code, screen) = tty.wait_exit();
    assert_eq!(code, 0, "{screen}");
    check_screen(&site, "nginx-issuance.txt", &screen);
    // The outcome lines are coloured on a terminal.
    let coloured = tty.screen_with_escapes();
    assert!(coloured.contains("\x1b[32mvalidated"), "{coloured:?}");

    let mut tty = Tty::start(&command(&site, &renew("screen.example")));
    // Mid-wait: the hook's status line counting its seconds.
    let during = tty.wait_for_match(r": running\.\.\. [0-9]+ s");
    check_screen(&site, "renew-during.txt", &during);
    let (code, screen) = tty.wait_exit();
    assert_eq!(code, 0, "{screen}");
    check_screen(&site, "renew.txt", &screen);
}

#[test]
fn through_a_pipe_plain_lines_and_with_q_nothing() {
    let site = Site::new(&[("screen.conf", SITES)]);
    site.start_nginx();

    let run = piped(&site, &issue("pipe.example"));
    assert!(
        run.stdout.contains("Successfully received certificate."),
        "{}",
        run.stdout
    );
    // Off a terminal no status or outcome lines: the output Certbot users
    // (and cron mail) know, the outcomes in the log only.
    assert!(!run.stderr.contains("validated"), "{}", run.stderr);
    let log = std::fs::read_to_string(site.dir.join("logs/certsmith.log")).unwrap();
    assert!(log.contains("pipe.example: validated ("), "{log}");

    let run = piped(&site, &renew("pipe.example"));
    assert!(
        run.stdout.contains("deployed to pipe.example"),
        "{}",
        run.stdout
    );
    assert!(!run.stderr.contains("exit 0"), "{}", run.stderr);

    for args in [issue("quiet.example"), renew("quiet.example")] {
        let mut args = args;
        args.push("-q".into());
        let run = piped(&site, &args);
        assert_eq!(
            (run.stdout.as_str(), run.stderr.as_str()),
            ("", ""),
            "-q prints nothing on success"
        );
    }
    assert!(site.live("quiet.example", "cert.pem").exists());
}

#[test]
fn no_colour_under_no_color() {
    let site = Site::new(&[("screen.conf", SITES)]);
    site.start_nginx();
    let mut cmd = command(&site, &issue("screen.example"));
    cmd.env("NO_COLOR", "1");
    let mut tty = Tty::start(&cmd);
    let (code, screen) = tty.wait_exit();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("screen.example: validated ("), "{screen}");
    let shown = tty.screen_with_escapes();
    for sgr in ["\x1b[32m", "\x1b[31m", "\x1b[2m"] {
        assert!(!shown.contains(sgr), "NO_COLOR: {shown:?}");
    }
}

#[test]
fn quiet_at_a_terminal_shows_nothing_but_the_exit() {
    let site = Site::new(&[("screen.conf", SITES)]);
    site.start_nginx();
    let mut args = issue("quiet.example");
    args.push("-q".into());
    let mut tty = Tty::start(&command(&site, &args));
    let (code, screen) = tty.wait_exit();
    assert_eq!(code, 0, "{screen}");
    assert_eq!(normalize(&screen, &[]), "EXIT=0\n", "-q at a terminal");
}

/// The normalizer replaces only what varies between runs.
#[test]
fn normalize_replaces_only_what_varies() {
    let screen = "Saved at /tmp/site-1/letsencrypt/live/a.example/cert.pem  \n\
                  a.example: validated (0.4 s)\n\
                  deploy hook \"sleep 2\": running... 1 s\n\
                  The records are visible (after 0.52 s)\n\
                  This certificate expires on 2027-03-07 12:04:05.\n\
                  serial 0a1b2c3d4e5f60718293a4b5 and 0A:1B:2C:3D:4E:5F:60:71\n\
                  version 2, port 8053, 3 certificate(s)\n\n\n";
    let expected = "Saved at $SITE/letsencrypt/live/a.example/cert.pem\n\
                    a.example: validated (#.# s)\n\
                    deploy hook \"sleep 2\": running... # s\n\
                    The records are visible (after #.## s)\n\
                    This certificate expires on YYYY-MM-DD hh:mm:ss.\n\
                    serial SERIAL and SERIAL\n\
                    version 2, port 8053, 3 certificate(s)\n";
    let paths = [
        (Path::new("/tmp/site-1"), "$SITE"),
        (Path::new("/tmp"), "$TMP"),
    ];
    assert_eq!(normalize(screen, &paths), expected);
}
