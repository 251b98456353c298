//! The normative grammar (`grammars/nginx.pest`) and the hand-written parser
//! agree, on every fixture and corpus file and on tricky snippets: both
//! accept or both reject, and they find the same directive names,
//! arguments and comments at the same byte offsets.

use crate::util::{files_under, repo};
use certsmith::syntax::nginx::{Body, Document, End};
use pest::Parser as _;

#[derive(pest_derive::Parser)]
#[grammar = "../grammars/nginx.pest"]
struct Grammar;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Name,
    Arg,
    Comment,
}

type Spans = Vec<(usize, usize, Kind)>;

/// pest reads UTF-8; nginx reads bytes. Bytes >= 0x80 are ordinary to nginx,
/// so they become an ordinary ASCII letter (offsets unchanged).
fn as_text(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| if b < 0x80 { b as char } else { 'X' })
        .collect()
}

fn grammar_spans(bytes: &[u8]) -> Option<Spans> {
    let text = as_text(bytes);
    let pairs = Grammar::parse(Rule::file, &text).ok()?;
    let mut out = Vec::new();
    for pair in pairs.flatten() {
        let kind = match pair.as_rule() {
            Rule::name | Rule::lua_name => Kind::Name,
            Rule::arg => Kind::Arg,
            Rule::comment => Kind::Comment,
            _ => continue,
        };
        out.push((pair.as_span().start(), pair.as_span().end(), kind));
    }
    out.sort();
    Some(out)
}

/// Comments inside a trivia run starting at `offset` (trivia holds only
/// whitespace and comments, so every `#` there starts one).
fn trivia_comments(trivia: &[u8], offset: usize, out: &mut Spans) {
    let mut i = 0;
    while i < trivia.len() {
        if trivia[i] == b'#' {
            let end = trivia[i..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(trivia.len(), |n| i + n);
            out.push((offset + i, offset + end, Kind::Comment));
            i = end;
        } else {
            i += 1;
        }
    }
}

fn body_spans(body: &Body, offset: &mut usize, out: &mut Spans) {
    for d in body.directives() {
        trivia_comments(d.leading(), *offset, out);
        *offset += d.leading().len();
        let name = d.name_word().raw().len();
        out.push((*offset, *offset + name, Kind::Name));
        *offset += name;
        for a in d.args_with_trivia() {
            trivia_comments(a.leading(), *offset, out);
            *offset += a.leading().len();
            let len = a.word().raw().len();
            out.push((*offset, *offset + len, Kind::Arg));
            *offset += len;
        }
        trivia_comments(d.before_end(), *offset, out);
        *offset += d.before_end().len() + 1;
        match d.end() {
            End::Semicolon => {}
            End::Block(b) => {
                trivia_comments(b.open(), *offset, out);
                *offset += b.open().len();
                body_spans(b.body(), offset, out);
                *offset += 1;
            }
            End::Raw(r) => *offset += r.code().len() + 1,
        }
        trivia_comments(d.trailing(), *offset, out);
        *offset += d.trailing().len();
    }
    trivia_comments(body.trailing(), *offset, out);
    *offset += body.trailing().len();
}

fn parser_spans(bytes: &[u8]) -> Option<Spans> {
    let doc = Document::parse(bytes).ok()?;
    let mut out = Vec::new();
    let mut offset = 0;
    body_spans(doc.body(), &mut offset, &mut out);
    assert_eq!(offset, bytes.len(), "spans cover the input");
    out.sort();
    Some(out)
}

fn disagreement(bytes: &[u8]) -> Option<String> {
    match (grammar_spans(bytes), parser_spans(bytes)) {
        (None, None) => None,
        (Some(g), Some(p)) if g == p => None,
        (Some(_), None) => Some("grammar accepts, parser rejects".into()),
        (None, Some(_)) => Some("parser accepts, grammar rejects".into()),
        (Some(g), Some(p)) => {
            let first = g.iter().zip(&p).find(|(a, b)| a != b);
            Some(format!(
                "spans differ (grammar {} / parser {}), first: {first:?}",
                g.len(),
                p.len()
            ))
        }
    }
}

#[test]
fn grammar_and_parser_agree_on_every_file() {
    let mut files = files_under(&repo().join("fixtures/corpus/nginx"));
    files.extend(files_under(&repo().join("fixtures/nginx")));
    let mut failures = Vec::new();
    let mut checked = 0;
    for file in &files {
        let bytes = std::fs::read(file).expect("read");
        checked += 1;
        if let Some(why) = disagreement(&bytes) {
            failures.push(format!("{}: {why}", file.display()));
        }
    }
    assert!(checked > 380, "{checked} files");
    assert!(
        failures.is_empty(),
        "{} of {checked} files:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn grammar_and_parser_agree_on_tricky_snippets() {
    let snippets: &[&str] = &[
        "",
        "a;",
        "a b c;",
        "a}b c#d;",
        "a \"b\"c;",
        "if ($a = \"b\") { return 403; }",
        "if ($a ~ \"^x{2};\") {}",
        "a ${x}{ ;",
        "a $x{ ;",
        "a \\; b;",
        "a 'it\\'s';",
        "a \"multi\nline\";",
        "server # c\n{ listen 80; } # d\n# e",
        "}",
        ";",
        "{",
        "a {",
        "a b }",
        "a \"b",
        "a b",
        "a \\",
        "content_by_lua_block { local s = \"}\" -- }\n t = { [[ } ]] } --[==[ } ]==] }",
        "content_by_lua_block { [[ }",
        "content_by_lua_block { --[[ }\n }",
        "content_by_lua_block { x = '}",
        "access_by_lua_block x { }",
        "x_by_lua_block_y { a; }",
        "content_by_lua_block;",
        "a\r\nb;\r\n",
        "a \"b\"#c;",
        "a \"b\"\"c\";",
        "a\tb;c;",
        "a#b;",
        "#only",
        "a \"\\\"\";",
        "\"quoted name\" x;",
    ];
    let failures: Vec<String> = snippets
        .iter()
        .filter_map(|s| disagreement(s.as_bytes()).map(|why| format!("{s:?}: {why}")))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn grammar_and_parser_agree_on_generated_inputs() {
    let inputs = crate::property::inputs(3000);
    let failures: Vec<String> = inputs
        .iter()
        .filter_map(|input| {
            disagreement(input).map(|why| format!("{:?}: {why}", String::from_utf8_lossy(input)))
        })
        .take(20)
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
