//! The invariants the fuzz target (`fuzz/fuzz_targets/nginx_roundtrip.rs`) and the property
//! tests check: every accepted input prints back byte for byte, and edits on a sample of its
//! directives give documents that parse again and hold what the edit promised. A violation
//! panics (with what broke): these are checks for fuzzers and tests, not for callers.

use super::tree::{Body, Directive, Document};
use super::word::Word;

/// Values an edit puts in: spaces, quotes, braces, `;`, `$`, `#`: each must come back as
/// one argument with this value.
const VALUES: &[&str] = &["a b", "x;y", "{", "it's \"q\"", "$v", "#not-a-comment", ""];

/// Parse `src` and, when it parses, check the round trip and the edit invariants; panics on
/// a violation. Returns whether `src` parsed.
pub fn check_roundtrip(src: &[u8]) -> bool {
    let Ok(doc) = Document::parse(src) else {
        return false;
    };
    assert_eq!(doc.print(), src, "round trip changed the input");
    check_invariants(&doc);
    true
}

/// On a sample of directives (at most 8, spread over the file): remove, comment, insert
/// after, append to its block, set its arguments (to themselves: no byte changes; and to new
/// values). Each result must parse again and hold what the edit promised.
fn check_invariants(doc: &Document) {
    let all = doc.walk();
    let step = (all.len() / 6).max(1);
    for (path, d) in all.iter().step_by(step).take(8) {
        check_remove(doc, path, d);
        check_comment(doc, path);
        check_insert(doc, path);
        check_append(doc, path, d);
        check_set_args(doc, path, d);
    }
}

fn reparse(doc: &Document, what: &str) -> Document {
    let printed = doc.print();
    Document::parse(&printed).unwrap_or_else(|e| {
        panic!(
            "reparse after {what}: {e}\n{}",
            String::from_utf8_lossy(&printed)
        )
    })
}

fn parent_len(doc: &Document, parent: &[usize]) -> usize {
    doc.body_at(parent).map_or(0, Body::len)
}

fn check_remove(doc: &Document, path: &[usize], d: &Directive) {
    let (_, parent) = path.split_last().unwrap_or((&0, &[]));
    let mut removed = doc.clone();
    let gone = removed.remove(path).expect("remove an existing directive");
    assert_eq!(&gone, d);
    let reparsed = reparse(&removed, "remove");
    assert_eq!(
        parent_len(&reparsed, parent),
        parent_len(doc, parent) - 1,
        "remove changed the sibling count"
    );
}

fn check_comment(doc: &Document, path: &[usize]) {
    let mut commented = doc.clone();
    commented
        .set_comment(path, "managed by certsmith")
        .expect("set_comment");
    let reparsed = reparse(&commented, "set_comment");
    let again = reparsed.get(path).expect("commented directive still there");
    assert_eq!(again.comment(), Some(&b"managed by certsmith"[..]));
}

fn new_directive() -> Directive {
    Directive::new("certsmith_test", [Word::new("a b").expect("word")]).expect("directive")
}

fn assert_new(doc: &Document, at: &[usize], what: &str) {
    let reparsed = reparse(doc, what);
    let got = reparsed
        .get(at)
        .unwrap_or_else(|| panic!("{what}: no directive at {at:?}"));
    assert!(
        got.is("certsmith_test") && got.arg_values() == [&b"a b"[..]],
        "{what}: the new directive reads back as {:?}",
        String::from_utf8_lossy(&got.print())
    );
}

fn check_insert(doc: &Document, path: &[usize]) {
    let mut inserted = doc.clone();
    let at = inserted
        .insert_after(path, new_directive())
        .expect("insert_after");
    assert_new(&inserted, &at, "insert_after");
}

fn check_append(doc: &Document, path: &[usize], d: &Directive) {
    if d.block().is_none() {
        return;
    }
    let mut appended = doc.clone();
    let at = appended.push(path, new_directive()).expect("push");
    assert_new(&appended, &at, "push");
}

fn check_set_args(doc: &Document, path: &[usize], d: &Directive) {
    let mut same = doc.clone();
    same.set_args(path, d.args())
        .expect("set_args to the same words");
    assert_eq!(
        same.print(),
        doc.print(),
        "set_args to the same words changed the file"
    );
    let words: Vec<Word> = VALUES.iter().filter_map(|v| Word::new(v).ok()).collect();
    let mut set = doc.clone();
    set.set_args(path, words.clone()).expect("set_args");
    let reparsed = reparse(&set, "set_args");
    let got = reparsed.get(path).expect("directive after set_args");
    let want: Vec<&[u8]> = words.iter().map(|w| w.raw()).collect();
    let have: Vec<Word> = got.args().collect();
    let have: Vec<&[u8]> = have.iter().map(Word::raw).collect();
    assert_eq!(have, want, "set_args: the words read back differently");
    assert!(got.name() == d.name(), "set_args changed the name");
}
