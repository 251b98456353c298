//! Byte-level scanning: trivia, words, quoted strings and raw Lua blocks,
//! following nginx's tokenizer (`ngx_conf_read_token`) byte for byte.
//!
//! Facts about nginx's tokenizer this module reproduces:
//! - whitespace is space, tab, CR and LF only; `#` starts a comment only
//!   where a token could start (`a#b` is one word);
//! - a bare word ends at whitespace, `;` or `{` (`}` does not end it: `a}` is
//!   one word), except that `{` right after `$` belongs to the word (`${var}`);
//! - `\` makes the next byte part of the word, whatever it is (even a line break);
//! - quotes open a string only at the start of a word (`a"b"` is one bare word);
//!   after the closing quote only whitespace, `;`, `{` or `)` may follow.
//!
//! Not reproduced: nginx refuses a single token or comment of about 4 KB or
//! more ("too long parameter", a side effect of its 4096-byte read buffer,
//! exact limit depending on buffer alignment). Such files parse and print
//! back here; `nginx -t` still rejects them.

/// Byte classes for the hot loops.
const WS: u8 = 1;
/// Ends or needs special handling inside a bare word: `{ ; \ $` and whitespace.
const BARE_SPECIAL: u8 = 2;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b' ' as usize] = WS | BARE_SPECIAL;
    t[b'\t' as usize] = WS | BARE_SPECIAL;
    t[b'\r' as usize] = WS | BARE_SPECIAL;
    t[b'\n' as usize] = WS | BARE_SPECIAL;
    t[b';' as usize] = BARE_SPECIAL;
    t[b'{' as usize] = BARE_SPECIAL;
    t[b'\\' as usize] = BARE_SPECIAL;
    t[b'$' as usize] = BARE_SPECIAL;
    t
};

#[inline]
pub fn is_ws(b: u8) -> bool {
    CLASS[b as usize] & WS != 0
}

/// Skip whitespace and comments; returns the offset of the next token (or the end).
#[inline]
pub fn skip_trivia(src: &[u8], mut i: usize) -> usize {
    while let Some(&b) = src.get(i) {
        if is_ws(b) {
            i += 1;
        } else if b == b'#' {
            i = line_end(src, i);
        } else {
            break;
        }
    }
    i
}

/// Offset of the next `\n` at or after `i` (or the end).
#[inline]
pub fn line_end(src: &[u8], i: usize) -> usize {
    match src[i..].iter().position(|&b| b == b'\n') {
        Some(n) => i + n,
        None => src.len(),
    }
}

/// The trivia a `;`, `{` or `}` owns: spaces and tabs (and CRs), a comment,
/// and one line break. Returns where it ends.
#[inline]
pub fn same_line(src: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\r') = src.get(i) {
        i += 1;
    }
    if src.get(i) == Some(&b'#') {
        i = line_end(src, i);
    }
    if src.get(i) == Some(&b'\n') {
        i += 1;
    }
    i
}

/// End of the bare word starting at `start` (whose first byte is not
/// whitespace, a quote, `#`, `;`, `{` or `}`); `None` if the input ends inside it.
#[inline]
pub fn bare_end(src: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    let mut variable = false;
    match src.get(i)? {
        b'\\' => i += 2,
        b'$' => {
            variable = true;
            i += 1;
        }
        _ => i += 1,
    }
    while let Some(&b) = src.get(i) {
        if CLASS[b as usize] == 0 {
            variable = false;
            i += 1;
            continue;
        }
        if b == b'{' && variable {
            i += 1;
            continue;
        }
        variable = false;
        match b {
            b'\\' => i += 2,
            b'$' => {
                variable = true;
                i += 1;
            }
            _ => return Some(i),
        }
    }
    None
}

/// End (one past the closing quote) of the quoted word whose opening quote
/// is at `start`; `None` if the input ends first.
#[inline]
pub fn quoted_end(src: &[u8], start: usize) -> Option<usize> {
    let quote = src[start];
    let mut i = start + 1;
    while let Some(&b) = src.get(i) {
        if b == quote {
            return Some(i + 1);
        }
        i += if b == b'\\' { 2 } else { 1 };
    }
    None
}

/// Offset of the `}` closing a Lua block whose body starts at `start` (just
/// after the `{`). Lua strings, long strings and comments may hold braces;
/// nesting of `{` `}` (table constructors) is counted.
pub fn lua_block_end(src: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while let Some(&b) = src.get(i) {
        match b {
            b'{' => depth += 1,
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            b'"' | b'\'' => {
                i = quoted_end(src, i)?;
                continue;
            }
            b'-' if src.get(i + 1) == Some(&b'-') => {
                i = match long_bracket(src, i + 2) {
                    Some(level) => long_bracket_end(src, i + 2, level)?,
                    None => line_end(src, i),
                };
                continue;
            }
            b'[' => {
                if let Some(level) = long_bracket(src, i) {
                    i = long_bracket_end(src, i, level)?;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// If a Lua long bracket `[`, `=`*level, `[` opens at `i`, its level.
fn long_bracket(src: &[u8], i: usize) -> Option<usize> {
    if src.get(i) != Some(&b'[') {
        return None;
    }
    let level = src[i + 1..].iter().take_while(|&&b| b == b'=').count();
    (src.get(i + 1 + level) == Some(&b'[')).then_some(level)
}

/// One past the `]`, `=`*level, `]` closing the long bracket opened at `i`.
fn long_bracket_end(src: &[u8], i: usize, level: usize) -> Option<usize> {
    let mut j = i + level + 2;
    loop {
        let close = j + src.get(j..)?.iter().position(|&b| b == b']')?;
        let eqs = src[close + 1..].iter().take_while(|&&b| b == b'=').count();
        if eqs == level && src.get(close + 1 + level) == Some(&b']') {
            return Some(close + level + 2);
        }
        j = close + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_words_end_where_nginx_ends_them() {
        assert_eq!(bare_end(b"abc def", 0), Some(3));
        assert_eq!(bare_end(b"a}b;", 0), Some(3));
        assert_eq!(bare_end(b"a#b;", 0), Some(3));
        assert_eq!(bare_end(b"${host}x{", 0), Some(8));
        assert_eq!(bare_end(b"a\\ b;", 0), Some(4));
        assert_eq!(bare_end(b"a\\\nb;", 0), Some(4));
        assert_eq!(bare_end(b"abc", 0), None);
        assert_eq!(bare_end(b"a\\", 0), None);
    }

    #[test]
    fn quoted_words_skip_escapes() {
        assert_eq!(quoted_end(br#""a\"b" x"#, 0), Some(6));
        assert_eq!(quoted_end(b"'a\nb'", 0), Some(5));
        assert_eq!(quoted_end(b"\"abc", 0), None);
    }

    #[test]
    fn same_line_trivia_stops_after_the_line_break() {
        assert_eq!(same_line(b"  # c\r\n  x", 0), 7);
        assert_eq!(same_line(b" x", 0), 1);
        assert_eq!(same_line(b"# end", 0), 5);
    }

    #[test]
    fn lua_blocks_skip_strings_and_comments() {
        let code = b" local t = {a='}', b=\"{\"} -- }\n s = [==[ } ]==] --[[ } ]] }x";
        let end = lua_block_end(code, 0).unwrap();
        assert_eq!(&code[end..], b"}x");
        assert_eq!(lua_block_end(b" { ", 0), None);
        assert_eq!(lua_block_end(b" [[ } ", 0), None);
    }
}
