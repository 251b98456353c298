//! A directive's arguments as one run of bytes, re-lexed when read.
//!
//! Why: a tree that kept each argument as its own trivia + word pair spent 32 bytes per
//! argument on the pair alone, 16 times the input for a line of one-letter arguments (issue
//! 17 L14). [`Args`] keeps the bytes between the name and the `;` or `{` exactly as written
//! (each argument's leading trivia, then its word; after the last word, the trivia before
//! the end) plus two numbers: how many words, and where the last one ends. Reading the
//! arguments lexes that run again with the parser's own functions (`scan.rs`), which find
//! the same boundaries: each word was found there by exactly that scan, and every word an
//! edit writes lexes back as one token (`Word::new`).

use super::scan;
use super::text::Text;

/// The bytes after a directive's name up to its `;` or `{`: arguments with the trivia
/// before each, then the trivia before the end.
#[derive(Clone, PartialEq, Eq, Default)]
pub(super) struct Args {
    text: Text,
    /// Number of words in `text`.
    count: u32,
    /// Where the last word ends (the trivia before `;`/`{` starts).
    words_end: u32,
}

impl Args {
    /// Wrap a run the parser lexed: `count` words, the last ending at `words_end`.
    pub(super) fn lexed(text: Text, count: usize, words_end: usize) -> Args {
        Args {
            text,
            count: count as u32,
            words_end: words_end as u32,
        }
    }

    /// Arguments from (leading trivia, word as written) pairs, then `before_end`.
    pub(super) fn from_parts<'a>(
        parts: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
        before_end: &[u8],
    ) -> Args {
        let mut bytes = Vec::new();
        let mut count = 0;
        for (leading, raw) in parts {
            bytes.extend_from_slice(leading);
            bytes.extend_from_slice(raw);
            count += 1;
        }
        let words_end = bytes.len();
        bytes.extend_from_slice(before_end);
        Args::lexed(bytes.into(), count, words_end)
    }

    /// Every byte, as printed.
    pub(super) fn bytes(&self) -> &[u8] {
        &self.text
    }

    /// The trivia between the last word (or the name) and the `;` or `{`.
    pub(super) fn before_end(&self) -> &[u8] {
        &self.text[self.words_end as usize..]
    }

    pub(super) fn set_before_end(&mut self, trivia: &[u8]) {
        let words = &self.text[..self.words_end as usize];
        self.text = Text::new(words).concat(trivia);
    }

    /// (leading trivia, word as written) for each argument, in order.
    pub(super) fn iter(&self) -> ArgsIter<'_> {
        ArgsIter {
            words: &self.text[..self.words_end as usize],
            pos: 0,
            left: self.count as usize,
        }
    }

    /// The last word as written, if any.
    pub(super) fn last(&self) -> Option<&[u8]> {
        self.iter().last().map(|(_, raw)| raw)
    }
}

impl std::fmt::Debug for Args {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()?;
        write!(
            f,
            " before_end {:?}",
            String::from_utf8_lossy(self.before_end())
        )
    }
}

/// Lexes an [`Args`] run: trivia, then a word, `left` times.
pub(super) struct ArgsIter<'a> {
    words: &'a [u8],
    pos: usize,
    left: usize,
}

impl<'a> Iterator for ArgsIter<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let start = scan::skip_trivia(self.words, self.pos);
        let end = word_end(self.words, start);
        let item = (&self.words[self.pos..start], &self.words[start..end]);
        self.pos = end;
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for ArgsIter<'_> {}

/// End of the word at `start`; a word that runs to the end of the run ends there (the
/// byte that ended it in the file, `;`, `{` or a space, is not part of the run).
fn word_end(words: &[u8], start: usize) -> usize {
    let end = match words.get(start) {
        Some(b'"' | b'\'') => scan::quoted_end(words, start),
        Some(_) => scan::bare_end(words, start),
        None => None,
    };
    end.unwrap_or(words.len()).min(words.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(args: &Args) -> Vec<(&[u8], &[u8])> {
        args.iter().collect()
    }

    #[test]
    fn re_lexes_the_words_the_parser_found() {
        let run = b" a  \"b c\" # note\n\t${x}y\\ z \"q\") ";
        let args = Args::lexed(Text::new(run), 5, run.len() - 1);
        assert_eq!(
            words(&args),
            [
                (&b" "[..], &b"a"[..]),
                (b"  ", b"\"b c\""),
                (b" # note\n\t", b"${x}y\\ z"),
                (b" ", b"\"q\""),
                (b"", b")"),
            ]
        );
        assert_eq!(args.before_end(), b" ");
        assert_eq!(args.iter().len(), 5);
        assert_eq!(args.last(), Some(&b")"[..]));
    }

    #[test]
    fn built_from_parts_prints_them_in_order() {
        let mut args = Args::from_parts([(&b" "[..], &b"80"[..]), (b" ", b"ssl")], b"");
        assert_eq!(args.bytes(), b" 80 ssl");
        args.set_before_end(b"  ");
        assert_eq!(args.bytes(), b" 80 ssl  ");
        assert_eq!(words(&args), [(&b" "[..], &b"80"[..]), (b" ", b"ssl")]);
        assert_eq!(Args::default().iter().next(), None);
    }
}
