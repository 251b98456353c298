//! The virtual host model the installer chooses from.

use super::env::expand;
use super::loaded::{FileId, Loaded, NodeId};
use crate::syntax::apache::Node;
use std::fmt;
use std::path::PathBuf;

/// One `<VirtualHost>` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VirtualHost {
    pub node: NodeId,
    /// The file, as Apache names it (Debian: the `sites-enabled` link).
    pub file: PathBuf,
    /// Line of `<VirtualHost` (what `apache2ctl -S` prints).
    pub line: usize,
    pub addresses: Vec<Address>,
    /// The last `ServerName` (Apache keeps the last), `${VAR}` expanded, as written
    /// (may carry a scheme and port: see [`VirtualHost::name`]).
    pub server_name: Option<String>,
    pub aliases: Vec<String>,
    /// `SSLEngine on` (the last `SSLEngine` wins).
    pub ssl: bool,
    pub document_root: Option<String>,
    /// Apache reads the file (Debian: linked from `sites-enabled`).
    pub enabled: bool,
    /// Enabled and not inside a conditional section that evaluated false.
    pub active: bool,
}

/// A `<VirtualHost>` address: `*:80`, `[::]:443`, `_default_:443`, `192.0.2.1`, `host:*`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Address {
    /// `*`, `_default_`, `[::1]`, `192.0.2.1`, `example.com`.
    pub host: String,
    /// `80`, `*`, or none.
    pub port: Option<String>,
}

impl Address {
    pub fn parse(text: &str) -> Address {
        let split = if text.starts_with('[') {
            text.find(']').and_then(|close| {
                text[close + 1..]
                    .strip_prefix(':')
                    .map(|p| (&text[..=close], p))
            })
        } else {
            text.rsplit_once(':')
        };
        match split {
            Some((host, port)) => Address {
                host: host.to_string(),
                port: Some(port.to_string()),
            },
            None => Address {
                host: text.to_string(),
                port: None,
            },
        }
    }

    pub fn is_wildcard(&self) -> bool {
        self.host == "*" || self.host == "_default_"
    }

    pub fn port_number(&self) -> Option<u16> {
        self.port.as_deref()?.parse().ok()
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.port {
            Some(p) => write!(f, "{}:{p}", self.host),
            None => f.write_str(&self.host),
        }
    }
}

impl VirtualHost {
    /// The host of `ServerName` (scheme and port removed), lowercase.
    pub fn name(&self) -> Option<String> {
        let raw = self.server_name.as_deref()?;
        let no_scheme = raw.split_once("://").map_or(raw, |(_, rest)| rest);
        let host = match no_scheme.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(':') && p.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => no_scheme,
        };
        Some(host.to_ascii_lowercase())
    }

    /// ServerName host and aliases.
    pub fn names(&self) -> Vec<String> {
        self.name()
            .into_iter()
            .chain(self.aliases.iter().map(|a| a.to_ascii_lowercase()))
            .collect()
    }
}

impl Loaded {
    /// Every `<VirtualHost>` in every parsed file (disabled sites included), in file then
    /// document order. `<VirtualHost>` templates inside `<Macro>` are not virtual hosts.
    pub fn vhosts(&self) -> Vec<VirtualHost> {
        let mut out = Vec::new();
        for file in 0..self.files.len() {
            self.collect_vhosts(file, &mut out);
        }
        out
    }

    fn collect_vhosts(&self, file: FileId, out: &mut Vec<VirtualHost>) {
        let f = &self.files[file];
        f.tree.body.visit_lines(|path, node, line| {
            let Node::Section(s) = node else { return false };
            if node.is_named("Macro") {
                return false;
            }
            if !node.is_named("VirtualHost") {
                return true;
            }
            let id = NodeId {
                file,
                path: path.to_vec(),
            };
            let addresses = s
                .args
                .iter()
                .map(|a| Address::parse(&self.text(&a.word.value())))
                .collect();
            let mut vhost = VirtualHost {
                file: f.path.clone(),
                line,
                addresses,
                server_name: None,
                aliases: Vec::new(),
                ssl: false,
                document_root: None,
                enabled: f.enabled,
                active: self.is_active(&id),
                node: id,
            };
            let id = vhost.node.clone();
            self.read_vhost_body(&id, &mut vhost);
            out.push(vhost);
            false
        });
    }

    /// Directives of the vhost, through includes and active conditional sections.
    fn read_vhost_body(&self, parent: &NodeId, vhost: &mut VirtualHost) {
        self.walk_spliced(parent.file, &parent.path, &mut |file, path, node| {
            let name = node.name_bytes();
            let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
            let first = || node.args().first().map(|a| self.text(&a.word.value()));
            match node {
                Node::Section(_) if name.len() > 2 && name[..2].eq_ignore_ascii_case(b"if") => {
                    let id = NodeId {
                        file,
                        path: path.to_vec(),
                    };
                    if !self.inactive.contains(&id) {
                        self.read_vhost_body(&id, vhost);
                    }
                }
                Node::Section(_) => {}
                _ if is("ServerName") => vhost.server_name = first(),
                _ if is("ServerAlias") => vhost
                    .aliases
                    .extend(node.args().iter().map(|a| self.text(&a.word.value()))),
                _ if is("DocumentRoot") => vhost.document_root = first(),
                _ if is("SSLEngine") => {
                    vhost.ssl = first().is_some_and(|v| v.eq_ignore_ascii_case("on"))
                }
                _ => {}
            }
        });
    }

    fn text(&self, value: &[u8]) -> String {
        String::from_utf8_lossy(&expand(value, &self.variables)).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let a = Address::parse("*:80");
        assert_eq!((a.host.as_str(), a.port_number()), ("*", Some(80)));
        assert!(a.is_wildcard());
        let a = Address::parse("[::]:443");
        assert_eq!((a.host.as_str(), a.port.as_deref()), ("[::]", Some("443")));
        let a = Address::parse("[2001:db8::1]");
        assert_eq!((a.host.as_str(), a.port), ("[2001:db8::1]", None));
        assert_eq!(Address::parse("_default_:443").to_string(), "_default_:443");
        assert_eq!(Address::parse("example.com").port, None);
    }
}
