//! [`Document`]: reading with configobj's section rules, and editing that
//! touches only the lines it changes.

use super::{
    Document, Entry, ErrorKind, Line, ParseError, Scanned, SectionPath, Value, WriteError, read,
    scan, write,
};
use std::collections::HashSet;

impl Document {
    /// Read a whole file. As configobj, refuses a header more than one level
    /// below the current section, and a key or section given twice.
    pub fn parse(text: &str) -> Result<Document, ParseError> {
        let mut lines = Vec::new();
        let mut path: Vec<String> = Vec::new();
        let mut sections: HashSet<Vec<String>> = HashSet::new();
        let mut keys: HashSet<String> = HashSet::new();
        for (number, scanned) in scan(text, None)? {
            let err = |col, kind| ParseError {
                line: number,
                col,
                kind,
            };
            match scanned {
                Scanned::Other(text) => lines.push(Line::Other(text)),
                Scanned::Section {
                    depth,
                    name,
                    text,
                    col,
                } => {
                    if depth > path.len() + 1 {
                        return Err(err(col, ErrorKind::Section("section too nested")));
                    }
                    path.truncate(depth - 1);
                    path.push(name.clone());
                    if !sections.insert(path.clone()) {
                        return Err(err(col, ErrorKind::Duplicate(format!("[{name}]"))));
                    }
                    keys.clear();
                    lines.push(Line::Section { depth, name, text });
                }
                Scanned::Entry { entry, key_col, .. } => {
                    if !keys.insert(entry.key.clone()) {
                        return Err(err(key_col, ErrorKind::Duplicate(entry.key)));
                    }
                    lines.push(Line::Entry(entry));
                }
                Scanned::Bare { col, .. } => return Err(err(col, ErrorKind::ExpectedEntry)),
            }
        }
        Ok(Document { lines })
    }

    /// The file: every line as read, except those edited.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            out.push_str(line.text());
            out.push('\n');
        }
        out
    }

    /// The range of line indices whose entries belong directly to `path`
    /// (from after its header to the next header of any depth).
    fn section_span(&self, path: SectionPath) -> Option<(usize, usize)> {
        let mut current: Vec<&str> = Vec::new();
        let mut start = if path.is_empty() { Some(0) } else { None };
        for (i, line) in self.lines.iter().enumerate() {
            if let Line::Section { depth, name, .. } = line {
                if let Some(s) = start {
                    return Some((s, i));
                }
                current.truncate(depth.saturating_sub(1));
                current.push(name);
                if current == path {
                    start = Some(i + 1);
                }
            }
        }
        start.map(|s| (s, self.lines.len()))
    }

    fn find(&self, path: SectionPath, key: &str) -> Option<usize> {
        let (start, end) = self.section_span(path)?;
        (start..end).find(|&i| matches!(&self.lines[i], Line::Entry(e) if e.key == key))
    }

    fn entry(&self, path: SectionPath, key: &str) -> Option<&Entry> {
        match &self.lines[self.find(path, key)?] {
            Line::Entry(e) => Some(e),
            _ => None,
        }
    }

    /// The value as configobj reads it.
    pub fn get_value(&self, path: SectionPath, key: &str) -> Option<&Value> {
        self.entry(path, key).map(|e| &e.value)
    }

    /// The value as written (quotes kept, inline comment dropped).
    pub fn get_raw(&self, path: SectionPath, key: &str) -> Option<&str> {
        self.entry(path, key).map(|e| e.raw.as_str())
    }

    /// A value as one string: a scalar's value, or a list as written
    /// (`a, b`, `a,`; quotes kept), for callers that split lists themselves.
    pub fn get(&self, path: SectionPath, key: &str) -> Option<String> {
        self.entry(path, key).map(Entry::text_value)
    }

    /// A value as a list (see [`Value::to_list`]); none if absent.
    pub fn get_list(&self, path: SectionPath, key: &str) -> Vec<String> {
        self.get_value(path, key)
            .map(Value::to_list)
            .unwrap_or_default()
    }

    /// The 1-based line where an entry starts in [`Document::render`]'s
    /// text (as parsed, for a document not edited above it).
    pub fn line_of(&self, path: SectionPath, key: &str) -> Option<usize> {
        let index = self.find(path, key)?;
        let before: usize = self.lines[..index]
            .iter()
            .map(|l| l.text().matches('\n').count() + 1)
            .sum();
        Some(before + 1)
    }

    /// The 1-based column where an entry's value starts on its line.
    pub fn column_of(&self, path: SectionPath, key: &str) -> Option<usize> {
        let entry = self.entry(path, key)?;
        let first = entry.text.split('\n').next().unwrap_or_default();
        let (_, at) = read::keyword(first.trim_end_matches('\r'))?;
        Some(read::column(first, at))
    }

    /// Every entry of a section, in order, each value as [`Document::get`]
    /// gives it.
    pub fn entries(&self, path: SectionPath) -> Vec<(String, String)> {
        let Some((start, end)) = self.section_span(path) else {
            return Vec::new();
        };
        self.lines[start..end]
            .iter()
            .filter_map(|l| match l {
                Line::Entry(e) => Some((e.key.clone(), e.text_value())),
                _ => None,
            })
            .collect()
    }

    pub fn has_section(&self, path: SectionPath) -> bool {
        path.is_empty() || self.section_span(path).is_some()
    }

    /// Set a scalar, quoted as needed. An entry that already holds this
    /// value is left as it is; another is rewritten in place; a new one goes
    /// after the section's last entry (the section is made if missing).
    pub fn set(&mut self, path: SectionPath, key: &str, value: &str) -> Result<(), WriteError> {
        if matches!(self.get_value(path, key), Some(Value::Scalar(v)) if v == value) {
            return Ok(());
        }
        let raw = write::quote_value(value)?;
        self.put(path, key, raw, Value::Scalar(value.to_string()))
    }

    /// Set a list, in Certbot's spelling (`a, b`, or `a,` for one item).
    pub fn set_list(
        &mut self,
        path: SectionPath,
        key: &str,
        values: &[String],
    ) -> Result<(), WriteError> {
        if matches!(self.get_value(path, key), Some(Value::List(v)) if v == values) {
            return Ok(());
        }
        let raw = write::quote_list(values)?;
        self.put(path, key, raw, Value::List(values.to_vec()))
    }

    /// Set a value already in ConfigObj syntax (refused unless configobj
    /// reads it as one value).
    pub fn set_raw(&mut self, path: SectionPath, key: &str, raw: &str) -> Result<(), WriteError> {
        if self.get_raw(path, key) == Some(raw) {
            return Ok(());
        }
        let value = read::whole_value(raw).map_err(|e| WriteError {
            value: raw.to_string(),
            why: match e.kind {
                ErrorKind::Value(why) => why,
                _ => "not a ConfigObj value",
            },
        })?;
        self.put(path, key, raw.to_string(), value)
    }

    fn put(
        &mut self,
        path: SectionPath,
        key: &str,
        raw: String,
        value: Value,
    ) -> Result<(), WriteError> {
        let text = format!("{} = {raw}", write::quote_key(key)?);
        let line = Line::Entry(Entry {
            key: key.to_string(),
            value,
            raw,
            text,
        });
        if let Some(i) = self.find(path, key) {
            self.lines[i] = line;
            return Ok(());
        }
        self.ensure_section(path)?;
        let Some((start, end)) = self.section_span(path) else {
            return Ok(());
        };
        // After the section's last entry; in a section without entries,
        // after its last non-blank line (so a leading comment stays on top).
        let last =
            |pred: &dyn Fn(&Line) -> bool| (start..end).rev().find(|&i| pred(&self.lines[i]));
        let at = last(&|l| matches!(l, Line::Entry(_)))
            .or_else(|| last(&|l| matches!(l, Line::Other(t) if !t.trim().is_empty())))
            .map_or(start, |i| i + 1);
        self.lines.insert(at, line);
        Ok(())
    }

    /// Remove an entry; false if there was none.
    pub fn remove(&mut self, path: SectionPath, key: &str) -> bool {
        match self.find(path, key) {
            Some(i) => {
                self.lines.remove(i);
                true
            }
            None => false,
        }
    }

    /// Make sure a section exists (parents first), appending headers at the
    /// end of the parent section.
    fn ensure_section(&mut self, path: SectionPath) -> Result<(), WriteError> {
        if self.has_section(path) {
            return Ok(());
        }
        let parent = &path[..path.len() - 1];
        self.ensure_section(parent)?;
        let at = self.subtree_end(parent);
        let depth = path.len();
        let name = path[depth - 1].to_string();
        let quoted = write::quote_key(&name)?;
        let text = format!("{}{quoted}{}", "[".repeat(depth), "]".repeat(depth));
        self.lines.insert(at, Line::Section { depth, name, text });
        Ok(())
    }

    /// Index after the last line of a section including its subsections.
    fn subtree_end(&self, path: SectionPath) -> usize {
        let Some((start, _)) = self.section_span(path).filter(|_| !path.is_empty()) else {
            return self.lines.len();
        };
        (start..self.lines.len())
            .find(
                |&i| matches!(&self.lines[i], Line::Section { depth, .. } if *depth <= path.len()),
            )
            .unwrap_or(self.lines.len())
    }

    /// Replace every entry of a section (comments in it stay).
    pub fn replace_entries(
        &mut self,
        path: SectionPath,
        entries: &[(String, String)],
    ) -> Result<(), WriteError> {
        for (key, value) in entries {
            write::quote_key(key)?;
            write::quote_value(value)?;
        }
        if let Some((start, end)) = self.section_span(path) {
            let kept: Vec<Line> = self
                .lines
                .drain(start..end)
                .filter(|l| !matches!(l, Line::Entry(_)))
                .collect();
            self.lines.splice(start..start, kept);
        }
        for (key, value) in entries {
            self.set(path, key, value)?;
        }
        Ok(())
    }
}
