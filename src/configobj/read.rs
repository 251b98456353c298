//! Reading, with configobj 5's own regular expressions (`_keyword`,
//! `_sectionmarker`, `_valueexp`, `_listvalueexp`, the triple-quote ones)
//! and its `_handle_value` / `_multiline` steps, so a line means here what it
//! means to Certbot. The `regex` crate picks the same leftmost-first match
//! (and groups) as Python's backtracking `re` for these patterns; `\s` is
//! widened to Python's (which also counts U+001C..U+001F), and `_valueexp`'s
//! `(?<!,)` is an empty alternative: `_handle_value` treats its two outcomes
//! (`''` and `None`) alike.

use super::{ErrorKind, ParseError, Value};
use regex::{Captures, Regex};
use std::sync::LazyLock;

/// A pattern written with `~s` / `~S` for Python's `\s` / `\S`.
fn py(pattern: &str) -> Regex {
    let pattern = pattern
        .replace("~S", r"[^\s\x1C-\x1F]")
        .replace("~s", r"[\s\x1C-\x1F]");
    Regex::new(&pattern).expect("configobj pattern")
}

static KEYWORD: LazyLock<Regex> =
    LazyLock::new(|| py(r#"^(~s*)(".*?"|'.*?'|[^'"=].*?)~s*=~s*(.*)$"#));
static SECTION: LazyLock<Regex> = LazyLock::new(|| {
    py(
        r#"^(~s*)((?:\[~s*)+)("~s*~S.*?~s*"|'~s*~S.*?~s*'|[^'"\s\x1C-\x1F].*?)((?:~s*\])+)~s*(#.*)?$"#,
    )
});
static VALUE: LazyLock<Regex> = LazyLock::new(|| {
    py(
        r#"^(?:((?:(?:".*?"|'.*?'|[^'",#][^,#]*?)~s*,~s*)*)(".*?"|'.*?'|[^'",#\s\x1C-\x1F][^,]*?|)?|(,))~s*(#.*)?$"#,
    )
});
static LIST_ITEM: LazyLock<Regex> = LazyLock::new(|| py(r#"(".*?"|'.*?'|[^'",#]?.*?)~s*,~s*"#));
static ONE_LINE: [LazyLock<Regex>; 2] = [
    LazyLock::new(|| py(r"^'''(.*?)'''~s*(#.*)?$")),
    LazyLock::new(|| py(r#"^"""(.*?)"""~s*(#.*)?$"#)),
];
static LAST_LINE: [LazyLock<Regex>; 2] = [
    LazyLock::new(|| py(r"^(.*?)'''~s*(#.*)?$")),
    LazyLock::new(|| py(r#"^(.*?)"""~s*(#.*)?$"#)),
];

/// Python's `str.isspace`.
pub(super) fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// configobj's `_unquote`: drop one matching pair of outer quotes.
pub(super) fn unquote(text: &str) -> &str {
    let b = text.as_bytes();
    if b.len() >= 2 && b[0] == b[b.len() - 1] && matches!(b[0], b'"' | b'\'') {
        &text[1..text.len() - 1]
    } else if text == "\"" || text == "'" {
        ""
    } else {
        text
    }
}

/// 1-based column of byte offset `at` in `line`.
pub(super) fn column(line: &str, at: usize) -> usize {
    line[..at].chars().count() + 1
}

/// A section header: indentation, depth, name (unquoted).
pub(super) fn section(line: &str) -> Option<Result<(usize, String), &'static str>> {
    let c = SECTION.captures(line)?;
    let depth = c[2].matches('[').count();
    if depth != c[4].matches(']').count() {
        return Some(Err(
            "cannot compute the section depth ([ and ] do not pair)",
        ));
    }
    Some(Ok((depth, unquote(&c[3]).to_string())))
}

/// Printable ASCII and tabs only: the lines renewal confs are made of, for
/// which configobj's patterns reduce to plain splitting (Python's `\s` is
/// then just space and tab). Anything else takes the patterns.
fn plain(text: &str) -> bool {
    text.bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
}

/// A `key = value` line: the key (unquoted) and the byte offset of the value.
pub(super) fn keyword(line: &str) -> Option<(String, usize)> {
    // Fast path, same result as `_keyword`: an unquoted key is the text up to
    // the first `=` (trailing blanks dropped); the value starts after the
    // blanks that follow it.
    let body = line.trim_start_matches([' ', '\t']);
    if plain(line) && !body.starts_with(['\'', '"', '=']) {
        let eq = body.find('=')?;
        let key = body[..eq].trim_end_matches([' ', '\t']);
        let after = &body[eq + 1..];
        let at = line.len() - after.trim_start_matches([' ', '\t']).len();
        return Some((key.to_string(), at));
    }
    keyword_by_pattern(line)
}

fn keyword_by_pattern(line: &str) -> Option<(String, usize)> {
    let c = KEYWORD.captures(line)?;
    Some((
        unquote(&c[2]).to_string(),
        c.get(3).map_or(line.len(), |m| m.start()),
    ))
}

/// A value read from `lines[0][at..]` (and the lines after it for a
/// multi-line triple-quoted value): the value, its raw text (without the
/// inline comment, spanning lines if it does) and how many lines it used.
pub(super) fn value(lines: &[&str], at: usize) -> Result<(Value, String, usize), &'static str> {
    let first = &lines[0][at..];
    let triple = ["'''", "\"\"\""].iter().position(|q| first.starts_with(q));
    let Some(kind) = triple else {
        let (value, end) = handle_value(first)?;
        return Ok((value, first[..end].to_string(), 1));
    };
    let quote = &first[..3];
    if let Some(c) = ONE_LINE[kind].captures(first) {
        let end = c.get(2).map_or(first.len(), |m| m.start());
        let raw = first[..end].trim_end_matches(is_space);
        return Ok((Value::Scalar(c[1].to_string()), raw.to_string(), 1));
    }
    if first[3..].contains(quote) {
        return Err("malformed triple-quoted value (text after its closing quotes)");
    }
    let mut text = first[3..].to_string();
    let mut raw = first.to_string();
    for (n, line) in lines.iter().enumerate().skip(1) {
        text.push('\n');
        raw.push('\n');
        if !line.contains(quote) {
            text.push_str(line);
            raw.push_str(line);
            continue;
        }
        let c = LAST_LINE[kind]
            .captures(line)
            .ok_or("malformed triple-quoted value (text after its closing quotes)")?;
        text.push_str(&c[1]);
        raw.push_str(&line[..c.get(1).map_or(0, |m| m.end()) + 3]);
        return Ok((Value::Scalar(text), raw, n + 1));
    }
    Err("unterminated triple-quoted value")
}

/// configobj's `_handle_value`: the value and where its comment (or its
/// trailing space) starts.
fn handle_value(text: &str) -> Result<(Value, usize), &'static str> {
    // Fast path, same result as `_valueexp`: no quotes, commas or comment
    // marks make a single value, its trailing blanks dropped.
    let trimmed = text.trim_end_matches([' ', '\t']);
    if plain(text)
        && !trimmed.is_empty()
        && !trimmed.starts_with([' ', '\t'])
        && !trimmed.contains(['\'', '"', ',', '#'])
    {
        return Ok((Value::Scalar(trimmed.to_string()), trimmed.len()));
    }
    handle_value_by_pattern(text)
}

fn handle_value_by_pattern(text: &str) -> Result<(Value, usize), &'static str> {
    let Some(c) = VALUE.captures(text) else {
        return Err(diagnose(text));
    };
    let end = value_end(text, &c);
    if c.get(3).is_some() {
        return Ok((Value::List(Vec::new()), end));
    }
    let list = c.get(1).map_or("", |m| m.as_str());
    let single = c.get(2).map(|m| m.as_str());
    if list.is_empty() {
        let single = single.ok_or("malformed value")?;
        let single = if single.is_empty() { "\"\"" } else { single };
        return Ok((Value::Scalar(unquote(single).to_string()), end));
    }
    let mut items = Vec::new();
    for item in LIST_ITEM.captures_iter(list) {
        if item[1].is_empty() {
            return Err("malformed list value (an empty item)");
        }
        items.push(unquote(&item[1]).to_string());
    }
    if let Some(last) = single.filter(|s| !s.is_empty()) {
        items.push(unquote(last).to_string());
    }
    Ok((Value::List(items), end))
}

/// Byte offset where the value proper ends (before space and comment).
fn value_end(text: &str, c: &Captures) -> usize {
    let end = c.get(4).map_or(text.len(), |m| m.start());
    text[..end].trim_end_matches(is_space).len()
}

/// Why a value matched nothing (configobj only says "Parse error in value").
fn diagnose(text: &str) -> &'static str {
    match text.chars().next() {
        Some(q @ ('"' | '\'')) if !text[1..].contains(q) => "unterminated quoted value",
        Some('"' | '\'') => "unexpected text after the quoted value",
        _ => "malformed value (configobj cannot read it: check its quotes and commas)",
    }
}

/// Read one value written after `key = ` (used to check raw text and by
/// [`super::read_value`]).
pub(super) fn whole_value(raw: &str) -> Result<Value, ParseError> {
    let lines: Vec<&str> = raw.split('\n').collect();
    let fail = |message: &'static str| ParseError {
        line: 1,
        col: 1,
        kind: ErrorKind::Value(message),
    };
    let (value, _, used) = value(&lines, 0).map_err(fail)?;
    if used != lines.len() {
        return Err(fail("text after the value"));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast paths give what configobj's patterns give, on random lines of
    /// the characters that matter to them.
    #[test]
    fn fast_paths_agree_with_the_patterns() {
        let alphabet: Vec<char> = "ab =\t'\",#x-/.:".chars().collect();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (next() % 16) as usize;
            let line: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            assert_eq!(keyword(&line), keyword_by_pattern(&line), "{line:?}");
            if !line.is_empty() && !line.starts_with([' ', '\t']) {
                assert_eq!(
                    handle_value(&line),
                    handle_value_by_pattern(&line),
                    "{line:?}"
                );
            }
        }
    }
}
