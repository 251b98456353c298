//! `certificates` on a real terminal (tmux) shows each lineage's timeline
//! bar, coloured unless `NO_COLOR`; through a pipe its output is exactly
//! Certbot's text, with no control characters (issue 18 item 6). The screen
//! is kept as `fixtures/screens/certificates.txt` (`UPDATE_GOLDEN=1`
//! rewrites it).

use super::World;
use super::support::pebble::Pebble;
use super::support::tty::Tty;
use super::support::{copy_tree, golden};
use std::path::Path;
use std::process::Command;

const DAY: u64 = 86_400;

/// What varies between runs, replaced so the screen can be compared:
///
/// - the test's temporary directory -> `<TMP>`;
/// - dates (`2027-03-07 21:44:06+00:00`) -> `<DATE>`;
/// - serial numbers (after `Serial Number: `) -> `<SERIAL>`;
/// - counts of days or hours left (`VALID: 89 days`, `due in 59 days`) ->
///   `<N>`, since a run that crosses a second boundary at issuance may see
///   one less.
///
/// Everything else (layout, names, key types, the bar, `day 0 of 90`, the
/// expired lineage's status) is compared as is. Lines end where the screen
/// shows the command's exit status (`EXIT=`, from the harness).
pub fn normalize(screen: &str, tmp: &Path) -> String {
    let date = regex::Regex::new(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00").unwrap();
    let serial = regex::Regex::new(r"(Serial Number: )[0-9a-f]+").unwrap();
    let days = regex::Regex::new(r"(VALID: |due in )\d+ (days|day|hour\(s\))").unwrap();
    let mut out = String::new();
    for line in screen.lines().take_while(|l| !l.starts_with("EXIT=")) {
        let line = line.replace(&tmp.display().to_string(), "<TMP>");
        let line = date.replace_all(&line, "<DATE>");
        let line = serial.replace_all(&line, "${1}<SERIAL>");
        let line = days.replace_all(&line, "${1}<N> ${2}");
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Three lineages: ECDSA and RSA ones valid for 90 days, and one issued for
/// four seconds by another Pebble, expired by the time it is listed (moved
/// into this world's config dir, its renewal conf's paths rewritten).
fn three_lineages() -> World {
    let w = World::with(Pebble::builder().validity_secs(90 * DAY).start());
    w.standalone(&["-d", "www.example.com"]).ok();
    w.standalone(&["-d", "rsa.example.com", "--key-type", "rsa"])
        .ok();
    let short = World::with(Pebble::builder().validity_secs(4).start());
    short.standalone(&["-d", "expired.example.com"]).ok();
    let (from, to) = (short.config_dir(), w.config_dir());
    for dir in ["archive", "live"] {
        copy_tree(
            &from.join(dir).join("expired.example.com"),
            &to.join(dir).join("expired.example.com"),
        );
    }
    let conf = std::fs::read_to_string(from.join("renewal/expired.example.com.conf")).unwrap();
    std::fs::write(
        to.join("renewal/expired.example.com.conf"),
        conf.replace(&from.display().to_string(), &to.display().to_string()),
    )
    .unwrap();
    wait_until_expired(&w.live("expired.example.com", "cert.pem"));
    w
}

fn wait_until_expired(cert: &Path) {
    let info = certsmith::x509::parse_pem(&std::fs::read_to_string(cert).unwrap()).unwrap();
    loop {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        if now > info.not_after {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// `certsmith certificates` for the world, with or without `NO_COLOR`.
fn certificates(w: &World, no_color: bool) -> Command {
    let mut cmd = w.bin();
    cmd.arg("certificates")
        .arg("--config-dir")
        .arg(w.config_dir())
        .env("CERTSMITH_NO_DEFAULT_CLI_INI", "1");
    if no_color {
        cmd.env("NO_COLOR", "1");
    } else {
        cmd.env_remove("NO_COLOR");
    }
    cmd
}

fn on_terminal(cmd: &Command) -> (String, String) {
    let mut tty = Tty::start(cmd);
    let (code, screen) = tty.wait_exit();
    assert_eq!(code, 0, "{screen}");
    (screen, tty.screen_with_escapes())
}

#[test]
fn certificates_show_a_timeline_on_a_terminal_and_certbots_text_through_a_pipe() {
    let w = three_lineages();
    let tmp = w.dir.path();

    let (screen, coloured) = on_terminal(&certificates(&w, false));
    let shown = normalize(&screen, tmp);
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/screens/certificates.txt");
    let expected = golden(&fixture, shown.as_bytes()).unwrap();
    assert_eq!(shown, String::from_utf8(expected).unwrap());
    // Today in bold green on a fresh certificate, bold red on the expired
    // one; the renewal window in yellow.
    for sequence in ["\x1b[1m\x1b[32m*", "\x1b[1m\x1b[31m*", "\x1b[33m|~~~"] {
        assert!(coloured.contains(sequence), "{sequence:?} in {coloured:?}");
    }

    let (plain_screen, plain) = on_terminal(&certificates(&w, true));
    assert_eq!(normalize(&plain_screen, tmp), shown, "NO_COLOR: same text");
    assert!(!plain.contains("\x1b[3"), "NO_COLOR: no colour: {plain:?}");

    let piped = certificates(&w, false).output().unwrap();
    assert!(piped.status.success());
    let text = String::from_utf8(piped.stdout).unwrap();
    assert!(
        !text.contains('\x1b') && !text.contains('\r'),
        "a pipe gets no control characters: {text:?}"
    );
    // Certbot's text: the terminal's screen without the timelines.
    let without_timelines: String = shown
        .lines()
        .filter(|l| !l.starts_with("    Timeline: "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(normalize(&text, tmp), without_timelines);
    assert!(text.contains("INVALID: EXPIRED"), "{text}");
}
