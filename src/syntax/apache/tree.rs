//! The lossless tree: every byte of a file lives in exactly one field, and printing
//! concatenates the fields in source order.
//!
//! Ownership of trivia (whitespace, comments, continuations):
//! - a node's `leading` holds everything from the end of the previous line up to its name:
//!   blank lines, full-line comments above it, its indentation;
//! - the *end of a line* owns what follows the last word on it: `Directive::eol`,
//!   `Section::header_eol` (after `>`), `Section::close_eol` (after `</Name>`), each ending
//!   with the line break (empty at the end of a file without one);
//! - what is left at the end of a body (comments, blank lines, the indentation of the
//!   closing tag) is `Body::trailing`;
//! - space between words, continuations included, is the `space` of the word after it;
//!   a node keeps its arguments and those spaces as one run of bytes ([`Args`]).

use super::args::Args;
use super::text::Text;
use super::word::Word;
use std::borrow::Cow;

/// A sequence of nodes, with the trivia after the last one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Body {
    pub nodes: Vec<Node>,
    pub trailing: Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Directive(Directive),
    /// Boxed: sections are rarer and larger than directives.
    Section(Box<Section>),
}

/// `Name arg...` on one logical line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub leading: Text,
    pub name: Word,
    pub args: Args,
    pub eol: Text,
}

/// An argument and the space before it (made on request from a node's [`Args`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub space: Text,
    pub word: Word,
}

/// `<Name arg...>` body `</Name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub leading: Text,
    /// The name as written after `<` (no `<`, no `>`).
    pub name: Word,
    pub args: Args,
    /// Space (and continuations) between the last argument and `>`.
    pub before_gt: Text,
    /// After `>`: text Apache ignores (usually none), space, the line break.
    pub header_eol: Text,
    pub body: Body,
    /// The name as written in the closing tag (between `</` and `>`).
    pub close_name: Word,
    /// After `</Name>`: ignored text, space, the line break; empty when the parent's
    /// closing tag follows on the same line (`</VirtualHost> </IfModule>`).
    pub close_eol: Text,
}

impl Node {
    /// The name as Apache compares it (case-insensitively): directive name or section
    /// name without `<`.
    pub fn name(&self) -> &Word {
        match self {
            Node::Directive(d) => &d.name,
            Node::Section(s) => &s.name,
        }
    }

    /// The name as Apache reads it: a directive's first word unquoted, a section's name as
    /// a bare word (after `<`, quotes are data).
    pub fn name_value(&self) -> Cow<'_, [u8]> {
        match self {
            Node::Directive(d) => d.name.value(),
            Node::Section(s) => s.name.bare_value(),
        }
    }

    /// [`Node::name_value`] without allocating: exact unless the name holds a backslash.
    pub fn name_bytes(&self) -> &[u8] {
        match self {
            Node::Directive(d) => d.name.as_plain(),
            Node::Section(s) => s.name.raw(),
        }
    }

    pub fn is_named(&self, name: &str) -> bool {
        names_equal(&self.name_value(), name.as_bytes())
    }

    pub fn args(&self) -> &Args {
        match self {
            Node::Directive(d) => &d.args,
            Node::Section(s) => &s.args,
        }
    }

    pub fn args_mut(&mut self) -> &mut Args {
        match self {
            Node::Directive(d) => &mut d.args,
            Node::Section(s) => &mut s.args,
        }
    }

    /// Argument values (see [`Word::value`]).
    pub fn arg_values(&self) -> Vec<Vec<u8>> {
        self.args()
            .raw()
            .map(|(_, word)| Word::from_raw(word).value().into_owned())
            .collect()
    }

    pub fn leading(&self) -> &[u8] {
        match self {
            Node::Directive(d) => &d.leading,
            Node::Section(s) => &s.leading,
        }
    }

    pub fn leading_mut(&mut self) -> &mut Text {
        match self {
            Node::Directive(d) => &mut d.leading,
            Node::Section(s) => &mut s.leading,
        }
    }

    /// The end of the node's last line (`eol` or `close_eol`).
    pub fn last_eol(&self) -> &[u8] {
        match self {
            Node::Directive(d) => &d.eol,
            Node::Section(s) => &s.close_eol,
        }
    }

    pub fn last_eol_mut(&mut self) -> &mut Text {
        match self {
            Node::Directive(d) => &mut d.eol,
            Node::Section(s) => &mut s.close_eol,
        }
    }

    pub fn body(&self) -> Option<&Body> {
        match self {
            Node::Directive(_) => None,
            Node::Section(s) => Some(&s.body),
        }
    }

    pub fn body_mut(&mut self) -> Option<&mut Body> {
        match self {
            Node::Directive(_) => None,
            Node::Section(s) => Some(&mut s.body),
        }
    }

    pub fn as_section(&self) -> Option<&Section> {
        match self {
            Node::Section(s) => Some(s.as_ref()),
            Node::Directive(_) => None,
        }
    }

    /// The indentation of the node's first line: the bytes of `leading` after its last
    /// line break.
    pub fn indentation(&self) -> &[u8] {
        last_line(self.leading())
    }

    /// Append the node's bytes to `out`.
    pub fn print_to(&self, out: &mut Vec<u8>) {
        match self {
            Node::Directive(d) => {
                out.extend_from_slice(&d.leading);
                out.extend_from_slice(d.name.raw());
                print_args(&d.args, out);
                out.extend_from_slice(&d.eol);
            }
            Node::Section(s) => {
                out.extend_from_slice(&s.leading);
                out.push(b'<');
                out.extend_from_slice(s.name.raw());
                print_args(&s.args, out);
                out.extend_from_slice(&s.before_gt);
                out.push(b'>');
                out.extend_from_slice(&s.header_eol);
                s.body.print_to(out);
                out.extend_from_slice(b"</");
                out.extend_from_slice(s.close_name.raw());
                out.push(b'>');
                out.extend_from_slice(&s.close_eol);
            }
        }
    }

    /// The number of bytes [`Node::print_to`] writes.
    pub fn printed_len(&self) -> usize {
        match self {
            Node::Directive(d) => {
                d.leading.len() + d.name.raw().len() + args_len(&d.args) + d.eol.len()
            }
            Node::Section(s) => {
                s.leading.len()
                    + 1
                    + s.name.raw().len()
                    + args_len(&s.args)
                    + s.before_gt.len()
                    + 1
                    + s.header_eol.len()
                    + s.body.printed_len()
                    + 2
                    + s.close_name.raw().len()
                    + 1
                    + s.close_eol.len()
            }
        }
    }

    /// Bytes from the start of the node to its name (`leading`, plus `<` for sections).
    pub(crate) fn name_offset(&self) -> usize {
        match self {
            Node::Directive(d) => d.leading.len(),
            Node::Section(s) => s.leading.len(),
        }
    }

    /// Bytes from the start of a section to the start of its body.
    pub(crate) fn body_offset(&self) -> Option<usize> {
        let s = self.as_section()?;
        Some(
            s.leading.len()
                + 1
                + s.name.raw().len()
                + args_len(&s.args)
                + s.before_gt.len()
                + 1
                + s.header_eol.len(),
        )
    }
}

impl Body {
    pub fn print_to(&self, out: &mut Vec<u8>) {
        for node in &self.nodes {
            node.print_to(out);
        }
        out.extend_from_slice(&self.trailing);
    }

    pub fn printed_len(&self) -> usize {
        self.nodes.iter().map(Node::printed_len).sum::<usize>() + self.trailing.len()
    }

    /// The node at `path` (indices through nested section bodies).
    pub fn get(&self, path: &[usize]) -> Option<&Node> {
        let (&first, rest) = path.split_first()?;
        let node = self.nodes.get(first)?;
        if rest.is_empty() {
            Some(node)
        } else {
            node.body()?.get(rest)
        }
    }

    pub fn get_mut(&mut self, path: &[usize]) -> Option<&mut Node> {
        let (&first, rest) = path.split_first()?;
        let node = self.nodes.get_mut(first)?;
        if rest.is_empty() {
            Some(node)
        } else {
            node.body_mut()?.get_mut(rest)
        }
    }

    /// The body at `path` (empty path: this body); `None` when the path does not name a
    /// section.
    pub fn body_at(&self, path: &[usize]) -> Option<&Body> {
        if path.is_empty() {
            Some(self)
        } else {
            self.get(path)?.body()
        }
    }

    pub fn body_at_mut(&mut self, path: &[usize]) -> Option<&mut Body> {
        if path.is_empty() {
            Some(self)
        } else {
            self.get_mut(path)?.body_mut()
        }
    }

    /// Byte offset of the name of the node at `path` within the printed body.
    pub fn offset_of(&self, path: &[usize]) -> Option<usize> {
        let (&first, rest) = path.split_first()?;
        let before: usize = self.nodes.get(..first)?.iter().map(Node::printed_len).sum();
        let node = self.nodes.get(first)?;
        if rest.is_empty() {
            Some(before + node.name_offset())
        } else {
            Some(before + node.body_offset()? + node.body()?.offset_of(rest)?)
        }
    }
}

impl Body {
    /// For each node, the 1-based line on which its bytes (its leading trivia) start, when
    /// the body starts on `first_line`. One pass, no printing.
    pub fn line_starts(&self, first_line: usize) -> Vec<usize> {
        let mut line = first_line;
        let mut out = Vec::with_capacity(self.nodes.len());
        for node in &self.nodes {
            out.push(line);
            line += newlines_in_node(node);
        }
        out
    }

    /// Visit every node in document order with its index path and the 1-based line of its
    /// name, in one pass over the bytes; `visit` returns whether to descend into a section.
    pub fn visit_lines(&self, mut visit: impl FnMut(&[usize], &Node, usize) -> bool) {
        visit_body(self, &mut Vec::new(), 1, &mut visit);
    }
}

/// Returns the line after the body.
fn visit_body(
    body: &Body,
    path: &mut Vec<usize>,
    mut line: usize,
    visit: &mut impl FnMut(&[usize], &Node, usize) -> bool,
) -> usize {
    for (i, node) in body.nodes.iter().enumerate() {
        path.push(i);
        line += newlines(node.leading());
        let descend = visit(path, node, line);
        line += newlines(node.name().raw()) + newlines(node.args().bytes());
        match node {
            Node::Directive(d) => line += newlines(&d.eol),
            Node::Section(s) => {
                line += newlines(&s.before_gt) + newlines(&s.header_eol);
                line = if descend {
                    visit_body(&s.body, path, line, visit)
                } else {
                    line + newlines_in_body(&s.body)
                };
                line += newlines(s.close_name.raw()) + newlines(&s.close_eol);
            }
        }
        path.pop();
    }
    line + newlines(&body.trailing)
}

impl Node {
    /// Line breaks from the node's first byte to the name of its descendant at `path`
    /// (empty: to its own name).
    pub fn lines_to(&self, path: &[usize]) -> Option<usize> {
        let mut lines = newlines(self.leading());
        let Some((&i, rest)) = path.split_first() else {
            return Some(lines);
        };
        let Node::Section(s) = self else { return None };
        lines += newlines(s.name.raw()) + newlines(s.args.bytes());
        lines += newlines(&s.before_gt) + newlines(&s.header_eol);
        lines += s
            .body
            .nodes
            .get(..i)?
            .iter()
            .map(newlines_in_node)
            .sum::<usize>();
        Some(lines + s.body.nodes.get(i)?.lines_to(rest)?)
    }
}

fn newlines_in_body(body: &Body) -> usize {
    body.nodes.iter().map(newlines_in_node).sum::<usize>() + newlines(&body.trailing)
}

fn newlines_in_node(node: &Node) -> usize {
    let args = newlines(node.args().bytes());
    let own = newlines(node.leading()) + newlines(node.name().raw()) + args;
    match node {
        Node::Directive(d) => own + newlines(&d.eol),
        Node::Section(s) => {
            own + newlines(&s.before_gt)
                + newlines(&s.header_eol)
                + newlines_in_body(&s.body)
                + newlines(s.close_name.raw())
                + newlines(&s.close_eol)
        }
    }
}

fn newlines(bytes: &[u8]) -> usize {
    if bytes.len() < 32 {
        bytes.iter().filter(|&&b| b == b'\n').count()
    } else {
        memchr::memchr_iter(b'\n', bytes).count()
    }
}

fn print_args(args: &Args, out: &mut Vec<u8>) {
    out.extend_from_slice(args.bytes());
}

fn args_len(args: &Args) -> usize {
    args.bytes().len()
}

/// The bytes after the last line break.
pub(crate) fn last_line(trivia: &[u8]) -> &[u8] {
    match trivia.iter().rposition(|&b| b == b'\n') {
        Some(i) => &trivia[i + 1..],
        None => trivia,
    }
}

/// Apache compares directive and section names ASCII-case-insensitively.
pub fn names_equal(a: &[u8], b: &[u8]) -> bool {
    a.eq_ignore_ascii_case(b)
}
