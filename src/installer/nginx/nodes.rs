//! Directives of a loaded configuration with the file each comes from, and
//! included files spliced in where their `include` stands (as nginx reads them).

use super::load::{FileId, NginxConfig};
use crate::syntax::nginx::Directive;
use crate::syntax::path;
use std::borrow::Cow;
use std::collections::HashSet;

/// A directive in a loaded configuration: its file and its index path in
/// that file's tree. Ordered by file, then document order within the file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeRef {
    pub file: FileId,
    pub path: Vec<usize>,
}

/// A frame of [`NginxConfig::splice`]'s walk.
enum Splice<'a> {
    /// The body at this index path of a file, and the next child to visit.
    Body(FileId, Vec<usize>, usize),
    /// The files of an `include` still to splice.
    Files(&'a [FileId]),
}

impl NginxConfig {
    pub fn directive(&self, node: &NodeRef) -> Option<&Directive> {
        self.file(node.file)?.doc.get(&node.path)
    }

    /// The main file's top-level directives, includes spliced in.
    pub fn top(&self) -> Vec<NodeRef> {
        let mut out = Vec::new();
        self.splice(0, &[], &mut out);
        out
    }

    /// The children of a block directive, includes spliced in (empty for
    /// other directives).
    pub fn children(&self, node: &NodeRef) -> Vec<NodeRef> {
        let mut out = Vec::new();
        if self.directive(node).is_some_and(|d| d.block().is_some()) {
            self.splice(node.file, &node.path, &mut out);
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

    /// The directives of the body at `parent` in `file`, each `include` replaced by the
    /// files it read, to any depth. The walk keeps an explicit stack: nginx follows include
    /// chains of any length. An include of a file already being spliced (a cycle, which
    /// loading refuses, so only an edit made since can create one) stays a plain directive
    /// rather than splicing without end.
    fn splice(&self, file: FileId, parent: &[usize], out: &mut Vec<NodeRef>) {
        let mut stack = vec![Splice::Body(file, parent.to_vec(), 0)];
        let mut open: HashSet<FileId> = HashSet::from([file]);
        while let Some(top) = stack.last_mut() {
            match top {
                // None of these files was open when the include was met, and each is
                // closed again before the next starts (a glob may name one file twice).
                Splice::Files(ids) => match ids.split_first() {
                    Some((&id, rest)) => {
                        *ids = rest;
                        open.insert(id);
                        stack.push(Splice::Body(id, Vec::new(), 0));
                    }
                    None => {
                        stack.pop();
                    }
                },
                Splice::Body(file, parent, next) => {
                    let (file, i) = (*file, *next);
                    let body = self.file(file).and_then(|f| f.doc.body_at(parent));
                    let Some(d) = body.and_then(|b| b.directives().nth(i)) else {
                        open.remove(&file);
                        stack.pop();
                        continue;
                    };
                    *next += 1;
                    let mut path = parent.clone();
                    path.push(i);
                    match self.include_target(d) {
                        Some(ids) if !ids.iter().any(|id| open.contains(id)) => {
                            stack.push(Splice::Files(ids));
                        }
                        _ => out.push(NodeRef { file, path }),
                    }
                }
            }
        }
    }

    /// The files an `include` directive resolved to at load time.
    fn include_target(&self, d: &Directive) -> Option<&[FileId]> {
        if !d.is("include") || d.block().is_some() || d.args().len() != 1 {
            return None;
        }
        let word = d.args().next()?;
        self.included(&word.value())
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
