//! Directives of a loaded configuration with the file each comes from, and
//! included files spliced in where their `include` stands (as nginx reads them).

use super::load::{FileId, NginxConfig};
use crate::syntax::nginx::Directive;
use crate::syntax::path;
use std::borrow::Cow;

/// A directive in a loaded configuration: its file and its index path in
/// that file's tree. Ordered by file, then document order within the file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeRef {
    pub file: FileId,
    pub path: Vec<usize>,
}

/// Includes nest at most this deep when splicing (a guard against cycles
/// introduced after loading; loading itself rejects cycles).
const MAX_INCLUDE_DEPTH: usize = 64;

impl NginxConfig {
    pub fn directive(&self, node: &NodeRef) -> Option<&Directive> {
        self.file(node.file)?.doc.get(&node.path)
    }

    /// The main file's top-level directives, includes spliced in.
    pub fn top(&self) -> Vec<NodeRef> {
        let mut out = Vec::new();
        self.splice(0, &[], &mut out, 0);
        out
    }

    /// The children of a block directive, includes spliced in (empty for
    /// other directives).
    pub fn children(&self, node: &NodeRef) -> Vec<NodeRef> {
        let mut out = Vec::new();
        if self.directive(node).is_some_and(|d| d.block().is_some()) {
            self.splice(node.file, &node.path, &mut out, 0);
        }
        out
    }

    /// Children named `name` (includes spliced in).
    pub fn children_named(&self, node: &NodeRef, name: &str) -> Vec<NodeRef> {
        self.children(node)
            .into_iter()
            .filter(|n| self.directive(n).is_some_and(|d| d.is(name)))
            .collect()
    }

    /// Every directive (includes spliced in), depth first, in the order
    /// nginx reads them.
    pub fn all(&self) -> Vec<NodeRef> {
        let mut out = Vec::new();
        let mut stack: Vec<NodeRef> = self.top().into_iter().rev().collect();
        while let Some(n) = stack.pop() {
            stack.extend(self.children(&n).into_iter().rev());
            out.push(n);
        }
        out
    }

    fn splice(&self, file: FileId, parent: &[usize], out: &mut Vec<NodeRef>, depth: usize) {
        let Some(body) = self.file(file).and_then(|f| f.doc.body_at(parent)) else {
            return;
        };
        for (i, d) in body.directives().enumerate() {
            let mut path = parent.to_vec();
            path.push(i);
            match self.include_target(d) {
                Some(ids) if depth < MAX_INCLUDE_DEPTH => {
                    for &id in ids {
                        self.splice(id, &[], out, depth + 1);
                    }
                }
                _ => out.push(NodeRef { file, path }),
            }
        }
    }

    /// The files an `include` directive resolved to at load time.
    fn include_target(&self, d: &Directive) -> Option<&[FileId]> {
        if !d.is("include") || d.block().is_some() || d.args().len() != 1 {
            return None;
        }
        let pattern = d.args().next()?.value();
        self.included(&pattern)
    }
}

impl path::Tree for NginxConfig {
    type Node = NodeRef;

    fn top(&self) -> Vec<NodeRef> {
        NginxConfig::top(self)
    }

    fn children(&self, node: &NodeRef) -> Vec<NodeRef> {
        NginxConfig::children(self, node)
    }

    fn name<'a>(&'a self, node: &NodeRef) -> &'a [u8] {
        match self.directive(node) {
            Some(d) => match d.name() {
                Cow::Borrowed(b) => b,
                Cow::Owned(_) => d.name_word().raw(),
            },
            None => b"",
        }
    }

    fn args(&self, node: &NodeRef) -> Vec<Vec<u8>> {
        self.directive(node).map_or_else(Vec::new, |d| {
            d.arg_values().into_iter().map(Cow::into_owned).collect()
        })
    }
}
