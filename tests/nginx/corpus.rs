//! Every corpus file round-trips byte for byte (all failures reported).

use crate::util::{files_under, repo};
use certsmith::syntax::nginx::{Document, check_roundtrip};

/// Corpus paths (relative to fixtures/corpus/nginx) listed as not nginx syntax.
pub fn expected_failures() -> Vec<String> {
    let list = std::fs::read_to_string(repo().join("fixtures/nginx/corpus-expected-failures.txt"))
        .expect("list");
    list.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

#[test]
fn every_corpus_file_round_trips() {
    let root = repo().join("fixtures/corpus/nginx");
    let files = files_under(&root);
    // 205 files under roundtrip/, 154 under trees/ (a symlink included).
    assert!(
        files.len() >= 359,
        "corpus incomplete: {} files",
        files.len()
    );
    let expected = expected_failures();
    let mut failures = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&root)
            .expect("under root")
            .to_string_lossy()
            .into_owned();
        let bytes = std::fs::read(file).expect("read corpus file");
        let listed = expected.contains(&rel);
        match (Document::parse(&bytes), listed) {
            (Ok(doc), false) if doc.print() == bytes => {
                // Edit invariants (remove / comment / insert on a sample of directives).
                if let Err(panic) = std::panic::catch_unwind(|| check_roundtrip(&bytes)) {
                    let why = panic.downcast_ref::<String>().cloned().unwrap_or_default();
                    failures.push(format!("{rel}: edit invariant broken: {why}"));
                }
            }
            (Ok(_), false) => failures.push(format!("{rel}: round trip changed the file")),
            (Err(e), false) => failures.push(format!("{rel}:{e}")),
            (Ok(_), true) => {
                failures.push(format!("{rel}: listed as an expected failure but parses"))
            }
            (Err(_), true) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} files failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
