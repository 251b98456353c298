//! ConfigObj files, the format Certbot writes its renewal confs
//! (`renewal/NAME.conf`) and DNS credential files in, through Python's
//! `configobj`: `key = value` lines, `[section]` / `[[subsection]]` headers,
//! `#` comments, values bare, quoted (`'...'`, `"..."`), triple-quoted
//! (`'''...'''`, `"""..."""`, which may span lines) or lists (`a, b`; `a,`
//! is a one-item list).
//!
//! Hand-written because no well-kept Rust crate reads and rewrites ConfigObj
//! losslessly with Certbot's exact quoting: `rust-ini` (and the other INI
//! crates) drop comments on rewrite and know neither `[[subsections]]`, nor
//! triple quotes, nor configobj's list values. Here every line certsmith
//! does not change is rendered back byte for byte; values are read with
//! configobj's own patterns (see `read.rs`) and written so configobj reads
//! them back identically, or refused ([`WriteError`]) when it cannot.
//!
//! A bottom-layer module: it uses nothing else of the crate.

mod check;
mod read;
mod write;

pub use check::{CheckError, check_document, check_flat};

pub use write::{quote_key, quote_list, quote_value};

/// A value as configobj gives it to Python: a string or a list of strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Scalar(String),
    List(Vec<String>),
}

impl Value {
    /// The value as a list: a scalar is a one-item list (none if empty).
    pub fn to_list(&self) -> Vec<String> {
        match self {
            Value::Scalar(s) if s.is_empty() => Vec::new(),
            Value::Scalar(s) => vec![s.clone()],
            Value::List(items) => items.clone(),
        }
    }
}

/// What is wrong at a [`ParseError`]'s position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// A line that is neither a comment, a header nor `key = value`.
    ExpectedEntry,
    /// `= value` with no key.
    EmptyKey,
    /// A malformed or misplaced `[section]` header.
    Section(&'static str),
    /// A header in a flat file read with [`Sections::Error`].
    SectionNotAllowed,
    /// A key or section given twice in one section.
    Duplicate(String),
    /// A value configobj cannot read (bad quotes, commas...).
    Value(&'static str),
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ErrorKind::ExpectedEntry => {
                f.write_str("expected `key = value`, a [section] or a comment")
            }
            ErrorKind::EmptyKey => f.write_str("entry without a key"),
            ErrorKind::Section(why) | ErrorKind::Value(why) => f.write_str(why),
            ErrorKind::SectionNotAllowed => f.write_str("sections are not used in this file"),
            ErrorKind::Duplicate(name) => write!(f, "{name} is given twice in its section"),
        }
    }
}

/// Where a file cannot be read, 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {col}: {kind}")]
pub struct ParseError {
    pub line: usize,
    pub col: usize,
    pub kind: ErrorKind,
}

/// A value (or key) configobj could not read back as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} cannot be written in a ConfigObj file: {why}")]
pub struct WriteError {
    pub value: String,
    pub why: &'static str,
}

/// Read one value as written after `key = ` (it may span lines if
/// triple-quoted; an inline comment is dropped).
pub fn read_value(raw: &str) -> Result<Value, ParseError> {
    read::whole_value(raw)
}

/// A section path: `[]` top level, `["renewalparams"]`,
/// `["renewalparams", "webroot_map"]`.
pub type SectionPath<'a> = &'a [&'a str];

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    key: String,
    value: Value,
    /// The value as written, without its inline comment.
    raw: String,
    /// The lines as read (or written), joined with `\n`.
    text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Line {
    /// Blank line, comment: kept verbatim.
    Other(String),
    Section {
        depth: usize,
        name: String,
        text: String,
    },
    Entry(Entry),
}

impl Entry {
    /// The value as one string: a scalar's value, or a list as written
    /// (`a, b`, `a,`), for the flags that split lists themselves.
    fn text_value(&self) -> String {
        match &self.value {
            Value::Scalar(s) => s.clone(),
            Value::List(_) => self.raw.clone(),
        }
    }
}

impl Line {
    fn text(&self) -> &str {
        match self {
            Line::Other(t) | Line::Section { text: t, .. } | Line::Entry(Entry { text: t, .. }) => {
                t
            }
        }
    }
}

/// A ConfigObj file, kept line by line for lossless editing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    lines: Vec<Line>,
}

/// How [`flat_entries`] treats `[section]` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sections {
    /// Skipped, their entries read as if they were top-level (cli.ini).
    Ignore,
    /// An [`ErrorKind::SectionNotAllowed`] (credential files).
    Error,
}

/// How [`flat_entries`] reads values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values {
    /// configobj's rules (quotes, inline `#` comments, triple quotes); a
    /// list is given as written (`a, b`).
    ConfigObj,
    /// The text after `=`, trimmed, as it is (`#` and quotes included).
    Verbatim,
}

/// Rules for a flat `key = value` file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlatRules {
    /// A `key` alone on its line is an entry without a value (a switch).
    pub bare_keys: bool,
    pub sections: Sections,
    /// `;` starts a comment line too.
    pub semicolon_comments: bool,
    pub values: Values,
}

impl FlatRules {
    /// Certbot's DNS credential files (read with configobj).
    pub const CREDENTIALS: FlatRules = FlatRules {
        bare_keys: false,
        sections: Sections::Error,
        semicolon_comments: false,
        values: Values::ConfigObj,
    };
    /// Certbot's `cli.ini` (read with ConfigArgParse).
    pub const CLI_INI: FlatRules = FlatRules {
        bare_keys: true,
        sections: Sections::Ignore,
        semicolon_comments: true,
        values: Values::Verbatim,
    };
}

/// One entry of a flat file, with 1-based positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlatEntry {
    pub key: String,
    /// `None` for a bare key.
    pub value: Option<String>,
    pub line: usize,
    /// Where the key starts.
    pub key_col: usize,
    /// Where the value starts (the key's column for a bare key).
    pub col: usize,
}

/// One step of reading: a line (or a multi-line entry) and its position.
enum Scanned {
    Other(String),
    Section {
        depth: usize,
        name: String,
        text: String,
        col: usize,
    },
    Entry {
        entry: Entry,
        key_col: usize,
        col: usize,
    },
    Bare {
        key: String,
        col: usize,
    },
}

/// Read `text` line by line. `flat`: rules of a flat file, else a
/// sectioned document.
fn scan(text: &str, flat: Option<FlatRules>) -> Result<Vec<(usize, Scanned)>, ParseError> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let raw: Vec<&str> = if text.is_empty() {
        Vec::new()
    } else {
        body.split('\n').collect()
    };
    // configobj drops every trailing `\r` and `\n` of a line.
    let lines: Vec<&str> = raw
        .iter()
        .map(|l| l.trim_end_matches(['\r', '\n']))
        .collect();
    let mut out = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let (line, number) = (lines[index], index + 1);
        let start = line.len() - line.trim_start_matches(read::is_space).len();
        let col = read::column(line, start);
        let stripped = line.trim_matches(read::is_space);
        let err = |col, kind| ParseError {
            line: number,
            col,
            kind,
        };
        let semicolon = flat.is_some_and(|f| f.semicolon_comments) && stripped.starts_with(';');
        if stripped.is_empty() || stripped.starts_with('#') || semicolon {
            out.push((number, Scanned::Other(raw[index].to_string())));
            index += 1;
            continue;
        }
        if let Some(rules) = flat
            && stripped.starts_with('[')
        {
            if rules.sections == Sections::Error {
                return Err(err(col, ErrorKind::SectionNotAllowed));
            }
            out.push((number, Scanned::Other(raw[index].to_string())));
            index += 1;
            continue;
        }
        if flat.is_none()
            && let Some(found) = read::section(line)
        {
            let (depth, name) = found.map_err(|why| err(col, ErrorKind::Section(why)))?;
            let text = raw[index].to_string();
            out.push((
                number,
                Scanned::Section {
                    depth,
                    name,
                    text,
                    col,
                },
            ));
            index += 1;
            continue;
        }
        if flat.is_none() && stripped.starts_with('[') && !line.contains('=') {
            return Err(err(col, ErrorKind::Section("malformed section header")));
        }
        let Some((key, at)) = read::keyword(line) else {
            if flat.is_some_and(|f| f.bare_keys) {
                out.push((
                    number,
                    Scanned::Bare {
                        key: stripped.to_string(),
                        col,
                    },
                ));
                index += 1;
                continue;
            }
            return Err(err(col, ErrorKind::ExpectedEntry));
        };
        if key.trim_matches(read::is_space).is_empty() {
            return Err(err(col, ErrorKind::EmptyKey));
        }
        let value_col = read::column(line, at);
        let (value, value_raw, used) = if flat.is_some_and(|f| f.values == Values::Verbatim) {
            let v = line[at..].trim_end_matches(read::is_space).to_string();
            (Value::Scalar(v.clone()), v, 1)
        } else {
            read::value(&lines[index..], at).map_err(|why| err(value_col, ErrorKind::Value(why)))?
        };
        let text = raw[index..index + used].join("\n");
        let entry = Entry {
            key,
            value,
            raw: value_raw,
            text,
        };
        out.push((
            number,
            Scanned::Entry {
                entry,
                key_col: col,
                col: value_col,
            },
        ));
        index += used;
    }
    Ok(out)
}

/// The entries of a flat file (no sections), in order, with positions.
/// Duplicates are left to the caller (each has its own message).
pub fn flat_entries(text: &str, rules: FlatRules) -> Result<Vec<FlatEntry>, ParseError> {
    let mut out = Vec::new();
    for (line, scanned) in scan(text, Some(rules))? {
        match scanned {
            Scanned::Entry {
                entry,
                key_col,
                col,
            } => out.push(FlatEntry {
                value: Some(entry.text_value()),
                key: entry.key,
                line,
                key_col,
                col,
            }),
            Scanned::Bare { key, col } => out.push(FlatEntry {
                key,
                value: None,
                line,
                key_col: col,
                col,
            }),
            Scanned::Other(_) | Scanned::Section { .. } => {}
        }
    }
    Ok(out)
}

mod document;

#[cfg(test)]
mod tests;
