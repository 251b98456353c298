//! The invariants the fuzz target (`fuzz/fuzz_targets/apache_roundtrip.rs`) and the property
//! tests check: parsing never panics; whatever parses prints back byte for byte and
//! re-parses to the same tree; edits on a sample of its nodes (remove, comment, insert after,
//! append to a section, set arguments) give files that parse again and hold what the edit
//! promised.

use super::{Document, Node, Word};

/// Values an edit puts in (each must read back as one argument with this value).
const VALUES: &[&str] = &[
    "a b",
    "x\"y",
    "<Section>",
    "#not-a-comment",
    "${V}",
    "\\",
    "",
];

/// Why [`check_roundtrip`] failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoundTripError {
    #[error("printing the parsed file changed it (first difference at byte {0})")]
    Changed(usize),
    #[error("re-parsing the printed file gave a different tree")]
    Unstable,
    #[error("{op} on the node at {path:?}: {detail}")]
    Edit {
        op: &'static str,
        path: Vec<usize>,
        detail: String,
    },
}

/// The check the fuzz target and the property tests run: parsing never panics, and
/// whatever parses prints back byte for byte, re-parses to the same tree, and survives the
/// sampled edits. `Ok(false)`: the input was rejected with a positioned error (which is fine).
pub fn check_roundtrip(src: &[u8]) -> Result<bool, RoundTripError> {
    let Ok(file) = Document::parse(src) else {
        return Ok(false);
    };
    let printed = file.print();
    if printed != src {
        let at = printed
            .iter()
            .zip(src)
            .position(|(a, b)| a != b)
            .unwrap_or(printed.len().min(src.len()));
        return Err(RoundTripError::Changed(at));
    }
    match Document::parse(&printed) {
        Ok(again) if again == file => {}
        _ => return Err(RoundTripError::Unstable),
    }
    check_edits(&file)?;
    Ok(true)
}

/// The edits on a sample of nodes (at most 8, spread over the file).
fn check_edits(file: &Document) -> Result<(), RoundTripError> {
    let all = file.walk();
    let step = (all.len() / 6).max(1);
    for (path, node) in all.iter().step_by(step).take(8) {
        let check = Check { file, path };
        check.remove()?;
        check.comment()?;
        check.insert_after()?;
        if node.body().is_some() {
            check.append()?;
        }
        check.set_args(node)?;
    }
    Ok(())
}

struct Check<'a> {
    file: &'a Document,
    path: &'a [usize],
}

impl Check<'_> {
    fn fail(&self, op: &'static str, detail: impl std::fmt::Display) -> RoundTripError {
        RoundTripError::Edit {
            op,
            path: self.path.to_vec(),
            detail: detail.to_string(),
        }
    }

    /// Print `edited` and parse it again.
    fn reparse(&self, op: &'static str, edited: &Document) -> Result<Document, RoundTripError> {
        let printed = edited.print();
        Document::parse(&printed).map_err(|e| {
            let text = String::from_utf8_lossy(&printed);
            self.fail(op, format!("the result does not parse: {e}\n{text}"))
        })
    }

    fn remove(&self) -> Result<(), RoundTripError> {
        let parent = &self.path[..self.path.len() - 1];
        let mut edited = self.file.clone();
        edited
            .remove(self.path)
            .map_err(|e| self.fail("remove", e))?;
        let again = self.reparse("remove", &edited)?;
        let count = |d: &Document| d.body_at(parent).map_or(0, |b| b.nodes.len());
        if count(&again) + 1 != count(self.file) {
            return Err(self.fail("remove", "the sibling count is not one less"));
        }
        Ok(())
    }

    fn comment(&self) -> Result<(), RoundTripError> {
        let mut edited = self.file.clone();
        edited
            .set_comment(self.path, "managed by certsmith")
            .map_err(|e| self.fail("set_comment", e))?;
        let again = self.reparse("set_comment", &edited)?;
        let same = again.get(self.path).map(Node::name_value) == self.node().map(Node::name_value);
        if !same {
            return Err(self.fail("set_comment", "another node is now at its path"));
        }
        Ok(())
    }

    fn node(&self) -> Option<&Node> {
        self.file.get(self.path)
    }

    fn new_node() -> Node {
        let word = Word::new("a b").expect("word");
        super::Directive::new("CertsmithTest", [word])
            .expect("directive")
            .into()
    }

    /// The node at `at` after re-parsing is the one [`Check::new_node`] made.
    fn expect_new(
        &self,
        op: &'static str,
        edited: &Document,
        at: &[usize],
    ) -> Result<(), RoundTripError> {
        let again = self.reparse(op, edited)?;
        match again.get(at) {
            Some(n) if n.is_named("CertsmithTest") && n.arg_values() == [b"a b".to_vec()] => Ok(()),
            other => Err(self.fail(op, format!("the new node reads back as {other:?}"))),
        }
    }

    fn insert_after(&self) -> Result<(), RoundTripError> {
        let mut edited = self.file.clone();
        let at = match edited.insert_after(self.path, Check::new_node()) {
            // Refused: a line after this node would continue it.
            Err(super::EditError::ContinuedLine(_)) => return Ok(()),
            other => other.map_err(|e| self.fail("insert_after", e))?,
        };
        self.expect_new("insert_after", &edited, &at)
    }

    fn append(&self) -> Result<(), RoundTripError> {
        let mut edited = self.file.clone();
        let at = match edited.push(self.path, Check::new_node()) {
            Err(super::EditError::ContinuedLine(_)) => return Ok(()),
            other => other.map_err(|e| self.fail("push", e))?,
        };
        self.expect_new("push", &edited, &at)
    }

    fn set_args(&self, node: &Node) -> Result<(), RoundTripError> {
        let mut same = self.file.clone();
        let words: Vec<Word> = node.args().iter().map(|a| a.word.clone()).collect();
        same.set_args(self.path, words)
            .map_err(|e| self.fail("set_args", e))?;
        if same.print() != self.file.print() {
            return Err(self.fail("set_args", "setting the same words changed the file"));
        }
        let words: Vec<Word> = VALUES.iter().filter_map(|v| Word::new(v).ok()).collect();
        let mut edited = self.file.clone();
        match edited.set_args(self.path, words.clone()) {
            // Refused: the name is an unclosed quote that would swallow the new words.
            Err(super::EditError::UnclosedWord(_)) => return Ok(()),
            Err(e) => return Err(self.fail("set_args", e)),
            Ok(()) => {}
        }
        let again = self.reparse("set_args", &edited)?;
        let want: Vec<Vec<u8>> = words.iter().map(|w| w.value().into_owned()).collect();
        match again.get(self.path) {
            Some(n) if n.arg_values() == want => Ok(()),
            other => Err(self.fail("set_args", format!("the arguments read back as {other:?}"))),
        }
    }
}
