//! A file's layout conventions (indent unit, line ending), detected from the
//! file itself, and the re-indentation of inserted nodes.

use super::text::Text;
use super::tree::{Body, Directive, Document, End};

/// One level of indentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indent {
    Tabs,
    Spaces(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Newline {
    Lf,
    CrLf,
}

/// How new lines in a file are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub indent: Indent,
    pub newline: Newline,
}

impl Default for Style {
    fn default() -> Style {
        Style {
            indent: Indent::Spaces(4),
            newline: Newline::Lf,
        }
    }
}

/// How many line breaks / indented lines to look at before deciding.
const SAMPLES: usize = 200;

impl Style {
    /// The file's conventions: the most common indentation step between a
    /// block's directives and the block itself, and the most common line
    /// ending. Defaults: 4 spaces, LF.
    pub fn detect(doc: &Document) -> Style {
        let mut votes = Votes::default();
        votes.body(&doc.body, b"", true);
        let newline = if votes.crlf > votes.lf {
            Newline::CrLf
        } else {
            Newline::Lf
        };
        let indent = votes
            .steps
            .iter()
            .max_by_key(|(_, n)| *n)
            .map_or(Indent::Spaces(4), |(s, _)| *s);
        Style { indent, newline }
    }

    pub fn unit(&self) -> Vec<u8> {
        match self.indent {
            Indent::Tabs => b"\t".to_vec(),
            Indent::Spaces(n) => vec![b' '; n as usize],
        }
    }

    pub fn newline_bytes(&self) -> &'static [u8] {
        match self.newline {
            Newline::Lf => b"\n",
            Newline::CrLf => b"\r\n",
        }
    }
}

#[derive(Default)]
struct Votes {
    steps: Vec<(Indent, usize)>,
    samples: usize,
    lf: usize,
    crlf: usize,
}

impl Votes {
    /// `starts_line`: whether the first item's leading trivia starts a line.
    fn body(&mut self, body: &Body, parent_indent: &[u8], mut starts_line: bool) {
        for d in &body.items {
            if self.samples >= SAMPLES {
                return;
            }
            self.newlines(&d.leading);
            self.newlines(&d.trailing);
            let indent = own_line_indent(&d.leading).or(starts_line.then_some(&d.leading[..]));
            starts_line = d.trailing.ends_with(b"\n");
            let Some(indent) = indent else { continue };
            if let Some(step) = indent.strip_prefix(parent_indent).filter(|s| !s.is_empty()) {
                self.vote(step);
            }
            if let End::Block(b) = &d.end {
                self.newlines(&b.open);
                self.body(&b.body, indent, b.open.ends_with(b"\n"));
            }
        }
    }

    fn newlines(&mut self, trivia: &[u8]) {
        for (i, &b) in trivia.iter().enumerate() {
            if b == b'\n' {
                if i > 0 && trivia[i - 1] == b'\r' {
                    self.crlf += 1;
                } else {
                    self.lf += 1;
                }
            }
        }
    }

    fn vote(&mut self, step: &[u8]) {
        let indent = if step.iter().all(|&b| b == b'\t') {
            Indent::Tabs
        } else if step.iter().all(|&b| b == b' ') && step.len() <= 16 {
            Indent::Spaces(step.len() as u8)
        } else {
            return;
        };
        self.samples += 1;
        match self.steps.iter_mut().find(|(s, _)| *s == indent) {
            Some((_, n)) => *n += 1,
            None => self.steps.push((indent, 1)),
        }
    }
}

/// The indentation of a directive whose leading trivia starts a new line
/// (it contains a line break): what follows the last line break.
pub(super) fn own_line_indent(leading: &[u8]) -> Option<&[u8]> {
    let nl = leading.iter().rposition(|&b| b == b'\n')?;
    Some(&leading[nl + 1..])
}

/// `trivia` ending with exactly one line break in the file's style (trailing
/// spaces before an added break are dropped).
pub(super) fn with_line_break(trivia: &[u8], style: &Style) -> Text {
    let nl = style.newline_bytes();
    let body = match trivia.strip_suffix(b"\n") {
        Some(rest) => rest.strip_suffix(b"\r").unwrap_or(rest),
        None => trim_end_spaces(trivia),
    };
    Text::from([body, nl].concat())
}

pub(super) fn trim_end_spaces(t: &[u8]) -> &[u8] {
    let keep = t
        .iter()
        .rposition(|&b| !matches!(b, b' ' | b'\t'))
        .map_or(0, |i| i + 1);
    &t[..keep]
}

/// Trivia that starts at the beginning of a line, re-indented: every
/// comment line gets `indent`, blank lines stay blank, the part after the
/// last line break (the indentation of the next token) becomes `last`.
pub(super) fn reindent(trivia: &[u8], indent: &[u8], last: &[u8], style: &Style) -> Text {
    let nl = style.newline_bytes();
    let mut out = Vec::with_capacity(trivia.len() + 8);
    let mut lines = trivia.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let content = line.strip_suffix(b"\r").unwrap_or(line);
        let content = &content[content
            .iter()
            .take_while(|&&b| matches!(b, b' ' | b'\t'))
            .count()..];
        if lines.peek().is_none() {
            out.extend_from_slice(last);
            out.extend_from_slice(content);
        } else {
            if !content.is_empty() {
                out.extend_from_slice(indent);
                out.extend_from_slice(content);
            }
            out.extend_from_slice(nl);
        }
    }
    Text::from(out)
}

/// Lay out the inside of a directive about to be inserted at indentation
/// `indent`: each child on its own line one unit deeper (comments and blank
/// lines inside kept), the closing `}` at `indent`, line breaks in the
/// file's style. The directive's own leading and trailing trivia are the
/// caller's business.
pub(super) fn layout(d: &mut Directive, indent: &[u8], style: &Style) {
    let End::Block(block) = &mut d.end else {
        return;
    };
    let mut child_indent = indent.to_vec();
    child_indent.extend_from_slice(&style.unit());
    let body = &mut block.body;
    if body.items.is_empty() && !body.trailing.contains(&b'\n') && !block.open.contains(&b'\n') {
        return; // `{}` stays on one line
    }
    block.open = with_line_break(&block.open, style);
    for child in &mut body.items {
        child.leading = reindent(&child.leading, &child_indent, &child_indent, style);
        child.trailing = with_line_break(&child.trailing, style);
        layout(child, &child_indent, style);
    }
    body.trailing = reindent(&body.trailing, &child_indent, indent, style);
}
