//! Deterministic property tests: generated nginx-ish inputs (seeded PRNG)
//! must never panic the parser, must round-trip when accepted, and random
//! edit sequences must keep documents parseable with the promised effect,
//! changing bytes only near the edited node (edit locality).

use certsmith::syntax::nginx::{Directive, Document, Word, check_roundtrip};

use crate::common::Rng;

const NAMES: &[&str] = &[
    "listen",
    "server_name",
    "root",
    "return",
    "if",
    "map",
    "location",
    "include",
    "a}b",
    "x#y",
    "\"quoted\"",
];
const ARGS: &[&str] = &[
    "80",
    "[::]:443",
    "ssl",
    "$host",
    "${var}x",
    "\"a b\"",
    "'it\\'s'",
    "\"multi\nline\"",
    "\\;",
    "a}b",
    "~*",
    "^/x$",
    "\"{\"",
    "($a",
    ")",
    "\"\"",
    "é",
    "\u{1F600}",
    "a\\",
    "\"unclosed",
];
const SPACE: &[&str] = &[
    " ", "  ", "\t", "\n", "\r\n", "\n\n    ", " # c\n", "#x\r\n ", "",
];

fn gen_body(rng: &mut Rng, out: &mut String, depth: usize) {
    for _ in 0..rng.below(5) {
        out.push_str(rng.pick::<&str>(SPACE));
        if rng.below(12) == 0 {
            out.push_str("content_by_lua_block { local t = { s = \"}\" } -- }\n }");
            continue;
        }
        out.push_str(rng.pick::<&str>(NAMES));
        for _ in 0..rng.below(4) {
            out.push_str(rng.pick::<&str>(&[" ", "\t", " # c\n ", "\n"]));
            out.push_str(rng.pick::<&str>(ARGS));
        }
        out.push_str(rng.pick::<&str>(&["", " ", "\n"]));
        if depth < 4 && rng.below(3) == 0 {
            out.push('{');
            gen_body(rng, out, depth + 1);
            out.push_str(rng.pick::<&str>(SPACE));
            out.push('}');
        } else {
            out.push(';');
        }
        out.push_str(rng.pick::<&str>(&["", " # same line", "\n", "\r\n", " "]));
    }
}

/// Inputs of three kinds: generated configs, the same with a random byte
/// deleted/duplicated/replaced, and random bytes from an nginx-ish alphabet.
pub fn inputs(count: usize) -> Vec<Vec<u8>> {
    let mut rng = Rng::xorshift64_star(0x5EED_1234_ABCD_0001);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let mut s = String::new();
        gen_body(&mut rng, &mut s, 0);
        let mut bytes = s.into_bytes();
        match i % 3 {
            1 if !bytes.is_empty() => {
                let at = rng.below(bytes.len());
                match rng.below(3) {
                    0 => {
                        bytes.remove(at);
                    }
                    1 => bytes.insert(at, bytes[at]),
                    _ => {
                        let alphabet = b";{}\"'#\\$ \n";
                        bytes[at] = alphabet[rng.below(alphabet.len())];
                    }
                }
            }
            2 => {
                let alphabet = b"ab;{}\"'#\\$ \n\r\t(){}\xff";
                bytes = (0..rng.below(40))
                    .map(|_| alphabet[rng.below(alphabet.len())])
                    .collect();
            }
            _ => {}
        }
        out.push(bytes);
    }
    out
}

#[test]
fn generated_inputs_round_trip_and_keep_edit_invariants() {
    let mut accepted = 0;
    let mut failures = Vec::new();
    for (i, input) in inputs(3000).iter().enumerate() {
        match std::panic::catch_unwind(|| check_roundtrip(input)) {
            Ok(true) => accepted += 1,
            Ok(false) => {}
            Err(e) => failures.push(format!(
                "#{i} {:?}: {}",
                String::from_utf8_lossy(input),
                e.downcast_ref::<String>().cloned().unwrap_or_default()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        accepted > 1000 && accepted < 3000,
        "accepted {accepted}: generator lost its mix"
    );
}

#[test]
fn random_edit_sequences() {
    let mut rng = Rng::xorshift64_star(42);
    let values: &[&str] = &[
        "80",
        "a b",
        "x;y",
        "{",
        "}",
        "#c",
        "\"q\"",
        "back\\slash",
        "",
        "$host",
        "ok)",
    ];
    let mut failures = Vec::new();
    for (i, input) in inputs(600).iter().enumerate() {
        let Ok(mut doc) = Document::parse(input) else {
            continue;
        };
        for step in 0..6 {
            let all: Vec<Vec<usize>> = doc.walk().into_iter().map(|(p, _)| p).collect();
            let target = if all.is_empty() {
                None
            } else {
                Some(all[rng.below(all.len())].clone())
            };
            let before = doc.walk().len();
            let old = doc.print();
            let value = Word::new(*rng.pick(values)).expect("safe value");
            // Where the edit may change bytes: its node (or, for a push at
            // the top, the last top-level directive to the end of the file),
            // widened by one line on each side.
            let top_len = doc.body().len();
            let region = match &target {
                Some(at) => widen(&old, span(&doc, at)),
                None => (0, old.len()),
            };
            let top_region = match top_len {
                0 => (0, old.len()),
                n => (widen(&old, span(&doc, &[n - 1])).0, old.len()),
            };
            let (what, expected_count) = match (rng.below(5), &target) {
                (0, Some(at)) => {
                    doc.remove(at).expect("remove");
                    ("remove", before - 1 - descendants_removed(&all, at))
                }
                (1, Some(at)) => {
                    doc.set_args(at, [value.clone()]).expect("set_args");
                    ("set_args", before)
                }
                (2, Some(at)) => {
                    doc.set_comment(at, "managed by certsmith")
                        .expect("comment");
                    ("comment", before)
                }
                (3, Some(at)) if doc.get(at).is_some_and(|d| d.block().is_some()) => {
                    let d = Directive::new("added", [value.clone()]).expect("directive");
                    doc.push(at, d).expect("push");
                    ("push", before + 1)
                }
                _ => {
                    let d = Directive::new("top", [value.clone()]).expect("directive");
                    doc.push(&[], d).expect("push");
                    ("push top", before + 1)
                }
            };
            let printed = doc.print();
            let allowed = if what == "push top" {
                top_region
            } else {
                region
            };
            let (from, to) = changed(&old, &printed);
            if old != printed && (from < allowed.0 || to > allowed.1) {
                failures.push(format!(
                    "#{i} step {step} {what}: changed bytes {from}..{to} outside {allowed:?}:\n{}\n=>\n{}",
                    String::from_utf8_lossy(&old),
                    String::from_utf8_lossy(&printed)
                ));
            }
            match Document::parse(&printed) {
                Ok(again) if again.print() == printed && again.walk().len() == expected_count => {}
                Ok(again) => failures.push(format!(
                    "#{i} step {step} {what}: {} directives, expected {expected_count}:\n{}",
                    again.walk().len(),
                    String::from_utf8_lossy(&printed)
                )),
                Err(e) => failures.push(format!(
                    "#{i} step {step} {what}: {e}\n{}",
                    String::from_utf8_lossy(&printed)
                )),
            }
            if failures.len() > 10 {
                break;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
}

/// Byte range of the directive at `at` in the printed document (leading
/// trivia to trailing trivia).
fn span(doc: &Document, at: &[usize]) -> (usize, usize) {
    let d = doc.get(at).expect("node");
    let start = doc.offset_of(at).expect("offset") - d.leading().len();
    (start, start + d.printed_len())
}

/// `range` grown to the start of the line before it and the end of the line after it.
fn widen(text: &[u8], (start, end): (usize, usize)) -> (usize, usize) {
    let line_start = |i: usize| {
        text[..i]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1)
    };
    let line_end = |i: usize| {
        text[i..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |p| i + p + 1)
    };
    let s = line_start(start);
    let s = if s > 0 { line_start(s - 1) } else { 0 };
    let e = line_end(end.min(text.len()));
    let e = if e < text.len() {
        line_end(e)
    } else {
        text.len()
    };
    (s, e)
}

/// The range of `a` that differs from `b` (common prefix and suffix removed).
fn changed(a: &[u8], b: &[u8]) -> (usize, usize) {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let room = a.len().min(b.len()) - prefix;
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(room)
        .take_while(|(x, y)| x == y)
        .count();
    (prefix, a.len() - suffix)
}

/// How many directives lie below `at` (removed with it).
fn descendants_removed(all: &[Vec<usize>], at: &[usize]) -> usize {
    all.iter()
        .filter(|p| p.len() > at.len() && p.starts_with(at))
        .count()
}

#[test]
fn words_re_lex_as_one_token_with_their_value() {
    let mut rng = Rng::xorshift64_star(7);
    let alphabet = b"ab \t;{}\"'#\\$nrt()\xc3\xa9";
    let mut failures = Vec::new();
    for _ in 0..5000 {
        let value: Vec<u8> = (0..rng.below(8))
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        let Ok(word) = Word::new(&value) else {
            continue;
        };
        let src = [b"x ".as_slice(), word.raw(), b";"].concat();
        match Document::parse(&src) {
            Ok(doc) => {
                let d = doc.body().find("x").expect("x");
                if d.arg_values() != [&value[..]] {
                    failures.push(format!(
                        "{:?} -> {} -> {:?}",
                        String::from_utf8_lossy(&value),
                        word,
                        d.arg_values()
                    ));
                }
            }
            Err(e) => failures.push(format!(
                "{:?} -> {word}: {e}",
                String::from_utf8_lossy(&value)
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Inputs that once broke an invariant (from fuzzing or property runs).
/// `check_roundtrip` panics on a broken invariant and returns whether the
/// input parsed: each of these must parse (as nginx's tokenizer accepts
/// them), or the round trip and edit invariants would go unchecked.
#[test]
fn replayed_crashes() {
    for input in [
        &b"a \"q\")\n;"[..],
        b"s {\n    a; b; # c\n}",
        b"a;",
        b"x { }",
        b"# only",
    ] {
        assert!(
            check_roundtrip(input),
            "{:?} no longer parses: its round trip was not checked",
            String::from_utf8_lossy(input)
        );
    }
}
