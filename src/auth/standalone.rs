//! The standalone authenticator: certsmith's own servers answer http-01 (a
//! tiny HTTP server) and tls-alpn-01 (RFC 8737, a TLS server offering only
//! `acme-tls/1`). They serve only this run's tokens and stop at cleanup.

use super::listen::{self, Servers};
use super::tls_alpn;
use crate::acme::{Challenge, ChallengeKind, SolveError, Solver};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::{Arc, RwLock};

pub struct Standalone {
    /// Listeners bound up front (so a busy port fails before the CA is
    /// asked), by the challenge kind they serve.
    bound: Vec<(ChallengeKind, Vec<TcpListener>)>,
    servers: Vec<Servers>,
}

impl Standalone {
    /// Bind the ports for `kinds` (http-01 on `http_port`, tls-alpn-01 on
    /// `https_port`) on `address`, or on every address when `None`.
    pub fn bind(
        address: Option<IpAddr>,
        http_port: u16,
        https_port: u16,
        kinds: &[ChallengeKind],
    ) -> Result<Standalone, SolveError> {
        let mut bound = Vec::new();
        for kind in kinds {
            match kind {
                ChallengeKind::Http01 => {
                    bound.push((*kind, listen::bind(address, http_port, "http-01")?))
                }
                ChallengeKind::TlsAlpn01 => {
                    bound.push((*kind, listen::bind(address, https_port, "tls-alpn-01")?))
                }
                ChallengeKind::Dns01 => {}
            }
        }
        Ok(Standalone {
            bound,
            servers: Vec::new(),
        })
    }

    fn take(&mut self, kind: ChallengeKind) -> Option<Vec<TcpListener>> {
        let index = self.bound.iter().position(|(k, _)| *k == kind)?;
        Some(self.bound.remove(index).1)
    }
}

impl Solver for Standalone {
    fn name(&self) -> &str {
        "standalone"
    }

    fn preferred(&self) -> Vec<ChallengeKind> {
        self.bound.iter().map(|(k, _)| *k).collect()
    }

    fn present(&mut self, challenges: &[Challenge]) -> Result<(), SolveError> {
        let http: HashMap<String, String> = challenges
            .iter()
            .filter(|c| c.kind == ChallengeKind::Http01)
            .map(|c| (c.token.clone(), c.key_authorization.clone()))
            .collect();
        if !http.is_empty() {
            let listeners = self
                .take(ChallengeKind::Http01)
                .ok_or_else(|| SolveError::Message("http-01 port not bound".into()))?;
            let tokens = Arc::new(RwLock::new(http));
            self.servers
                .push(Servers::start(listeners, move |s| serve_http(s, &tokens))?);
        }
        let alpn: Vec<&Challenge> = challenges
            .iter()
            .filter(|c| c.kind == ChallengeKind::TlsAlpn01)
            .collect();
        if !alpn.is_empty() {
            let config = tls_alpn::server_config(&alpn)?;
            let listeners = self
                .take(ChallengeKind::TlsAlpn01)
                .ok_or_else(|| SolveError::Message("tls-alpn-01 port not bound".into()))?;
            self.servers.push(Servers::start(listeners, move |s| {
                tls_alpn::serve(s, config.clone())
            })?);
        }
        Ok(())
    }

    fn cleanup(&mut self, _challenges: &[Challenge]) -> Result<(), SolveError> {
        for mut server in self.servers.drain(..) {
            server.stop();
        }
        self.bound.clear();
        Ok(())
    }
}

const PREFIX: &str = "/.well-known/acme-challenge/";

/// Answer one HTTP/1.x request: the key authorization for a known token,
/// 404 for anything else.
fn serve_http(mut stream: TcpStream, tokens: &RwLock<HashMap<String, String>>) {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 8192 {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let request = String::from_utf8_lossy(&buf);
    let mut parts = request.lines().next().unwrap_or("").split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = target.split('?').next().unwrap_or("");
    let answer = path
        .strip_prefix(PREFIX)
        .filter(|_| method == "GET" || method == "HEAD")
        .and_then(|token| tokens.read().ok()?.get(token).cloned());
    let response = match answer {
        Some(body) => format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            body.len(),
            if method == "HEAD" { "" } else { body.as_str() }
        ),
        None => {
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
        }
    };
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge(token: &str) -> Challenge {
        Challenge {
            identifier: "a.example".into(),
            wildcard: false,
            kind: ChallengeKind::Http01,
            token: token.into(),
            key_authorization: format!("{token}.thumb"),
            dns_value: String::new(),
            digest: [0; 32],
        }
    }

    fn get(port: u16, path: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: a.example\r\n\r\n").unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn serves_only_this_runs_tokens_and_stops() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut solver = Standalone::bind(
            Some("127.0.0.1".parse().unwrap()),
            port,
            0,
            &[ChallengeKind::Http01],
        )
        .unwrap();
        let chs = [challenge("tok1")];
        solver.present(&chs).unwrap();
        let ok = get(port, "/.well-known/acme-challenge/tok1");
        assert!(
            ok.starts_with("HTTP/1.1 200") && ok.ends_with("\r\n\r\ntok1.thumb"),
            "{ok}"
        );
        assert!(get(port, "/.well-known/acme-challenge/other").starts_with("HTTP/1.1 404"));
        assert!(get(port, "/").starts_with("HTTP/1.1 404"));
        solver.cleanup(&chs).unwrap();
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    }

    #[test]
    fn busy_port_is_a_clear_error() {
        let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = busy.local_addr().unwrap().port();
        let err = Standalone::bind(
            Some("127.0.0.1".parse().unwrap()),
            port,
            0,
            &[ChallengeKind::Http01],
        )
        .err()
        .unwrap()
        .to_string();
        assert!(
            err.contains(&format!("cannot listen on 127.0.0.1:{port} for http-01")),
            "{err}"
        );
        assert!(err.contains("in use"), "{err}");
    }
}
