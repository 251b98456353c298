//! The `server` blocks of a loaded configuration, with what the installer
//! needs to choose among them.

use super::listen::{Listen, ListenError};
use super::load::NginxConfig;
use super::names::{HostMatch, HostMatcher, ServerName};
use super::nodes::NodeRef;
use std::path::{Path, PathBuf};

/// One `server { }` inside `http { }` (in any file).
#[derive(Debug, Clone)]
pub struct Server {
    pub node: NodeRef,
    /// The file the `server` block is written in.
    pub file: PathBuf,
    /// Its `listen` directives, in order (none: nginx listens on `*:80`, see
    /// [`Server::effective_listens`]).
    pub listens: Vec<(NodeRef, Result<Listen, ListenError>)>,
    /// Every `server_name` argument, in order.
    pub names: Vec<ServerName>,
}

impl Server {
    /// The addresses it listens on, with nginx's implicit `*:80`.
    pub fn effective_listens(&self) -> Vec<Listen> {
        let parsed: Vec<Listen> = self
            .listens
            .iter()
            .filter_map(|(_, l)| l.as_ref().ok().cloned())
            .collect();
        if self.listens.is_empty() {
            vec![Listen::implicit()]
        } else {
            parsed
        }
    }

    /// Whether any `listen` has `ssl`.
    pub fn has_ssl(&self) -> bool {
        self.listens
            .iter()
            .any(|(_, l)| l.as_ref().is_ok_and(|l| l.ssl))
    }
}

impl NginxConfig {
    /// Every `server` block directly inside an `http` block, includes
    /// followed, in the order nginx reads them.
    pub fn servers(&self) -> Vec<Server> {
        let mut out = Vec::new();
        for http in self.top().into_iter().filter(|n| self.is_block(n, "http")) {
            for node in self
                .children(&http)
                .into_iter()
                .filter(|n| self.is_block(n, "server"))
            {
                out.push(self.server(node));
            }
        }
        out
    }

    fn is_block(&self, node: &NodeRef, name: &str) -> bool {
        self.directive(node)
            .is_some_and(|d| d.is(name) && d.block().is_some())
    }

    fn server(&self, node: NodeRef) -> Server {
        let mut listens = Vec::new();
        let mut names = Vec::new();
        for child in self.children(&node) {
            let Some(d) = self.directive(&child) else {
                continue;
            };
            let args: Vec<String> = d
                .arg_values()
                .iter()
                .map(|v| String::from_utf8_lossy(v).into_owned())
                .collect();
            if d.is("listen") {
                listens.push((child, Listen::parse(&args)));
            } else if d.is("server_name") {
                names.extend(args.iter().map(|a| ServerName::parse(a)));
            }
        }
        let file = self
            .file_of(&node)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Server {
            node,
            file,
            listens,
            names,
        }
    }

    /// The file a node comes from.
    pub fn file_of(&self, node: &NodeRef) -> Option<&Path> {
        self.file(node.file).map(|f| f.path.as_path())
    }

    /// The server nginx would pick for `host` by `server_name` (among all
    /// servers, whatever they listen on), and how it matched.
    pub fn server_for_host(&self, host: &str) -> Option<(Server, HostMatch)> {
        let servers = self.servers();
        let matcher = HostMatcher::new(servers.iter().map(|s| s.names.clone()).collect());
        let m = matcher.find(host)?;
        servers.into_iter().nth(m.server).map(|s| (s, m))
    }
}
