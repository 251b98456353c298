//! Deterministic property tests (seeded PRNG, no dependencies): random byte soup never
//! panics and round-trips when it parses; random edits on random configs keep them
//! parseable, change the tree exactly as asked and leave the other bytes alone.

use super::super::*;

/// xorshift64*: small, fast, reproducible.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub(crate) fn pick_copy<T: Copy>(&mut self, items: &[T]) -> T {
        *self.pick(items)
    }
}

const SOUP: &[&[u8]] = &[
    b"<",
    b">",
    b"</",
    b"A",
    b"IfModule",
    b" ",
    b"\t",
    b"\\",
    b"\n",
    b"\r\n",
    b"\r",
    b"\"",
    b"'",
    b"#",
    b"x",
    b"\\\n",
    b"</A>",
    b"<A>",
    b"<A b>",
    b"</IfModule>",
    b"<IfModule m>",
    b"${V}",
    b"\\ ",
    b"\\\"",
    b"\xff",
    "é".as_bytes(),
];

#[test]
fn byte_soup_never_panics_and_round_trips() {
    let mut rng = Rng::new(1);
    let mut parsed = 0;
    for _ in 0..20_000 {
        let mut src = Vec::new();
        for _ in 0..rng.below(40) {
            src.extend_from_slice(rng.pick_copy(SOUP));
        }
        if rng.below(200) == 0 {
            src.push(0);
        }
        match check_roundtrip(&src) {
            Ok(true) => parsed += 1,
            Ok(false) => {}
            Err(e) => panic!("{:?}: {e}", String::from_utf8_lossy(&src)),
        }
    }
    assert!(
        parsed > 1000,
        "the soup should often be valid, got {parsed}"
    );
}

/// A random valid config: nested sections, comments, blank lines, odd quoting.
pub(crate) fn random_config(rng: &mut Rng, eol: &str, unit: &str) -> String {
    let mut out = String::new();
    let count = 1 + rng.below(6);
    random_body(rng, &mut out, 0, count, eol, unit);
    out
}

fn random_body(rng: &mut Rng, out: &mut String, depth: usize, count: usize, eol: &str, unit: &str) {
    let indent = unit.repeat(depth);
    const ARGS: &[&str] = &[
        "a.com",
        "\"a b\"",
        "'c \\' d'",
        "*:80",
        "[::]:443",
        "/x\\ y",
        "\"#\"",
        "${APACHE_LOG_DIR}/e.log",
        "on",
    ];
    for _ in 0..count {
        match rng.below(10) {
            0 => out.push_str(eol),
            1 => out.push_str(&format!("{indent}# note {}{eol}", rng.below(100))),
            2 | 3 if depth < 4 => {
                let name = *rng.pick(&["VirtualHost", "IfModule", "Directory", "Location"]);
                out.push_str(&format!("{indent}<{name} {}>{eol}", *rng.pick(ARGS)));
                let inner = rng.below(4);
                random_body(rng, out, depth + 1, inner, eol, unit);
                out.push_str(&format!("{indent}</{name}>{eol}"));
            }
            _ => {
                let name = *rng.pick(&[
                    "ServerName",
                    "ServerAlias",
                    "DocumentRoot",
                    "SSLEngine",
                    "Header",
                ]);
                out.push_str(&format!("{indent}{name}"));
                for _ in 0..rng.below(4) {
                    let sep = if rng.below(8) == 0 {
                        format!(" \\{eol}{indent}{unit}")
                    } else {
                        " ".to_string()
                    };
                    out.push_str(&sep);
                    out.push_str(rng.pick_copy(ARGS));
                }
                out.push_str(eol);
            }
        }
    }
}

/// (depth, name, argument values) in document order: the tree without its layout.
fn shape(body: &Body, depth: usize, out: &mut Vec<(usize, String, Vec<Vec<u8>>)>) {
    for n in &body.nodes {
        out.push((depth, n.name().to_string_lossy(), n.arg_values()));
        if let Some(b) = n.body() {
            shape(b, depth + 1, out);
        }
    }
}

fn shape_of(file: &Document) -> Vec<(usize, String, Vec<Vec<u8>>)> {
    let mut out = Vec::new();
    shape(&file.body, 0, &mut out);
    out
}

/// All index paths in document order.
fn paths(body: &Body, prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    for (i, n) in body.nodes.iter().enumerate() {
        prefix.push(i);
        out.push(prefix.clone());
        if let Some(b) = n.body() {
            paths(b, prefix, out);
        }
        prefix.pop();
    }
}

/// Position in document order (`shape` index) of the node at `path`.
fn flat_index(file: &Document, path: &[usize]) -> usize {
    let mut all = Vec::new();
    paths(&file.body, &mut Vec::new(), &mut all);
    all.iter().position(|p| p == path).unwrap()
}

fn is_subsequence(small: &[u8], big: &[u8]) -> bool {
    let mut it = big.iter();
    small.iter().all(|b| it.any(|c| c == b))
}

#[test]
fn random_edits_keep_invariants() {
    let mut rng = Rng::new(7);
    for round in 0..400 {
        let eol = *rng.pick(&["\n", "\r\n"]);
        let unit = *rng.pick(&["\t", "  ", "    "]);
        let src = random_config(&mut rng, eol, unit);
        let mut file =
            Document::parse(src.as_bytes()).unwrap_or_else(|e| panic!("round {round}: {e}\n{src}"));
        assert_eq!(file.print(), src.as_bytes());
        let before = file.print();
        let mut all = Vec::new();
        paths(&file.body, &mut Vec::new(), &mut all);
        let mut expected = shape_of(&file);
        match rng.below(3) {
            0 if !all.is_empty() => {
                let path = rng.pick(&all).clone();
                let at = flat_index(&file, &path);
                let subtree = 1 + {
                    let mut s = Vec::new();
                    if let Some(b) = file.get(&path).unwrap().body() {
                        shape(b, 0, &mut s);
                    }
                    s.len()
                };
                file.remove(&path).unwrap();
                expected.drain(at..at + subtree);
                let after = file.print();
                assert!(
                    is_subsequence(&after, &before),
                    "round {round}: remove {path:?} only deletes\n{src}\n---\n{}",
                    String::from_utf8_lossy(&after)
                );
            }
            1 => {
                let sections: Vec<_> = all
                    .iter()
                    .filter(|p| file.get(p).unwrap().body().is_some())
                    .cloned()
                    .collect();
                let parent = if sections.is_empty() || rng.below(3) == 0 {
                    Vec::new()
                } else {
                    rng.pick(&sections).clone()
                };
                let len = file.body.body_at(&parent).unwrap().nodes.len();
                let index = rng.below(len + 1);
                let node: Node =
                    Directive::new("ServerAlias", vec![Word::new("new value").unwrap()])
                        .unwrap()
                        .into();
                let path = file.insert(&parent, index, node).unwrap();
                let after = file.print();
                assert!(
                    is_subsequence(&before, &after),
                    "round {round}: insert only adds\n{src}"
                );
                let at = flat_index(&file, &path);
                expected.insert(
                    at,
                    (
                        parent.len(),
                        "ServerAlias".into(),
                        vec![b"new value".to_vec()],
                    ),
                );
                let new_line = file.get(&path).unwrap().indentation().to_vec();
                let siblings = &file.body.body_at(&parent).unwrap().nodes;
                if siblings.len() > 1 {
                    let other = if path[path.len() - 1] > 0 {
                        &siblings[path[path.len() - 1] - 1]
                    } else {
                        &siblings[1]
                    };
                    assert_eq!(
                        new_line,
                        other.indentation(),
                        "round {round}: sibling indentation\n{src}"
                    );
                }
            }
            _ if !all.is_empty() => {
                let path = rng.pick(&all).clone();
                let at = flat_index(&file, &path);
                let words = vec![Word::new("x y").unwrap(), Word::new("z").unwrap()];
                file.set_args(&path, words).unwrap();
                expected[at].2 = vec![b"x y".to_vec(), b"z".to_vec()];
            }
            _ => continue,
        }
        let printed = file.print();
        let reparsed = Document::parse(&printed).unwrap_or_else(|e| {
            panic!("round {round}: {e}\n{}", String::from_utf8_lossy(&printed))
        });
        assert_eq!(
            shape_of(&reparsed),
            expected,
            "round {round}\n{src}\n---\n{}",
            String::from_utf8_lossy(&printed)
        );
        if eol == "\n" {
            assert!(
                !printed.windows(2).any(|w| w == b"\r\n"),
                "round {round}: line endings follow the file"
            );
        } else {
            assert!(
                printed
                    .iter()
                    .enumerate()
                    .all(|(i, &b)| b != b'\n' || (i > 0 && printed[i - 1] == b'\r'))
            );
        }
    }
}

#[test]
fn line_numbers_match_the_printed_text() {
    let mut rng = Rng::new(11);
    for round in 0..300 {
        let eol = *rng.pick(&["\n", "\r\n"]);
        let src = random_config(&mut rng, eol, "  ");
        let file = Document::parse(src.as_bytes()).unwrap();
        let mut all = Vec::new();
        paths(&file.body, &mut Vec::new(), &mut all);
        for path in all {
            let offset = file.body.offset_of(&path).unwrap();
            let want = src.as_bytes()[..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            assert_eq!(
                file.line_of(&path),
                Some(want),
                "round {round} {path:?}\n{src}"
            );
        }
    }
}
