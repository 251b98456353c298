//! The hand-written parser: logical lines into a [`Body`] (see `grammars/apache.pest` for
//! the same language as a grammar).
//!
//! A logical line is blank, a comment (`#` first), a closing tag (`</Name>`), a section
//! header (`<Name args>`), or a directive (`Name args`). A section header ends at the *last*
//! `>` on its line, as Apache's section handlers read it; text after it is ignored by
//! Apache and kept in `header_eol`. After a closing tag, another closing tag on the same
//! line closes the enclosing section (`</VirtualHost> </IfModule>`); any other text there is
//! ignored by Apache and kept in `close_eol`.

use super::args::Args;
use super::lexer::{line_end, skip_space, word_end};
use super::text::Text;
use super::tree::{Body, Directive, Node, Section, names_equal};
use super::word::Word;
use crate::syntax::pos::{Position, line_col};
use std::fmt;

/// Sections nest at most this deep (Apache has no limit, but no real config comes near).
pub const MAX_DEPTH: usize = 128;

/// A syntax error, with the 1-based line and column where it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{pos}: {kind}")]
pub struct ParseError {
    pub pos: Position,
    /// Byte offset of `pos`.
    pub offset: usize,
    pub kind: ErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// A NUL byte: not a text file.
    Binary,
    /// `<Name ...` without `>` on its line.
    MissingGt {
        name: String,
    },
    /// `</Name` not ending in `>`.
    MissingCloseGt {
        name: String,
    },
    /// `<>` or `< x>`.
    EmptySectionName,
    /// `</Name>` with no open section.
    UnmatchedClose {
        name: String,
    },
    /// `</Other>` while `<Name>` is open.
    MismatchedClose {
        expected: String,
        found: String,
        opened_at: Position,
    },
    /// End of file inside `<Name>`.
    Unclosed {
        name: String,
    },
    TooDeep,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Binary => f.write_str("binary data (NUL byte) in a configuration file"),
            ErrorKind::MissingGt { name } => write!(f, "<{name}> directive missing closing '>'"),
            ErrorKind::MissingCloseGt { name } => {
                write!(f, "</{name}> directive missing closing '>'")
            }
            ErrorKind::EmptySectionName => f.write_str("'<' without a section name"),
            ErrorKind::UnmatchedClose { name } => {
                write!(f, "</{name}> without matching <{name}> section")
            }
            ErrorKind::MismatchedClose {
                expected,
                found,
                opened_at,
            } => {
                write!(
                    f,
                    "expected </{expected}> (for <{expected}> at {opened_at}) but saw </{found}>"
                )
            }
            ErrorKind::Unclosed { name } => write!(
                f,
                "<{name}> is not closed: expected </{name}> before end of file"
            ),
            ErrorKind::TooDeep => write!(f, "sections nested more than {MAX_DEPTH} deep"),
        }
    }
}

/// Parse a whole file.
pub fn parse(src: &[u8]) -> Result<Body, ParseError> {
    if let Some(nul) = memchr::memchr(0, src) {
        return Err(error(src, nul, ErrorKind::Binary));
    }
    let mut parser = Parser {
        src,
        pos: 0,
        nodes: Vec::new(),
    };
    let mut open = Vec::new();
    parser.body(&mut open)
}

fn error(src: &[u8], offset: usize, kind: ErrorKind) -> ParseError {
    ParseError {
        pos: line_col(src, offset),
        offset,
        kind,
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// An open section: its name's value and where its `<` is.
struct Open {
    name: Text,
    at: usize,
}

struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
    /// Nodes of the bodies being parsed, innermost last; each body takes its own off the
    /// top when it ends, so every `Vec<Node>` is allocated once at its exact size.
    nodes: Vec<Node>,
}

impl Parser<'_> {
    /// Nodes up to the end of the file (no open section) or up to the closing tag of the
    /// innermost open section, which is left for the caller.
    fn body(&mut self, open: &mut Vec<Open>) -> Result<Body, ParseError> {
        let src = self.src;
        let base = self.nodes.len();
        loop {
            let trivia_start = self.pos;
            let Some(start) = self.skip_blank_and_comment_lines() else {
                if let Some(o) = open.last() {
                    return Err(error(
                        src,
                        o.at,
                        ErrorKind::Unclosed {
                            name: lossy(&o.name),
                        },
                    ));
                }
                return Ok(Body {
                    nodes: self.nodes.drain(base..).collect(),
                    trailing: src[trivia_start..].into(),
                });
            };
            let leading = &src[trivia_start..start];
            if src[start..].starts_with(b"</") {
                if open.is_empty() {
                    let (name, _) = self.close_tag(start)?;
                    return Err(error(
                        src,
                        start,
                        ErrorKind::UnmatchedClose {
                            name: lossy(&name.bare_value()),
                        },
                    ));
                }
                self.pos = start;
                return Ok(Body {
                    nodes: self.nodes.drain(base..).collect(),
                    trailing: leading.into(),
                });
            }
            let node = if src[start] == b'<' {
                Node::Section(Box::new(self.section(leading, start, open)?))
            } else {
                Node::Directive(self.directive(leading, start))
            };
            self.nodes.push(node);
        }
    }

    /// Skip blank lines and comment lines from `self.pos`; return where the next content
    /// starts (`self.pos` is then the start of the line holding it), or `None` at the end.
    fn skip_blank_and_comment_lines(&mut self) -> Option<usize> {
        let src = self.src;
        loop {
            let p = skip_space(src, self.pos, src.len());
            if p >= src.len() {
                self.pos = src.len();
                return None;
            }
            match src[p] {
                b'\n' => self.pos = p + 1,
                b'#' => self.pos = (line_end(src, p) + 1).min(src.len()),
                _ => return Some(p),
            }
        }
    }

    /// Arguments from `from` up to `limit`: (args, where the last one ends). The words are
    /// only counted here: the run keeps them as written (`args.rs`).
    fn args(&self, from: usize, limit: usize, in_header: bool) -> (Args, usize) {
        let src = self.src;
        let mut count = 0;
        let mut end = from;
        loop {
            let start = skip_space(src, end, limit);
            if start >= limit || src[start] == b'\n' {
                return (Args::lexed(src[from..end].into(), count), end);
            }
            end = word_end(src, start, limit, in_header);
            count += 1;
        }
    }

    /// The rest of the line from `from`, line break included; moves past it.
    fn take_eol(&mut self, from: usize, end: usize) -> Text {
        let stop = (end + 1).min(self.src.len());
        self.pos = stop;
        self.src[from..stop].into()
    }

    fn directive(&mut self, leading: &[u8], start: usize) -> Directive {
        let src = self.src;
        let end = line_end(src, start);
        let name_end = word_end(src, start, end, false);
        let (args, after) = self.args(name_end, end, false);
        let eol = self.take_eol(after, end);
        Directive {
            leading: leading.into(),
            name: Word::from_raw(&src[start..name_end]),
            args,
            eol,
        }
    }

    fn section(
        &mut self,
        leading: &[u8],
        start: usize,
        open: &mut Vec<Open>,
    ) -> Result<Section, ParseError> {
        let src = self.src;
        if open.len() >= MAX_DEPTH {
            return Err(error(src, start, ErrorKind::TooDeep));
        }
        let end = line_end(src, start);
        let first_end = word_end(src, start, end, false);
        let (name, args, before_gt, gt) = if first_end > start + 1 && src[first_end - 1] == b'>' {
            // `<Name>`: no arguments. Apache would read anything after it as arguments
            // lacking their `>`.
            let name = &src[start + 1..first_end - 1];
            if skip_space(src, first_end, end) < end {
                return Err(error(
                    src,
                    start,
                    ErrorKind::MissingGt { name: lossy(name) },
                ));
            }
            (
                name,
                Args::default(),
                &src[first_end - 1..first_end - 1],
                first_end - 1,
            )
        } else {
            let name = &src[start + 1..first_end];
            let Some(gt) = src[first_end..end]
                .iter()
                .rposition(|&b| b == b'>')
                .map(|i| first_end + i)
            else {
                return Err(error(
                    src,
                    start,
                    ErrorKind::MissingGt { name: lossy(name) },
                ));
            };
            let (args, after) = self.args(first_end, gt, true);
            (name, args, &src[after..gt], gt)
        };
        if name.is_empty() {
            return Err(error(src, start, ErrorKind::EmptySectionName));
        }
        let name = Word::from_raw(name);
        let header_eol = self.take_eol(gt + 1, end);
        open.push(Open {
            name: Text::from(&*name.bare_value()),
            at: start,
        });
        let body = self.body(open)?;
        let opened = open.pop();
        let close_at = self.pos;
        let (close_name, close_end) = self.close_tag(close_at)?;
        if let Some(o) = opened
            && !names_equal(&close_name.bare_value(), &o.name)
        {
            let kind = ErrorKind::MismatchedClose {
                expected: lossy(&o.name),
                found: lossy(&close_name.bare_value()),
                opened_at: line_col(src, o.at),
            };
            return Err(error(src, close_at, kind));
        }
        let line_end_at = line_end(src, close_end);
        let next = skip_space(src, close_end, line_end_at);
        let close_eol = if src[next..].starts_with(b"</") {
            // The enclosing section's closing tag follows on this line: its body's
            // trailing trivia takes the space between.
            self.pos = close_end;
            Text::empty()
        } else {
            self.take_eol(close_end, line_end_at)
        };
        Ok(Section {
            leading: leading.into(),
            name,
            args,
            before_gt: before_gt.into(),
            header_eol,
            body,
            close_name,
            close_eol,
        })
    }

    /// The closing tag at `at` (`</Name>`): its name and the end of the tag.
    fn close_tag(&self, at: usize) -> Result<(Word, usize), ParseError> {
        let src = self.src;
        let end = line_end(src, at);
        let tag_end = word_end(src, at, end, false);
        if tag_end < at + 3 || src[tag_end - 1] != b'>' {
            let name = lossy(&src[at + 2..tag_end]);
            return Err(error(src, at, ErrorKind::MissingCloseGt { name }));
        }
        Ok((Word::from_raw(&src[at + 2..tag_end - 1]), tag_end))
    }
}
