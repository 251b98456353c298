//! Queries over what Apache applies: nodes in reading order with included files spliced
//! in and inactive conditional sections skipped.

use super::loaded::{Loaded, NodeId};
use crate::syntax::apache::Node;

/// Visit every node Apache applies, in reading order, parents before children; an
/// `Include` is visited itself, then the files it read.
pub fn walk_active(loaded: &Loaded, visit: &mut dyn FnMut(&NodeId, &Node)) {
    walk_body(loaded, loaded.main, &mut Vec::new(), visit, 0);
}

fn walk_body(
    loaded: &Loaded,
    file: usize,
    prefix: &mut Vec<usize>,
    visit: &mut dyn FnMut(&NodeId, &Node),
    depth: usize,
) {
    // The loader refuses include cycles; the depth limit only guards this walk.
    if depth > 64 {
        return;
    }
    let Some(body) = loaded.file(file).and_then(|f| f.tree.body_at(prefix)) else {
        return;
    };
    for (i, node) in body.nodes.iter().enumerate() {
        prefix.push(i);
        let id = NodeId {
            file,
            path: prefix.clone(),
        };
        if loaded.is_active(&id) {
            visit(&id, node);
            for &included in loaded.included_by(&id).unwrap_or_default() {
                walk_body(loaded, included, &mut Vec::new(), visit, depth + 1);
            }
            if node.body().is_some() {
                walk_body(loaded, file, prefix, visit, depth);
            }
        }
        prefix.pop();
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
