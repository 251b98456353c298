//! The proxy rules, each case checked against requests 2.28 on Python 3.11
//! (`requests.utils.resolve_proxies`) with the same environment.

use super::*;

fn env(vars: &[(&str, &str)]) -> ProxyEnv {
    ProxyEnv::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

/// The proxy chosen for `url` (`http://host:port (VAR)`), or "direct".
fn route(vars: &[(&str, &str)], url: &str) -> String {
    match env(vars).select(&url.parse().unwrap()) {
        None => "direct".into(),
        Some(Ok(p)) => p.to_string(),
        Some(Err(e)) => format!("error: {e}"),
    }
}

const CA: &str = "https://a.example.com/dir";

#[test]
fn scheme_variables_and_all_proxy() {
    assert_eq!(
        route(&[("HTTPS_PROXY", "http://p:3128")], CA),
        "http://p:3128 (HTTPS_PROXY)"
    );
    assert_eq!(
        route(&[("ALL_PROXY", "http://a:1")], CA),
        "http://a:1 (ALL_PROXY)"
    );
    // http_proxy is for http:// URLs only.
    assert_eq!(route(&[("HTTP_PROXY", "http://h:1")], CA), "direct");
    assert_eq!(
        route(&[("HTTP_PROXY", "http://h:1")], "http://a.example.com/dir"),
        "http://h:1 (HTTP_PROXY)"
    );
    assert_eq!(
        route(
            &[("all_proxy", "http://a:1"), ("https_proxy", "http://s:2")],
            CA
        ),
        "http://s:2 (https_proxy)"
    );
    assert_eq!(route(&[], CA), "direct");
}

#[test]
fn lower_case_wins_and_empty_lower_case_cancels() {
    let both = [
        ("HTTPS_PROXY", "http://up:1"),
        ("https_proxy", "http://low:2"),
    ];
    assert_eq!(route(&both, CA), "http://low:2 (https_proxy)");
    let reversed = [both[1], both[0]];
    assert_eq!(route(&reversed, CA), "http://low:2 (https_proxy)");
    assert_eq!(
        route(&[("HTTPS_PROXY", "http://up:1"), ("https_proxy", "")], CA),
        "direct"
    );
}

#[test]
fn cgi_ignores_upper_case_http_proxy() {
    let url = "http://a.example.com/dir";
    assert_eq!(
        route(
            &[("HTTP_PROXY", "http://p:1"), ("REQUEST_METHOD", "GET")],
            url
        ),
        "direct"
    );
    assert_eq!(
        route(
            &[("http_proxy", "http://p:1"), ("REQUEST_METHOD", "GET")],
            url
        ),
        "http://p:1 (http_proxy)"
    );
}

#[test]
fn proxy_url_forms() {
    let https = |v: &str| route(&[("HTTPS_PROXY", v)], CA);
    assert_eq!(
        https("proxy.lan:3128"),
        "http://proxy.lan:3128 (HTTPS_PROXY)"
    );
    assert_eq!(
        https("http://proxy.lan"),
        "http://proxy.lan:80 (HTTPS_PROXY)"
    );
    assert_eq!(
        https("HTTP://proxy.lan:8080/some/path"),
        "http://proxy.lan:8080 (HTTPS_PROXY)"
    );
    assert_eq!(
        https("http://[::1]:3128"),
        "http://[::1]:3128 (HTTPS_PROXY)"
    );
    assert!(https("socks5://p:1080").starts_with("error: HTTPS_PROXY: unsupported proxy scheme"));
    assert!(https("https://p:443").contains("not supported"));
    assert!(https("http://:3128").starts_with("error: HTTPS_PROXY: not a valid proxy URL"));
    assert!(https("http://p:99999").starts_with("error"));
}

#[test]
fn credentials_become_basic_auth_and_are_never_displayed() {
    let e = env(&[("HTTPS_PROXY", "http://us%40er:p%3Ass@proxy.lan:3128")]);
    let Some(Ok(proxy)) = e.select(&CA.parse().unwrap()) else {
        panic!("no proxy")
    };
    // base64("us@er:p:ss")
    assert_eq!(proxy.auth().unwrap(), "Basic dXNAZXI6cDpzcw==");
    assert!(proxy.auth().unwrap().is_sensitive());
    assert_eq!(proxy.uri(), "http://proxy.lan:3128/");
    for shown in [proxy.to_string(), format!("{proxy:?}"), format!("{e:?}")] {
        assert!(
            !shown.contains("p%3Ass") && !shown.contains("us%40er"),
            "{shown}"
        );
    }
    // requests sends nothing for a user name without a password...
    let e = env(&[("HTTPS_PROXY", "http://user@proxy.lan:3128")]);
    assert!(
        e.select(&CA.parse().unwrap())
            .unwrap()
            .as_ref()
            .unwrap()
            .auth()
            .is_none()
    );
    // ...and Latin-1 bytes for the decoded text.
    let e = env(&[("HTTPS_PROXY", "http://%C3%A9:x@proxy.lan:3128")]);
    let proxy = e.select(&CA.parse().unwrap()).unwrap().as_ref().unwrap();
    assert_eq!(proxy.auth().unwrap(), "Basic 6Tp4"); // base64(b"\xe9:x")
}

#[test]
fn a_bad_proxy_value_is_not_quoted() {
    let shown = route(&[("HTTPS_PROXY", "socks5://user:secret@p:1080")], CA);
    assert!(!shown.contains("secret"), "{shown}");
}

fn bypassed(no_proxy: &str, url: &str) -> bool {
    route(
        &[("HTTPS_PROXY", "http://p:1"), ("NO_PROXY", no_proxy)],
        url,
    ) == "direct"
}

#[test]
fn no_proxy_domains() {
    assert!(bypassed("example.com", "https://a.example.com/dir"));
    assert!(bypassed("example.com", "https://example.com/dir"));
    assert!(bypassed(".Example.COM", "https://a.example.com/dir"));
    assert!(bypassed("EXAMPLE.com", "https://a.example.com/dir"));
    assert!(bypassed(
        "10.0.0.0/8 , a.example.com",
        "https://a.example.com/dir"
    ));
    assert!(bypassed("example.com", "https://A.EXAMPLE.COM:443/dir"));
    // requests matches plain string suffixes, dot or not.
    assert!(bypassed("example.com", "https://notexample.com/dir"));
    assert!(bypassed("ample.com", "https://example.com/dir"));
    assert!(!bypassed("other.org", "https://a.example.com/dir"));
    assert!(!bypassed("a.example.com.", "https://a.example.com/dir"));
}

#[test]
fn no_proxy_star_only_alone() {
    assert!(bypassed("*", CA));
    assert!(!bypassed("localhost,*", CA));
    assert!(!bypassed("*.example.com", "https://b.example.org/dir"));
}

#[test]
fn no_proxy_ports() {
    assert!(bypassed("localhost:14000", "https://localhost:14000/dir"));
    assert!(!bypassed("localhost:14001", "https://localhost:14000/dir"));
    // An IPv4 address with a port never matches.
    assert!(!bypassed("127.0.0.1:14000", "https://127.0.0.1:14000/dir"));
}

#[test]
fn no_proxy_addresses_and_cidr() {
    assert!(bypassed("127.0.0.1", "https://127.0.0.1:14000/dir"));
    assert!(bypassed("127.0.0.0/8", "https://127.0.0.1:14000/dir"));
    assert!(!bypassed("10.0.0.0/8", "https://127.0.0.1:14000/dir"));
    // Prefix 0 is not a valid block for requests.
    assert!(!bypassed("127.0.0.1/0", "https://127.0.0.1/dir"));
    // urllib's dotted-suffix check applies to addresses too.
    assert!(bypassed("0.0.1", "https://127.0.0.1/dir"));
    // IPv6: string matching only, no CIDR.
    assert!(bypassed("::1", "https://[::1]:14000/dir"));
    assert!(!bypassed("::/0", "https://[::1]:14000/dir"));
}

#[test]
fn no_proxy_lookup_order() {
    fn vars<'a>(lower: &'a str, upper: &'a str) -> [(&'a str, &'a str); 3] {
        [
            ("HTTPS_PROXY", "http://p:1"),
            ("no_proxy", lower),
            ("NO_PROXY", upper),
        ]
    }
    // An empty no_proxy: requests falls back to NO_PROXY.
    assert_eq!(route(&vars("", "example.com"), CA), "direct");
    // A set no_proxy hides NO_PROXY.
    assert_eq!(
        route(&vars("other.org", "example.com"), CA),
        "http://p:1 (HTTPS_PROXY)"
    );
}
