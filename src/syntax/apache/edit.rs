//! Edits on a [`Document`], addressed by index paths (`&[usize]` through section bodies).
//!
//! Each edit handles trivia in exactly one place:
//! - a new node gets the indentation of its nearest sibling (previous, else next), else its
//!   parent's plus one unit; every line of it (a multi-line template included) is re-indented
//!   and takes the file's line ending;
//! - it goes after the last node of a body and before the body's trailing comments and blank
//!   lines;
//! - removing a node removes its lines, keeps the full-line comments above it and drops a
//!   blank line that would otherwise double up;
//! - replacing a node keeps the old node's leading trivia and line end.
//!
//! Apply several edits back to front (later paths first) so earlier paths stay valid.

use super::args::Args;
use super::lexer::{is_hspace, word_end};
use super::text::Text;
use super::tree::{Arg, Body, Directive, Node, Section, last_line};
use super::word::{ValueError, Word, check_name};
use super::{Document, ParseError};

/// The layout new lines follow: the file's indentation unit and line ending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Style {
    /// A tab, or N spaces: the most common step between a section and its children.
    pub indent_unit: Vec<u8>,
    /// `\n`, or `\r\n` when the file's first line ends so.
    pub eol: &'static [u8],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("no node at {0:?}")]
    NoSuchNode(Vec<usize>),
    #[error("the node at {0:?} is a directive, not a section")]
    NotASection(Vec<usize>),
    #[error("index {index} is past the end of a body of {len} nodes")]
    OutOfRange { index: usize, len: usize },
    #[error("the node at {0:?} ends with a '\\': a line after it would continue it")]
    ContinuedLine(Vec<usize>),
    #[error("the node at {0:?} ends in an unclosed quote, which would take in what follows")]
    UnclosedWord(Vec<usize>),
    #[error(transparent)]
    Value(#[from] ValueError),
    #[error("template: {0}")]
    Template(#[from] ParseError),
}

impl Style {
    /// Detect the style of a file from its bytes and tree.
    pub fn detect(src: &[u8], body: &Body) -> Style {
        Style {
            indent_unit: detect_indent_unit(body),
            eol: detect_eol(src),
        }
    }
}

/// `\r\n` when the first line ends so, else `\n`.
pub(crate) fn detect_eol(src: &[u8]) -> &'static [u8] {
    match src.iter().position(|&b| b == b'\n') {
        Some(i) if i > 0 && src[i - 1] == b'\r' => b"\r\n",
        _ => b"\n",
    }
}

/// The most common step from a section's indentation to its children's; else a tab if
/// the file indents with tabs, else four spaces.
pub(crate) fn detect_indent_unit(body: &Body) -> Vec<u8> {
    let mut steps: Vec<(&[u8], usize)> = Vec::new();
    let mut saw_tab = false;
    count_steps(body, b"", &mut steps, &mut saw_tab);
    let best = steps
        .iter()
        .enumerate()
        .max_by_key(|(i, (_, n))| (*n, usize::MAX - i))
        .map(|(_, (s, _))| s.to_vec());
    best.unwrap_or_else(|| {
        if saw_tab {
            b"\t".to_vec()
        } else {
            b"    ".to_vec()
        }
    })
}

fn count_steps<'a>(
    body: &'a Body,
    parent: &[u8],
    steps: &mut Vec<(&'a [u8], usize)>,
    saw_tab: &mut bool,
) {
    for node in &body.nodes {
        let indent = node.indentation();
        *saw_tab |= indent.contains(&b'\t');
        if let Some(step) = indent
            .strip_prefix(parent)
            .filter(|s| !s.is_empty() && s.iter().all(|&b| b == b' ' || b == b'\t'))
        {
            match steps.iter_mut().find(|(s, _)| *s == step) {
                Some((_, n)) => *n += 1,
                None => steps.push((step, 1)),
            }
        }
        if let Some(child) = node.body() {
            count_steps(child, indent, steps, saw_tab);
        }
    }
}

impl Directive {
    /// A new directive `name args...` (layout is filled in when it is inserted).
    pub fn new(name: &str, args: impl IntoIterator<Item = Word>) -> Result<Directive, ValueError> {
        check_name(name)?;
        Ok(Directive {
            leading: Text::empty(),
            name: Word::new(name)?,
            args: spaced(args),
            eol: Text::empty(),
        })
    }
}

impl Section {
    /// A new section `<name args...>` holding `children`.
    pub fn new(
        name: &str,
        args: impl IntoIterator<Item = Word>,
        children: impl IntoIterator<Item = Node>,
    ) -> Result<Section, ValueError> {
        check_name(name)?;
        let name = Word::new(name)?;
        Ok(Section {
            leading: Text::empty(),
            close_name: name.clone(),
            name,
            args: spaced(args),
            before_gt: Text::empty(),
            header_eol: Text::empty(),
            body: Body {
                nodes: children.into_iter().collect(),
                trailing: Text::empty(),
            },
            close_eol: Text::empty(),
        })
    }
}

impl From<Directive> for Node {
    fn from(d: Directive) -> Node {
        Node::Directive(d)
    }
}

impl From<Section> for Node {
    fn from(s: Section) -> Node {
        Node::Section(Box::new(s))
    }
}

fn spaced(args: impl IntoIterator<Item = Word>) -> Args {
    args.into_iter()
        .map(|word| Arg {
            space: Text::from(b" "),
            word,
        })
        .collect()
}

/// True when the last line of `node` ends with a `\\` (spaces and line break aside): a line
/// put right after it would be read as its continuation.
fn ends_in_backslash(node: &Node) -> bool {
    let mut out = Vec::new();
    node.print_to(&mut out);
    out.trim_ascii_end().ends_with(b"\\")
}

/// True when `prev`, then `gap`, then `next` still lexes with `prev` as one word: always
/// after a space, except after an unclosed quote (it runs on); with no gap, only after a
/// closing quote (`"a".`).
fn ends_before(prev: &[u8], gap: &[u8], next: &[u8]) -> bool {
    let joined = [prev, gap, next].concat();
    !next.is_empty() && word_end(&joined, 0, joined.len(), false) == prev.len()
}

/// Nodes from a constant snippet (a template), to be inserted (and re-indented) with
/// [`Document::insert`]. User values go in afterwards, through [`Document::set_args`] or
/// [`Word::new`], never by formatting them into the snippet.
pub fn parse_snippet(snippet: &[u8]) -> Result<Vec<Node>, ParseError> {
    Ok(Document::parse(snippet)?.body.nodes)
}

impl Document {
    /// Insert `node` as child number `index` of the section at `parent` (`&[]`: top level).
    /// Returns the new node's path.
    pub fn insert(
        &mut self,
        parent: &[usize],
        index: usize,
        mut node: Node,
    ) -> Result<Vec<usize>, EditError> {
        let style = self.style();
        let parent_indent = self.parent_indent(parent)?;
        let top = parent.is_empty();
        let body = self
            .body
            .body_at_mut(parent)
            .ok_or_else(|| EditError::NotASection(parent.to_vec()))?;
        let len = body.nodes.len();
        if index > len {
            return Err(EditError::OutOfRange { index, len });
        }
        let indent = sibling_indent(body, index).unwrap_or_else(|| {
            if top {
                parent_indent.clone()
            } else {
                [&parent_indent[..], &style.indent_unit].concat()
            }
        });
        reindent(&mut node, &indent, &style);
        if index > 0 && ends_in_backslash(&body.nodes[index - 1]) {
            return Err(EditError::ContinuedLine([parent, &[index - 1]].concat()));
        }
        if index > 0 {
            let prev = body.nodes[index - 1].last_eol_mut();
            if !prev.ends_with(b"\n") {
                // The previous line was the last of a file without a final line break, or
                // the parent's closing tag followed on it.
                prev.to_mut().extend_from_slice(style.eol);
                if top && index == len && body.trailing.is_empty() {
                    node.last_eol_mut().clear();
                } else if index == len && body.trailing.iter().all(|&b| is_hspace(b)) {
                    body.trailing = parent_indent.into();
                }
            }
        }
        body.nodes.insert(index, node);
        Ok([parent, &[index]].concat())
    }

    /// Append `node` as the last child of `parent` (before trailing comments).
    pub fn push(&mut self, parent: &[usize], node: Node) -> Result<Vec<usize>, EditError> {
        let len = self
            .body
            .body_at(parent)
            .ok_or_else(|| EditError::NotASection(parent.to_vec()))?
            .nodes
            .len();
        self.insert(parent, len, node)
    }

    /// Parse a constant `snippet` (a template) and append its nodes to `parent`,
    /// re-indented; returns their paths. Fill in user values afterwards with
    /// [`Document::set_args`].
    pub fn push_template(
        &mut self,
        parent: &[usize],
        snippet: &[u8],
    ) -> Result<Vec<Vec<usize>>, EditError> {
        parse_snippet(snippet)?
            .into_iter()
            .map(|node| self.push(parent, node))
            .collect()
    }

    /// Insert `node` right after the node at `path`.
    pub fn insert_after(&mut self, path: &[usize], node: Node) -> Result<Vec<usize>, EditError> {
        let (parent, index) = split(path)?;
        self.insert(parent, index + 1, node)
    }

    /// Insert `node` right before the node at `path`.
    pub fn insert_before(&mut self, path: &[usize], node: Node) -> Result<Vec<usize>, EditError> {
        let (parent, index) = split(path)?;
        self.insert(parent, index, node)
    }

    /// Remove the node at `path` and its lines; comments above it stay.
    pub fn remove(&mut self, path: &[usize]) -> Result<Node, EditError> {
        let (parent, index) = split(path)?;
        let parent_indent = self.parent_indent(parent)?;
        let top = parent.is_empty();
        let body = self
            .body
            .body_at_mut(parent)
            .ok_or_else(|| EditError::NotASection(parent.to_vec()))?;
        if index >= body.nodes.len() {
            return Err(EditError::NoSuchNode(path.to_vec()));
        }
        let removed = body.nodes.remove(index);
        let leading = removed.leading();
        let kept = &leading[..leading.len() - last_line(leading).len()];
        let has_next = index < body.nodes.len();
        let next = if has_next {
            body.nodes[index].leading_mut()
        } else {
            &mut body.trailing
        };
        let keep =
            has_comment(kept) || (!kept.is_empty() && has_next && !starts_with_blank_line(next));
        if keep {
            next.to_mut().splice(0..0, kept.iter().copied());
        }
        if !removed.last_eol().ends_with(b"\n") && !has_next {
            if top && body.trailing.is_empty() {
                // It ended the file without a final line break: so does the file now.
                if let Some(prev) = index.checked_sub(1).map(|i| body.nodes[i].last_eol_mut()) {
                    strip_line_break(prev);
                }
            } else if !top && !keep && body.trailing.iter().all(|&b| is_hspace(b)) {
                // The parent's closing tag followed on its line: put it on its own.
                body.trailing = parent_indent.into();
            }
        }
        Ok(removed)
    }

    /// Replace the node at `path`, keeping the old node's leading trivia and line end.
    pub fn replace(&mut self, path: &[usize], mut node: Node) -> Result<Node, EditError> {
        let (parent, index) = split(path)?;
        let style = self.style();
        let parent_indent = self.parent_indent(parent)?;
        let top = parent.is_empty();
        let body = self
            .body
            .body_at_mut(parent)
            .ok_or_else(|| EditError::NotASection(parent.to_vec()))?;
        let len = body.nodes.len();
        let old = body
            .nodes
            .get(index)
            .ok_or_else(|| EditError::NoSuchNode(path.to_vec()))?;
        reindent(&mut node, old.indentation(), &style);
        *node.leading_mut() = old.leading().into();
        *node.last_eol_mut() = old.last_eol().into();
        let at_file_end = top && index + 1 == len && body.trailing.is_empty();
        if !node.last_eol().ends_with(b"\n") && !at_file_end && matches!(node, Node::Directive(_)) {
            // A closing tag followed the old section on its line; a directive would read it
            // as an argument.
            *node.last_eol_mut() = style.eol.into();
            if index + 1 == len && body.trailing.iter().all(|&b| is_hspace(b)) {
                body.trailing = parent_indent.into();
            }
        }
        Ok(std::mem::replace(&mut body.nodes[index], node))
    }

    /// Replace the arguments of the directive or section header at `path`. Existing spaces
    /// (continuations included) are kept position by position.
    pub fn set_args(&mut self, path: &[usize], args: Vec<Word>) -> Result<(), EditError> {
        let node = self
            .body
            .get_mut(path)
            .ok_or_else(|| EditError::NoSuchNode(path.to_vec()))?;
        let mut prev = node.name().raw().to_vec();
        let old = node.args().to_vec();
        let mut new = Vec::with_capacity(args.len());
        for (i, word) in args.into_iter().enumerate() {
            // An empty gap stays only where the word before ends by itself (a closing quote).
            let space = old
                .get(i)
                .map(|a| a.space.clone())
                .filter(|s| !s.is_empty() || ends_before(&prev, b"", word.raw()))
                .unwrap_or_else(|| Text::from(b" "));
            if !ends_before(&prev, &space, word.raw()) {
                return Err(EditError::UnclosedWord(path.to_vec()));
            }
            prev = word.raw().to_vec();
            new.push(Arg { space, word });
        }
        *node.args_mut() = new.into();
        Ok(())
    }

    /// Put a full-line comment `# text` right above the node at `path` (no-op when that
    /// exact line is already there).
    pub fn set_comment(&mut self, path: &[usize], text: &str) -> Result<(), EditError> {
        if text.bytes().any(|b| b < 0x20 && b != b'\t') || text.ends_with('\\') {
            return Err(ValueError::BadComment(text.to_string()).into());
        }
        let eol = self.style().eol;
        let node = self
            .body
            .get_mut(path)
            .ok_or_else(|| EditError::NoSuchNode(path.to_vec()))?;
        let indent = node.indentation().to_vec();
        let line = [&indent[..], b"# ", text.as_bytes(), eol].concat();
        let leading = node.leading_mut();
        let complete = leading.len() - indent.len();
        if leading[..complete].ends_with(&line)
            && (complete == line.len() || leading[complete - line.len() - 1] == b'\n')
        {
            return Ok(());
        }
        leading.to_mut().splice(complete..complete, line);
        Ok(())
    }

    /// The indentation of the section at `parent` (empty at top level).
    fn parent_indent(&self, parent: &[usize]) -> Result<Vec<u8>, EditError> {
        if parent.is_empty() {
            return Ok(Vec::new());
        }
        let node = self
            .body
            .get(parent)
            .ok_or_else(|| EditError::NoSuchNode(parent.to_vec()))?;
        if node.body().is_none() {
            return Err(EditError::NotASection(parent.to_vec()));
        }
        Ok(node.indentation().to_vec())
    }
}

fn split(path: &[usize]) -> Result<(&[usize], usize), EditError> {
    let (&index, parent) = path
        .split_last()
        .ok_or_else(|| EditError::NoSuchNode(Vec::new()))?;
    Ok((parent, index))
}

/// The indentation of the nearest sibling of position `index`: previous, else next.
fn sibling_indent(body: &Body, index: usize) -> Option<Vec<u8>> {
    let pick = |n: &Node| {
        let indent = n.indentation();
        indent
            .iter()
            .all(|&b| b == b' ' || b == b'\t')
            .then(|| indent.to_vec())
    };
    let prev = index
        .checked_sub(1)
        .and_then(|i| body.nodes.get(i))
        .and_then(pick);
    prev.or_else(|| body.nodes.get(index).and_then(pick))
}

fn has_comment(lines: &[u8]) -> bool {
    lines
        .split(|&b| b == b'\n')
        .any(|line| line.iter().find(|&&b| !is_hspace(b)) == Some(&b'#'))
}

fn starts_with_blank_line(trivia: &[u8]) -> bool {
    trivia.iter().find(|&&b| !is_hspace(b)) == Some(&b'\n')
}

fn strip_line_break(eol: &mut Text) {
    if eol.ends_with(b"\n") {
        let eol = eol.to_mut();
        eol.pop();
        if eol.ends_with(b"\r") {
            eol.pop();
        }
    }
}

/// Lay out a node for insertion at `indent`: its first line and every nested line get
/// canonical indentation (one unit per level) and the file's line ending.
fn reindent(node: &mut Node, indent: &[u8], style: &Style) {
    *node.leading_mut() = reindent_lines(node.leading(), indent, indent, style).into();
    match node {
        Node::Directive(d) => {
            convert_args(&mut d.args, style);
            d.eol = style.eol.into();
        }
        Node::Section(s) => {
            convert_args(&mut s.args, style);
            s.before_gt = convert_eol(&s.before_gt, style).into();
            s.header_eol = style.eol.into();
            let inner = [indent, &style.indent_unit].concat();
            for child in &mut s.body.nodes {
                reindent(child, &inner, style);
            }
            s.body.trailing = reindent_lines(&s.body.trailing, &inner, indent, style).into();
            s.close_eol = style.eol.into();
        }
    }
}

/// Trivia with each complete line (comment or blank) re-indented to `lines_indent`, and the
/// partial last line (the indentation of what follows) replaced by `last_indent`.
fn reindent_lines(
    trivia: &[u8],
    lines_indent: &[u8],
    last_indent: &[u8],
    style: &Style,
) -> Vec<u8> {
    let complete = &trivia[..trivia.len() - last_line(trivia).len()];
    let mut out = Vec::with_capacity(trivia.len() + last_indent.len());
    for line in complete.split_inclusive(|&b| b == b'\n') {
        let text = line
            .iter()
            .position(|&b| !is_hspace(b) && b != b'\n')
            .map_or(&line[..0], |i| &line[i..]);
        let text = text.strip_suffix(b"\n").unwrap_or(text);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if !text.is_empty() {
            out.extend_from_slice(lines_indent);
            out.extend_from_slice(text);
        }
        out.extend_from_slice(style.eol);
    }
    out.extend_from_slice(last_indent);
    out
}

fn convert_args(args: &mut Args, style: &Style) {
    if !args.bytes().contains(&b'\n') {
        return;
    }
    let mut converted = args.to_vec();
    for a in &mut converted {
        if a.space.contains(&b'\n') {
            a.space = convert_eol(&a.space, style).into();
        }
    }
    *args = converted.into();
}

/// Line breaks (inside continuations) converted to the file's line ending.
fn convert_eol(bytes: &[u8], style: &Style) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            if out.last() == Some(&b'\r') && i > 0 {
                out.pop();
            }
            out.extend_from_slice(style.eol);
        } else {
            out.push(b);
        }
    }
    out
}

#[cfg(test)]
mod tests;
