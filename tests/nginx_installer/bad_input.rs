//! Bad input: a clear error, and nothing changed (the server root byte for
//! byte, no checkpoint). Each case runs in private mount, network and pid
//! namespaces, so no nginx certsmith might start could touch the host.

use super::e2e::{DEMO, Site};
use super::util::{Run, TempDir, certsmith_bin, differing, snapshot, test_certificate, write};
use std::path::PathBuf;
use std::process::Command;

struct Case {
    dir: TempDir,
    root: PathBuf,
}

impl Case {
    fn new(site: &str) -> Case {
        let dir = TempDir::new("bad");
        let root = dir.join("nginx");
        let d = dir.path().display();
        write(
            &root.join("nginx.conf"),
            format!(
                "pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\n    access_log off;\n\
                 \x20   client_body_temp_path {d}/tmp;\n    proxy_temp_path {d}/tmp;\n    fastcgi_temp_path {d}/tmp;\n\
                 \x20   uwsgi_temp_path {d}/tmp;\n    scgi_temp_path {d}/tmp;\n    include sites/*.conf;\n}}\n"
            ),
        );
        write(&root.join("sites/site.conf"), site);
        test_certificate(&dir.join("cert"), &["a.example"]);
        Case { dir, root }
    }

    /// `prelude` (shell, e.g. mounts) then certsmith with `args`, isolated.
    fn run_with(&self, prelude: &str, args: &[&str]) -> Run {
        let script = format!("{prelude}\nexec \"$BIN\" \"$@\"");
        Run::from_command(
            Command::new("unshare")
                .args([
                    "-m",
                    "-n",
                    "-p",
                    "--fork",
                    "--mount-proc",
                    "sh",
                    "-c",
                    &script,
                    "sh",
                ])
                .args(args)
                .arg("--nginx-server-root")
                .arg(&self.root)
                .arg("--config-dir")
                .arg(self.dir.join("letsencrypt"))
                .arg("--work-dir")
                .arg(self.dir.join("work"))
                .arg("--logs-dir")
                .arg(self.dir.join("logs"))
                .env("BIN", certsmith_bin())
                .env("PATH", "/usr/sbin:/sbin:/usr/bin:/bin"),
        )
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with("", args)
    }

    fn cert_args(&self) -> Vec<String> {
        let f = |n: &str| self.dir.join("cert").join(n).display().to_string();
        vec![
            "install".into(),
            "--nginx".into(),
            "--cert-path".into(),
            f("cert.pem"),
            "--key-path".into(),
            f("privkey.pem"),
            "--fullchain-path".into(),
            f("fullchain.pem"),
            "-n".into(),
        ]
    }

    /// Run `args`, expect failure mentioning `text`, and no change at all.
    #[track_caller]
    fn fails_cleanly(&self, prelude: &str, args: &[&str], text: &str) -> String {
        let before = snapshot(&self.root);
        let run = self.run_with(prelude, args).failed();
        assert!(
            run.stderr.contains(text),
            "expected {text:?} in:\n{}",
            run.stderr
        );
        assert_eq!(
            run.stderr
                .lines()
                .filter(|l| l.starts_with("certsmith: error"))
                .count(),
            1,
            "the error is said once, by certsmith: {}",
            run.stderr
        );
        let after = snapshot(&self.root);
        assert!(after == before, "changed: {:?}", differing(&before, &after));
        let listed = self.run(&["checkpoints"]).ok();
        assert!(
            listed.stdout.contains("No checkpoints"),
            "{}",
            listed.stdout
        );
        run.stderr
    }
}

const SITE: &str = "server {\n    listen 80;\n    server_name a.example;\n}\n";

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn nginx_not_installed() {
    let c = Case::new(SITE);
    let mut args = c.cert_args();
    args.extend(["--nginx-ctl".into(), "/nonexistent/nginx".into()]);
    let err = c.fails_cleanly("", &strs(&args), "cannot run nginx as /nonexistent/nginx");
    assert!(err.contains("--nginx-ctl"), "{err}");
}

#[test]
fn nginx_t_already_failing_is_refused_before_anything() {
    let c = Case::new(
        "server {\n    listen 80;\n    server_name a.example;\n    no_such_directive on;\n}\n",
    );
    let err = c.fails_cleanly("", &strs(&c.cert_args()), "nginx -t already fails");
    // nginx's own words, with the place.
    assert!(
        err.contains("unknown directive \"no_such_directive\""),
        "{err}"
    );
    assert!(err.contains("site.conf:4"), "{err}");
}

/// `certonly --nginx` checks the configuration before the CA is asked too (the CA
/// named here is unreachable: reaching it would be a different error).
#[test]
fn certonly_through_nginx_refuses_a_failing_configuration_before_the_ca() {
    let c = Case::new(
        "server {\n    listen 80;\n    server_name a.example;\n    no_such_directive on;\n}\n",
    );
    let args = [
        "certonly",
        "--nginx",
        "-d",
        "a.example",
        "-n",
        "--agree-tos",
        "--register-unsafely-without-email",
        "--server",
        "https://127.0.0.1:9/dir",
    ];
    let err = c.fails_cleanly("", &args, "nginx -t already fails");
    assert!(err.contains("site.conf:4"), "{err}");
    assert!(!err.contains("127.0.0.1:9"), "the CA was contacted: {err}");
}

#[test]
fn a_change_nginx_rejects_is_undone_with_nginxs_message() {
    let c = Case::new(SITE);
    // A key that does not belong to the certificate: the edit is fine, nginx -t is not.
    test_certificate(&c.dir.join("other"), &["a.example"]);
    let mut args = c.cert_args();
    let key = args.iter().position(|a| a == "--key-path").unwrap() + 1;
    args[key] = c.dir.join("other/privkey.pem").display().to_string();
    let err = c.fails_cleanly("", &strs(&args), "nginx rejects the changed configuration");
    assert!(err.contains("key values mismatch"), "{err}");
}

#[test]
fn an_unwritable_server_root_fails_before_anything_changes() {
    let c = Case::new(SITE);
    let sites = c.root.join("sites");
    let prelude = format!(
        "mount --bind '{0}' '{0}' && mount -o remount,ro,bind '{0}' || exit 90",
        sites.display()
    );
    let err = c.fails_cleanly(&prelude, &strs(&c.cert_args()), "cannot write");
    assert!(err.contains("site.conf"), "{err}");
    assert!(err.contains("Read-only file system"), "{err}");
}

#[test]
fn a_name_no_block_serves_without_a_default_server() {
    let c = Case::new(SITE);
    let mut args = c.cert_args();
    args.extend(["-d".into(), "other.example".into()]);
    let err = c.fails_cleanly(
        "",
        &strs(&args),
        "no nginx server block serves other.example",
    );
    assert!(err.contains("default_server"), "{err}");
    assert!(err.contains("site.conf:1 (a.example)"), "{err}");
}

#[test]
fn run_checks_the_names_before_ordering_a_certificate() {
    // No CA listens on port 9: the error must be about the name, found first.
    let c = Case::new(SITE);
    c.fails_cleanly(
        "",
        &[
            "--nginx",
            "-d",
            "other.example",
            "-n",
            "--agree-tos",
            "-m",
            "a@a.example",
            "--server",
            "https://127.0.0.1:9/dir",
        ],
        "no nginx server block serves other.example",
    );
    assert!(!c.dir.join("letsencrypt/live").exists());
}

#[test]
fn no_names_under_n_lists_the_names_nginx_serves() {
    let c = Case::new("server {\n    listen 80;\n    server_name a.example www.a.example _;\n}\n");
    let err = c.fails_cleanly(
        "",
        &["--nginx", "-n", "--agree-tos", "-m", "a@a.example"],
        "no names given",
    );
    assert!(err.contains("a.example, www.a.example"), "{err}");
}

#[test]
fn bad_flags_name_the_flag() {
    let c = Case::new(SITE);
    let mut args = c.cert_args();
    args.extend(["--https-port".into(), "https".into()]);
    c.fails_cleanly("", &strs(&args), "--https-port");
    c.fails_cleanly(
        "",
        &["enhance", "--nginx", "-d", "a.example", "-n"],
        "say which enhancement",
    );
    c.fails_cleanly("", &["install", "--nginx", "-n"], "--cert-name");
}

#[test]
fn dry_run_shows_the_diff_and_changes_nothing() {
    let c = Case::new(SITE);
    let mut args = c.cert_args();
    args.extend(["--redirect".into(), "--hsts".into(), "--dry-run".into()]);
    let before = snapshot(&c.root);
    let run = c.run(&strs(&args)).ok();
    assert!(
        run.stdout
            .contains("+    listen 443 ssl; # managed by certsmith"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("-    listen 80;"), "{}", run.stdout);
    assert!(run.stdout.contains("nothing was written"), "{}", run.stdout);
    assert!(snapshot(&c.root) == before);
    assert!(
        !c.dir
            .join("letsencrypt/certsmith-options-ssl-nginx.conf")
            .exists()
    );
    let listed = c.run(&["checkpoints"]).ok();
    assert!(
        listed.stdout.contains("No checkpoints"),
        "{}",
        listed.stdout
    );
}

/// `$name` in the certificate's future path (a --cert-name or config dir with
/// `$`) would make nginx build the path per handshake: refused before a
/// certificate is ordered, and nothing is written.
#[test]
fn a_certificate_path_nginx_would_read_as_a_variable_is_refused_before_the_order() {
    let site = Site::new(&[("demo.conf", DEMO)]);
    site.start_nginx();
    let before = snapshot(&site.root);
    let run = site
        .certsmith(&[
            "--nginx",
            "-d",
            "demo.example",
            "--cert-name",
            "demo$ssl_server_name",
            "-n",
            "--agree-tos",
            "-m",
            "admin@demo.example",
        ])
        .failed();
    assert!(
        run.stderr.contains("demo$ssl_server_name/fullchain.pem")
            && run
                .stderr
                .contains("nginx reads `$` in a file path as a variable"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("Requesting"), "{}", run.stdout);
    assert!(!site.dir.join("letsencrypt/live").exists());
    assert_eq!(snapshot(&site.root), before);
}
