//! Certbot's renewal conf (`renewal/NAME.conf`), a ConfigObj file: top-level
//! `key = value` lines, a `[renewalparams]` section, `[[webroot_map]]` inside
//! it. A thin layer over [`crate::configobj::Document`]: every line is kept
//! as read (comments, unknown keys, spacing); only the entries certsmith sets
//! are rewritten, so a conf Certbot made is not damaged.

use crate::configobj::{self, Document, WriteError};

pub use crate::configobj::SectionPath;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenewalConf {
    doc: Document,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ConfError {
    pub line: usize,
    pub message: String,
}

pub const PARAMS: SectionPath<'static> = &["renewalparams"];
pub const WEBROOT_MAP: SectionPath<'static> = &["renewalparams", "webroot_map"];

/// Quote a value the way ConfigObj reads it back unchanged (see
/// [`configobj::quote_value`], which says which values cannot be: for those
/// this gives a triple-quoted form configobj reads differently).
pub fn quote(value: &str) -> String {
    configobj::quote_value(value).unwrap_or_else(|_| format!("\"\"\"{value}\"\"\""))
}

impl RenewalConf {
    pub fn parse(text: &str) -> Result<RenewalConf, ConfError> {
        Document::parse(text)
            .map(|doc| RenewalConf { doc })
            .map_err(|e| ConfError {
                line: e.line,
                message: e.kind.to_string(),
            })
    }

    pub fn render(&self) -> String {
        self.doc.render()
    }

    /// The raw (still quoted) value.
    pub fn get_raw(&self, path: SectionPath, key: &str) -> Option<&str> {
        self.doc.get_raw(path, key)
    }

    /// The 1-based line of an entry, as parsed (for messages about it).
    pub fn line_of(&self, path: SectionPath, key: &str) -> Option<usize> {
        self.doc.line_of(path, key)
    }

    /// A scalar value, unquoted (a list's items joined with `, `).
    pub fn get(&self, path: SectionPath, key: &str) -> Option<String> {
        self.doc.get(path, key)
    }

    /// A list value (`a, b,` or a single value), each item unquoted.
    pub fn get_list(&self, path: SectionPath, key: &str) -> Vec<String> {
        self.doc.get_list(path, key)
    }

    /// Every entry of a section, in order (for `[[webroot_map]]`).
    pub fn entries(&self, path: SectionPath) -> Vec<(String, String)> {
        self.doc.entries(path)
    }

    pub fn has_section(&self, path: SectionPath) -> bool {
        self.doc.has_section(path)
    }

    /// Set a scalar value, quoting it as needed; an existing entry is rewritten
    /// in place, a new one goes after the section's last entry. A value
    /// configobj cannot hold is not written: use [`RenewalConf::try_set`]
    /// for values that come from the user.
    pub fn set(&mut self, path: SectionPath, key: &str, value: &str) {
        let _ = self.try_set(path, key, value);
    }

    pub fn try_set(&mut self, path: SectionPath, key: &str, value: &str) -> Result<(), WriteError> {
        self.doc.set(path, key, value)
    }

    /// Set a list value in Certbot's spelling (`a, b` or `a,` for one item);
    /// see [`RenewalConf::set`] about values configobj cannot hold.
    pub fn set_list(&mut self, path: SectionPath, key: &str, values: &[String]) {
        let _ = self.try_set_list(path, key, values);
    }

    pub fn try_set_list(
        &mut self,
        path: SectionPath,
        key: &str,
        values: &[String],
    ) -> Result<(), WriteError> {
        self.doc.set_list(path, key, values)
    }

    /// Set a value already in ConfigObj syntax; see [`RenewalConf::set`].
    pub fn set_raw(&mut self, path: SectionPath, key: &str, raw: &str) {
        let _ = self.try_set_raw(path, key, raw);
    }

    pub fn try_set_raw(
        &mut self,
        path: SectionPath,
        key: &str,
        raw: &str,
    ) -> Result<(), WriteError> {
        self.doc.set_raw(path, key, raw)
    }

    pub fn remove(&mut self, path: SectionPath, key: &str) -> bool {
        self.doc.remove(path, key)
    }

    /// Replace every entry of a section (used for `[[webroot_map]]`); see
    /// [`RenewalConf::set`] about values configobj cannot hold.
    pub fn replace_entries(&mut self, path: SectionPath, entries: &[(String, String)]) {
        let _ = self.try_replace_entries(path, entries);
    }

    pub fn try_replace_entries(
        &mut self,
        path: SectionPath,
        entries: &[(String, String)],
    ) -> Result<(), WriteError> {
        self.doc.replace_entries(path, entries)
    }

    /// The ConfigObj document underneath.
    pub fn document(&self) -> &Document {
        &self.doc
    }
}

#[cfg(test)]
mod tests;
