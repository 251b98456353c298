//! Recursive-descent parser from bytes to a [`Document`].

use super::MAX_DEPTH;
use super::args::Args;
use super::error::{ErrorKind, ParseError};
use super::scan;
use super::text::Text;
use super::tree::{Block, Body, Directive, Document, End, RawBlock};
use super::word::Word;
use crate::syntax::pos::line_col;

/// Parse a whole file.
pub fn parse(src: &[u8]) -> Result<Document, ParseError> {
    let mut p = Parser {
        src,
        pos: 0,
        depth: 0,
        items: Vec::new(),
    };
    let body = p.body(None)?;
    Ok(Document { body })
}

struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
    depth: usize,
    /// Scratch stack: children are collected here, then moved into
    /// exactly-sized vectors (no growth, no copies of growing vectors).
    items: Vec<Directive>,
}

impl<'a> Parser<'a> {
    fn fail<T>(&self, at: usize, kind: ErrorKind) -> Result<T, ParseError> {
        Err(ParseError::at(self.src, at, kind))
    }

    fn trivia(&mut self) -> Text {
        let start = self.pos;
        self.pos = scan::skip_trivia(self.src, self.pos);
        Text::slice_of(self.src, start, self.pos)
    }

    fn same_line(&mut self) -> Text {
        let start = self.pos;
        self.pos = scan::same_line(self.src, self.pos);
        Text::slice_of(self.src, start, self.pos)
    }

    /// Directives up to the end of input (top level, `open` = `None`) or up
    /// to the `}` closing the block opened at `open` (left unconsumed).
    fn body(&mut self, open: Option<usize>) -> Result<Body, ParseError> {
        let first = self.items.len();
        loop {
            let leading = self.trivia();
            match self.src.get(self.pos) {
                None => match open {
                    None => {
                        let items = self.items.drain(first..).collect();
                        return Ok(Body {
                            items,
                            trailing: leading,
                        });
                    }
                    Some(at) => {
                        return self
                            .fail(self.pos, ErrorKind::UnclosedBlock(line_col(self.src, at)));
                    }
                },
                Some(b'}') if open.is_some() => {
                    let items = self.items.drain(first..).collect();
                    return Ok(Body {
                        items,
                        trailing: leading,
                    });
                }
                Some(&b @ (b'}' | b';' | b'{')) => {
                    return self.fail(self.pos, ErrorKind::Unexpected(b));
                }
                Some(_) => {
                    let d = self.directive(leading)?;
                    self.items.push(d);
                }
            }
        }
    }

    /// One word at `self.pos` (known to start a token): its end, checked as
    /// nginx checks it.
    fn word_end(&mut self) -> Result<usize, ParseError> {
        let start = self.pos;
        let quoted = matches!(self.src[start], b'"' | b'\'');
        let end = if quoted {
            match scan::quoted_end(self.src, start) {
                Some(end) => end,
                None => {
                    return self.fail(
                        self.src.len(),
                        ErrorKind::UnclosedQuote(line_col(self.src, start)),
                    );
                }
            }
        } else {
            match scan::bare_end(self.src, start) {
                Some(end) => end,
                None => return self.fail(self.src.len(), ErrorKind::EndInDirective),
            }
        };
        self.pos = end;
        if quoted {
            // nginx: after a closing quote, only whitespace, `;`, `{` or `)`.
            match self.src.get(end) {
                Some(&b) if !scan::is_ws(b) && !matches!(b, b';' | b'{' | b')') => {
                    return self.fail(end, ErrorKind::Unexpected(b));
                }
                _ => {}
            }
        }
        Ok(end)
    }

    fn directive(&mut self, leading: Text) -> Result<Directive, ParseError> {
        let name_at = self.pos;
        let name_end = self.word_end()?;
        let name = Word::from_text(Text::slice_of(self.src, name_at, name_end));
        let args = self.args(name_end)?;
        let end = match self.src[self.pos] {
            b';' => {
                self.pos += 1;
                End::Semicolon
            }
            _ => self.block_end(name_at, &name)?,
        };
        let trailing = self.same_line();
        Ok(Directive {
            leading,
            name,
            args,
            end,
            trailing,
        })
    }

    /// The arguments after the name (which ends at `from`), up to the `;` or `{`
    /// where this stops: kept as one run of bytes (`args.rs`), only counted here.
    fn args(&mut self, from: usize) -> Result<Args, ParseError> {
        let mut count = 0;
        let mut words_end = from;
        loop {
            self.pos = scan::skip_trivia(self.src, self.pos);
            match self.src.get(self.pos) {
                None => return self.fail(self.pos, ErrorKind::EndInDirective),
                Some(b';' | b'{') => {
                    let text = Text::slice_of(self.src, from, self.pos);
                    return Ok(Args::lexed(text, count, words_end - from));
                }
                Some(b'}') => return self.fail(self.pos, ErrorKind::Unexpected(b'}')),
                Some(_) => {
                    words_end = self.word_end()?;
                    count += 1;
                }
            }
        }
    }

    /// The `{ ... }` at `self.pos`, consumed up to and including its `}`.
    fn block_end(&mut self, name_at: usize, name: &Word) -> Result<End, ParseError> {
        let open_at = self.pos;
        self.pos += 1;
        if name.value().ends_with(b"_by_lua_block") {
            let Some(close) = scan::lua_block_end(self.src, self.pos) else {
                return self.fail(
                    self.src.len(),
                    ErrorKind::UnclosedLua(line_col(self.src, open_at)),
                );
            };
            let code = Text::new(&self.src[self.pos..close]);
            self.pos = close + 1;
            return Ok(End::Raw(Box::new(RawBlock { code })));
        }
        if self.depth >= MAX_DEPTH {
            return self.fail(name_at, ErrorKind::TooDeep(MAX_DEPTH));
        }
        self.depth += 1;
        let open = self.same_line();
        let body = self.body(Some(open_at))?;
        self.depth -= 1;
        self.pos += 1; // the `}` body() stopped at
        Ok(End::Block(Box::new(Block { open, body })))
    }
}
