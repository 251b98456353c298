//! `listen` directives, parsed as nginx reads them.
//!
//! Address forms: `80`, `*:80`, `*`, `127.0.0.1`, `127.0.0.1:8080`,
//! `[::]:443`, `[::1]`, `localhost:8080`, `unix:/run/x.sock`. An address
//! without a port listens on 80 (nginx's default when run as root); a server
//! without `listen` listens on `*:80` ([`Listen::implicit`]).

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenAddress {
    /// No address, or `*`: every IPv4 address.
    Any,
    V4(Ipv4Addr),
    /// `[::]` is every IPv6 address.
    V6(Ipv6Addr),
    /// A host name nginx resolves at start-up (`localhost`).
    Host(String),
    Unix(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listen {
    pub address: ListenAddress,
    /// `None` for Unix sockets.
    pub port: Option<u16>,
    pub ssl: bool,
    pub http2: bool,
    pub quic: bool,
    pub proxy_protocol: bool,
    /// `default_server` or its old spelling `default`.
    pub default_server: bool,
    /// `ipv6only=on|off`, if given.
    pub ipv6only: Option<bool>,
    /// Every parameter after the address, as written.
    pub params: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListenError {
    #[error("listen: missing address")]
    Empty,
    #[error("listen {0:?}: invalid port")]
    Port(String),
    #[error("listen {0:?}: invalid IPv6 address")]
    Ipv6(String),
}

impl Listen {
    /// What nginx listens on for a server block without `listen`.
    pub fn implicit() -> Listen {
        Listen::bare(ListenAddress::Any, Some(80))
    }

    fn bare(address: ListenAddress, port: Option<u16>) -> Listen {
        Listen {
            address,
            port,
            ssl: false,
            http2: false,
            quic: false,
            proxy_protocol: false,
            default_server: false,
            ipv6only: None,
            params: Vec::new(),
        }
    }

    /// Parse a `listen` directive's argument values.
    pub fn parse<S: AsRef<str>>(args: &[S]) -> Result<Listen, ListenError> {
        let (first, params) = args.split_first().ok_or(ListenError::Empty)?;
        let (address, port) = parse_address(first.as_ref())?;
        let mut l = Listen::bare(address, port);
        for p in params {
            let p = p.as_ref();
            match p {
                "ssl" => l.ssl = true,
                "http2" => l.http2 = true,
                "quic" | "http3" => l.quic = true,
                "proxy_protocol" => l.proxy_protocol = true,
                "default_server" | "default" => l.default_server = true,
                "ipv6only=on" => l.ipv6only = Some(true),
                "ipv6only=off" => l.ipv6only = Some(false),
                _ => {}
            }
            l.params.push(p.to_string());
        }
        Ok(l)
    }

    pub fn is_ipv6(&self) -> bool {
        matches!(self.address, ListenAddress::V6(_))
    }
}

fn parse_port(text: &str, whole: &str) -> Result<u16, ListenError> {
    match text.parse::<u16>() {
        Ok(p) if p > 0 && text.bytes().all(|b| b.is_ascii_digit()) => Ok(p),
        _ => Err(ListenError::Port(whole.to_string())),
    }
}

fn parse_address(text: &str) -> Result<(ListenAddress, Option<u16>), ListenError> {
    if let Some(path) = text.strip_prefix("unix:") {
        return Ok((ListenAddress::Unix(path.to_string()), None));
    }
    if let Some(rest) = text.strip_prefix('[') {
        let (ip, after) = rest
            .split_once(']')
            .ok_or_else(|| ListenError::Ipv6(text.to_string()))?;
        let ip: Ipv6Addr = ip
            .parse()
            .map_err(|_| ListenError::Ipv6(text.to_string()))?;
        let port = match after {
            "" => 80,
            _ => parse_port(
                after
                    .strip_prefix(':')
                    .ok_or_else(|| ListenError::Port(text.to_string()))?,
                text,
            )?,
        };
        return Ok((ListenAddress::V6(ip), Some(port)));
    }
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return Ok((ListenAddress::Any, Some(parse_port(text, text)?)));
    }
    let (host, port) = match text.rsplit_once(':') {
        Some((host, port)) => (host, parse_port(port, text)?),
        None => (text, 80),
    };
    let address = match host {
        "*" => ListenAddress::Any,
        _ => match host.parse::<Ipv4Addr>() {
            Ok(ip) => ListenAddress::V4(ip),
            Err(_) => ListenAddress::Host(host.to_string()),
        },
    };
    Ok((address, Some(port)))
}

impl fmt::Display for Listen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.address {
            ListenAddress::Any => write!(f, "*")?,
            ListenAddress::V4(ip) => write!(f, "{ip}")?,
            ListenAddress::V6(ip) => write!(f, "[{ip}]")?,
            ListenAddress::Host(h) => write!(f, "{h}")?,
            ListenAddress::Unix(p) => write!(f, "unix:{p}")?,
        }
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        for p in &self.params {
            write!(f, " {p}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(args: &[&str]) -> Listen {
        Listen::parse(args).unwrap()
    }

    #[test]
    fn address_forms() {
        assert_eq!(
            (l(&["80"]).address, l(&["80"]).port),
            (ListenAddress::Any, Some(80))
        );
        assert_eq!(l(&["*:8080"]).port, Some(8080));
        assert_eq!(l(&["*"]).port, Some(80));
        assert_eq!(
            l(&["127.0.0.1"]).address,
            ListenAddress::V4(Ipv4Addr::LOCALHOST)
        );
        assert_eq!(l(&["127.0.0.1"]).port, Some(80));
        let v6 = l(&["[::]:443", "ssl", "ipv6only=on"]);
        assert_eq!(
            (v6.address.clone(), v6.port, v6.ssl, v6.ipv6only),
            (
                ListenAddress::V6(Ipv6Addr::UNSPECIFIED),
                Some(443),
                true,
                Some(true)
            )
        );
        assert_eq!(l(&["[::1]"]).port, Some(80));
        assert_eq!(
            l(&["localhost:8080"]).address,
            ListenAddress::Host("localhost".into())
        );
        assert_eq!(
            l(&["unix:/run/a.sock"]),
            Listen {
                params: vec![],
                ..Listen::bare(ListenAddress::Unix("/run/a.sock".into()), None)
            }
        );
    }

    #[test]
    fn parameters() {
        let x = l(&["443", "ssl", "http2", "default_server", "backlog=10"]);
        assert!(x.ssl && x.http2 && x.default_server && !x.proxy_protocol);
        assert_eq!(x.params, ["ssl", "http2", "default_server", "backlog=10"]);
        assert!(l(&["80", "default"]).default_server);
        assert_eq!(x.to_string(), "*:443 ssl http2 default_server backlog=10");
    }

    #[test]
    fn bad_addresses() {
        assert_eq!(Listen::parse::<&str>(&[]), Err(ListenError::Empty));
        assert!(Listen::parse(&["99999"]).is_err());
        assert!(Listen::parse(&["[::1"]).is_err());
        assert!(Listen::parse(&["a:b"]).is_err());
    }
}
