//! Certbot's renewal conf (`renewal/NAME.conf`), a ConfigObj file: top-level
//! `key = value` lines, a `[renewalparams]` section, `[[webroot_map]]` inside
//! it. Every line is kept as read (comments, unknown keys, spacing); only the
//! entries certsmith sets are rewritten, so a conf Certbot made is not damaged.

use std::fmt::Write;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Line {
    /// Blank line, comment, anything kept verbatim.
    Other(String),
    Section {
        depth: usize,
        name: String,
        text: String,
    },
    Entry {
        key: String,
        value: String,
        text: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenewalConf {
    lines: Vec<Line>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ConfError {
    pub line: usize,
    pub message: String,
}

/// A section path: `[]` top level, `["renewalparams"]`, `["renewalparams", "webroot_map"]`.
pub type SectionPath<'a> = &'a [&'a str];

pub const PARAMS: SectionPath<'static> = &["renewalparams"];
pub const WEBROOT_MAP: SectionPath<'static> = &["renewalparams", "webroot_map"];

fn unquote(raw: &str) -> String {
    let raw = raw.trim();
    for q in ["\"\"\"", "'''", "\"", "'"] {
        if raw.len() >= 2 * q.len() && raw.starts_with(q) && raw.ends_with(q) {
            return raw[q.len()..raw.len() - q.len()].to_string();
        }
    }
    raw.to_string()
}

/// Split off an unquoted inline comment (ConfigObj drops those).
fn strip_comment(raw: &str) -> &str {
    let mut quote: Option<char> = None;
    for (i, c) in raw.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') => return raw[..i].trim_end(),
            _ => {}
        }
    }
    raw.trim_end()
}

/// Quote a value the way ConfigObj would need to read it back unchanged.
pub fn quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value.trim() == value
        && !value.contains([',', '#', '"', '\'', '\n', '[', ']', '='])
        && !value.contains("\\");
    if plain {
        value.to_string()
    } else if !value.contains('"') {
        format!("\"{value}\"")
    } else if !value.contains('\'') {
        format!("'{value}'")
    } else {
        format!("\"\"\"{value}\"\"\"")
    }
}

/// Split a ConfigObj list on unquoted commas.
fn split_list(raw: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in raw.chars() {
        match (quote, c) {
            (None, '"' | '\'') => {
                quote = Some(c);
                current.push(c);
            }
            (Some(q), c) if c == q => {
                quote = None;
                current.push(c);
            }
            (None, ',') => items.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    items.push(current);
    items
        .iter()
        .map(|i| unquote(i))
        .filter(|s| !s.is_empty())
        .collect()
}

impl RenewalConf {
    pub fn parse(text: &str) -> Result<RenewalConf, ConfError> {
        let mut lines = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let trimmed = raw.trim();
            let err = |message: &str| ConfError {
                line: index + 1,
                message: message.to_string(),
            };
            if trimmed.is_empty() || trimmed.starts_with('#') {
                lines.push(Line::Other(raw.to_string()));
            } else if trimmed.starts_with('[') {
                let content = strip_comment(trimmed);
                let depth = content.chars().take_while(|c| *c == '[').count();
                let closing = content.chars().rev().take_while(|c| *c == ']').count();
                if depth != closing || content.len() <= 2 * depth {
                    return Err(err("malformed section header"));
                }
                let name = content[depth..content.len() - depth].trim().to_string();
                lines.push(Line::Section {
                    depth,
                    name,
                    text: raw.to_string(),
                });
            } else if let Some((key, value)) = trimmed.split_once('=') {
                let key = key.trim();
                if key.is_empty() {
                    return Err(err("entry without a key"));
                }
                lines.push(Line::Entry {
                    key: unquote(key),
                    value: strip_comment(value).trim().to_string(),
                    text: raw.to_string(),
                });
            } else {
                return Err(err(&format!(
                    "expected `key = value`, a [section] or a comment, found {trimmed:?}"
                )));
            }
        }
        Ok(RenewalConf { lines })
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            let text = match line {
                Line::Other(t) | Line::Section { text: t, .. } | Line::Entry { text: t, .. } => t,
            };
            let _ = writeln!(out, "{text}");
        }
        out
    }

    /// The range of line indices whose entries belong directly to `path`
    /// (from after its header to the next header of any depth).
    fn section_span(&self, path: SectionPath) -> Option<(usize, usize)> {
        let mut current: Vec<String> = Vec::new();
        let mut start = if path.is_empty() { Some(0) } else { None };
        for (i, line) in self.lines.iter().enumerate() {
            if let Line::Section { depth, name, .. } = line {
                if start.is_some() {
                    return start.map(|s| (s, i));
                }
                current.truncate(depth.saturating_sub(1));
                current.push(name.clone());
                if current.len() == path.len() && current.iter().zip(path).all(|(a, b)| a == b) {
                    start = Some(i + 1);
                }
            }
        }
        start.map(|s| (s, self.lines.len()))
    }

    fn find(&self, path: SectionPath, key: &str) -> Option<usize> {
        let (start, end) = self.section_span(path)?;
        (start..end).find(|&i| matches!(&self.lines[i], Line::Entry { key: k, .. } if k == key))
    }

    /// The raw (still quoted) value.
    pub fn get_raw(&self, path: SectionPath, key: &str) -> Option<&str> {
        match &self.lines[self.find(path, key)?] {
            Line::Entry { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The 1-based line of an entry, as parsed (for messages about it).
    pub fn line_of(&self, path: SectionPath, key: &str) -> Option<usize> {
        self.find(path, key).map(|i| i + 1)
    }

    /// A scalar value, unquoted.
    pub fn get(&self, path: SectionPath, key: &str) -> Option<String> {
        self.get_raw(path, key).map(unquote)
    }

    /// A list value (`a, b,` or a single value), each item unquoted.
    pub fn get_list(&self, path: SectionPath, key: &str) -> Vec<String> {
        self.get_raw(path, key).map(split_list).unwrap_or_default()
    }

    /// Every entry of a section, in order (for `[[webroot_map]]`).
    pub fn entries(&self, path: SectionPath) -> Vec<(String, String)> {
        let Some((start, end)) = self.section_span(path) else {
            return Vec::new();
        };
        self.lines[start..end]
            .iter()
            .filter_map(|l| match l {
                Line::Entry { key, value, .. } => Some((key.clone(), unquote(value))),
                _ => None,
            })
            .collect()
    }

    pub fn has_section(&self, path: SectionPath) -> bool {
        path.is_empty() || self.section_span(path).is_some()
    }

    /// Set a scalar value, quoting it as needed; an existing entry is rewritten
    /// in place, a new one goes after the section's last entry.
    pub fn set(&mut self, path: SectionPath, key: &str, value: &str) {
        self.set_raw(path, key, &quote(value));
    }

    /// Set a list value in Certbot's spelling (`a, b` or `a,` for one item).
    pub fn set_list(&mut self, path: SectionPath, key: &str, values: &[String]) {
        let mut raw = values
            .iter()
            .map(|v| quote(v))
            .collect::<Vec<_>>()
            .join(", ");
        if values.len() == 1 {
            raw.push(',');
        }
        self.set_raw(path, key, &raw);
    }

    pub fn set_raw(&mut self, path: SectionPath, key: &str, raw: &str) {
        let text = format!("{} = {raw}", quote(key));
        if let Some(i) = self.find(path, key) {
            if let Line::Entry { value, .. } = &self.lines[i]
                && value == raw
            {
                return;
            }
            self.lines[i] = Line::Entry {
                key: key.to_string(),
                value: raw.to_string(),
                text,
            };
            return;
        }
        self.ensure_section(path);
        let Some((start, end)) = self.section_span(path) else {
            return;
        };
        // After the section's last entry; in a section without entries,
        // after its last non-blank line (so a leading comment stays on top).
        let last =
            |pred: &dyn Fn(&Line) -> bool| (start..end).rev().find(|&i| pred(&self.lines[i]));
        let after_last_entry = last(&|l| matches!(l, Line::Entry { .. }))
            .or_else(|| last(&|l| matches!(l, Line::Other(t) if !t.trim().is_empty())))
            .map_or(start, |i| i + 1);
        self.lines.insert(
            after_last_entry,
            Line::Entry {
                key: key.to_string(),
                value: raw.to_string(),
                text,
            },
        );
    }

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
    fn ensure_section(&mut self, path: SectionPath) {
        if self.has_section(path) {
            return;
        }
        let parent = &path[..path.len() - 1];
        self.ensure_section(parent);
        let insert_at = self.subtree_end(parent);
        let depth = path.len();
        let name = path[depth - 1].to_string();
        let text = format!("{}{name}{}", "[".repeat(depth), "]".repeat(depth));
        self.lines
            .insert(insert_at, Line::Section { depth, name, text });
    }

    /// Index after the last line of a section including its subsections.
    fn subtree_end(&self, path: SectionPath) -> usize {
        if path.is_empty() {
            return self.lines.len();
        }
        let Some((start, _)) = self.section_span(path) else {
            return self.lines.len();
        };
        (start..self.lines.len())
            .find(
                |&i| matches!(&self.lines[i], Line::Section { depth, .. } if *depth <= path.len()),
            )
            .unwrap_or(self.lines.len())
    }

    /// Replace every entry of a section (used for `[[webroot_map]]`).
    pub fn replace_entries(&mut self, path: SectionPath, entries: &[(String, String)]) {
        if let Some((start, end)) = self.section_span(path) {
            let keep: Vec<Line> = self
                .lines
                .drain(start..end)
                .filter(|l| !matches!(l, Line::Entry { .. }))
                .collect();
            for (offset, line) in keep.into_iter().enumerate() {
                self.lines.insert(start + offset, line);
            }
        }
        for (key, value) in entries {
            self.set(path, key, value);
        }
    }
}

#[cfg(test)]
mod tests;
