//! [`Args`]: a node's arguments as one run of bytes, re-lexed when read.
//!
//! Why: a tree that kept each argument as its own space + word pair spent 64 bytes per
//! argument on the pair alone, 32 times the input for a line of one-letter arguments (issue
//! 17 L14). [`Args`] keeps the bytes from the end of the name to the end of the last word
//! exactly as written (the space before each word, continuations included, then the word)
//! and how many words there are. Reading lexes the run again with the parser's own
//! functions (`lexer.rs`); they find the same words, because each was delimited there by
//! the same scan, and what follows the run in the file (space, the line break, `>`) ends a
//! word just as the end of the run does. Edits write only words that lex back as one token
//! (`Word::new`, checked by `set_args`).

use super::lexer::{skip_space, word_end};
use super::tree::Arg;
use super::word::Word;
use crate::syntax::text::Text;
use std::fmt;

/// The arguments of a directive or section header, with the space before each.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Args {
    text: Text,
    count: u32,
}

impl Args {
    /// Wrap a run the parser lexed into `count` words.
    pub(crate) fn lexed(text: Text, count: usize) -> Args {
        Args {
            text,
            count: count as u32,
        }
    }

    pub fn len(&self) -> usize {
        self.count as usize
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Each argument with the space before it, made from the run.
    pub fn iter(&self) -> Iter<'_> {
        self.raw().map(arg_of)
    }

    pub fn first(&self) -> Option<Arg> {
        self.iter().next()
    }

    pub fn get(&self, i: usize) -> Option<Arg> {
        self.iter().nth(i)
    }

    pub fn to_vec(&self) -> Vec<Arg> {
        self.iter().collect()
    }

    /// The run as printed: the space before each word, then the word.
    pub fn bytes(&self) -> &[u8] {
        &self.text
    }

    /// (space before, word as written) for each argument, borrowed from the run.
    pub fn raw(&self) -> RawArgs<'_> {
        RawArgs {
            run: &self.text,
            pos: 0,
            left: self.len(),
        }
    }
}

impl FromIterator<Arg> for Args {
    fn from_iter<I: IntoIterator<Item = Arg>>(args: I) -> Args {
        let mut bytes = Vec::new();
        let mut count = 0;
        for a in args {
            bytes.extend_from_slice(&a.space);
            bytes.extend_from_slice(a.word.raw());
            count += 1;
        }
        Args::lexed(bytes.into(), count)
    }
}

impl From<Vec<Arg>> for Args {
    fn from(args: Vec<Arg>) -> Args {
        args.into_iter().collect()
    }
}

/// The arguments of an [`Args`], each made on request.
pub type Iter<'a> = std::iter::Map<RawArgs<'a>, fn((&'a [u8], &'a [u8])) -> Arg>;

fn arg_of((space, word): (&[u8], &[u8])) -> Arg {
    Arg {
        space: Text::new(space),
        word: Word::from_raw(word),
    }
}

impl<'a> IntoIterator for &'a Args {
    type Item = Arg;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl fmt::Debug for Args {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Lexes an [`Args`] run: space, then a word, `left` times.
pub struct RawArgs<'a> {
    run: &'a [u8],
    pos: usize,
    left: usize,
}

impl<'a> Iterator for RawArgs<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let limit = self.run.len();
        let start = skip_space(self.run, self.pos, limit);
        if start >= limit {
            self.left = 0;
            return None;
        }
        // As in a section header: an unclosed quote runs to the limit, which here is
        // where the parser ended it (trimmed already on a directive's line).
        let end = word_end(self.run, start, limit, true);
        let item = (&self.run[self.pos..start], &self.run[start..end]);
        self.pos = end;
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for RawArgs<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(args: &Args) -> Vec<(&[u8], &[u8])> {
        args.raw().collect()
    }

    #[test]
    fn re_lexes_the_words_the_parser_found() {
        let run = b" a \\\n\t\"b c\" 'd'e f\\ g \"open";
        let args = Args::lexed(Text::new(run), 5);
        assert_eq!(
            words(&args),
            [
                (&b" "[..], &b"a"[..]),
                (b" \\\n\t", b"\"b c\""),
                (b" ", b"'d'"),
                (b"", b"e"),
                (b" ", b"f\\ g"),
            ]
        );
        let args = Args::lexed(Text::new(run), 6);
        assert_eq!(args.get(5).map(|a| a.word), Some(Word::from_raw(b"\"open")));
        assert_eq!(args.iter().len(), 6);
    }

    #[test]
    fn built_from_args_prints_them_in_order() {
        let args: Args = [&b"80"[..], b"ssl"]
            .iter()
            .map(|w| Arg {
                space: Text::from(b" "),
                word: Word::from_raw(&w[..]),
            })
            .collect();
        assert_eq!(args.bytes(), b" 80 ssl");
        assert_eq!(args.len(), 2);
        assert_eq!(args.first().map(|a| a.word), Some(Word::from_raw(b"80")));
        assert!(Args::default().is_empty());
    }
}
