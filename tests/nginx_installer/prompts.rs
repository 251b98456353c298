//! The names nginx serves, offered when no `-d` is given (Certbot's checklist of
//! the names in the server's configuration): picked at a real terminal (tmux),
//! and under `-n` an error naming `-d`.

use super::e2e::Site;
use crate::support::tty::Tty;

const SITES: &str = "server {\n    listen 80;\n    server_name www.b.example a.example b.example;\n    root @DIR@/www;\n}\n";

#[test]
fn names_nginx_serves_picked_at_a_terminal() {
    let site = Site::new(&[("ab.conf", SITES)]);
    site.start_nginx();
    let args = [
        "certonly",
        "--nginx",
        "--agree-tos",
        "-m",
        "admin@a.example",
    ];
    let mut t = Tty::start(&site.command(&args));
    t.wait_for("Which names would you like a certificate for?");
    let screen = t.wait_for("Numbers");
    // Certbot's order: by domain, then subdomain.
    let listed: Vec<&str> = screen
        .lines()
        .filter_map(|l| l.trim_start().split_once(": "))
        .filter(|(n, _)| n.parse::<u32>().is_ok())
        .map(|(_, name)| name)
        .collect();
    assert_eq!(
        listed,
        ["a.example", "b.example", "www.b.example"],
        "{screen}"
    );
    let a = t.number_of(&screen, ": a.example");
    let b = t.number_of(&screen, ": b.example");
    t.answer(&format!("{a}, {b}"));
    let (code, screen) = t.wait_exit();
    assert_eq!(code, 0, "{screen}");
    let pem = std::fs::read_to_string(site.live("a.example", "cert.pem")).unwrap();
    let names = certsmith::x509::parse_pem(&pem).unwrap().names;
    assert_eq!(names, ["a.example", "b.example"]);
}

#[test]
fn names_nginx_serves_under_n_name_the_flag() {
    let site = Site::new(&[("ab.conf", SITES)]);
    let out = site
        .certsmith(&[
            "certonly",
            "--nginx",
            "-n",
            "--agree-tos",
            "-m",
            "admin@a.example",
        ])
        .failed();
    assert!(out.stderr.contains("use -d NAME"), "{}", out.stderr);
    assert!(
        out.stderr.contains("a.example, b.example, www.b.example"),
        "{}",
        out.stderr
    );
}
