//! The invariants the `configobj` and `cli_ini` fuzz targets check (`fuzz/fuzz_targets/`):
//! reading never panics and errors point inside the text; a file that reads renders back as
//! it was (a final line break added when missing); edits (set, set_list, remove) on a sample
//! of entries give a file that reads again, holds the value set, and leaves every other entry
//! as it was.

use super::{Document, FlatRules, Line, ParseError, Value, flat_entries};

/// Values the edits write, besides those of the file itself.
const VALUES: &[&str] = &[
    "plain",
    "a, b",
    "x # y",
    "it's \"q\"",
    "  spaced  ",
    "",
    "'''",
    "two\nlines",
    "[not a section]",
];

/// Why a check failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("error at line {line}, column {col}: outside the text ({lines} lines)")]
    Position {
        line: usize,
        col: usize,
        lines: usize,
    },
    #[error("rendering the file changed it (first difference at byte {0})")]
    Changed(usize),
    #[error("re-reading the rendered file gave a different document")]
    Unstable,
    #[error("{op} {key:?} in {section:?}: {detail}")]
    Edit {
        op: &'static str,
        section: Vec<String>,
        key: String,
        detail: String,
    },
}

/// `lines`: how many lines `text` has (`text.split('\n').count()`).
fn check_position(lines: usize, e: &ParseError) -> Result<(), CheckError> {
    if e.line == 0 || e.line > lines || e.col == 0 {
        return Err(CheckError::Position {
            line: e.line,
            col: e.col,
            lines,
        });
    }
    Ok(())
}

/// Read `text` with [`flat_entries`]: an error or every entry must point inside the text.
/// Returns the number of entries (`None`: refused).
pub fn check_flat(text: &str, rules: FlatRules) -> Result<Option<usize>, CheckError> {
    let lines = text.split('\n').count();
    match flat_entries(text, rules) {
        Ok(entries) => {
            for e in &entries {
                let at = ParseError {
                    line: e.line,
                    col: e.col.min(e.key_col),
                    kind: super::ErrorKind::ExpectedEntry,
                };
                check_position(lines, &at)?;
            }
            Ok(Some(entries.len()))
        }
        Err(e) => check_position(lines, &e).map(|()| None),
    }
}

/// Read `text` as a sectioned [`Document`] and check the round trip and the edits.
/// `Ok(false)`: refused with a positioned error.
pub fn check_document(text: &str) -> Result<bool, CheckError> {
    let doc = match Document::parse(text) {
        Ok(doc) => doc,
        Err(e) => return check_position(text.split('\n').count(), &e).map(|()| false),
    };
    let rendered = doc.render();
    let mut want = text.to_string();
    if !want.is_empty() && !want.ends_with('\n') {
        want.push('\n');
    }
    if rendered != want {
        let at = rendered.bytes().zip(want.bytes()).position(|(a, b)| a != b);
        return Err(CheckError::Changed(
            at.unwrap_or(rendered.len().min(want.len())),
        ));
    }
    if Document::parse(&rendered).as_ref() != Ok(&doc) {
        return Err(CheckError::Unstable);
    }
    check_edits(&doc)?;
    Ok(true)
}

/// Every entry as (section path, key), in file order.
fn keys(doc: &Document) -> Vec<(Vec<String>, String)> {
    let mut path: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for line in &doc.lines {
        match line {
            Line::Section { depth, name, .. } => {
                path.truncate(depth.saturating_sub(1));
                path.push(name.clone());
            }
            Line::Entry(e) => out.push((path.clone(), e.key.clone())),
            Line::Other(_) => {}
        }
    }
    out
}

fn check_edits(doc: &Document) -> Result<(), CheckError> {
    let all = keys(doc);
    let mut values: Vec<String> = VALUES.iter().map(|v| v.to_string()).collect();
    for (section, key) in all.iter().take(3) {
        let path: Vec<&str> = section.iter().map(String::as_str).collect();
        values.extend(doc.get(&path, key));
    }
    let step = (all.len() / 4).max(1);
    for (section, key) in all.iter().step_by(step).take(4) {
        let edit = Edit {
            doc,
            all: &all,
            section,
            key,
        };
        edit.same()?;
        for value in &values {
            edit.set(value)?;
        }
        edit.set_list(&values[..3])?;
        edit.remove()?;
        edit.set_new(&values[0])?;
    }
    Ok(())
}

struct Edit<'a> {
    doc: &'a Document,
    all: &'a [(Vec<String>, String)],
    section: &'a [String],
    key: &'a str,
}

impl Edit<'_> {
    fn path(&self) -> Vec<&str> {
        self.section.iter().map(String::as_str).collect()
    }

    fn fail(&self, op: &'static str, detail: impl std::fmt::Display) -> CheckError {
        CheckError::Edit {
            op,
            section: self.section.to_vec(),
            key: self.key.to_string(),
            detail: detail.to_string(),
        }
    }

    /// Render `edited`, read it again, and check the other entries (a sample of 8, spread over
    /// the file) kept their values.
    fn reread(&self, op: &'static str, edited: &Document) -> Result<Document, CheckError> {
        let text = edited.render();
        let again = Document::parse(&text)
            .map_err(|e| self.fail(op, format!("the result does not read: {e}\n{text}")))?;
        let step = (self.all.len() / 8).max(1);
        for (section, key) in self.all.iter().step_by(step) {
            let path: Vec<&str> = section.iter().map(String::as_str).collect();
            if (section.as_slice(), key.as_str()) == (self.section, self.key) {
                continue;
            }
            if again.get_value(&path, key) != self.doc.get_value(&path, key) {
                return Err(self.fail(op, format!("{key:?} in {section:?} changed\n{text}")));
            }
        }
        Ok(again)
    }

    /// Setting the value an entry holds changes nothing.
    fn same(&self) -> Result<(), CheckError> {
        let path = self.path();
        let Some(Value::Scalar(value)) = self.doc.get_value(&path, self.key) else {
            return Ok(());
        };
        let mut edited = self.doc.clone();
        edited
            .set(&path, self.key, value)
            .map_err(|e| self.fail("set (same value)", e))?;
        if edited.render() != self.doc.render() {
            return Err(self.fail("set (same value)", "the file changed"));
        }
        Ok(())
    }

    fn expect(
        &self,
        op: &'static str,
        edited: &Document,
        want: Option<&Value>,
    ) -> Result<(), CheckError> {
        let again = self.reread(op, edited)?;
        let got = again.get_value(&self.path(), self.key);
        if got != want {
            return Err(self.fail(op, format!("read back {got:?}, not {want:?}")));
        }
        Ok(())
    }

    fn set(&self, value: &str) -> Result<(), CheckError> {
        let mut edited = self.doc.clone();
        if edited.set(&self.path(), self.key, value).is_err() {
            return Ok(()); // refused: configobj could not read it back
        }
        self.expect("set", &edited, Some(&Value::Scalar(value.to_string())))
    }

    fn set_list(&self, values: &[String]) -> Result<(), CheckError> {
        let mut edited = self.doc.clone();
        if edited.set_list(&self.path(), self.key, values).is_err() {
            return Ok(());
        }
        self.expect("set_list", &edited, Some(&Value::List(values.to_vec())))
    }

    fn remove(&self) -> Result<(), CheckError> {
        let mut edited = self.doc.clone();
        if !edited.remove(&self.path(), self.key) {
            return Err(self.fail("remove", "no such entry"));
        }
        self.expect("remove", &edited, None)
    }

    /// A new key in the entry's section (and a new subsection under it).
    fn set_new(&self, value: &str) -> Result<(), CheckError> {
        let path = self.path();
        let want = Some(Value::Scalar(value.to_string()));
        for section in [path.clone(), [&path[..], &["certsmith_sub"]].concat()] {
            if self.doc.get_value(&section, "certsmith_new").is_some() {
                continue; // not new: the file has it already
            }
            let mut edited = self.doc.clone();
            if edited.set(&section, "certsmith_new", value).is_err() {
                continue;
            }
            let again = self.reread("set (new key)", &edited)?;
            let got = again.get_value(&section, "certsmith_new");
            if got != want.as_ref() {
                return Err(self.fail("set (new key)", format!("{section:?}: read back {got:?}")));
            }
        }
        Ok(())
    }
}
