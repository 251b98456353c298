//! End to end: a real nginx and a real Pebble in a private network
//! namespace, certsmith run as a user would, checked with curl.

use super::testbed::{ACME_URL, Testbed};
use super::util::{Run, TempDir, certsmith_bin, differing, snapshot, write};
use std::path::PathBuf;

/// A site: a server root with nginx.conf (pid, logs, temp paths private)
/// and `sites/*.conf`, served by a real nginx in the testbed.
pub struct Site {
    pub tb: Testbed,
    pub dir: TempDir,
    pub root: PathBuf,
}

impl Site {
    pub fn new(sites: &[(&str, &str)]) -> Site {
        let tb = Testbed::up();
        let dir = TempDir::new("site");
        let root = dir.join("nginx");
        let d = dir.path().display();
        write(
            &root.join("nginx.conf"),
            format!(
                "pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{\n    worker_connections 64;\n}}\n\
                 http {{\n    access_log {d}/access.log;\n    default_type text/plain;\n\
                 \x20   client_body_temp_path {d}/tmp-body;\n    proxy_temp_path {d}/tmp-proxy;\n\
                 \x20   fastcgi_temp_path {d}/tmp-fastcgi;\n    uwsgi_temp_path {d}/tmp-uwsgi;\n\
                 \x20   scgi_temp_path {d}/tmp-scgi;\n    include sites/*.conf;\n}}\n"
            ),
        );
        for (file, text) in sites {
            write(
                &root.join("sites").join(file),
                text.replace("@DIR@", &d.to_string()),
            );
        }
        write(&dir.join("www/index.html"), "hello from nginx\n");
        Site { tb, dir, root }
    }

    /// Log nginx's notices (call before starting it): each reload logs
    /// "signal 1 (SIGHUP) received ..., reconfiguring", counted by [`Site::reloads`].
    pub fn log_notices(&self) {
        let conf = self.root.join("nginx.conf");
        let text = std::fs::read_to_string(&conf).unwrap();
        std::fs::write(&conf, text.replace("error.log;", "error.log notice;")).unwrap();
    }

    /// How many times nginx has reloaded so far (see [`Site::log_notices`]).
    pub fn reloads(&self) -> usize {
        std::fs::read_to_string(self.dir.join("error.log"))
            .unwrap_or_default()
            .matches("(SIGHUP) received")
            .count()
    }

    pub fn start_nginx(&self) {
        Run::from_command(
            self.tb
                .cmd("nginx")
                .arg("-c")
                .arg(self.root.join("nginx.conf")),
        )
        .ok();
    }

    /// certsmith inside the namespace, on this site's dirs and Pebble.
    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = self.tb.cmd(certsmith_bin());
        cmd.args(args)
            .arg("--nginx-server-root")
            .arg(&self.root)
            .arg("--config-dir")
            .arg(self.dir.join("letsencrypt"))
            .arg("--work-dir")
            .arg(self.dir.join("work"))
            .arg("--logs-dir")
            .arg(self.dir.join("logs"))
            .args(["--server", ACME_URL, "--ca-bundle"])
            .arg(&self.tb.ca_bundle);
        cmd
    }

    /// [`Site::command`] run to the end.
    pub fn certsmith(&self, args: &[&str]) -> Run {
        Run::from_command(&mut self.command(args))
    }

    pub fn live(&self, name: &str, file: &str) -> PathBuf {
        self.dir.join("letsencrypt/live").join(name).join(file)
    }
}

pub const DEMO: &str = "server {\n    listen 80;\n    server_name demo.example www.demo.example;\n    root @DIR@/www;\n}\n";

fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
    response.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[test]
fn https_with_redirect_and_hsts_then_rollback() {
    let site = Site::new(&[("demo.conf", DEMO)]);
    site.start_nginx();
    let before = snapshot(&site.root);
    let args = [
        "--nginx",
        "-d",
        "demo.example",
        "-d",
        "www.demo.example",
        "--redirect",
        "--hsts",
        "-n",
        "--agree-tos",
        "-m",
        "admin@demo.example",
    ];
    let first = site.certsmith(&args).ok();
    assert!(
        first.stdout.contains("HTTPS is enabled"),
        "{}",
        first.stdout
    );

    for host in ["demo.example", "www.demo.example"] {
        let http = site
            .tb
            .curl_until(&format!("http://{host}/page?q=1"), &["-i"], |r| {
                r.stdout.starts_with("HTTP/1.1 301")
            })
            .ok();
        assert!(http.stdout.starts_with("HTTP/1.1 301"), "{}", http.stdout);
        assert_eq!(
            header(&http.stdout, "location"),
            Some(format!("https://{host}/page?q=1").as_str())
        );
        // The chain verifies against Pebble's root (curl fails otherwise).
        let root = site.tb.root_pem.display().to_string();
        let https = site
            .tb
            .curl(&format!("https://{host}/"), &["-i", "--cacert", &root])
            .ok();
        assert!(https.stdout.starts_with("HTTP/1.1 200"), "{}", https.stdout);
        assert!(
            https.stdout.ends_with("hello from nginx\n"),
            "{}",
            https.stdout
        );
        assert_eq!(
            header(&https.stdout, "strict-transport-security"),
            Some("max-age=31536000")
        );
    }
    // Renewal finds the same nginx again.
    let conf =
        std::fs::read_to_string(site.dir.join("letsencrypt/renewal/demo.example.conf")).unwrap();
    for line in [
        "authenticator = nginx".to_string(),
        "installer = nginx".to_string(),
        format!("nginx_server_root = {}", site.root.display()),
    ] {
        assert!(conf.contains(&line), "{line:?} not in:\n{conf}");
    }
    let installed = snapshot(&site.root);
    let conf = String::from_utf8_lossy(&installed["sites/demo.conf"]).into_owned();
    assert!(
        conf.contains("listen 443 ssl; # managed by certsmith"),
        "{conf}"
    );
    assert!(
        !conf.contains("acme-challenge"),
        "challenge edits left behind:\n{conf}"
    );

    // The same command again changes nothing.
    let second = site.certsmith(&args).ok();
    assert!(
        second.stdout.contains("nothing changed"),
        "{}",
        second.stdout
    );
    assert_eq!(snapshot(&site.root), installed, "second run changed files");

    // A new certificate at the same paths: no change to the files, but
    // nginx is reloaded and serves it.
    let mut forced = args.to_vec();
    forced.push("--force-renewal");
    let renewed = site.certsmith(&forced).ok();
    assert!(
        renewed
            .stdout
            .contains("reloaded to serve the new certificate"),
        "{}",
        renewed.stdout
    );
    assert_eq!(snapshot(&site.root), installed, "renewal changed files");
    assert_serves_the_live_certificate(&site);

    // `renew` rebuilds the nginx authenticator and installer from the
    // renewal conf alone (no nginx flags given): http-01 through nginx
    // again, then a reload for the new version; the config is untouched.
    let renew = Run::from_command(
        site.tb
            .cmd(certsmith_bin())
            .args(["renew", "--force-renewal", "--no-random-sleep-on-renew"])
            .arg("--config-dir")
            .arg(site.dir.join("letsencrypt"))
            .arg("--work-dir")
            .arg(site.dir.join("work"))
            .arg("--logs-dir")
            .arg(site.dir.join("logs"))
            .arg("--ca-bundle")
            .arg(&site.tb.ca_bundle),
    )
    .ok();
    assert!(
        site.live("demo.example", "cert.pem")
            .canonicalize()
            .unwrap()
            .ends_with("cert3.pem"),
        "renew made no third version: {}",
        renew.stdout
    );
    assert_eq!(snapshot(&site.root), installed, "renew changed files");
    assert_serves_the_live_certificate(&site);

    let listed = site.certsmith(&["checkpoints"]).ok();
    assert!(
        listed.stdout.contains("Installed certificate demo.example"),
        "{}",
        listed.stdout
    );
    let undone = site.certsmith(&["rollback"]).ok();
    assert!(
        undone.stdout.contains("nginx reloaded") || undone.stdout.contains(") reloaded."),
        "{}",
        undone.stdout
    );
    let after = snapshot(&site.root);
    assert!(
        after == before,
        "rollback left differences: {:?}",
        differing(&before, &after)
    );
    // Nor anywhere else: config, work and logs dirs keep no lock file.
    let left: Vec<String> = snapshot(site.dir.path())
        .into_keys()
        .filter(|p| p.ends_with(".certsmith.lock") || p.ends_with(".certbot.lock"))
        .collect();
    assert!(left.is_empty(), "lock files left behind: {left:?}");
    let plain = site
        .tb
        .curl_until("http://demo.example/", &["-i"], |r| {
            r.stdout.starts_with("HTTP/1.1 200")
        })
        .ok();
    assert!(plain.stdout.starts_with("HTTP/1.1 200"), "{}", plain.stdout);
    assert!(plain.stdout.ends_with("hello from nginx\n"));
    let tls = site
        .tb
        .curl_until("https://demo.example/", &["-k"], |r| r.code != 0);
    assert_ne!(
        tls.code, 0,
        "https still answers after rollback: {}",
        tls.stdout
    );
}

#[test]
fn certonly_through_nginx_leaves_the_config_as_it_was() {
    // One name served by a block that redirects everything at server level
    // (the challenge must get past that), one served by no block (a
    // temporary block answers it), one served through a wildcard.
    let site = Site::new(&[
        (
            "a.conf",
            "server {\n\tlisten 80;\n\tserver_name redirected.example;\n\treturn 301 https://elsewhere.example$request_uri;\n}\n",
        ),
        (
            "b.conf",
            "server {\r\n    listen 80 default_server;\r\n    server_name _;\r\n    return 444;\r\n}\r\nserver {\r\n    listen 80;\r\n    server_name *.wild.example;\r\n    root @DIR@/www;\r\n}\r\n",
        ),
    ]);
    site.start_nginx();
    let before = snapshot(&site.root);
    let run = site
        .certsmith(&[
            "certonly",
            "--nginx",
            "-d",
            "redirected.example",
            "-d",
            "unserved.example",
            "-d",
            "x.wild.example",
            "-n",
            "--agree-tos",
            "-m",
            "admin@redirected.example",
        ])
        .ok();
    assert!(
        run.stdout.contains("Successfully received certificate"),
        "{}",
        run.stdout
    );
    let after = snapshot(&site.root);
    assert!(
        after == before,
        "files changed: {:?}",
        differing(&before, &after)
    );
    assert!(site.live("redirected.example", "fullchain.pem").exists());
    // nginx runs the original configuration again.
    let r = site.tb.curl("http://redirected.example/x", &["-i"]).ok();
    assert!(r.stdout.starts_with("HTTP/1.1 301"), "{}", r.stdout);
    let probe = site.tb.curl(
        "http://unserved.example/.well-known/acme-challenge/anything",
        &["-i"],
    );
    assert!(!probe.stdout.contains("200 OK"), "{}", probe.stdout);
    let listed = site.certsmith(&["checkpoints"]).ok();
    assert!(
        listed.stdout.contains("No checkpoints"),
        "{}",
        listed.stdout
    );
}

#[test]
fn install_then_enhance_on_a_running_nginx() {
    let site = Site::new(&[(
        "shop.conf",
        "server {\n    listen 80;\n    server_name shop.example;\n    root @DIR@/www;\n    location /api/ {\n        add_header X-Api yes;\n        return 200 \"api\\n\";\n    }\n}\n",
    )]);
    site.start_nginx();
    let certs = site.dir.join("certs");
    super::util::test_certificate(&certs, &["shop.example"]);
    let files = |f: &str| certs.join(f).display().to_string();
    let (cert, key, full) = (
        files("cert.pem"),
        files("privkey.pem"),
        files("fullchain.pem"),
    );
    site.certsmith(&[
        "install",
        "--nginx",
        "--cert-path",
        &cert,
        "--key-path",
        &key,
        "--fullchain-path",
        &full,
        "--no-redirect",
        "-n",
    ])
    .ok();
    let http = site.tb.curl("http://shop.example/", &["-i"]).ok();
    assert!(
        http.stdout.starts_with("HTTP/1.1 200"),
        "--no-redirect: {}",
        http.stdout
    );
    site.certsmith(&[
        "enhance",
        "--nginx",
        "-d",
        "shop.example",
        "--hsts",
        "--uir",
        "-n",
    ])
    .ok();
    // The location with its own add_header gets the headers too.
    let api = site
        .tb
        .curl_until("https://shop.example/api/", &["-i", "-k"], |r| {
            r.stdout
                .to_ascii_lowercase()
                .contains("content-security-policy")
        })
        .ok();
    assert_eq!(header(&api.stdout, "x-api"), Some("yes"), "{}", api.stdout);
    assert_eq!(
        header(&api.stdout, "strict-transport-security"),
        Some("max-age=31536000")
    );
    assert_eq!(
        header(&api.stdout, "content-security-policy"),
        Some("upgrade-insecure-requests"),
        "{}",
        api.stdout
    );
    let again = site
        .certsmith(&[
            "enhance",
            "--nginx",
            "-d",
            "shop.example",
            "--hsts",
            "--uir",
            "-n",
        ])
        .ok();
    assert!(again.stdout.contains("nothing changed"), "{}", again.stdout);
    site.certsmith(&[
        "enhance",
        "--nginx",
        "-d",
        "shop.example",
        "--redirect",
        "-n",
    ])
    .ok();
    let http = site
        .tb
        .curl_until("http://shop.example/", &["-i"], |r| {
            r.stdout.starts_with("HTTP/1.1 301")
        })
        .ok();
    assert!(http.stdout.starts_with("HTTP/1.1 301"), "{}", http.stdout);
    // Three checkpoints, undone newest first: back to plain http.
    site.certsmith(&["rollback", "--checkpoints", "3"]).ok();
    let http = site
        .tb
        .curl_until("http://shop.example/", &["-i"], |r| {
            r.stdout.starts_with("HTTP/1.1 200")
        })
        .ok();
    assert!(http.stdout.starts_with("HTTP/1.1 200"), "{}", http.stdout);
}

/// The subject and names of the certificate nginx serves for `name`.
/// nginx serves the lineage's current certificate (waits for the reload).
fn assert_serves_the_live_certificate(site: &Site) {
    let live = std::fs::read_to_string(site.live("demo.example", "cert.pem")).unwrap();
    let serial = certsmith::x509::parse_pem(&live)
        .unwrap()
        .serial_hex
        .to_ascii_lowercase();
    let served = || {
        let out = site
            .tb
            .cmd("sh")
            .arg("-c")
            .arg("openssl s_client -connect 127.0.0.1:443 -servername demo.example </dev/null 2>/dev/null | openssl x509 -noout -serial")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .to_ascii_lowercase()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    let mut last = served();
    while !last.ends_with(&serial) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
        last = served();
    }
    assert!(last.ends_with(&serial), "served {last} not {serial}");
}

fn served_subject(site: &Site, name: &str) -> String {
    let out = site
        .tb
        .cmd("sh")
        .arg("-c")
        .arg(format!(
            "openssl s_client -connect 127.0.0.1:443 -servername {name} </dev/null 2>/dev/null | openssl x509 -noout -subject -ext subjectAltName"
        ))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn a_certificate_shared_by_two_sites_is_overridden_for_one_only() {
    let site = Site::new(&[(
        "shared.conf",
        "server {\n    listen 443 ssl;\n    include @DIR@/nginx/snippets/tls.conf;\n    server_name one.example;\n    root @DIR@/www;\n}\n\
         server {\n    listen 443 ssl;\n    include @DIR@/nginx/snippets/tls.conf;\n    server_name two.example;\n    root @DIR@/www;\n}\n",
    )]);
    let shared = super::util::repo().join("fixtures/nginx/tls");
    super::util::write(
        &site.root.join("snippets/tls.conf"),
        format!(
            "ssl_certificate {}/cert.pem;\nssl_certificate_key {}/key.pem;\n",
            shared.display(),
            shared.display()
        ),
    );
    site.start_nginx();
    let snippet = std::fs::read(site.root.join("snippets/tls.conf")).unwrap();
    assert!(served_subject(&site, "one.example").contains("certsmith.test"));
    let certs = site.dir.join("certs");
    super::util::test_certificate(&certs, &["one.example"]);
    let f = |n: &str| certs.join(n).display().to_string();
    site.certsmith(&[
        "install",
        "--nginx",
        "--cert-path",
        &f("cert.pem"),
        "--key-path",
        &f("privkey.pem"),
        "--fullchain-path",
        &f("fullchain.pem"),
        "--no-redirect",
        "-n",
    ])
    .ok();
    // The other site's file is untouched; one.example now serves the new certificate.
    assert_eq!(
        std::fs::read(site.root.join("snippets/tls.conf")).unwrap(),
        snippet
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while !served_subject(&site, "one.example").contains("one.example")
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        served_subject(&site, "one.example").contains("one.example"),
        "{}",
        served_subject(&site, "one.example")
    );
    assert!(served_subject(&site, "two.example").contains("certsmith.test"));
}
