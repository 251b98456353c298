//! The lossless Apache httpd syntax tree: parser, printer, edits. Pure: no I/O.
//!
//! ```
//! use certsmith::syntax::apache::{Document, Directive, Word};
//!
//! let src = b"<VirtualHost *:80>\n\tServerName example.com\n</VirtualHost>\n";
//! let mut file = Document::parse(src).unwrap();
//! assert_eq!(file.print(), src);                      // byte-exact round trip
//! let vhost = file.find(&[], "VirtualHost").unwrap();  // index path [0]
//! let alias = Directive::new("ServerAlias", vec![Word::new("www.example.com").unwrap()]).unwrap();
//! file.push(&vhost, alias.into()).unwrap();            // indentation from the siblings
//! assert_eq!(
//!     file.print(),
//!     b"<VirtualHost *:80>\n\tServerName example.com\n\tServerAlias www.example.com\n</VirtualHost>\n"
//! );
//! ```
//!
//! # Language
//! Apache reads logical lines (a `\` before the line break joins the next line); a line is
//! blank, a comment (`#` as its first non-space byte; `#` anywhere else is data, an
//! argument), a directive `Name arg...`, a section header `<Name arg...>` or a closing tag
//! `</Name>`. Names compare ASCII-case-insensitively. Arguments are words as
//! `ap_getword_conf` splits them (see `lexer.rs` and [`Word`]). The normative grammar is
//! `grammars/apache.pest`; a test keeps it and this parser in agreement.
//!
//! # Invariants
//! - `print(parse(x)) == x` for every `x` that parses ([`check_roundtrip`]).
//! - Edits touch only the lines of the nodes they insert, remove or replace; new lines take
//!   the indentation of their siblings (else the parent's plus one unit) and the file's line
//!   ending ([`edit`]).
//! - User values enter only through [`Word::new`], which quotes or refuses.
//! - Errors carry line and column; no input panics; sections nest at most [`MAX_DEPTH`].
//!
//! # Comments and markers
//! Apache has no same-line comments (`Timeout 30 # x` passes `#` and `x` as arguments), so
//! certsmith marks nothing by default, as Certbot does on Apache: undo is the reverter's job.
//! [`Document::set_comment`] puts a full-line comment above a node for callers that
//! want one; removing the node keeps comments above it, like any other comment.

mod args;
mod check;
pub mod edit;
pub(crate) mod lexer;
mod parser;
use super::text;
mod tokens;
mod tree;
mod word;

pub use args::{Args, RawArgs};
pub use check::{RoundTripError, check_roundtrip};
pub use edit::{EditError, Style};
pub use parser::{ErrorKind, MAX_DEPTH, ParseError};
pub use text::Text;
pub use tokens::{Token, TokenKind};
pub use tree::{Arg, Body, Directive, Node, Section, names_equal};
pub use word::{ValueError, Word};

/// A parsed file: its body, and the layout new lines follow (see [`Style`]).
#[derive(Debug, Clone)]
pub struct Document {
    pub body: Body,
    eol: &'static [u8],
    /// Detected on first use: only edits need it.
    indent_unit: std::cell::OnceCell<Vec<u8>>,
}

impl PartialEq for Document {
    fn eq(&self, other: &Document) -> bool {
        self.body == other.body && self.eol == other.eol
    }
}

impl Eq for Document {}

impl Default for Document {
    /// The empty file.
    fn default() -> Document {
        Document {
            body: Body::default(),
            eol: b"\n",
            indent_unit: Default::default(),
        }
    }
}

impl Document {
    /// Parse a whole file (or a `.htaccess` file: same syntax).
    pub fn parse(src: &[u8]) -> Result<Document, ParseError> {
        let body = parser::parse(src)?;
        Ok(Document {
            body,
            eol: edit::detect_eol(src),
            indent_unit: Default::default(),
        })
    }

    /// The indentation unit and line ending new lines get.
    pub fn style(&self) -> Style {
        let unit = self
            .indent_unit
            .get_or_init(|| edit::detect_indent_unit(&self.body));
        Style {
            indent_unit: unit.clone(),
            eol: self.eol,
        }
    }

    /// The file's bytes: exactly the input when nothing was edited.
    pub fn print(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.body.printed_len());
        self.body.print_to(&mut out);
        out
    }

    /// The node at an index path (`[2, 0]`: first child of the third top-level node).
    pub fn get(&self, path: &[usize]) -> Option<&Node> {
        self.body.get(path)
    }

    pub fn get_mut(&mut self, path: &[usize]) -> Option<&mut Node> {
        self.body.get_mut(path)
    }

    /// The body of the section at `parent` (`&[]`: the top level).
    pub fn body_at(&self, parent: &[usize]) -> Option<&Body> {
        self.body.body_at(parent)
    }

    pub fn body_at_mut(&mut self, parent: &[usize]) -> Option<&mut Body> {
        self.body.body_at_mut(parent)
    }

    /// Every node with its index path, in document order.
    pub fn walk(&self) -> Vec<(Vec<usize>, &Node)> {
        fn go<'a>(body: &'a Body, prefix: &mut Vec<usize>, out: &mut Vec<(Vec<usize>, &'a Node)>) {
            for (i, node) in body.nodes.iter().enumerate() {
                prefix.push(i);
                out.push((prefix.clone(), node));
                if let Some(b) = node.body() {
                    go(b, prefix, out);
                }
                prefix.pop();
            }
        }
        let mut out = Vec::new();
        go(&self.body, &mut Vec::new(), &mut out);
        out
    }

    /// The index path of the first child of `parent` named `name` (case-insensitive).
    pub fn find(&self, parent: &[usize], name: &str) -> Option<Vec<usize>> {
        let body = self.body.body_at(parent)?;
        let i = body.nodes.iter().position(|n| n.is_named(name))?;
        let mut path = parent.to_vec();
        path.push(i);
        Some(path)
    }

    /// The 1-based line on which the node at `path` starts (its name, after comments).
    pub fn line_of(&self, path: &[usize]) -> Option<usize> {
        let (&first, rest) = path.split_first()?;
        let start = *self.body.line_starts(1).get(first)?;
        Some(start + self.body.nodes.get(first)?.lines_to(rest)?)
    }
}

#[cfg(test)]
mod tests;
