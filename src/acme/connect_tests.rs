//! The connector against a scripted proxy on loopback: what it sends
//! (CONNECT or absolute form, Proxy-Authorization) and how a refusal reads.
//! (tests/acme/proxy.rs runs the real thing, tinyproxy in front of Pebble.)

use super::super::http::Transport;
use super::super::proxy::ProxyEnv;
use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::thread::JoinHandle;

/// A one-connection proxy: reads the request head, answers `reply`,
/// returns the head it read.
fn scripted_proxy(reply: &'static str) -> (u16, JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap() == 1 {
            head.push(byte[0]);
        }
        stream.write_all(reply.as_bytes()).unwrap();
        String::from_utf8(head).unwrap()
    });
    (port, handle)
}

/// GET `url` with these proxy variables; the error's text, or the body.
fn get(vars: &[(&str, String)], url: &str) -> Result<String, String> {
    let env = ProxyEnv::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.clone())));
    let transport = Transport::with_proxies(None, env).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    match rt.block_on(transport.get(url)) {
        Ok((_, body)) => Ok(String::from_utf8_lossy(&body).into_owned()),
        Err(e) => Err(match e {
            instant_acme::Error::Other(inner) => inner.to_string(),
            other => other.to_string(),
        }),
    }
}

const OK: &str = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
const NEED_AUTH: &str = "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n";

#[test]
fn http_urls_are_forwarded_in_absolute_form_with_credentials() {
    let (port, proxy) = scripted_proxy(OK);
    let vars = [("http_proxy", format!("http://u:p%40ss@127.0.0.1:{port}"))];
    assert_eq!(get(&vars, "http://ca.example:4001/dir").unwrap(), "{}");
    let head = proxy.join().unwrap().to_ascii_lowercase();
    assert!(
        head.starts_with("get http://ca.example:4001/dir http/1.1\r\n"),
        "{head}"
    );
    // base64("u:p@ss")
    assert!(
        head.contains("proxy-authorization: basic dtpwqhnz\r\n"),
        "{head}"
    );
}

#[test]
fn a_407_without_credentials_says_where_they_go() {
    let (port, proxy) = scripted_proxy(NEED_AUTH);
    let vars = [("HTTPS_PROXY", format!("127.0.0.1:{port}"))];
    let e = get(&vars, "https://ca.example/dir").unwrap_err();
    let head = proxy.join().unwrap();
    assert!(
        head.starts_with("CONNECT ca.example:443 HTTP/1.1\r\n"),
        "{head}"
    );
    assert!(
        !head.to_ascii_lowercase().contains("proxy-authorization"),
        "{head}"
    );
    let expected = format!(
        "the proxy http://127.0.0.1:{port} (HTTPS_PROXY) wants credentials to CONNECT to ca.example:443 (407)"
    );
    assert!(e.contains(&expected), "{e}");
}

#[test]
fn a_407_with_credentials_does_not_repeat_them() {
    let (port, proxy) = scripted_proxy(NEED_AUTH);
    let vars = [(
        "HTTPS_PROXY",
        format!("http://user:hunter2@127.0.0.1:{port}"),
    )];
    let e = get(&vars, "https://ca.example:14000/dir").unwrap_err();
    let head = proxy.join().unwrap();
    assert!(
        head.starts_with("CONNECT ca.example:14000 HTTP/1.1\r\n"),
        "{head}"
    );
    // base64("user:hunter2")
    assert!(
        head.contains("Proxy-Authorization: Basic dXNlcjpodW50ZXIy\r\n"),
        "{head}"
    );
    assert!(
        e.contains("did not accept the credentials") && !e.contains("hunter2"),
        "{e}"
    );
}

#[test]
fn a_proxy_that_hangs_up_is_named() {
    let (port, proxy) = scripted_proxy("");
    let vars = [("ALL_PROXY", format!("http://127.0.0.1:{port}"))];
    let e = get(&vars, "https://ca.example/dir").unwrap_err();
    proxy.join().unwrap();
    let expected = format!(
        "the proxy http://127.0.0.1:{port} (ALL_PROXY) broke off the CONNECT to ca.example:443"
    );
    assert!(e.contains(&expected), "{e}");
}
