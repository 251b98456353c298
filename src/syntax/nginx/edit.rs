//! Edits on a [`Document`], each handling trivia in exactly one place.
//!
//! Rules (see the module docs of `syntax::nginx` for trivia ownership):
//! - a new directive goes on its own line, indented like its nearest sibling
//!   (else its parent plus one unit), with the file's line ending; only inside
//!   a one-line block (`{ a; b; }`) does it stay on that line;
//! - removing a directive removes its line(s) and same-line comment, keeps the
//!   full-line comments that stood above it, and never glues what was before
//!   it to what was after it;
//! - replacing keeps the old directive's leading and trailing trivia;
//! - values enter only as [`Word`]s (see [`Word::new`]).

use super::ParseError;
use super::args::Args;
use super::style::{Style, layout, own_line_indent, with_line_break};
use super::text::Text;
use super::tree::{Block, Body, Directive, Document, End};
use super::word::{Word, WordError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("no directive at {0:?}")]
    NoSuchNode(Vec<usize>),
    #[error("the directive at {0:?} is not a block")]
    NotABlock(Vec<usize>),
    #[error("comment text must be one line")]
    MultiLineComment,
    #[error(transparent)]
    Word(#[from] WordError),
    #[error("template: {0}")]
    Template(ParseError),
    #[error("template: expected exactly one directive, found {0}")]
    TemplateCount(usize),
}

impl Directive {
    /// `name args...;` (no trivia yet: insertion lays it out).
    pub fn new(name: &str, args: impl IntoIterator<Item = Word>) -> Result<Directive, WordError> {
        let mut d = Directive {
            leading: Text::empty(),
            name: Word::name(name)?,
            args: Args::default(),
            end: End::Semicolon,
            trailing: Text::empty(),
        };
        d.set_args(args);
        Ok(d)
    }

    /// `name args... { children }`.
    pub fn with_block(
        name: &str,
        args: impl IntoIterator<Item = Word>,
        children: Vec<Directive>,
    ) -> Result<Directive, WordError> {
        let mut d = Directive::new(name, args)?;
        d.args.set_before_end(b" ");
        d.end = End::Block(Box::new(Block {
            open: Text::empty(),
            body: Body {
                items: children,
                trailing: Text::empty(),
            },
        }));
        Ok(d)
    }

    /// A directive from a constant snippet (a template such as a whole
    /// `server { ... }`); put user values in afterwards with [`Directive::set_args`].
    pub fn parse(snippet: &[u8]) -> Result<Directive, EditError> {
        let doc = Document::parse(snippet).map_err(EditError::Template)?;
        let mut items = doc.body.items;
        if items.len() != 1 {
            return Err(EditError::TemplateCount(items.len()));
        }
        let mut d = items.remove(0);
        d.leading = Text::empty();
        d.trailing = Text::empty();
        Ok(d)
    }

    /// Replace the arguments, keeping the spacing (and comments) before the
    /// ones that remain; new ones get one space.
    pub fn set_args(&mut self, args: impl IntoIterator<Item = Word>) {
        let words: Vec<Word> = args.into_iter().collect();
        let mut old = self.args.iter();
        let mut prev_quoted = self.name.is_quoted();
        let mut parts = Vec::with_capacity(words.len());
        for word in &words {
            let mut leading = old.next().map_or(&b" "[..], |(leading, _)| leading);
            // An empty gap is only legal as `"quoted")`; anything else needs a space.
            if leading.is_empty() && !(prev_quoted && word.raw().first() == Some(&b')')) {
                leading = b" ";
            }
            prev_quoted = word.is_quoted();
            parts.push((leading, word.raw()));
        }
        let mut args = Args::from_parts(parts, self.args.before_end());
        // `$` right before `{` would glue the brace into the word (`${`).
        let last = args.last().unwrap_or(self.name.raw());
        if args.before_end().is_empty()
            && !matches!(self.end, End::Semicolon)
            && last.ends_with(b"$")
        {
            args.set_before_end(b" ");
        }
        self.args = args;
    }
}

/// The trivia owned by whatever stands just before item `index` of the body
/// at `parent`: the previous sibling's trailing trivia, the block's `{`, or
/// nothing (start of file).
fn before_mut<'a>(doc: &'a mut Document, parent: &[usize], index: usize) -> Option<&'a mut Text> {
    if index > 0 {
        return doc
            .body_at_mut(parent)?
            .items
            .get_mut(index - 1)
            .map(|d| &mut d.trailing);
    }
    if parent.is_empty() {
        return None;
    }
    match &mut doc.get_mut(parent)?.end {
        End::Block(b) => Some(&mut b.open),
        _ => None,
    }
}

/// The leading trivia of item `index`, or the body's trailing trivia when
/// `index` is past the last item.
fn after_mut(body: &mut Body, index: usize) -> &mut Text {
    match body.items.get_mut(index) {
        Some(d) => &mut d.leading,
        None => &mut body.trailing,
    }
}

impl Document {
    /// The file's indentation unit and line ending.
    pub fn style(&self) -> Style {
        Style::detect(self)
    }

    /// The trivia owned by whatever stands just before item `index` of the
    /// body at `parent` (`None` at the start of the file).
    fn before(&self, parent: &[usize], index: usize) -> Option<&Text> {
        if index > 0 {
            return self
                .body_at(parent)?
                .items
                .get(index - 1)
                .map(|d| &d.trailing);
        }
        match &self.get(parent)?.end {
            End::Block(b) => Some(&b.open),
            _ => None,
        }
    }

    /// Indentation of the line the directive at `at` starts, if it starts one.
    fn line_indent(&self, at: &[usize]) -> Option<Vec<u8>> {
        let (&index, parent) = at.split_last()?;
        let d = self.get(at)?;
        if let Some(indent) = own_line_indent(&d.leading) {
            return Some(indent.to_vec());
        }
        let starts_line = self
            .before(parent, index)
            .is_none_or(|t| t.ends_with(b"\n"));
        starts_line.then(|| d.leading.to_vec())
    }

    /// Indentation for a directive at the level of `at`.
    fn indent_of(&self, at: &[usize], style: &Style) -> Vec<u8> {
        self.line_indent(at)
            .unwrap_or_else(|| match at.split_last() {
                Some((_, parent)) if !parent.is_empty() => {
                    [self.indent_of(parent, style), style.unit()].concat()
                }
                _ => Vec::new(),
            })
    }

    /// Indentation for a new child of `parent` near position `index`: the
    /// nearest sibling's, else the parent's plus one unit.
    fn child_indent(&self, parent: &[usize], index: usize, style: &Style) -> Vec<u8> {
        let len = self.body_at(parent).map_or(0, Body::len);
        let mut order: Vec<usize> = Vec::with_capacity(len);
        order.extend(index.checked_sub(1));
        order.extend((index < len).then_some(index));
        order.extend(0..len);
        for i in order {
            let at = [parent, &[i]].concat();
            if let Some(indent) = self.line_indent(&at) {
                return indent;
            }
        }
        if parent.is_empty() {
            Vec::new()
        } else {
            [self.indent_of(parent, style), style.unit()].concat()
        }
    }

    fn check_parent(&self, parent: &[usize]) -> Result<(), EditError> {
        if parent.is_empty() || self.get(parent).is_some_and(|d| d.block().is_some()) {
            Ok(())
        } else if self.get(parent).is_some() {
            Err(EditError::NotABlock(parent.to_vec()))
        } else {
            Err(EditError::NoSuchNode(parent.to_vec()))
        }
    }

    /// Insert `d` as child number `index` of the block at `parent` (`[]`: top
    /// level). Returns the new directive's path.
    pub fn insert(
        &mut self,
        parent: &[usize],
        index: usize,
        mut d: Directive,
    ) -> Result<Vec<usize>, EditError> {
        self.check_parent(parent)?;
        let len = self.body_at(parent).map_or(0, Body::len);
        let index = index.min(len);
        let style = self.style();
        let indent = self.child_indent(parent, index, &style);
        layout(&mut d, &indent, &style);
        let at_eof = parent.is_empty() && index == len;
        let before = before_mut(self, parent, index);
        let starts_line = before.as_ref().is_none_or(|t| t.ends_with(b"\n"));
        if starts_line {
            d.leading = Text::new(&indent);
            d.trailing = Text::new(style.newline_bytes());
        } else if at_eof {
            // `last;` at the end of a file without a final line break.
            if let Some(t) = before {
                *t = with_line_break(t, &style);
            }
            d.leading = Text::new(&indent);
            d.trailing = Text::empty();
        } else {
            // Inside a one-line block: stay on its line.
            let spaced = before
                .as_ref()
                .is_some_and(|t| t.ends_with(b" ") || t.ends_with(b"\t"));
            d.leading = Text::new(if spaced { b"" } else { b" " });
            d.trailing = Text::new(b" ");
        }
        let body = self
            .body_at_mut(parent)
            .ok_or_else(|| EditError::NoSuchNode(parent.to_vec()))?;
        body.items.insert(index, d);
        Ok([parent, &[index]].concat())
    }

    /// Append `d` as the last child of `parent`.
    pub fn push(&mut self, parent: &[usize], d: Directive) -> Result<Vec<usize>, EditError> {
        self.insert(parent, usize::MAX, d)
    }

    /// Append the directive written in `snippet` (a constant template such as
    /// a whole `server { ... }`) to the block at `parent`, re-indented.
    pub fn push_template(
        &mut self,
        parent: &[usize],
        snippet: &[u8],
    ) -> Result<Vec<usize>, EditError> {
        self.push(parent, Directive::parse(snippet)?)
    }

    /// Insert `d` right after the directive at `at`.
    pub fn insert_after(&mut self, at: &[usize], d: Directive) -> Result<Vec<usize>, EditError> {
        let (&i, parent) = at
            .split_last()
            .ok_or_else(|| EditError::NoSuchNode(at.to_vec()))?;
        self.get(at)
            .ok_or_else(|| EditError::NoSuchNode(at.to_vec()))?;
        self.insert(parent, i + 1, d)
    }

    /// Insert `d` right before the directive at `at`.
    pub fn insert_before(&mut self, at: &[usize], d: Directive) -> Result<Vec<usize>, EditError> {
        let (&i, parent) = at
            .split_last()
            .ok_or_else(|| EditError::NoSuchNode(at.to_vec()))?;
        self.get(at)
            .ok_or_else(|| EditError::NoSuchNode(at.to_vec()))?;
        self.insert(parent, i, d)
    }

    /// Remove the directive at `at` and return it.
    pub fn remove(&mut self, at: &[usize]) -> Result<Directive, EditError> {
        let (&index, parent) = at
            .split_last()
            .ok_or_else(|| EditError::NoSuchNode(at.to_vec()))?;
        let body = self
            .body_at_mut(parent)
            .ok_or_else(|| EditError::NoSuchNode(at.to_vec()))?;
        if index >= body.items.len() {
            return Err(EditError::NoSuchNode(at.to_vec()));
        }
        let d = body.items.remove(index);
        let mut first_line_gone = false;
        let carry: Vec<u8> = if d.trailing.ends_with(b"\n") {
            // Its line goes; full-line comments above it stay.
            let keep = kept_comments(&d.leading);
            if !d.leading.contains(&b'\n') {
                // It shared a line with what came before: keep the line break.
                let style = self.style();
                if let Some(t) = before_mut(self, parent, index).filter(|t| !t.ends_with(b"\n")) {
                    *t = with_line_break(t, &style);
                }
            }
            first_line_gone = index == 0 && keep.is_empty();
            keep.to_vec()
        } else {
            // What followed it on its line takes its place (and indentation).
            d.leading.to_vec()
        };
        let body = self
            .body_at_mut(parent)
            .ok_or_else(|| EditError::NoSuchNode(at.to_vec()))?;
        let has_next = index < body.items.len();
        let next = after_mut(body, index);
        // The first line of a block (or file) went: blank lines that separated
        // it from the next one would now hang below the `{`.
        let rest: &[u8] = if first_line_gone && has_next {
            strip_blank_lines(next)
        } else {
            next
        };
        let joined = Text::from([&carry[..], rest].concat());
        *next = joined;
        Ok(d)
    }

    /// Replace the directive at `at` with `d`, which takes over the old one's
    /// leading and trailing trivia (comments above, same-line comment) and
    /// indentation. Returns the old directive.
    pub fn replace(&mut self, at: &[usize], mut d: Directive) -> Result<Directive, EditError> {
        let style = self.style();
        let indent = self
            .get(at)
            .map(|_| self.indent_of(at, &style))
            .ok_or_else(|| EditError::NoSuchNode(at.to_vec()))?;
        layout(&mut d, &indent, &style);
        let old = self
            .get_mut(at)
            .ok_or_else(|| EditError::NoSuchNode(at.to_vec()))?;
        d.leading = old.leading.clone();
        d.trailing = old.trailing.clone();
        Ok(std::mem::replace(old, d))
    }

    /// Replace the arguments of the directive at `at`.
    pub fn set_args(
        &mut self,
        at: &[usize],
        args: impl IntoIterator<Item = Word>,
    ) -> Result<(), EditError> {
        self.get_mut(at)
            .ok_or_else(|| EditError::NoSuchNode(at.to_vec()))?
            .set_args(args);
        Ok(())
    }

    /// Add or replace the same-line comment of the directive at `at`
    /// (`text` without `#`; after `;`, or after `{` for a block). If
    /// something followed on the same line, it moves to the next line.
    pub fn set_comment(&mut self, at: &[usize], text: &str) -> Result<(), EditError> {
        if text.contains(['\n', '\r']) {
            return Err(EditError::MultiLineComment);
        }
        let style = self.style();
        let d = self
            .get(at)
            .ok_or_else(|| EditError::NoSuchNode(at.to_vec()))?;
        let is_block = d.block().is_some();
        let own_indent = self.indent_of(at, &style);
        // Where the line continues after the comment: (body holding it, index, indent it needs).
        let (&index, parent) = at
            .split_last()
            .ok_or_else(|| EditError::NoSuchNode(at.to_vec()))?;
        let (next_body, next_index, next_indent) = if is_block {
            let inner = self.child_indent(at, 0, &style);
            let empty = d.block().is_some_and(Body::is_empty);
            (
                at.to_vec(),
                0,
                if empty { own_indent.clone() } else { inner },
            )
        } else {
            let indent = if index + 1 < self.body_at(parent).map_or(0, Body::len) {
                own_indent.clone()
            } else if parent.is_empty() {
                Vec::new()
            } else {
                self.indent_of(parent, &style)
            };
            (parent.to_vec(), index + 1, indent)
        };
        let d = self
            .get_mut(at)
            .ok_or_else(|| EditError::NoSuchNode(at.to_vec()))?;
        let owner = match &mut d.end {
            End::Block(b) => &mut b.open,
            _ => &mut d.trailing,
        };
        let (spaces, rest) = split_comment(owner);
        let spaces = if spaces.is_empty() {
            b" ".as_slice()
        } else {
            spaces
        };
        let line_break = rest
            .iter()
            .position(|&b| b == b'\n')
            .map(|i| &rest[i..])
            .unwrap_or(b"");
        let line_break = if line_break.is_empty() {
            b"".as_slice()
        } else {
            style.newline_bytes()
        };
        let had_break = !line_break.is_empty();
        *owner = Text::from([spaces, b"# ", text.as_bytes(), line_break].concat());
        let at_eof =
            next_body.is_empty() && next_index >= self.body.len() && self.body.trailing.is_empty();
        if !had_break && !at_eof {
            let d = self
                .get_mut(at)
                .ok_or_else(|| EditError::NoSuchNode(at.to_vec()))?;
            let owner = match &mut d.end {
                End::Block(b) => &mut b.open,
                _ => &mut d.trailing,
            };
            *owner = owner.concat(style.newline_bytes());
            let body = self
                .body_at_mut(&next_body)
                .ok_or_else(|| EditError::NoSuchNode(next_body.clone()))?;
            let next = after_mut(body, next_index);
            let kept = &next[next
                .iter()
                .take_while(|&&b| matches!(b, b' ' | b'\t'))
                .count()..];
            *next = Text::from([&next_indent[..], kept].concat());
        }
        Ok(())
    }
}

/// The part of a leading trivia to keep when its directive goes: everything
/// up to the end of the last comment line.
fn kept_comments(leading: &[u8]) -> &[u8] {
    let Some(hash) = leading.iter().rposition(|&b| b == b'#') else {
        return b"";
    };
    match leading[hash..].iter().position(|&b| b == b'\n') {
        Some(nl) => &leading[..hash + nl + 1],
        None => leading,
    }
}

/// `trivia` without the blank lines it starts with.
fn strip_blank_lines(trivia: &[u8]) -> &[u8] {
    let mut rest = trivia;
    while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
        if !rest[..nl]
            .iter()
            .all(|&b| matches!(b, b' ' | b'\t' | b'\r'))
        {
            break;
        }
        rest = &rest[nl + 1..];
    }
    rest
}

/// Split same-line trivia into (spaces before any comment, the rest:
/// comment and line break).
fn split_comment(owner: &[u8]) -> (&[u8], &[u8]) {
    let spaces = owner
        .iter()
        .take_while(|&&b| matches!(b, b' ' | b'\t'))
        .count();
    owner.split_at(spaces)
}
