//! The lexer against the real nginx: snippets placed inside a `map` block
//! (where any `key value;` line is accepted, so the only failures nginx can
//! report are its tokenizer's `unexpected ...` and the map's own checks) are
//! accepted by our parser exactly when nginx's tokenizer accepts them.

use crate::util::{TempDir, nginx_t};
use certsmith::syntax::nginx::Document;

fn nginx_lexes(dir: &std::path::Path, snippet: &str) -> Result<bool, String> {
    let conf = format!(
        "error_log error.log;\npid nginx.pid;\nevents {{}}\nhttp {{\n    map $host $x {{\n{snippet}\n    }}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), &conf).map_err(|e| e.to_string())?;
    match nginx_t(dir) {
        Ok(()) => Ok(true),
        Err(e) if e.contains("unexpected") => Ok(false),
        Err(e) if e.contains("map parameters") || e.contains("conflicting") => Ok(true),
        Err(e) => Err(format!("{snippet:?}: unexpected nginx failure: {e}")),
    }
}

#[test]
fn tokenizer_agrees_with_nginx() {
    let snippets = [
        "a}b c#d;",
        "\"a\"b c;",
        "a \"b\"c;",
        "a \"b\"#c;",
        "a\\ b c;",
        "'a b' \"c d\";",
        "\"a\\\"b\" c;",
        "a \"multi\nline\";",
        "a b # comment\n;",
        "a #c\n b;",
        "a ${x}y;",
        "a b\\;c;",
        "a\tb;c d;",
        "a \"b;",
        "a 'b\\';",
        "a b",
        "a \\",
        "\"\" b;",
        "a \"b\"\"c\";",
        "a}} b;",
        "# only a comment",
        "a b;\r\nc d;\r\n",
        "a b; }",
        "; a b;",
    ];
    let t = TempDir::new("oracle");
    let mut failures = Vec::new();
    for snippet in snippets {
        // The snippet as our parser sees it: inside a block, so a stray `}` closes it.
        let ours = Document::parse(format!("m {{\n{snippet}\n}}\n").as_bytes()).is_ok();
        match nginx_lexes(t.path(), snippet) {
            Ok(theirs) if theirs == ours => {}
            Ok(theirs) => failures.push(format!("{snippet:?}: nginx {theirs}, certsmith {ours}")),
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
