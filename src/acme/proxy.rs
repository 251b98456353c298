//! Which proxy, if any, a request to the CA goes through.
//!
//! Certbot reaches the CA through python-requests, which takes its proxies
//! from the environment. A host set up for Certbot (often only through a
//! proxy) must route certsmith the same way, so the rules here are requests'
//! (2.28, on Python 3.11's urllib), not curl's, where the two differ:
//!
//! - `<scheme>_proxy` in any letter case; one ending in lower-case `_proxy`
//!   wins, and an empty one of those cancels the others. `https_proxy` serves
//!   `https://` URLs, `http_proxy` `http://` ones, `all_proxy` either.
//! - Under CGI (`REQUEST_METHOD` set) `HTTP_PROXY` in upper case is ignored:
//!   a client's `Proxy:` header would arrive there.
//! - A proxy URL without a scheme is `http://`; without a port, port 80.
//!   `user:password@` in it becomes `Proxy-Authorization: Basic`.
//! - `no_proxy` is checked twice, as requests does, and either match
//!   bypasses the proxy: see [`NoProxy`].

use base64::Engine;
use http::HeaderValue;
use std::collections::HashMap;
use std::fmt;
use std::net::Ipv4Addr;

/// An HTTP proxy from the environment. Its `Display` is `http://host:port`:
/// credentials are never part of it.
#[derive(Clone)]
pub struct ProxyUrl {
    /// `host:port` (an IPv6 host in brackets).
    authority: String,
    /// `http://host:port/`, where the TCP connection goes.
    uri: http::Uri,
    /// `Proxy-Authorization` (marked sensitive), from the URL's `user:pass@`.
    auth: Option<HeaderValue>,
    /// The variable it came from, to name in messages.
    pub var: String,
}

impl ProxyUrl {
    /// Where to open the TCP connection (`http://host:port/`).
    pub fn uri(&self) -> http::Uri {
        self.uri.clone()
    }

    pub fn auth(&self) -> Option<&HeaderValue> {
        self.auth.as_ref()
    }
}

impl fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "http://{} ({})", self.authority, self.var)
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the credentials, even in a debug dump.
        fmt::Display::fmt(self, f)
    }
}

/// A proxy variable certsmith cannot use. The value is never quoted: it may
/// hold a password.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{var}: {reason}")]
pub struct ProxyUrlError {
    pub var: String,
    pub reason: String,
}

/// The proxy settings of one environment.
#[derive(Debug, Default)]
pub struct ProxyEnv {
    /// By key: `http`, `https`, `all`.
    proxies: HashMap<String, Result<ProxyUrl, ProxyUrlError>>,
    no_proxy: NoProxy,
}

impl ProxyEnv {
    /// The process's environment (non-UTF-8 variables are skipped).
    pub fn from_env() -> ProxyEnv {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
        ProxyEnv::from_vars(vars)
    }

    /// Settings from these variables (in environment order).
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> ProxyEnv {
        let vars: Vec<(String, String)> = vars.into_iter().collect();
        let found = proxy_variables(&vars);
        let proxies = found
            .iter()
            .filter(|(key, _)| matches!(key.as_str(), "http" | "https" | "all"))
            .map(|(key, (var, value))| (key.clone(), parse_proxy_url(var, value)))
            .collect();
        ProxyEnv {
            proxies,
            no_proxy: NoProxy {
                requests: requests_no_proxy(&vars),
                urllib: found.get("no").map(|(_, v)| v.clone()),
            },
        }
    }

    /// The proxy for `uri`, or `None` to connect directly.
    pub fn select(&self, uri: &http::Uri) -> Option<&Result<ProxyUrl, ProxyUrlError>> {
        let host = hostname(uri)?;
        if self.no_proxy.bypass(&host, uri.port_u16()) {
            return None;
        }
        self.proxies
            .get(uri.scheme_str()?)
            .or_else(|| self.proxies.get("all"))
    }
}

/// `uri`'s host as urllib's `hostname`: lower case, IPv6 without brackets.
fn hostname(uri: &http::Uri) -> Option<String> {
    let host = uri.host()?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    Some(host.to_ascii_lowercase())
}

/// urllib's `getproxies_environment`: key (`https`, `no`, ...) to the
/// variable's name and value. Two passes so that the lower-case variable
/// wins whatever the environment's order.
fn proxy_variables(vars: &[(String, String)]) -> HashMap<String, (String, String)> {
    let mut found = HashMap::new();
    for (name, value) in vars {
        let lower = name.to_ascii_lowercase();
        if let Some(key) = lower.strip_suffix("_proxy")
            && !value.is_empty()
        {
            found.insert(key.to_string(), (name.clone(), value.clone()));
        }
    }
    if vars.iter().any(|(name, _)| name == "REQUEST_METHOD") {
        found.remove("http");
    }
    for (name, value) in vars {
        // Only a lower-case `_proxy` suffix counts in this pass.
        let Some(key) = name.strip_suffix("_proxy") else {
            continue;
        };
        let key = key.to_ascii_lowercase();
        if value.is_empty() {
            found.remove(&key);
        } else {
            found.insert(key, (name.clone(), value.clone()));
        }
    }
    found
}

/// requests' own `no_proxy` lookup: `no_proxy` unless empty, then `NO_PROXY`.
fn requests_no_proxy(vars: &[(String, String)]) -> Option<String> {
    let get = |want: &str| {
        vars.iter()
            .rev()
            .find(|(name, value)| name == want && !value.is_empty())
            .map(|(_, value)| value.clone())
    };
    get("no_proxy").or_else(|| get("NO_PROXY"))
}

/// A proxy URL as requests reads it (`prepend_scheme_if_needed`, then
/// urllib3's parser): only plain-HTTP proxies are spoken to.
fn parse_proxy_url(var: &str, value: &str) -> Result<ProxyUrl, ProxyUrlError> {
    let bad = |reason: &str| ProxyUrlError {
        var: var.to_string(),
        reason: reason.to_string(),
    };
    let (scheme, rest) = value.split_once("://").unwrap_or(("http", value));
    match scheme.to_ascii_lowercase().as_str() {
        "http" => {}
        "https" => {
            return Err(bad(
                "https:// proxies (TLS to the proxy) are not supported; use an http:// proxy URL",
            ));
        }
        other => {
            return Err(bad(&format!(
                "unsupported proxy scheme {other:?} (only http:// proxies are supported)"
            )));
        }
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let (userinfo, host_port) = match authority.rsplit_once('@') {
        Some((user, host)) => (Some(user), host),
        None => (None, authority),
    };
    let authority = host_and_port(host_port).ok_or_else(|| bad("not a valid proxy URL"))?;
    let uri = format!("http://{authority}/")
        .parse()
        .map_err(|_| bad("not a valid proxy URL"))?;
    let auth = match userinfo {
        Some(userinfo) => basic_auth(userinfo).map_err(bad)?,
        None => None,
    };
    Ok(ProxyUrl {
        authority,
        uri,
        auth,
        var: var.to_string(),
    })
}

/// `host[:port]` checked and with the port made explicit (urllib3's 80).
fn host_and_port(text: &str) -> Option<String> {
    let (host, port) = if let Some(v6) = text.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        host.parse::<std::net::Ipv6Addr>().ok()?;
        (format!("[{host}]"), after.strip_prefix(':'))
    } else {
        match text.split_once(':') {
            Some((host, port)) => (host.to_string(), Some(port)),
            None => (text.to_string(), None),
        }
    };
    let port = match port {
        None | Some("") => 80,
        Some(p) => p.parse::<u16>().ok()?,
    };
    let valid = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._[]:".contains(&b));
    valid.then(|| format!("{host}:{port}"))
}

/// requests' `proxy_headers`: Basic credentials when the URL has a user
/// name and a password (a user name alone sends nothing, as in requests).
fn basic_auth(userinfo: &str) -> Result<Option<HeaderValue>, &'static str> {
    let Some((user, password)) = userinfo.split_once(':') else {
        return Ok(None);
    };
    let (user, password) = (unquote(user), unquote(password));
    if user.is_empty() {
        return Ok(None);
    }
    // requests encodes the decoded text as Latin-1.
    let mut pair = latin1(&user).ok_or("proxy user name is not Latin-1 text")?;
    pair.push(b':');
    pair.extend(latin1(&password).ok_or("proxy password is not Latin-1 text")?);
    let mut value = HeaderValue::from_str(&format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    ))
    .map_err(|_| "proxy credentials cannot be sent")?;
    value.set_sensitive(true);
    Ok(Some(value))
}

/// Python's `unquote`: `%XX` escapes as UTF-8, invalid sequences replaced.
fn unquote(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn latin1(text: &str) -> Option<Vec<u8>> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect()
}

/// `no_proxy` as requests applies it: its own check, then urllib's
/// `proxy_bypass_environment`; either one bypasses the proxy.
#[derive(Debug, Default)]
struct NoProxy {
    /// `no_proxy`, else `NO_PROXY` (requests' lookup).
    requests: Option<String>,
    /// urllib's `no` key (lower case wins, empty cancels).
    urllib: Option<String>,
}

impl NoProxy {
    fn bypass(&self, host: &str, port: Option<u16>) -> bool {
        self.requests
            .as_deref()
            .is_some_and(|list| requests_bypass(list, host, port))
            || self
                .urllib
                .as_deref()
                .is_some_and(|list| urllib_bypass(list, host))
    }
}

/// requests' check: an IPv4 host against addresses and IPv4 CIDR blocks;
/// any other host (IPv6 too) against plain string suffixes, case-sensitive
/// and with no dot boundary (`ample.com` matches `example.com`), of the
/// name and of `name:port` when the URL gives a port.
fn requests_bypass(list: &str, host: &str, port: Option<u16>) -> bool {
    let compact = list.replace(' ', "");
    let entries = compact.split(',').filter(|e| !e.is_empty());
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return entries
            .into_iter()
            .any(|e| cidr_contains(e, ip).unwrap_or_else(|| e == host));
    }
    let with_port = port.map(|p| format!("{host}:{p}"));
    entries
        .into_iter()
        .any(|e| host.ends_with(e) || with_port.as_deref().is_some_and(|h| h.ends_with(e)))
}

/// `Some(inside)` for a valid `a.b.c.d/n` (n in 1..=32), else `None`.
fn cidr_contains(entry: &str, ip: Ipv4Addr) -> Option<bool> {
    let (net, bits) = entry.split_once('/')?;
    let bits: u32 = bits.parse().ok().filter(|b| (1..=32).contains(b))?;
    let net: Ipv4Addr = net.parse().ok()?;
    let mask = u32::MAX << (32 - bits);
    Some(u32::from(ip) & mask == u32::from(net) & mask)
}

/// urllib's check: the whole value `*` matches everything; otherwise each
/// entry, leading dots dropped, matches itself and its subdomains, in any
/// letter case.
fn urllib_bypass(list: &str, host: &str) -> bool {
    if list == "*" {
        return true;
    }
    // urllib strips a trailing `:digits` first (which cuts IPv6 addresses too).
    let host_only = match host.rsplit_once(':') {
        Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    list.split(',')
        .map(|e| e.trim().trim_start_matches('.').to_ascii_lowercase())
        .filter(|e| !e.is_empty())
        .any(|e| {
            let dotted = format!(".{e}");
            host_only == e || host == e || host_only.ends_with(&dotted) || host.ends_with(&dotted)
        })
}

#[cfg(test)]
#[path = "proxy_tests.rs"]
mod tests;
