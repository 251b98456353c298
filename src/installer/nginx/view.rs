//! Which server block nginx uses for a name, address by address.
//!
//! nginx first picks the servers listening on the address and port a
//! connection came in on (a server listening on `*:80` does not receive
//! connections to `192.0.2.1:80` when another server listens on exactly
//! that address), then matches the Host among their names (exact, longest
//! leading wildcard, longest trailing wildcard, first regex), else uses the
//! address's default server. [`View`] groups the servers by address
//! ([`Group`]) and answers "which block serves this name on this kind of
//! address" as nginx would.

use super::listen::{Listen, ListenAddress};
use super::load::{FileId, NginxConfig};
use super::names::{HostMatcher, ServerName};
use super::nodes::NodeRef;
use super::servers::Server;
use std::collections::HashMap;

/// One address:port some server listens on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Endpoint {
    /// `*`, `192.0.2.1`, `[::]`, `localhost` (as nginx would print it).
    pub address: String,
    pub port: u16,
}

impl Endpoint {
    /// Where a `listen` listens (`None` for Unix sockets).
    pub fn of(listen: &Listen) -> Option<Endpoint> {
        let address = match &listen.address {
            ListenAddress::Any => "*".to_string(),
            ListenAddress::V4(ip) => ip.to_string(),
            ListenAddress::V6(ip) => format!("[{ip}]"),
            ListenAddress::Host(h) => h.to_ascii_lowercase(),
            ListenAddress::Unix(_) => return None,
        };
        Some(Endpoint {
            address,
            port: listen.port?,
        })
    }

    /// The address to connect to from this machine to reach it.
    pub fn connect_address(&self) -> String {
        match self.address.as_str() {
            "*" => "127.0.0.1".into(),
            "[::]" => "::1".into(),
            a => a.trim_start_matches('[').trim_end_matches(']').to_string(),
        }
    }
}

/// The servers listening on one endpoint, in configuration order.
#[derive(Debug, Clone)]
pub struct Group {
    pub endpoint: Endpoint,
    /// Indexes into [`View::servers`].
    pub servers: Vec<usize>,
    /// nginx runs TLS on the socket when any listen on it says `ssl` (or
    /// its server says `ssl on`).
    pub tls: bool,
    /// A server whose listen here says `default_server`, if any.
    pub explicit_default: Option<usize>,
}

/// A regex nginx may match that certsmith cannot evaluate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsure {
    pub server: usize,
    pub regex: String,
}

/// The servers of a loaded configuration, grouped by address.
pub struct View {
    pub servers: Vec<Server>,
    /// Per server: does it run TLS (`listen ... ssl` or `ssl on`)?
    pub tls: Vec<bool>,
    pub groups: Vec<Group>,
    /// How many `include` directives resolve to each file.
    include_counts: HashMap<FileId, usize>,
    /// Per group, its matcher (built once).
    matchers: Vec<HostMatcher>,
}

impl View {
    pub fn new(config: &NginxConfig) -> View {
        let servers = config.servers();
        let ssl_on_flags: Vec<bool> = servers.iter().map(|s| ssl_on(config, s)).collect();
        let tls: Vec<bool> = servers
            .iter()
            .zip(&ssl_on_flags)
            .map(|(s, &on)| on || s.has_ssl())
            .collect();
        let mut groups: Vec<Group> = Vec::new();
        let mut index: HashMap<Endpoint, usize> = HashMap::new();
        for (i, server) in servers.iter().enumerate() {
            for listen in server.effective_listens() {
                let Some(endpoint) = Endpoint::of(&listen) else {
                    continue;
                };
                let g = *index.entry(endpoint.clone()).or_insert_with(|| {
                    groups.push(Group {
                        endpoint,
                        servers: Vec::new(),
                        tls: false,
                        explicit_default: None,
                    });
                    groups.len() - 1
                });
                let group = &mut groups[g];
                if !group.servers.contains(&i) {
                    group.servers.push(i);
                }
                group.tls |= listen.ssl || ssl_on_flags[i];
                if listen.default_server && group.explicit_default.is_none() {
                    group.explicit_default = Some(i);
                }
            }
        }
        let matchers = groups
            .iter()
            .map(|g| {
                HostMatcher::new(
                    g.servers
                        .iter()
                        .map(|&i| servers[i].names.clone())
                        .collect(),
                )
            })
            .collect();
        View {
            servers,
            tls,
            groups,
            include_counts: include_counts(config),
            matchers,
        }
    }

    /// The servers that answer `host` by name on the endpoints `wanted`
    /// selects (one per endpoint at most, duplicates removed, in order),
    /// and the regexes that might have matched but cannot be evaluated.
    pub fn winners(
        &self,
        host: &str,
        wanted: impl Fn(&Group) -> bool,
    ) -> (Vec<usize>, Vec<Unsure>) {
        let mut found = Vec::new();
        let mut unsure = Vec::new();
        for (g, group) in self.groups.iter().enumerate() {
            if !wanted(group) {
                continue;
            }
            let matcher = &self.matchers[g];
            match matcher.find(host) {
                Some(m) => {
                    let server = group.servers[m.server];
                    if !found.contains(&server) {
                        found.push(server);
                    }
                }
                None => {
                    for (i, regex) in &matcher.unsupported {
                        let u = Unsure {
                            server: group.servers[*i],
                            regex: regex.clone(),
                        };
                        if !unsure.contains(&u) {
                            unsure.push(u);
                        }
                    }
                }
            }
        }
        (found, unsure)
    }

    /// Servers answering `host` over TLS.
    pub fn tls_winners(&self, host: &str) -> (Vec<usize>, Vec<Unsure>) {
        self.winners(host, |g| g.tls)
    }

    /// Servers answering `host` over plain HTTP on `port`.
    pub fn plain_winners(&self, host: &str, port: u16) -> (Vec<usize>, Vec<Unsure>) {
        self.winners(host, |g| !g.tls && g.endpoint.port == port)
    }

    /// Servers answering `host` over plain HTTP on any port.
    pub fn plain_winners_any_port(&self, host: &str) -> (Vec<usize>, Vec<Unsure>) {
        self.winners(host, |g| !g.tls)
    }

    /// The explicit `default_server` for plain HTTP on `port`, preferring
    /// the one on `*:port`.
    pub fn plain_default(&self, port: u16) -> Option<usize> {
        let candidates = self
            .groups
            .iter()
            .filter(|g| !g.tls && g.endpoint.port == port);
        let mut first = None;
        for g in candidates {
            if let Some(d) = g.explicit_default {
                if g.endpoint.address == "*" {
                    return Some(d);
                }
                first = first.or(Some(d));
            }
        }
        first
    }

    /// Endpoints of plain HTTP on `port`, in order.
    pub fn plain_endpoints(&self, port: u16) -> Vec<Endpoint> {
        self.groups
            .iter()
            .filter(|g| !g.tls && g.endpoint.port == port)
            .map(|g| g.endpoint.clone())
            .collect()
    }

    /// Whether more than one `include` brings `file` in: an edit there
    /// would change every place that includes it.
    pub fn is_shared(&self, file: FileId) -> bool {
        self.include_counts.get(&file).copied().unwrap_or(0) > 1
    }

    /// The endpoints server `i` listens on, with whether each is TLS.
    pub fn endpoints_of(&self, i: usize) -> Vec<(Endpoint, bool)> {
        self.groups
            .iter()
            .filter(|g| g.servers.contains(&i))
            .map(|g| (g.endpoint.clone(), g.tls))
            .collect()
    }
}

/// `ssl on;` among a server's own directives (the pre-1.15 spelling).
pub fn ssl_on(config: &NginxConfig, server: &Server) -> bool {
    config.children_named(&server.node, "ssl").iter().any(|n| {
        config
            .directive(n)
            .is_some_and(|d| d.args().next().is_some_and(|a| a.is("on")))
    })
}

fn include_counts(config: &NginxConfig) -> HashMap<FileId, usize> {
    let mut counts = HashMap::new();
    for file in &config.files {
        for (_, d) in file.doc.walk() {
            if !d.is("include") || d.block().is_some() || d.args().len() != 1 {
                continue;
            }
            let Some(word) = d.args().next() else {
                continue;
            };
            for &id in config.included(&word.value()).unwrap_or_default() {
                *counts.entry(id).or_insert(0) += 1;
            }
        }
    }
    counts
}

/// Children of `node` that are written in `node`'s own file, directly in
/// its block (not through an `include`).
pub fn own_children(config: &NginxConfig, node: &NodeRef) -> Vec<NodeRef> {
    let len = config
        .file(node.file)
        .and_then(|f| f.doc.body_at(&node.path))
        .map_or(0, |b| b.len());
    (0..len)
        .map(|i| NodeRef {
            file: node.file,
            path: [node.path.as_slice(), &[i]].concat(),
        })
        .collect()
}

/// Whether every name `server` answers to is a name of the certificate
/// (`names`): exact names, `*.suffix` by the same wildcard, `.name` by both
/// `name` and `*.name`. Regexes and trailing wildcards never are.
pub fn names_covered(server: &Server, names: &[String]) -> bool {
    let has = |n: &str| names.iter().any(|c| c.eq_ignore_ascii_case(n));
    !server.names.is_empty()
        && server.names.iter().all(|n| match n {
            ServerName::Exact(e) => has(e),
            ServerName::LeadingWildcard(suffix) => has(&format!("*{suffix}")),
            ServerName::Dot(base) => has(base) && has(&format!("*.{base}")),
            _ => false,
        })
}
