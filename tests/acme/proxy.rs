//! Reaching the CA through an HTTP proxy named by the environment, as
//! Certbot (python-requests) does: a real tinyproxy in front of Pebble.

use crate::support::free_port;
use crate::support::proxy::Tinyproxy;
use crate::{Run, World};
use std::process::Command;

/// `certonly --standalone -d NAME` against `server` with exactly the proxy
/// variables `env` (the test runner's own are removed).
fn certonly_with_env(w: &World, server: &str, name: &str, env: &[(&str, &str)]) -> Run {
    let port = w.pebble.http_port.to_string();
    let mut cmd = w.bin();
    cmd.args(["certonly", "--standalone", "--agree-tos", "-n"])
        .args(["-m", "test@example.com", "-d", name])
        .args(["--http-01-address", "127.0.0.1", "--http-01-port", &port])
        .args(["--server", server])
        .arg("--ca-bundle")
        .arg(&w.pebble.ca_bundle)
        .arg("--config-dir")
        .arg(w.config_dir());
    clear_proxy_env(&mut cmd);
    cmd.envs(env.iter().copied());
    Run::from_command(&mut cmd)
}

fn clear_proxy_env(cmd: &mut Command) {
    for (key, _) in std::env::vars_os() {
        let lower = key.to_string_lossy().to_ascii_lowercase();
        if lower.ends_with("_proxy") || lower == "request_method" {
            cmd.env_remove(&key);
        }
    }
}

/// Every certsmith log file of this world (runs rotate them), joined.
fn certsmith_log(w: &World) -> String {
    let Ok(entries) = std::fs::read_dir(w.dir.join("logs")) else {
        return String::new();
    };
    entries
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect()
}

#[test]
fn certonly_goes_through_the_https_proxy() {
    let w = World::new();
    let proxy = Tinyproxy::builder()
        .connect_port(w.pebble.acme_port)
        .start();
    let server = w.pebble.directory_url();
    certonly_with_env(
        &w,
        &server,
        "p.example.com",
        &[("HTTPS_PROXY", &proxy.url())],
    )
    .ok();
    w.assert_verifies("p.example.com");
    let connect = format!("CONNECT 127.0.0.1:{} HTTP/1.1", w.pebble.acme_port);
    assert!(proxy.log().contains(&connect), "{}", proxy.log());
    let named = format!("proxy for {server}: {} (HTTPS_PROXY)", proxy.url());
    assert!(certsmith_log(&w).contains(&named), "{}", certsmith_log(&w));

    // Renewal (server and CA bundle from the renewal conf) goes the same way.
    let tunnels = proxy.log().matches(&connect).count();
    let mut renew = w.bin();
    renew
        .args([
            "renew",
            "--force-renewal",
            "--no-random-sleep-on-renew",
            "-n",
        ])
        .arg("--config-dir")
        .arg(w.config_dir());
    clear_proxy_env(&mut renew);
    renew.env("https_proxy", proxy.url());
    Run::from_command(&mut renew).ok();
    w.assert_verifies("p.example.com");
    assert!(
        proxy.log().matches(&connect).count() > tunnels,
        "{}",
        proxy.log()
    );
}

#[test]
fn an_unreachable_proxy_is_named_in_the_error() {
    let w = World::new();
    let dead = format!("http://127.0.0.1:{}", free_port());
    for var in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"] {
        let run = certonly_with_env(
            &w,
            &w.pebble.directory_url(),
            "d.example.com",
            &[(var, &dead)],
        );
        assert_eq!(run.code, 1, "{run:?}");
        let line = run.one_error_line();
        assert!(
            line.contains(&format!("cannot connect to the proxy {dead} ({var})"))
                && line.contains("onnection refused"),
            "{line}"
        );
    }
}

#[test]
fn a_proxy_refusing_the_connect_is_named_in_the_error() {
    let w = World::new();
    // Tinyproxy answers 403 to a CONNECT to a port not listed.
    let proxy = Tinyproxy::builder().connect_port(free_port()).start();
    let run = certonly_with_env(
        &w,
        &w.pebble.directory_url(),
        "r.example.com",
        &[("HTTPS_PROXY", &proxy.url())],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let line = run.one_error_line();
    let expected = format!(
        "the proxy {} (HTTPS_PROXY) refused to CONNECT to 127.0.0.1:{}",
        proxy.url(),
        w.pebble.acme_port
    );
    assert!(line.contains(&expected), "{line}");
}

#[test]
fn no_proxy_bypasses_a_dead_proxy() {
    let w = World::new();
    let dead = format!("http://127.0.0.1:{}", free_port());
    let by_address = w.pebble.directory_url();
    let by_name = format!("https://localhost:{}/dir", w.pebble.acme_port);
    let port_entry = format!("example.org,localhost:{}", w.pebble.acme_port);
    let cases: [(&str, &str, &str); 4] = [
        (&by_address, "NO_PROXY", "127.0.0.1"),
        (&by_address, "no_proxy", "10.0.0.0/8, 127.0.0.0/8"),
        (&by_name, "NO_PROXY", "localhost"),
        (&by_name, "NO_PROXY", &port_entry),
    ];
    for (i, (server, var, value)) in cases.into_iter().enumerate() {
        let name = format!("n{i}.example.com");
        certonly_with_env(&w, server, &name, &[("HTTPS_PROXY", &dead), (var, value)]).ok();
        w.assert_verifies(&name);
    }
    // A NO_PROXY that does not cover the CA leaves the dead proxy in the way.
    let env = [("HTTPS_PROXY", dead.as_str()), ("NO_PROXY", "localhost")];
    let run = certonly_with_env(&w, &by_address, "x.example.com", &env);
    assert!(run.one_error_line().contains("cannot connect to the proxy"));
}

#[test]
fn proxy_credentials_are_sent_and_never_shown() {
    let w = World::new();
    let proxy = Tinyproxy::builder()
        .connect_port(w.pebble.acme_port)
        .basic_auth("certsmith", "S3cret-pw")
        .start();
    let server = w.pebble.directory_url();
    let with = |userinfo: &str| format!("http://{userinfo}@127.0.0.1:{}", proxy.port);
    let secret_free = |run: &Run| {
        for text in [&run.stdout, &run.stderr, &certsmith_log(&w)] {
            assert!(
                !text.contains("S3cret-pw") && !text.contains("Wr0ng-pw"),
                "{text}"
            );
        }
    };

    // Tinyproxy lets the CONNECT through only with the right credentials.
    let run = certonly_with_env(
        &w,
        &server,
        "c.example.com",
        &[("HTTPS_PROXY", &with("certsmith:S3cret-pw"))],
    );
    secret_free(&run);
    run.ok();
    w.assert_verifies("c.example.com");
    let connect = format!("CONNECT 127.0.0.1:{} HTTP/1.1", w.pebble.acme_port);
    assert!(proxy.log().contains(&connect), "{}", proxy.log());

    // Without them: 407, and the error says where credentials go.
    let run = certonly_with_env(
        &w,
        &server,
        "c2.example.com",
        &[("HTTPS_PROXY", &proxy.url())],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let line = run.one_error_line();
    assert!(
        line.contains(&format!(
            "the proxy {} (HTTPS_PROXY) wants credentials",
            proxy.url()
        )),
        "{line}"
    );

    // Wrong ones (tinyproxy answers 401): refused, the password not echoed.
    let run = certonly_with_env(
        &w,
        &server,
        "c3.example.com",
        &[("https_proxy", &with("certsmith:Wr0ng-pw"))],
    );
    secret_free(&run);
    assert_eq!(run.code, 1, "{run:?}");
    let line = run.one_error_line();
    assert!(
        line.contains(&format!("the proxy {} (https_proxy)", proxy.url())),
        "{line}"
    );
}
