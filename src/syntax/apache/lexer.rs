//! Byte scanning over Apache's *logical* lines, shared by the parser and [`Word`](super::Word).
//!
//! Apache (`ap_cfg_getline`) joins a physical line ending in `\` + LF (or `\` + CR LF) with
//! the next one before it tokenizes anything, so a continuation may stand anywhere: between
//! words, inside a quoted string, inside a comment. The functions here look *through*
//! continuations (skipping them) but never remove them: every byte stays where it was.
//!
//! Tokenizing follows `ap_getword_conf`: words are separated by horizontal space (space, tab,
//! VT, FF, CR); a word starting with `"` or `'` runs to the matching unescaped quote (`\"`
//! and `\\` escape) or, when the quote is never closed, to the end of the line (trailing
//! space excluded, as Apache trims lines); any other word runs to the next space. One
//! addition for mod_rewrite-style arguments: a backslash-escaped space (`a\ b`) stays inside
//! a bare word, unless only space follows it on the line.

/// Horizontal space as Apache's `apr_isspace` sees it (LF ends lines instead).
pub(crate) fn is_hspace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | 0x0b | 0x0c | b'\r')
}

/// Length of the line continuation starting at `pos` (`\` LF or `\` CR LF), or 0.
pub(crate) fn continuation_len(src: &[u8], pos: usize) -> usize {
    match src.get(pos..) {
        Some([b'\\', b'\n', ..]) => 2,
        Some([b'\\', b'\r', b'\n', ..]) => 3,
        _ => 0,
    }
}

/// The first position at or after `pos` that does not start a continuation.
pub(crate) fn skip_continuations(src: &[u8], mut pos: usize) -> usize {
    loop {
        match continuation_len(src, pos) {
            0 => return pos,
            n => pos += n,
        }
    }
}

/// Skip horizontal space and continuations, stopping at `limit`.
pub(crate) fn skip_space(src: &[u8], mut pos: usize, limit: usize) -> usize {
    while pos < limit {
        let b = src[pos];
        if is_hspace(b) {
            pos += 1;
        } else if b == b'\\' && continuation_len(src, pos) > 0 {
            pos += continuation_len(src, pos);
        } else {
            break;
        }
    }
    pos.min(limit)
}

/// The index of the LF that ends the logical line containing `pos` (or `src.len()`).
/// An LF preceded by `\` (or `\` CR) is a continuation, not an end.
pub(crate) fn line_end(src: &[u8], pos: usize) -> usize {
    let mut from = pos.min(src.len());
    while let Some(off) = memchr::memchr(b'\n', &src[from..]) {
        let lf = from + off;
        let continued = (lf >= 1 && src[lf - 1] == b'\\')
            || (lf >= 2 && src[lf - 1] == b'\r' && src[lf - 2] == b'\\');
        if !continued {
            return lf;
        }
        from = lf + 1;
    }
    src.len()
}

/// True when only space and continuations stand between `pos` and `limit`.
fn blank_until(src: &[u8], pos: usize, limit: usize) -> bool {
    skip_space(src, pos, limit) >= limit
}

/// The end of the word starting at `pos` (which is neither space nor a line end).
/// `limit` is the end of the logical line, or the closing `>` of a section header
/// (`in_header`), where an unclosed quote runs to the limit untrimmed, as in Apache.
pub(crate) fn word_end(src: &[u8], pos: usize, limit: usize, in_header: bool) -> usize {
    match src[pos] {
        q @ (b'"' | b'\'') => quoted_end(src, pos, q, limit, in_header),
        _ => bare_end(src, pos, limit),
    }
}

fn quoted_end(src: &[u8], pos: usize, quote: u8, limit: usize, in_header: bool) -> usize {
    let mut i = pos + 1;
    // End of the last non-space byte: an unclosed quote ends there (Apache trims lines).
    let mut content_end = i;
    while i < limit {
        let b = src[i];
        if b == quote {
            return i + 1;
        }
        if b == b'\\' {
            if continuation_len(src, i) > 0 {
                i = skip_continuations(src, i);
                continue;
            }
            let next = skip_continuations(src, i + 1);
            if next < limit && (src[next] == quote || src[next] == b'\\') {
                i = next + 1;
                content_end = i;
                continue;
            }
        }
        i += 1;
        if !is_hspace(b) {
            content_end = i;
        }
    }
    if in_header { limit } else { content_end }
}

fn bare_end(src: &[u8], pos: usize, limit: usize) -> usize {
    let mut i = pos;
    while i < limit {
        let b = src[i];
        if b != b'\\' {
            if is_hspace(b) || b == b'\n' {
                return i;
            }
            i += 1;
            continue;
        }
        if continuation_len(src, i) > 0 {
            // A continuation followed by space ends the word (it becomes trivia);
            // followed by a word byte, it joins the two halves of one word.
            let next = skip_continuations(src, i);
            if next >= limit || is_hspace(src[next]) || src[next] == b'\n' {
                return i;
            }
            i = next;
            continue;
        }
        let next = skip_continuations(src, i + 1);
        if next < limit && is_hspace(src[next]) && !blank_until(src, next + 1, limit) {
            i = next + 1;
            continue;
        }
        i += 1;
    }
    limit
}

/// The bytes of `raw` with continuations removed: what Apache tokenizes.
pub(crate) fn logical(raw: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        i = skip_continuations(raw, i);
        let b = *raw.get(i)?;
        i += 1;
        Some(b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &[u8]) -> Vec<&[u8]> {
        let end = line_end(line, 0);
        let mut out = Vec::new();
        let mut i = 0;
        loop {
            i = skip_space(line, i, end);
            if i >= end {
                return out;
            }
            let e = word_end(line, i, end, false);
            out.push(&line[i..e]);
            i = e;
        }
    }

    #[test]
    fn splits_like_ap_getword_conf() {
        assert_eq!(words(b"a  b\tc"), [&b"a"[..], b"b", b"c"]);
        assert_eq!(words(br#""a b" 'c d'"#), [&br#""a b""#[..], b"'c d'"]);
        // A closing quote ends the word even when a byte follows.
        assert_eq!(words(br#""a"b"#), [&br#""a""#[..], b"b"]);
        // Quotes inside a bare word are data.
        assert_eq!(words(br#"a"b c""#), [&br#"a"b"#[..], br#"c""#]);
        assert_eq!(words(br#""a \" b""#), [&br#""a \" b""#[..]]);
    }

    #[test]
    fn unclosed_quote_runs_to_trimmed_line_end() {
        assert_eq!(words(b"x \"a b  \n"), [&b"x"[..], b"\"a b"]);
    }

    #[test]
    fn continuations_join_lines() {
        assert_eq!(line_end(b"a \\\n b\nc", 0), 6);
        assert_eq!(line_end(b"a \\\r\n b\r\nc", 0), 8);
        assert_eq!(words(b"a \\\n b"), [&b"a"[..], b"b"]);
        // No space after the continuation: one word across two lines.
        assert_eq!(words(b"ab\\\ncd"), [&b"ab\\\ncd"[..]]);
        assert_eq!(words(b"\"a \\\n b\""), [&b"\"a \\\n b\""[..]]);
    }

    #[test]
    fn escaped_spaces_stay_in_bare_words() {
        assert_eq!(
            words(br"^[A-Z]{3,9}\ /x\ HTTP/ [NC]"),
            [&br"^[A-Z]{3,9}\ /x\ HTTP/"[..], b"[NC]"]
        );
        // ... unless only space follows: Apache trims it away.
        assert_eq!(words(b"a\\ "), [&b"a\\"[..]]);
    }

    #[test]
    fn logical_bytes_skip_continuations() {
        assert_eq!(logical(b"a\\\nb\\\r\nc").collect::<Vec<_>>(), b"abc");
    }
}
