//! Queries over what Apache applies: nodes in reading order with included files spliced
//! in and inactive conditional sections skipped.

use super::loaded::{Loaded, NodeId, Walk};
use crate::syntax::apache::Node;

/// Visit every node Apache applies, in reading order, parents before children; an
/// `Include` is visited itself, then the files it read (to any depth: the walk keeps an
/// explicit stack; an include of a file being walked, a cycle only an edit can make, is
/// not followed).
pub fn walk_active(loaded: &Loaded, visit: &mut dyn FnMut(&NodeId, &Node)) {
    let mut walk = Walk::new(loaded.main, &[]);
    while let Some((id, node)) = walk.next(loaded) {
        if !loaded.is_active(&id) {
            continue;
        }
        visit(&id, node);
        // Pushed in reverse: a section's body is walked after the files an include read
        // (only an `Include` reads files, only a section has a body).
        if node.body().is_some() {
            walk.enter(id.clone());
        }
        let included = loaded.included_by(&id).unwrap_or_default();
        if !included.iter().any(|&f| walk.is_open(f)) {
            walk.include(included);
        }
    }
}

/// Active directives named `name` (any depth), in reading order.
pub fn active_named(loaded: &Loaded, name: &str) -> Vec<NodeId> {
    let mut out = Vec::new();
    walk_active(loaded, &mut |id, node| {
        if matches!(node, Node::Directive(_)) && node.is_named(name) {
            out.push(id.clone());
        }
    });
    out
}

/// The port of a `Listen` argument: `80`, `0.0.0.0:80`, `[::]:443`.
pub fn listen_port(arg: &str) -> Option<u16> {
    let port = match arg.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() => port,
        _ => arg,
    };
    port.parse().ok()
}

/// Ports of the active `Listen` directives.
pub fn listen_ports(loaded: &Loaded) -> Vec<u16> {
    active_named(loaded, "Listen")
        .iter()
        .filter_map(|id| {
            let args = loaded.arg_values(id);
            listen_port(&String::from_utf8_lossy(args.first()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_forms() {
        assert_eq!(listen_port("80"), Some(80));
        assert_eq!(listen_port("0.0.0.0:443"), Some(443));
        assert_eq!(listen_port("[::]:8443"), Some(8443));
        assert_eq!(listen_port("[::1]"), None);
        assert_eq!(listen_port("x"), None);
    }
}
