//! The lossless tree: every byte of the input lives in exactly one field, in
//! source order, so printing is concatenation.

use super::args::Args;
use super::text::Text;
use super::word::Word;
use std::borrow::Cow;

/// One parsed file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Document {
    pub(super) body: Body,
}

/// A sequence of directives: a file's top level or a block's contents.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Body {
    pub(super) items: Vec<Directive>,
    /// Trivia after the last directive: before the `}` of a block, or up to
    /// the end of the file.
    pub(super) trailing: Text,
}

/// One directive: `leading name args... before_end (";" | "{" body "}" | raw) trailing`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Whitespace and full-line comments before the name (blank lines,
    /// comments above, indentation).
    pub(super) leading: Text,
    pub(super) name: Word,
    /// The arguments with the trivia before each, then the trivia between the
    /// last word and the `;` or `{` (one run of bytes, see `args.rs`).
    pub(super) args: Args,
    pub(super) end: End,
    /// Owned by the `;` or `}`: spaces, a same-line comment, the line break.
    pub(super) trailing: Text,
}

/// An argument and the trivia before it (made on request from the directive's
/// [`Args`] run: the tree stores no `Arg`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub(super) leading: Text,
    pub(super) word: Word,
}

/// How a directive ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// `;`
    Semicolon,
    /// `{ ... }` with nginx syntax inside.
    Block(Box<Block>),
    /// `{ ... }` of a `*_by_lua_block` directive: Lua code, kept as bytes.
    Raw(Box<RawBlock>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Owned by the `{`: spaces, a same-line comment, the line break.
    pub(super) open: Text,
    pub(super) body: Body,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawBlock {
    /// Everything between `{` and the matching `}`.
    pub(super) code: Text,
}

impl Document {
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// The file's bytes.
    pub fn print(&self) -> Vec<u8> {
        let len = self
            .body
            .items
            .iter()
            .map(Directive::printed_len)
            .sum::<usize>()
            + self.body.trailing.len();
        let mut out = Vec::with_capacity(len);
        self.print_into(&mut out);
        out
    }

    pub fn print_into(&self, out: &mut Vec<u8>) {
        self.body.print_into(out);
    }

    /// The directive at an index path (`[2, 0]`: first child of the third
    /// top-level directive).
    pub fn get(&self, at: &[usize]) -> Option<&Directive> {
        let (&last, parents) = at.split_last()?;
        self.body_at(parents)?.items.get(last)
    }

    pub fn get_mut(&mut self, at: &[usize]) -> Option<&mut Directive> {
        let (&last, parents) = at.split_last()?;
        self.body_at_mut(parents)?.items.get_mut(last)
    }

    /// The body of the block directive at `parent` (`[]`: the top level).
    pub fn body_at(&self, parent: &[usize]) -> Option<&Body> {
        let mut body = &self.body;
        for &i in parent {
            body = body.items.get(i)?.block()?;
        }
        Some(body)
    }

    pub fn body_at_mut(&mut self, parent: &[usize]) -> Option<&mut Body> {
        let mut body = &mut self.body;
        for &i in parent {
            body = body.items.get_mut(i)?.block_mut()?;
        }
        Some(body)
    }

    /// Every directive in document order, with its index path.
    pub fn walk(&self) -> Vec<(Vec<usize>, &Directive)> {
        let mut out = Vec::new();
        walk_into(&self.body, &mut Vec::new(), &mut out);
        out
    }

    /// Byte offset where the directive at `at` starts (its name), in the
    /// printed file; for messages (`FILE:LINE:COL`) after edits.
    pub fn offset_of(&self, at: &[usize]) -> Option<usize> {
        self.offset_with(at, &mut Default::default())
    }
}

impl Document {
    /// [`Document::offset_of`] for many directives at once: each body's printed lengths
    /// are summed once, so the directives of one body cost linear time in all, not
    /// quadratic (`conf match` over thousands of servers).
    pub fn offsets_of(&self, paths: &[&[usize]]) -> Vec<Option<usize>> {
        let mut sums: std::collections::HashMap<Vec<usize>, Vec<usize>> = Default::default();
        paths
            .iter()
            .map(|at| self.offset_with(at, &mut sums))
            .collect()
    }

    /// `offset_of`, with the prefix sums of printed lengths per body (by its path) cached.
    fn offset_with(
        &self,
        at: &[usize],
        sums: &mut std::collections::HashMap<Vec<usize>, Vec<usize>>,
    ) -> Option<usize> {
        let mut offset = 0;
        let mut body = &self.body;
        for (depth, &i) in at.iter().enumerate() {
            let before = sums
                .entry(at[..depth].to_vec())
                .or_insert_with(|| prefix_sums(body));
            let d = body.items.get(i)?;
            offset += before.get(i)? + d.leading.len();
            if depth + 1 == at.len() {
                return Some(offset);
            }
            offset += d.name.raw().len() + d.args.bytes().len() + 1;
            let End::Block(b) = &d.end else { return None };
            offset += b.open.len();
            body = &b.body;
        }
        None
    }
}

/// `out[i]`: the printed length of the body's first `i` items.
fn prefix_sums(body: &Body) -> Vec<usize> {
    let mut out = Vec::with_capacity(body.items.len() + 1);
    let mut total = 0;
    out.push(0);
    for d in &body.items {
        total += d.printed_len();
        out.push(total);
    }
    out
}

fn walk_into<'a>(
    body: &'a Body,
    path: &mut Vec<usize>,
    out: &mut Vec<(Vec<usize>, &'a Directive)>,
) {
    for (i, d) in body.items.iter().enumerate() {
        path.push(i);
        out.push((path.clone(), d));
        if let Some(b) = d.block() {
            walk_into(b, path, out);
        }
        path.pop();
    }
}

impl Body {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn directives(&self) -> std::slice::Iter<'_, Directive> {
        self.items.iter()
    }

    /// The first directive named `name`.
    pub fn find(&self, name: &str) -> Option<&Directive> {
        self.items.iter().find(|d| d.is(name))
    }

    pub fn find_mut(&mut self, name: &str) -> Option<&mut Directive> {
        self.items.iter_mut().find(|d| d.is(name))
    }

    /// Every directive named `name`, with its index.
    pub fn find_all<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = (usize, &'a Directive)> + 'a {
        self.items
            .iter()
            .enumerate()
            .filter(move |(_, d)| d.is(name))
    }

    /// Index of the first directive named `name`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.items.iter().position(|d| d.is(name))
    }

    /// The trivia after the last directive.
    pub fn trailing(&self) -> &[u8] {
        &self.trailing
    }

    pub(super) fn print_into(&self, out: &mut Vec<u8>) {
        for d in &self.items {
            d.print_into(out);
        }
        out.extend_from_slice(&self.trailing);
    }
}

impl Directive {
    pub fn name(&self) -> Cow<'_, [u8]> {
        self.name.value()
    }

    pub fn name_word(&self) -> &Word {
        &self.name
    }

    /// Whether the directive is named `name` (names are case-sensitive in nginx).
    pub fn is(&self, name: &str) -> bool {
        self.name.is(name)
    }

    /// The arguments, each made from the bytes as written (the tree keeps them
    /// as one run, see `args.rs`).
    pub fn args(&self) -> impl ExactSizeIterator<Item = Word> + '_ {
        self.args
            .iter()
            .map(|(_, raw)| Word::from_text(Text::new(raw)))
    }

    /// The arguments with the trivia before each.
    pub fn args_with_trivia(&self) -> impl ExactSizeIterator<Item = Arg> + '_ {
        self.args.iter().map(|(leading, raw)| Arg {
            leading: Text::new(leading),
            word: Word::from_text(Text::new(raw)),
        })
    }

    /// The trivia between the last word and the `;` or `{`.
    pub fn before_end(&self) -> &[u8] {
        self.args.before_end()
    }

    /// Argument values, quotes and escapes resolved.
    pub fn arg_values(&self) -> Vec<Cow<'_, [u8]>> {
        self.args
            .iter()
            .map(|(_, raw)| Word::value_of(raw))
            .collect()
    }

    /// The arguments as written, separated by single spaces.
    pub fn raw_args(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, (_, raw)) in self.args.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            out.extend_from_slice(raw);
        }
        out
    }

    /// The body of a block directive (`None` for `;` and raw Lua blocks).
    pub fn block(&self) -> Option<&Body> {
        match &self.end {
            End::Block(b) => Some(&b.body),
            _ => None,
        }
    }

    pub fn block_mut(&mut self) -> Option<&mut Body> {
        match &mut self.end {
            End::Block(b) => Some(&mut b.body),
            _ => None,
        }
    }

    /// The Lua code of a `*_by_lua_block`, as written.
    pub fn raw_block(&self) -> Option<&[u8]> {
        match &self.end {
            End::Raw(r) => Some(&r.code),
            _ => None,
        }
    }

    pub fn end(&self) -> &End {
        &self.end
    }

    /// The trivia before the name (indentation, comments and blank lines above).
    pub fn leading(&self) -> &[u8] {
        &self.leading
    }

    /// The trivia owned by the final `;` or `}`.
    pub fn trailing(&self) -> &[u8] {
        &self.trailing
    }

    /// The same-line comment of the directive's line (after `;`, or after `{`
    /// for a block), without `#`, the spaces after it
    /// and the line break.
    pub fn comment(&self) -> Option<&[u8]> {
        let owner = match &self.end {
            End::Block(b) => &b.open,
            _ => &self.trailing,
        };
        let hash = owner.iter().position(|&b| b == b'#')?;
        let text = &owner[hash + 1..];
        let text = text.strip_suffix(b"\n").unwrap_or(text);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        Some(
            &text[text
                .iter()
                .take_while(|&&b| matches!(b, b' ' | b'\t'))
                .count()..],
        )
    }

    /// Number of bytes this directive prints to.
    pub fn printed_len(&self) -> usize {
        let mut n = self.leading.len()
            + self.name.raw().len()
            + self.args.bytes().len()
            + self.trailing.len();
        n += match &self.end {
            End::Semicolon => 1,
            End::Block(b) => {
                2 + b.open.len()
                    + b.body
                        .items
                        .iter()
                        .map(Directive::printed_len)
                        .sum::<usize>()
                    + b.body.trailing.len()
            }
            End::Raw(r) => 2 + r.code.len(),
        };
        n
    }

    pub fn print(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.print_into(&mut out);
        out
    }

    pub(super) fn print_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.leading);
        out.extend_from_slice(self.name.raw());
        out.extend_from_slice(self.args.bytes());
        match &self.end {
            End::Semicolon => out.push(b';'),
            End::Block(b) => {
                out.push(b'{');
                out.extend_from_slice(&b.open);
                b.body.print_into(out);
                out.push(b'}');
            }
            End::Raw(r) => {
                out.push(b'{');
                out.extend_from_slice(&r.code);
                out.push(b'}');
            }
        }
        out.extend_from_slice(&self.trailing);
    }
}

impl Block {
    /// The trivia owned by the `{`.
    pub fn open(&self) -> &[u8] {
        &self.open
    }

    pub fn body(&self) -> &Body {
        &self.body
    }
}

impl RawBlock {
    /// The Lua code between the braces.
    pub fn code(&self) -> &[u8] {
        &self.code
    }
}

impl Arg {
    pub fn word(&self) -> &Word {
        &self.word
    }
    pub fn leading(&self) -> &[u8] {
        &self.leading
    }
}
