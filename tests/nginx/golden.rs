//! Golden edit cases: `fixtures/nginx/edits/<case>/` holds a `before/` tree,
//! the `ops` to apply (one per line), and the expected `after/` tree. Each
//! case is loaded as a whole tree (includes followed), edited in memory,
//! written out, compared byte for byte with `after/`, and then checked by
//! the real `nginx -t`. All cases run; every failure is reported.
//!
//! ops: `push PATH NAME ARGS...`, `insert-after PATH NAME ARGS...`,
//! `rm PATH`, `set PATH ARGS...`, `replace PATH NAME ARGS...`,
//! `comment PATH TEXT...`, `template PATH FILE` (push the directive in the
//! case's FILE into the block at PATH). PATH must select exactly one node.

use crate::util::{TempDir, copy_tree, files_under, nginx_t, repo, split_words};
use certsmith::installer::nginx::{NginxConfig, NodeRef};
use certsmith::syntax::nginx::{Directive, Word};
use certsmith::syntax::path::{self, Path as TreePath};
use std::path::Path;

fn one(config: &NginxConfig, path: &str) -> Result<NodeRef, String> {
    let p = TreePath::parse(path).map_err(|e| format!("{path}: {e}"))?;
    let found = path::select(config, &p);
    match found.as_slice() {
        [m] => Ok(m.node.clone()),
        other => Err(format!("{path} selects {} nodes", other.len())),
    }
}

fn directive(words: &[String]) -> Result<Directive, String> {
    let (name, args) = words.split_first().ok_or("missing directive name")?;
    let args: Result<Vec<Word>, _> = args.iter().map(Word::new).collect();
    Directive::new(name, args.map_err(|e| e.to_string())?).map_err(|e| e.to_string())
}

fn apply(config: &mut NginxConfig, case: &Path, line: &str) -> Result<(), String> {
    let words = split_words(line);
    let [op, path, rest @ ..] = words.as_slice() else {
        return Err(format!("bad op line {line:?}"));
    };
    let node = one(config, path)?;
    let doc = config.doc_mut(node.file).ok_or("no such file")?;
    let at = &node.path;
    let result = match op.as_str() {
        "push" => doc.push(at, directive(rest)?).map(drop),
        "insert-after" => doc.insert_after(at, directive(rest)?).map(drop),
        "rm" => doc.remove(at).map(drop),
        "set" => doc.set_args(at, rest.iter().map(|w| Word::new(w).expect("word"))),
        "replace" => doc.replace(at, directive(rest)?).map(drop),
        "comment" => doc.set_comment(at, &rest.join(" ")),
        "template" => {
            let file = rest.first().ok_or("template: missing FILE")?;
            let snippet = std::fs::read(case.join(file)).map_err(|e| format!("{file}: {e}"))?;
            let d = Directive::parse(&snippet).map_err(|e| e.to_string())?;
            doc.push(at, d).map(drop)
        }
        other => return Err(format!("unknown op {other:?}")),
    };
    result.map_err(|e| format!("{line}: {e}"))
}

fn run_case(case: &Path) -> Result<(), String> {
    let tmp = TempDir::new("golden");
    copy_tree(&case.join("before"), tmp.path());
    for f in ["cert.pem", "key.pem"] {
        std::fs::copy(
            repo().join("fixtures/nginx/tls").join(f),
            tmp.path().join(f),
        )
        .map_err(|e| e.to_string())?;
    }
    nginx_t(tmp.path()).map_err(|e| format!("nginx -t rejects before/: {e}"))?;
    let mut config = NginxConfig::load(tmp.path()).map_err(|e| e.to_string())?;
    let ops = std::fs::read_to_string(case.join("ops")).map_err(|e| e.to_string())?;
    for line in ops
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        apply(&mut config, case, line)?;
    }
    for (file, _, after) in config.changed_files() {
        std::fs::write(&file, after).map_err(|e| e.to_string())?;
    }
    let mut problems = Vec::new();
    let expected_dir = case.join("after");
    for expected in files_under(&expected_dir) {
        let rel = expected.strip_prefix(&expected_dir).expect("under after");
        let want = std::fs::read(&expected).map_err(|e| e.to_string())?;
        let got = std::fs::read(tmp.path().join(rel)).unwrap_or_default();
        if got != want {
            problems.push(format!(
                "{} differs:\n--- expected\n{}\n--- got\n{}",
                rel.display(),
                String::from_utf8_lossy(&want),
                String::from_utf8_lossy(&got)
            ));
        }
    }
    if let Err(e) = nginx_t(tmp.path()) {
        problems.push(format!("nginx -t rejects the edited tree: {e}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

#[test]
fn golden_edit_cases() {
    let root = repo().join("fixtures/nginx/edits");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .expect("edits dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 7, "golden cases missing");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            run_case(case).err().map(|e| {
                format!(
                    "== {}\n{e}",
                    case.file_name().unwrap_or_default().to_string_lossy()
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
