//! Parse errors: a position (line and column) and what went wrong.

use crate::syntax::pos::{Position, line_col};
use std::fmt;

/// Why the parser stopped. Messages follow nginx's own where it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// A byte that cannot stand here: `;` or `{` with no directive name, `}`
    /// after arguments or at the top level, anything glued to a closing quote.
    Unexpected(u8),
    /// End of input inside a directive (before its `;` or `{`).
    EndInDirective,
    /// End of input inside a block opened at this position.
    UnclosedBlock(Position),
    /// End of input inside a quoted word opened at this position.
    UnclosedQuote(Position),
    /// End of input inside a `*_by_lua_block` opened at this position.
    UnclosedLua(Position),
    /// Blocks nested deeper than [`super::MAX_DEPTH`].
    TooDeep(usize),
}

/// A parse error at a line and column of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    pub position: Position,
    pub kind: ErrorKind,
}

impl ParseError {
    /// Build an error at byte `offset` of `src` (positions are computed here,
    /// on the error path only).
    pub(super) fn at(src: &[u8], offset: usize, kind: ErrorKind) -> ParseError {
        ParseError {
            position: line_col(src, offset),
            kind,
        }
    }

    /// The message without the position.
    pub fn message(&self) -> String {
        match &self.kind {
            ErrorKind::Unexpected(b) => format!("unexpected {}", show_byte(*b)),
            ErrorKind::EndInDirective => "unexpected end of file, expecting \";\" or \"}\"".into(),
            ErrorKind::UnclosedBlock(p) => {
                format!("unexpected end of file: unclosed block started at {p}")
            }
            ErrorKind::UnclosedQuote(p) => {
                format!("unexpected end of file: unclosed quote started at {p}")
            }
            ErrorKind::UnclosedLua(p) => {
                format!("unexpected end of file: unclosed lua block started at {p}")
            }
            ErrorKind::TooDeep(n) => format!("blocks nested deeper than {n} levels"),
        }
    }
}

fn show_byte(b: u8) -> String {
    if b.is_ascii_graphic() || b == b' ' {
        format!("\"{}\"", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position, self.message())
    }
}
