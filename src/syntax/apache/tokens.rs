//! A flat view of a parsed file: where each comment, name and argument lies. Used to check
//! the parser against `grammars/apache.pest`, and handy for highlighting or debugging.

use super::Document;
use super::args::Args;
use super::lexer::{line_end, skip_space};
use super::tree::{Body, Node};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TokenKind {
    /// `# ...` up to (not including) the line break.
    Comment,
    /// A directive's name.
    Name,
    /// A directive's argument.
    Arg,
    /// A section's name (after `<`).
    SectionName,
    /// An argument in a section header.
    SectionArg,
    /// The name in a closing tag (between `</` and `>`).
    CloseName,
}

/// A token and its byte range in the printed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

impl Document {
    /// Every token, in document order.
    pub fn tokens(&self) -> Vec<Token> {
        let mut out = Vec::new();
        body_tokens(&self.body, 0, &mut out);
        out
    }
}

fn body_tokens(body: &Body, mut at: usize, out: &mut Vec<Token>) -> usize {
    for node in &body.nodes {
        at = comments(node.leading(), at, out);
        match node {
            Node::Directive(d) => {
                at = token(TokenKind::Name, at, d.name.raw().len(), out);
                at = args(&d.args, TokenKind::Arg, at, out);
                at += d.eol.len();
            }
            Node::Section(s) => {
                at = token(TokenKind::SectionName, at + 1, s.name.raw().len(), out);
                at = args(&s.args, TokenKind::SectionArg, at, out);
                at += s.before_gt.len() + 1 + s.header_eol.len();
                at = body_tokens(&s.body, at, out);
                at = token(TokenKind::CloseName, at + 2, s.close_name.raw().len(), out);
                at += 1 + s.close_eol.len();
            }
        }
    }
    comments(&body.trailing, at, out)
}

fn token(kind: TokenKind, start: usize, len: usize, out: &mut Vec<Token>) -> usize {
    out.push(Token {
        kind,
        start,
        end: start + len,
    });
    start + len
}

fn args(args: &Args, kind: TokenKind, mut at: usize, out: &mut Vec<Token>) -> usize {
    for (space, word) in args.raw() {
        at = token(kind, at + space.len(), word.len(), out);
    }
    at
}

/// Comment lines inside trivia starting at byte `base`; returns the end of the trivia.
fn comments(trivia: &[u8], base: usize, out: &mut Vec<Token>) -> usize {
    let mut pos = 0;
    loop {
        let p = skip_space(trivia, pos, trivia.len());
        match trivia.get(p) {
            Some(b'\n') => pos = p + 1,
            Some(b'#') => {
                let end = line_end(trivia, p);
                out.push(Token {
                    kind: TokenKind::Comment,
                    start: base + p,
                    end: base + end,
                });
                pos = end + 1;
            }
            _ => return base + trivia.len(),
        }
    }
}
