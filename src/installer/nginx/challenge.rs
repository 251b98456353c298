//! http-01 through nginx: the temporary edits that make nginx answer the
//! challenge tokens, and a local check that it does.
//!
//! For each name, every block nginx uses for it on the HTTP port (by name,
//! address by address) gets an exact-match location
//! `location = /.well-known/acme-challenge/TOKEN { default_type text/plain;
//! return 200 KEY_AUTHORIZATION; }`. A block with server-level rewrite
//! directives (a `return 301` redirect, say, which runs before locations
//! are chosen) also gets, first, `rewrite ^(/\.well-known/acme-challenge/.*)$
//! $1 break;`, which stops them for challenge paths only. Names nginx does
//! not serve on that port get one temporary server block with exactly those
//! names, listening on every address the port is used on.

use super::build;
use super::error::InstallError;
use super::load::NginxConfig;
use super::nodes::NodeRef;
use super::view::{Endpoint, View, own_children};
use crate::syntax::nginx::Directive;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

pub use crate::acme::HttpToken as Token;

/// A request that should now be answered with the key authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub host: String,
    pub address: String,
    pub port: u16,
    pub path: String,
    pub body: String,
}

/// Add the challenge answers to `config` (in memory); returns the probes
/// that check them.
pub fn add(
    config: &mut NginxConfig,
    tokens: &[Token],
    http_port: u16,
) -> Result<Vec<Probe>, InstallError> {
    let view = View::new(config);
    let mut per_block: Vec<(usize, Vec<&Token>)> = Vec::new();
    let mut unserved: Vec<&Token> = Vec::new();
    for t in tokens {
        let (winners, _) = view.plain_winners(&t.name, http_port);
        if winners.is_empty() {
            unserved.push(t);
        }
        for w in winners {
            match per_block.iter_mut().find(|(b, _)| *b == w) {
                Some((_, list)) => list.push(t),
                None => per_block.push((w, vec![t])),
            }
        }
    }
    let mut probes = Vec::new();
    // Edits inside a block move no other block, and the temporary block is
    // appended at the end of `http`, after every node already addressed.
    per_block.sort_by(|a, b| view.servers[b.0].node.cmp(&view.servers[a.0].node));
    if !unserved.is_empty() {
        let endpoints = match view.plain_endpoints(http_port) {
            e if e.is_empty() => vec![Endpoint {
                address: "*".into(),
                port: http_port,
            }],
            e => e,
        };
        temporary_block(config, &unserved, &endpoints)?;
        for t in &unserved {
            probes.push(probe(t, &endpoints[0]));
        }
    }
    for (server, list) in per_block {
        let node = view.servers[server].node.clone();
        for t in &list {
            let location = build::exact_location(&t.path(), &t.key_authorization)?;
            config.push(&node, location)?;
        }
        if has_server_rewrites(config, &node) {
            let rewrite = build::simple(
                "rewrite",
                &[br"^(/\.well-known/acme-challenge/.*)$", b"$1", b"break"],
            )?;
            match own_children(config, &node).first() {
                Some(first) => config.insert_before(first, rewrite)?,
                None => config.push(&node, rewrite)?,
            };
        }
        let endpoint = view
            .endpoints_of(server)
            .into_iter()
            .find(|(e, tls)| !tls && e.port == http_port)
            .map(|(e, _)| e);
        let proxied = view.servers[server]
            .listens
            .iter()
            .any(|(_, l)| l.as_ref().is_ok_and(|l| l.proxy_protocol));
        if let (Some(endpoint), false) = (endpoint, proxied) {
            for t in &list {
                probes.push(probe(t, &endpoint));
            }
        }
    }
    Ok(probes)
}

fn probe(t: &Token, endpoint: &Endpoint) -> Probe {
    Probe {
        host: t.name.clone(),
        address: endpoint.connect_address(),
        port: endpoint.port,
        path: t.path(),
        body: t.key_authorization.clone(),
    }
}

/// Directives of the rewrite module at server level run before the
/// location is chosen (a `return 301` would answer the challenge).
fn has_server_rewrites(config: &NginxConfig, node: &NodeRef) -> bool {
    config.children(node).iter().any(|c| {
        config.directive(c).is_some_and(|d| {
            ["return", "rewrite", "if", "set", "break"]
                .iter()
                .any(|n| d.is(n))
        })
    })
}

fn temporary_block(
    config: &mut NginxConfig,
    tokens: &[&Token],
    endpoints: &[Endpoint],
) -> Result<(), InstallError> {
    let http = config
        .top()
        .into_iter()
        .find(|n| {
            config
                .directive(n)
                .is_some_and(|d| d.is("http") && d.block().is_some())
        })
        .ok_or_else(|| {
            InstallError::Io(format!(
                "{}: no http block to answer the http-01 challenge in",
                config.main().path.display()
            ))
        })?;
    let mut children: Vec<Directive> = Vec::new();
    for e in endpoints {
        children.push(build::listen(e, false)?);
    }
    let mut names: Vec<&[u8]> = Vec::new();
    for t in tokens {
        if !names.contains(&t.name.as_bytes()) {
            names.push(t.name.as_bytes());
        }
    }
    children.push(build::simple("server_name", &names)?);
    for t in tokens {
        children.push(build::exact_location(&t.path(), &t.key_authorization)?);
    }
    config.push(&http, Directive::with_block("server", [], children)?)?;
    Ok(())
}

/// Ask nginx for each probe until it answers with the expected body (a
/// reload takes effect a moment after nginx says so); `Err` lists those
/// that never did, with what came back.
pub fn check(probes: &[Probe], timeout: Duration) -> Result<(), Vec<String>> {
    let deadline = Instant::now() + timeout;
    let mut pending: Vec<&Probe> = probes.iter().collect();
    let mut last: Vec<String> = Vec::new();
    loop {
        last.clear();
        pending.retain(|p| match fetch(p) {
            Ok((200, body)) if body.trim_end() == p.body => false,
            Ok((status, _)) => {
                last.push(format!(
                    "http://{}{} (via {}:{}): status {status}",
                    p.host, p.path, p.address, p.port
                ));
                true
            }
            Err(e) => {
                last.push(format!(
                    "http://{}{} (via {}:{}): {e}",
                    p.host, p.path, p.address, p.port
                ));
                true
            }
        });
        if pending.is_empty() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(last);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A minimal HTTP/1.0 GET: (status, body).
fn fetch(p: &Probe) -> std::io::Result<(u16, String)> {
    let addr: SocketAddr = (p.address.as_str(), p.port)
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::other("address does not resolve"))?;
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    write!(
        stream,
        "GET {} HTTP/1.0\r\nHost: {}\r\nUser-Agent: certsmith-self-check\r\n\r\n",
        p.path, p.host
    )?;
    let mut response = Vec::new();
    stream.take(64 * 1024).read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}
