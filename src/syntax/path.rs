//! Augeas-style paths over config trees.
//!
//! ```text
//! http/server[server_name="example.com"]/listen
//! http/server[2]/location[1]
//! //server[listen="443"][last()]
//! VirtualHost[ServerName="example.com"]/DocumentRoot
//! ```
//!
//! Grammar (whitespace is not allowed between tokens except inside quotes):
//!
//! ```text
//! path      := ('/' | '//')? step (('/' | '//') step)*
//! step      := label predicate*
//! label     := '*' | name            name: any bytes but / [ ] = " '
//! predicate := '[' ( INTEGER | 'last()' | label | label '=' value | '.' '=' value ) ']'
//! value     := '"' ... '"' | "'" ... "'" | bare      (\" and \\ escape in quotes)
//! ```
//!
//! Semantics, per step, for each context node: take its children whose name
//! matches the label (`//` takes all descendants instead), then filter by
//! each predicate in turn. `[N]` and `[last()]` are 1-based positions in the
//! list as filtered so far; `[name="v"]` keeps nodes with a child `name`
//! having an argument equal to `v`; `[name]` keeps nodes with such a child;
//! `[.="v"]` keeps nodes whose own arguments, joined by single spaces, equal
//! `v`, or one of whose arguments equals `v`.
//!
//! The evaluator is generic over [`Tree`], which each engine implements for
//! its loaded configuration (following includes as that server does).

use std::collections::HashSet;
use std::fmt;

mod check;
pub use check::{CheckError, check};

/// A parsed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// `true` for a step introduced by `//` (any depth below the context).
    pub descendant: bool,
    /// `None` is `*`.
    pub label: Option<Vec<u8>>,
    pub predicates: Vec<Predicate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Predicate {
    /// 1-based position.
    Index(usize),
    Last,
    HasChild(Vec<u8>),
    ChildArg {
        name: Vec<u8>,
        value: Vec<u8>,
    },
    SelfArg(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid path at character {at}: {message}")]
pub struct PathError {
    /// 1-based character index in the path text.
    pub at: usize,
    pub message: String,
}

impl Path {
    pub fn parse(text: &str) -> Result<Path, PathError> {
        Parser {
            src: text.as_bytes(),
            pos: 0,
        }
        .path()
    }

    /// The path without its last step, and that step (for "create if
    /// missing": find the parent, then append a child).
    pub fn split_last(&self) -> Option<(Path, &Step)> {
        let (last, rest) = self.steps.split_last()?;
        Some((
            Path {
                steps: rest.to_vec(),
            },
            last,
        ))
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            if step.descendant {
                f.write_str("//")?;
            } else if i > 0 {
                f.write_str("/")?;
            }
            match &step.label {
                Some(l) => f.write_str(&String::from_utf8_lossy(l))?,
                None => f.write_str("*")?,
            }
            for p in &step.predicates {
                match p {
                    Predicate::Index(n) => write!(f, "[{n}]")?,
                    Predicate::Last => f.write_str("[last()]")?,
                    Predicate::HasChild(n) => write!(f, "[{}]", String::from_utf8_lossy(n))?,
                    Predicate::ChildArg { name, value } => {
                        write!(f, "[{}={}]", String::from_utf8_lossy(name), quote(value))?
                    }
                    Predicate::SelfArg(v) => write!(f, "[.={}]", quote(v))?,
                }
            }
        }
        Ok(())
    }
}

fn quote(value: &[u8]) -> String {
    let mut out = String::from("\"");
    for ch in String::from_utf8_lossy(value).chars() {
        if ch == '"' || ch == '\\' {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('"');
    out
}

struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error<T>(&self, message: impl Into<String>) -> Result<T, PathError> {
        let at = String::from_utf8_lossy(&self.src[..self.pos.min(self.src.len())])
            .chars()
            .count()
            + 1;
        Err(PathError {
            at,
            message: message.into(),
        })
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn path(mut self) -> Result<Path, PathError> {
        if self.src.is_empty() {
            return self.error("empty path");
        }
        let mut steps = Vec::new();
        let mut first = true;
        while self.pos < self.src.len() || first {
            let descendant = if self.eat(b'/') {
                self.eat(b'/')
            } else if first {
                false
            } else {
                return self.error("expected '/'");
            };
            steps.push(self.step(descendant)?);
            first = false;
        }
        Ok(Path { steps })
    }

    fn step(&mut self, descendant: bool) -> Result<Step, PathError> {
        let label = if self.eat(b'*') {
            None
        } else {
            Some(self.name()?)
        };
        let mut predicates = Vec::new();
        while self.eat(b'[') {
            predicates.push(self.predicate()?);
            if !self.eat(b']') {
                return self.error("expected ']'");
            }
        }
        Ok(Step {
            descendant,
            label,
            predicates,
        })
    }

    fn name(&mut self) -> Result<Vec<u8>, PathError> {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if matches!(b, b'/' | b'[' | b']' | b'=' | b'"' | b'\'') || b.is_ascii_whitespace() {
                break;
            }
            self.pos += 1;
        }
        if self.pos == start {
            return self.error("expected a name");
        }
        Ok(self.src[start..self.pos].to_vec())
    }

    fn predicate(&mut self) -> Result<Predicate, PathError> {
        let start = self.pos;
        if self.src[self.pos..].starts_with(b"last()") {
            self.pos += b"last()".len();
            return Ok(Predicate::Last);
        }
        let digits = self.src[self.pos..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits > 0 && self.src.get(self.pos + digits) == Some(&b']') {
            let text = std::str::from_utf8(&self.src[self.pos..self.pos + digits]).unwrap_or("0");
            self.pos += digits;
            return match text.parse::<usize>() {
                Ok(n) if n >= 1 => Ok(Predicate::Index(n)),
                _ => {
                    self.pos = start;
                    self.error("positions start at 1")
                }
            };
        }
        if self.eat(b'.') {
            if !self.eat(b'=') {
                return self.error("expected '=' after '.'");
            }
            return Ok(Predicate::SelfArg(self.value()?));
        }
        let name = self.name()?;
        if self.eat(b'=') {
            Ok(Predicate::ChildArg {
                name,
                value: self.value()?,
            })
        } else {
            Ok(Predicate::HasChild(name))
        }
    }

    fn value(&mut self) -> Result<Vec<u8>, PathError> {
        match self.peek() {
            Some(q @ (b'"' | b'\'')) => {
                self.pos += 1;
                let mut out = Vec::new();
                loop {
                    match self.peek() {
                        None => return self.error("unclosed quote"),
                        Some(b) if b == q => {
                            self.pos += 1;
                            return Ok(out);
                        }
                        Some(b'\\') if matches!(self.src.get(self.pos + 1), Some(&n) if n == q || n == b'\\') =>
                        {
                            out.push(self.src[self.pos + 1]);
                            self.pos += 2;
                        }
                        Some(b) => {
                            out.push(b);
                            self.pos += 1;
                        }
                    }
                }
            }
            _ => {
                let start = self.pos;
                while let Some(b) = self.peek() {
                    if b == b']' {
                        break;
                    }
                    self.pos += 1;
                }
                Ok(self.src[start..self.pos].to_vec())
            }
        }
    }
}

/// What the evaluator needs from a loaded configuration.
///
/// `Node` is a handle (for example a file id plus child indices) that the
/// engine can later use to edit the node it names. `children` of a node must
/// already splice in the contents of included files where the server would.
pub trait Tree {
    type Node: Clone;

    /// The top-level directives of the main file.
    fn top(&self) -> Vec<Self::Node>;
    fn children(&self, node: &Self::Node) -> Vec<Self::Node>;
    fn name<'a>(&'a self, node: &Self::Node) -> &'a [u8];
    /// Argument values with quoting and escapes removed.
    fn args(&self, node: &Self::Node) -> Vec<Vec<u8>>;
    /// nginx names are case-sensitive; Apache's are not.
    fn names_equal(&self, a: &[u8], b: &[u8]) -> bool {
        a == b
    }
}

/// One node a path selected, with a canonical path that names it alone
/// (every step indexed among same-named siblings).
#[derive(Debug, Clone)]
pub struct Match<N> {
    pub node: N,
    pub canonical: String,
}

/// Evaluate `path` over `tree`, in document order, without duplicates.
pub fn select<T: Tree>(tree: &T, path: &Path) -> Vec<Match<T::Node>> {
    let mut context: Vec<Match<T::Node>> = Vec::new();
    let mut at_root = true;
    for step in &path.steps {
        let mut next = Vec::new();
        // Canonical paths already in `next`: one lookup per match keeps a step linear in
        // the number of matches (a linear search made `//server` over 16k servers take
        // half a second).
        let mut seen = HashSet::new();
        if at_root {
            let top = indexed(tree, tree.top(), "");
            collect_step(tree, step, top, &mut next, &mut seen);
        } else {
            for ctx in &context {
                let kids = indexed(tree, tree.children(&ctx.node), &ctx.canonical);
                collect_step(tree, step, kids, &mut next, &mut seen);
            }
        }
        context = next;
        at_root = false;
    }
    context
}

/// Children with their canonical paths, `parent/name[k]`.
fn indexed<T: Tree>(tree: &T, nodes: Vec<T::Node>, parent: &str) -> Vec<Match<T::Node>> {
    let mut seen: Vec<(Vec<u8>, usize)> = Vec::new();
    nodes
        .into_iter()
        .map(|node| {
            let name = tree.name(&node).to_vec();
            let k = match seen.iter_mut().find(|(n, _)| tree.names_equal(n, &name)) {
                Some((_, count)) => {
                    *count += 1;
                    *count
                }
                None => {
                    seen.push((name.clone(), 1));
                    1
                }
            };
            let sep = if parent.is_empty() { "" } else { "/" };
            let canonical = format!("{parent}{sep}{}[{k}]", String::from_utf8_lossy(&name));
            Match { node, canonical }
        })
        .collect()
}

/// Add to `out` the candidates `step` keeps that are not in it yet (`seen` holds the
/// canonical paths of `out`), in order.
fn collect_step<T: Tree>(
    tree: &T,
    step: &Step,
    candidates: Vec<Match<T::Node>>,
    out: &mut Vec<Match<T::Node>>,
    seen: &mut HashSet<String>,
) {
    let mut pool = Vec::new();
    if step.descendant {
        descendants(tree, candidates, &mut pool);
    } else {
        pool = candidates;
    }
    let mut kept: Vec<Match<T::Node>> = pool
        .into_iter()
        .filter(|m| match &step.label {
            None => true,
            Some(label) => tree.names_equal(tree.name(&m.node), label),
        })
        .collect();
    for predicate in &step.predicates {
        kept = apply_predicate(tree, predicate, kept);
    }
    for m in kept {
        if seen.insert(m.canonical.clone()) {
            out.push(m);
        }
    }
}

/// `nodes` and everything below them, depth first in document order. An explicit stack:
/// with includes spliced in, nesting has no bound the call stack could rely on.
fn descendants<T: Tree>(tree: &T, nodes: Vec<Match<T::Node>>, out: &mut Vec<Match<T::Node>>) {
    let mut stack: Vec<Match<T::Node>> = nodes.into_iter().rev().collect();
    while let Some(m) = stack.pop() {
        let kids = indexed(tree, tree.children(&m.node), &m.canonical);
        stack.extend(kids.into_iter().rev());
        out.push(m);
    }
}

fn apply_predicate<T: Tree>(
    tree: &T,
    predicate: &Predicate,
    nodes: Vec<Match<T::Node>>,
) -> Vec<Match<T::Node>> {
    match predicate {
        Predicate::Index(n) => nodes.into_iter().nth(n - 1).into_iter().collect(),
        Predicate::Last => nodes.into_iter().last().into_iter().collect(),
        Predicate::HasChild(name) => nodes
            .into_iter()
            .filter(|m| {
                tree.children(&m.node)
                    .iter()
                    .any(|c| tree.names_equal(tree.name(c), name))
            })
            .collect(),
        Predicate::ChildArg { name, value } => nodes
            .into_iter()
            .filter(|m| {
                tree.children(&m.node).iter().any(|c| {
                    tree.names_equal(tree.name(c), name) && tree.args(c).iter().any(|a| a == value)
                })
            })
            .collect(),
        Predicate::SelfArg(value) => nodes
            .into_iter()
            .filter(|m| {
                let args = tree.args(&m.node);
                args.iter().any(|a| a == value) || args.join(&b' ') == *value
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests;
