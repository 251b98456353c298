//! `grammars/apache.pest` and the hand-written parser agree: same files accepted, same
//! comment / name / argument boundaries, on every fixture and corpus file and on random
//! input. The grammar cannot match closing names or count depth; those two checks run on
//! its parse tree here, as the parser runs them.

use super::common::*;
use certsmith::syntax::apache::{Document, ErrorKind, MAX_DEPTH, Token, TokenKind, names_equal};
use pest::Parser;
use pest::iterators::Pair;

#[derive(pest_derive::Parser)]
#[grammar = "grammars/apache.pest"]
struct Grammar;

/// Bytes as Latin-1 text (one char per byte) and, for each text offset, the byte offset.
fn latin1(bytes: &[u8]) -> (String, Vec<usize>) {
    let text: String = bytes.iter().map(|&b| b as char).collect();
    let mut map = vec![0; text.len() + 1];
    for (i, (off, _)) in text.char_indices().enumerate() {
        map[off] = i;
    }
    map[text.len()] = bytes.len();
    (text, map)
}

/// The grammar's verdict: `Ok(tokens)`, or `Err(reason)`.
fn grammar_tokens(bytes: &[u8]) -> Result<Vec<Token>, String> {
    let (text, map) = latin1(bytes);
    let mut pairs = Grammar::parse(Rule::file, &text)
        .map_err(|e| format!("grammar: {}", e.line_col_summary()))?;
    let file = pairs.next().ok_or("no file")?;
    let mut out = Vec::new();
    walk(file, &map, &mut Vec::new(), &mut out)?;
    out.sort();
    Ok(out)
}

trait Summary {
    fn line_col_summary(&self) -> String;
}

impl Summary for pest::error::Error<Rule> {
    fn line_col_summary(&self) -> String {
        match self.line_col {
            pest::error::LineColLocation::Pos((l, c))
            | pest::error::LineColLocation::Span((l, c), _) => format!("{l}:{c}"),
        }
    }
}

fn walk(
    pair: Pair<Rule>,
    map: &[usize],
    open: &mut Vec<String>,
    out: &mut Vec<Token>,
) -> Result<(), String> {
    let span = pair.as_span();
    let token = |kind| Token {
        kind,
        start: map[span.start()],
        end: map[span.end()],
    };
    match pair.as_rule() {
        Rule::comment_text => out.push(token(TokenKind::Comment)),
        Rule::name => out.push(token(TokenKind::Name)),
        Rule::arg => out.push(token(TokenKind::Arg)),
        Rule::section_arg => out.push(token(TokenKind::SectionArg)),
        Rule::section_name | Rule::section_name_bare => {
            out.push(token(TokenKind::SectionName));
            if open.len() >= MAX_DEPTH {
                return Err("too deep".into());
            }
            open.push(pair.as_str().to_string());
        }
        Rule::close_name => {
            out.push(token(TokenKind::CloseName));
            let opened = open.pop().ok_or("close without open")?;
            if !names_equal(&bare(pair.as_str()), &bare(&opened)) {
                return Err(format!("</{}> closes <{opened}>", pair.as_str()));
            }
        }
        _ => {}
    }
    for inner in pair.into_inner() {
        walk(inner, map, open, out)?;
    }
    Ok(())
}

/// A section name as Apache compares it: a bare word, so quotes are data; continuations
/// and `\\` (to `\`) go. Latin-1 text back to bytes first.
fn bare(name: &str) -> Vec<u8> {
    let bytes: Vec<u8> = name.chars().map(|c| c as u32 as u8).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match &bytes[i..] {
            [b'\\', b'\n', ..] => i += 2,
            [b'\\', b'\r', b'\n', ..] => i += 3,
            [b'\\', b'\\', ..]
                if !matches!(bytes.get(i + 2..), Some([b'\n', ..] | [b'\r', b'\n', ..])) =>
            {
                out.push(b'\\');
                i += 2;
            }
            [b, ..] => {
                out.push(*b);
                i += 1;
            }
            [] => break,
        }
    }
    out
}

/// `Ok(tokens)` or `Err(message)` from the hand-written parser.
fn parser_tokens(bytes: &[u8]) -> Result<Vec<Token>, String> {
    let file = Document::parse(bytes).map_err(|e| {
        if e.kind == ErrorKind::TooDeep {
            "too deep".to_string()
        } else {
            e.to_string()
        }
    })?;
    let mut t = file.tokens();
    t.sort();
    Ok(t)
}

fn agree(bytes: &[u8]) -> Result<bool, String> {
    match (parser_tokens(bytes), grammar_tokens(bytes)) {
        (Ok(a), Ok(b)) if a == b => Ok(true),
        (Ok(a), Ok(b)) => {
            let first = a
                .iter()
                .zip(&b)
                .position(|(x, y)| x != y)
                .unwrap_or(a.len().min(b.len()));
            Err(format!(
                "tokens differ at #{first}: parser {:?} grammar {:?}",
                a.get(first),
                b.get(first)
            ))
        }
        (Err(_), Err(_)) => Ok(false),
        (Ok(_), Err(e)) => Err(format!("parser accepts, {e}")),
        (Err(e), Ok(_)) => Err(format!("grammar accepts, parser: {e}")),
    }
}

#[test]
fn grammar_and_parser_agree_on_every_fixture() {
    let mut files = files_under(&corpus());
    files.extend(files_under(&repo().join("fixtures/apache")));
    // More inputs on request, e.g. a fuzzing corpus: CERTSMITH_GRAMMAR_EXTRA=fuzz/corpus/apache_roundtrip
    if let Some(extra) = std::env::var_os("CERTSMITH_GRAMMAR_EXTRA") {
        files.extend(files_under(std::path::Path::new(&extra)));
    }
    let mut failures = Vec::new();
    let mut accepted = 0;
    for path in &files {
        match agree(&std::fs::read(path).unwrap()) {
            Ok(ok) => accepted += ok as usize,
            Err(e) => failures.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} files disagree:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    assert!(accepted > 450, "only {accepted} files accepted");
    println!("{} files, {accepted} accepted by both", files.len());
}

#[test]
fn grammar_and_parser_agree_on_edge_cases() {
    let deep = "<A>\n".repeat(MAX_DEPTH + 1) + &"</A>\n".repeat(MAX_DEPTH + 1);
    let cases: &[&[u8]] = &[
        b"",
        b"\n",
        b"# c",
        b"A",
        b"A b \"c d\" 'e' f\"g",
        b"A \"unclosed  \n",
        b"A\\\nB",
        b"A \\\n B",
        b"A\\ B",
        b"A\\ ",
        b"<A>\n</A>",
        b"<A b>\n</a>",
        b"<A>x\n</A>",
        b"<A b> x\n</A> y\n",
        b"<A b>\n<B>\n</B> </A>\n",
        b"<A>\n</A> </B>\n",
        b"<A \"x > y\">\n</A>\n",
        b"<A x\n</A>\n",
        b"<>\n",
        b"</A>\n",
        b"<A>\n</A\n",
        b"<A>\n</B>\n",
        b"x\0y",
        b"<A \\\n b \\\n \\\n>\n</A>\n",
        b"# a \\\n b\nC\n",
        b"A \"x\\\"y\" 'p\\'q'",
        b"<A \"u>\n</A>\n",
        deep.as_bytes(),
        b"<A>\r\n  B\r\n</A>",
        b"A \\\\\n B",
        b"\"quoted name\" x",
        b"<A\\ >\n</A\\ >\n",
        b"A x\\\\\\\n y",
    ];
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            agree(c)
                .err()
                .map(|e| format!("{:?}: {e}", String::from_utf8_lossy(c)))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn grammar_and_parser_agree_on_random_input() {
    const SOUP: &[&[u8]] = &[
        b"<", b">", b"</", b"A", b"a", b" ", b"\t", b"\\", b"\n", b"\r\n", b"\r", b"\"", b"'",
        b"#", b"x", b"\\\n", b"</A>", b"<A>", b"<A b>", b"\\ ", b"\\\"", b"\xe9",
    ];
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut failures = Vec::new();
    for _ in 0..5000 {
        let len = next() % 30;
        let src: Vec<u8> = (0..len)
            .flat_map(|_| SOUP[(next() % SOUP.len() as u64) as usize].to_vec())
            .collect();
        if let Err(e) = agree(&src) {
            failures.push(format!("{:?}: {e}", String::from_utf8_lossy(&src)));
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements, first ones:\n{}",
        failures.len(),
        failures[..failures.len().min(10)].join("\n")
    );
}
