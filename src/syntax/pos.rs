//! Positions in source text, computed lazily.
//!
//! Parsers track byte offsets while they run (cheap) and turn an offset into
//! a line and column only when they report an error (rare).

use std::fmt;

/// A 1-based line and column. The column counts characters, where any byte
/// that is not a UTF-8 continuation byte starts a character, so invalid UTF-8
/// still gets a sensible column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: u32,
    pub col: u32,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// The position of byte `offset` in `src` (an offset past the end is clamped).
/// A `\r\n` pair counts as one line break; a lone `\r` does not break lines,
/// as in nginx and Apache.
pub fn line_col(src: &[u8], offset: usize) -> Position {
    let offset = offset.min(src.len());
    let before = &src[..offset];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    let col = before[line_start..]
        .iter()
        .filter(|&&b| (b & 0xC0) != 0x80)
        .count() as u32
        + 1;
    Position { line, col }
}

/// Line numbers of many offsets in one text: the line breaks are found once, then each
/// lookup is a binary search (calling [`line_col`] per offset rescans the text each time).
pub struct Lines {
    /// Offsets just past each `\n`.
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(src: &[u8]) -> Lines {
        let starts = src
            .iter()
            .enumerate()
            .filter_map(|(i, &b)| (b == b'\n').then_some(i + 1))
            .collect();
        Lines { starts }
    }

    /// The 1-based line of byte `offset`, as [`line_col`] counts it.
    pub fn line_of(&self, offset: usize) -> u32 {
        let breaks_before = self.starts.partition_point(|&s| s <= offset);
        u32::try_from(breaks_before)
            .unwrap_or(u32::MAX)
            .saturating_add(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_agree_with_line_col() {
        let src = b"a\r\nbc\n\nd\re\n";
        let lines = Lines::new(src);
        for offset in 0..=src.len() {
            assert_eq!(
                lines.line_of(offset),
                line_col(src, offset).line,
                "{offset}"
            );
        }
    }

    #[test]
    fn first_byte_is_one_one() {
        assert_eq!(line_col(b"abc", 0), Position { line: 1, col: 1 });
    }

    #[test]
    fn counts_lines_and_characters() {
        let src = "a\r\nbé;x".as_bytes();
        // offset of ';' : "a\r\n" = 3 bytes, "b" = 1, "é" = 2
        assert_eq!(line_col(src, 6), Position { line: 2, col: 3 });
    }

    #[test]
    fn clamps_past_end() {
        assert_eq!(line_col(b"ab\n", 99), Position { line: 2, col: 1 });
    }
}
