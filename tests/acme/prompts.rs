//! Where Certbot asks, certsmith asks (issue 14): each question answered in a real
//! terminal (tmux), and the same run under `-n` failing with the flag that answers
//! it (or taking Certbot's default). The names found in a web server's
//! configuration are asked in `tests/nginx_installer/prompts.rs`.

use super::support::nginx::Nginx;
use super::support::pebble::Pebble;
use super::support::tty::Tty;
use super::support::{TempDir, free_port};
use super::{World, cert_names_and_serial};
use std::fs;
use std::process::Command;

/// certsmith with the world's dirs, server and CA bundle, without `-n`.
fn command(w: &World, args: &[&str]) -> Command {
    let mut cmd = w.bin();
    cmd.args(args)
        .arg("--config-dir")
        .arg(w.config_dir())
        .arg("--server")
        .arg(w.pebble.directory_url())
        .arg("--ca-bundle")
        .arg(&w.pebble.ca_bundle);
    cmd
}

/// Registration and the standalone server's address, without `--standalone`.
fn standalone_flags(w: &World) -> Vec<String> {
    [
        "--agree-tos",
        "-m",
        "test@example.com",
        "--http-01-address",
        "127.0.0.1",
        "--http-01-port",
    ]
    .map(String::from)
    .into_iter()
    .chain([w.pebble.http_port.to_string()])
    .collect()
}

/// `args` then the standalone flags, in a terminal.
fn tty(w: &World, args: &[&str]) -> Tty {
    let flags = standalone_flags(w);
    let mut all: Vec<&str> = args.to_vec();
    all.extend(flags.iter().map(String::as_str));
    Tty::start(&command(w, &all))
}

#[track_caller]
fn assert_exit(tty: &mut Tty, code: i32) -> String {
    let (got, screen) = tty.wait_exit();
    assert_eq!(got, code, "exit status; screen:\n{screen}");
    screen
}

fn conf(w: &World, name: &str) -> String {
    fs::read_to_string(w.config_dir().join(format!("renewal/{name}.conf"))).unwrap()
}

#[test]
fn plugin_menu_at_a_terminal_chooses_the_authenticator() {
    let w = World::new();
    let mut t = tty(&w, &["certonly", "-d", "menu.example.com"]);
    t.wait_for("How would you like to prove control of the names to the CA?");
    let screen = t.wait_for("Number (1-");
    let number = t.number_of(&screen, "(standalone)");
    t.answer(&number);
    assert_exit(&mut t, 0);
    w.assert_verifies("menu.example.com");
    let conf = conf(&w, "menu.example.com");
    assert!(conf.contains("authenticator = standalone"), "{conf}");
}

#[test]
fn plugin_menu_under_n_names_the_flag() {
    let w = World::new();
    let err = w
        .certsmith(&[
            "certonly",
            "-d",
            "a.example.com",
            "--agree-tos",
            "-m",
            "t@example.com",
        ])
        .one_error_line();
    assert!(err.contains("--authenticator NAME"), "{err}");
    assert!(err.contains("--standalone"), "{err}");
    let err = w
        .certsmith(&["run", "-d", "a.example.com"])
        .one_error_line();
    assert!(
        err.contains("--installer NAME (--nginx, --apache)"),
        "{err}"
    );
}

#[test]
fn domain_names_typed_at_a_terminal() {
    let w = World::new();
    let mut t = tty(&w, &["certonly", "--standalone"]);
    t.wait_for("Domain names for the certificate");
    t.answer("typed.example.com, www.typed.example.com");
    assert_exit(&mut t, 0);
    let (names, _) = cert_names_and_serial(&w.live("typed.example.com", "cert.pem"));
    assert_eq!(names, ["typed.example.com", "www.typed.example.com"]);
}

#[test]
fn domain_names_under_n_name_the_flag() {
    let w = World::new();
    let err = w.standalone(&[]).one_error_line();
    assert!(err.contains("no names given: give -d NAME"), "{err}");
    assert!(!w.config_dir().join("live").exists());
}

#[test]
fn expand_at_a_terminal_replaces_the_certificate() {
    let w = World::new();
    w.standalone(&["-d", "base.example.com"]).ok();
    let args = [
        "certonly",
        "--standalone",
        "-d",
        "base.example.com",
        "-d",
        "more.example.com",
    ];
    let mut t = tty(&w, &args);
    t.wait_for("Expand it");
    t.answer("y");
    assert_exit(&mut t, 0);
    let (names, _) = cert_names_and_serial(&w.live("base.example.com", "cert.pem"));
    assert_eq!(names, ["base.example.com", "more.example.com"]);
    assert!(!w.live("more.example.com", "cert.pem").exists());
}

#[test]
fn expand_under_n_names_the_flag() {
    let w = World::new();
    w.standalone(&["-d", "base.example.com"]).ok();
    let err = w
        .standalone(&["-d", "base.example.com,more.example.com"])
        .one_error_line();
    assert!(err.contains("--expand"), "{err}");
    assert!(err.contains("--duplicate"), "{err}");
    let archive = w.config_dir().join("archive/base.example.com");
    assert!(!archive.join("cert2.pem").exists());
}

#[test]
fn same_names_at_a_terminal_renew_and_replace() {
    let w = World::new();
    w.standalone(&["-d", "same.example.com"]).ok();
    let mut t = tty(&w, &["certonly", "--standalone", "-d", "same.example.com"]);
    t.wait_for("What would you like to do?");
    let screen = t.wait_for("Number (1-2");
    let number = t.number_of(&screen, "Renew and replace");
    t.answer(&number);
    assert_exit(&mut t, 0);
    let archive = w.config_dir().join("archive/same.example.com");
    assert!(archive.join("cert2.pem").exists());
}

#[test]
fn same_names_under_n_keep_the_certificate() {
    // Certbot's default answer: keep it; --force-renewal renews.
    let w = World::new();
    w.standalone(&["-d", "same.example.com"]).ok();
    let out = w.standalone(&["-d", "same.example.com"]).ok();
    assert!(out.stdout.contains("--force-renewal"), "{}", out.stdout);
    let archive = w.config_dir().join("archive/same.example.com");
    assert!(!archive.join("cert2.pem").exists());
}

#[test]
fn new_names_for_a_cert_name_confirmed_at_a_terminal() {
    let w = World::new();
    w.standalone(&["-d", "old.example.com"]).ok();
    let args = [
        "certonly",
        "--standalone",
        "--cert-name",
        "old.example.com",
        "-d",
        "new.example.com",
    ];
    let mut t = tty(&w, &args);
    let screen = t.wait_for("Go ahead?");
    assert!(screen.contains("added: new.example.com"), "{screen}");
    assert!(screen.contains("removed: old.example.com"), "{screen}");
    t.answer("y");
    assert_exit(&mut t, 0);
    let (names, _) = cert_names_and_serial(&w.live("old.example.com", "cert.pem"));
    assert_eq!(names, ["new.example.com"]);
}

#[test]
fn new_names_for_a_cert_name_under_n_go_ahead() {
    // Certbot's default answer: yes.
    let w = World::new();
    w.standalone(&["-d", "old.example.com"]).ok();
    let args = ["--cert-name", "old.example.com", "-d", "new.example.com"];
    w.standalone(&args).ok();
    let (names, _) = cert_names_and_serial(&w.live("old.example.com", "cert.pem"));
    assert_eq!(names, ["new.example.com"]);
}

#[test]
fn cancelling_at_a_terminal_changes_nothing() {
    let w = World::new();
    w.standalone(&["-d", "base.example.com"]).ok();
    let args = [
        "certonly",
        "--standalone",
        "-d",
        "base.example.com",
        "-d",
        "more.example.com",
    ];
    let mut t = tty(&w, &args);
    t.wait_for("Expand it");
    t.answer("n");
    let screen = assert_exit(&mut t, 1);
    assert!(screen.contains("--duplicate"), "{screen}");
    let archive = w.config_dir().join("archive/base.example.com");
    assert!(!archive.join("cert2.pem").exists());
    let mut t = Tty::start(&command(&w, &["delete"]));
    t.wait_for("Numbers");
    t.answer("c");
    assert_exit(&mut t, 1);
    assert!(
        w.config_dir()
            .join("renewal/base.example.com.conf")
            .exists()
    );
}

#[test]
fn delete_at_a_terminal_picks_from_the_certificates() {
    let w = World::new();
    w.standalone(&["-d", "keep.example.com"]).ok();
    w.standalone(&["-d", "drop.example.com"]).ok();
    let mut t = Tty::start(&command(&w, &["delete"]));
    t.wait_for("Which certificates would you like to delete?");
    let screen = t.wait_for("Numbers");
    let number = t.number_of(&screen, "drop.example.com");
    t.answer(&number);
    t.wait_for("Delete the certificate drop.example.com?");
    t.answer("y");
    assert_exit(&mut t, 0);
    let renewal = w.config_dir().join("renewal");
    assert!(!renewal.join("drop.example.com.conf").exists());
    assert!(renewal.join("keep.example.com.conf").exists());
}

#[test]
fn delete_under_n_names_the_flag() {
    let w = World::new();
    w.standalone(&["-d", "keep.example.com"]).ok();
    let err = w.certsmith(&["delete"]).one_error_line();
    assert!(err.contains("--cert-name NAME"), "{err}");
    assert!(
        w.config_dir()
            .join("renewal/keep.example.com.conf")
            .exists()
    );
}

/// Two accounts for Pebble in the world's config dir; their ids.
fn two_accounts(w: &World) -> Vec<String> {
    let dir = w
        .config_dir()
        .join(format!("accounts/127.0.0.1:{}/dir", w.pebble.acme_port));
    let aside = TempDir::new("account");
    let register = ["register", "--agree-tos", "-m", "t@example.com"];
    w.certsmith(&register).ok();
    fs::rename(&dir, aside.join("dir")).unwrap();
    w.certsmith(&register).ok();
    for entry in fs::read_dir(aside.join("dir")).unwrap() {
        let entry = entry.unwrap();
        fs::rename(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    let ids: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    ids
}

#[test]
fn account_at_a_terminal_picks_one_of_several() {
    let w = World::new();
    let ids = two_accounts(&w);
    let mut t = tty(&w, &["certonly", "--standalone", "-d", "acct.example.com"]);
    t.wait_for("Which account should be used?");
    let screen = t.wait_for("Number (1-2");
    let second = screen
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("2: "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no second account shown:\n{screen}"))
        .to_string();
    assert!(ids.contains(&second), "{second} not in {ids:?}");
    t.answer("2");
    assert_exit(&mut t, 0);
    let conf = conf(&w, "acct.example.com");
    assert!(conf.contains(&format!("account = {second}\n")), "{conf}");
}

#[test]
fn account_under_n_names_the_flag() {
    let w = World::new();
    let ids = two_accounts(&w);
    let err = w.standalone(&["-d", "acct.example.com"]).one_error_line();
    assert!(err.contains("--account ID"), "{err}");
    // Naming one answers it.
    w.standalone(&["-d", "acct.example.com", "--account", &ids[1]])
        .ok();
    let conf = conf(&w, "acct.example.com");
    assert!(conf.contains(&format!("account = {}\n", ids[1])), "{conf}");
}

#[test]
fn webroot_at_a_terminal_for_each_name() {
    let site = TempDir::new("site");
    let port = free_port();
    let _nginx = Nginx::serve(site.path(), port);
    let w = World::with(Pebble::builder().http_port(port).start());
    let root = site.path().to_str().unwrap();
    let args = [
        "certonly",
        "--webroot",
        "-d",
        "g.example.com",
        "-d",
        "h.example.com",
        "--agree-tos",
        "-m",
        "t@example.com",
    ];
    let mut t = Tty::start(&command(&w, &args));
    t.wait_for("Web root for g.example.com (c: cancel):");
    t.answer(root);
    t.wait_for("Web root for h.example.com:");
    let screen = t.wait_for("Number (1-2");
    let number = t.number_of(&screen, root);
    t.answer(&number);
    assert_exit(&mut t, 0);
    w.assert_verifies("g.example.com");
    let conf = conf(&w, "g.example.com");
    let map = format!("[[webroot_map]]\ng.example.com = {root}\nh.example.com = {root}\n");
    assert!(conf.contains(&map), "{conf}");
}

#[test]
fn webroot_under_n_names_the_flag() {
    let w = World::new();
    let err = w
        .certsmith(&[
            "certonly",
            "--webroot",
            "-d",
            "g.example.com",
            "--agree-tos",
            "-m",
            "t@example.com",
        ])
        .one_error_line();
    assert!(err.contains("-w DIR"), "{err}");
}
