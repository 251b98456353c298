//! Bad input: truncated, binary, deeply nested, unbalanced quotes and braces
//! all give positioned errors (line:col inside the input), never a panic.

use crate::util::repo;
use certsmith::syntax::nginx::{Document, ErrorKind};

/// Parse, expecting either success with an exact round trip or an error
/// whose position lies within the input.
fn verdict(src: &[u8]) -> Result<(), (u32, u32, String)> {
    match Document::parse(src) {
        Ok(doc) => {
            assert_eq!(doc.print(), src, "round trip");
            Ok(())
        }
        Err(e) => {
            let lines = src.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
            assert!(
                e.position.line >= 1 && e.position.line <= lines,
                "line {} of {lines}",
                e.position.line
            );
            assert!(e.position.col >= 1);
            Err((e.position.line, e.position.col, e.message()))
        }
    }
}

#[test]
fn every_truncation_of_a_real_config() {
    let src = std::fs::read(repo().join("fixtures/corpus/nginx/roundtrip/full-example/nginx.conf"))
        .expect("fixture");
    let mut errors = 0;
    for len in 0..src.len() {
        if verdict(&src[..len]).is_err() {
            errors += 1;
        }
    }
    // Most prefixes cut a directive or block open.
    assert!(
        errors > src.len() / 2,
        "{errors} of {} truncations rejected",
        src.len()
    );
}

#[test]
fn binary_input() {
    // A deterministic pseudo-random byte stream (xorshift), many lengths.
    let mut rng = crate::common::Rng::xorshift64(0x9E37_79B9_7F4A_7C15);
    let mut rejected = 0;
    for n in 0..400usize {
        let bytes: Vec<u8> = (0..n * 7).map(|_| rng.next() as u8).collect();
        rejected += usize::from(verdict(&bytes).is_err());
    }
    assert!(rejected > 300);
    // Also a real binary: the PEM keys' DER-ish neighbours and NULs.
    assert!(verdict(b"\0\0\0;").is_ok());
    assert!(verdict(b"\x7fELF\x02\x01\x01\0{").is_err());
}

#[test]
fn deeply_nested() {
    let src = "a {\n".repeat(10_000);
    let e = Document::parse(src.as_bytes()).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::TooDeep(_)));
    assert_eq!(e.position.line, 101, "reported at the first block too deep");
}

#[test]
fn unbalanced() {
    let cases: &[(&str, (u32, u32, &str))] = &[
        (
            "http {\n  server {\n    listen 80;\n  }\n",
            (
                5,
                1,
                "unexpected end of file: unclosed block started at 1:6",
            ),
        ),
        ("http {\n}\n}\n", (3, 1, "unexpected \"}\"")),
        (
            "server_name \"a.com;\n",
            (
                2,
                1,
                "unexpected end of file: unclosed quote started at 1:13",
            ),
        ),
        (
            "a 'x\" ;\nb;\n",
            (
                3,
                1,
                "unexpected end of file: unclosed quote started at 1:3",
            ),
        ),
        (
            "location / {\n  return 200 \"ok\"}\n",
            (2, 18, "unexpected \"}\""),
        ),
        (
            "listen 80\n",
            (2, 1, "unexpected end of file, expecting \";\" or \"}\""),
        ),
        ("{ a; }", (1, 1, "unexpected \"{\"")),
        ("http { ; }", (1, 8, "unexpected \";\"")),
    ];
    let mut failures = Vec::new();
    for (src, (line, col, msg)) in cases {
        match verdict(src.as_bytes()) {
            Err((l, c, m)) if (l, c, m.as_str()) == (*line, *col, *msg) => {}
            other => failures.push(format!("{src:?}: got {other:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
