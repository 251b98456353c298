//! Raw arguments: the command line (and `cli.ini`) turned into an ordered
//! list of flag occurrences, a verb and positionals. Nothing is interpreted
//! here beyond what the flag table says; [`super::options`] resolves them,
//! once, into typed options. Look-ups take a flag's `static`, never its name.

use super::flags::{self, Arity, Flag, FlagSet, Lookup};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// A mistake in how certsmith was called. Always names the flag or word.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    On,
    Off,
    Text(String),
}

/// Where an occurrence came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    CommandLine,
    File { path: PathBuf, line: usize },
}

#[derive(Debug, Clone)]
pub struct Occurrence {
    pub flag: &'static Flag,
    pub value: Value,
    pub source: Source,
}

impl Occurrence {
    pub fn text(&self) -> Option<&str> {
        match &self.value {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    /// ` (from FILE:LINE)` for a value read from a file, for messages.
    fn from(&self) -> String {
        match &self.source {
            Source::CommandLine => String::new(),
            other => format!(" (from {other})"),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct RawArgs {
    pub verb: Option<&'static str>,
    pub positionals: Vec<String>,
    pub occurrences: Vec<Occurrence>,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::CommandLine => f.write_str("command line"),
            Source::File { path, line } => write!(f, "{}:{}", path.display(), line),
        }
    }
}

/// Parse the command line (without the program name) with the built-in flags.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<RawArgs, UsageError> {
    parse_with(&FlagSet::builtin(), args)
}

/// Parse the command line (without the program name) with `set`'s flags.
pub fn parse_with<I: IntoIterator<Item = String>>(
    set: &FlagSet,
    args: I,
) -> Result<RawArgs, UsageError> {
    let mut out = RawArgs::default();
    let mut iter = args.into_iter();
    let mut only_positionals = false;
    while let Some(arg) = iter.next() {
        if only_positionals || arg == "-" || !arg.starts_with('-') {
            out.bare_word(arg)?;
        } else if arg == "--" {
            only_positionals = true;
        } else if let Some(long) = arg.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let (flag, negated) = match set.lookup(name) {
                Lookup::Found(flag, negated) => (flag, negated),
                Lookup::Unknown => {
                    return Err(UsageError(format!(
                        "--{name}: unknown flag (see certsmith --help)"
                    )));
                }
                Lookup::Ambiguous(names) => return Err(ambiguous(&format!("--{name}"), &names)),
            };
            let value = long_value(flag, negated, name, inline, &mut iter)?;
            out.push(flag, value, Source::CommandLine);
        } else {
            out.short_cluster(set, &arg[1..], &mut iter)?;
        }
    }
    Ok(out)
}

/// argparse's complaint about a prefix of several flags, naming them.
fn ambiguous(what: &str, names: &[String]) -> UsageError {
    UsageError(format!(
        "{what}: ambiguous option: could match {}",
        names.join(", ")
    ))
}

fn long_value(
    flag: &'static Flag,
    negated: bool,
    name: &str,
    inline: Option<String>,
    rest: &mut impl Iterator<Item = String>,
) -> Result<Value, UsageError> {
    match flag.arity {
        Arity::Switch | Arity::Count => match inline {
            None => Ok(if negated { Value::Off } else { Value::On }),
            Some(text) if !negated => parse_bool(&text)
                .map(|b| if b { Value::On } else { Value::Off })
                .ok_or_else(|| {
                    UsageError(format!("--{name}: expected true or false, got {text:?}"))
                }),
            Some(_) => Err(UsageError(format!("--{name}: takes no value"))),
        },
        Arity::Value(metavar) => match inline.or_else(|| rest.next()) {
            Some(text) => Ok(Value::Text(text)),
            None => Err(UsageError(format!("--{name}: needs a value ({metavar})"))),
        },
    }
}

impl RawArgs {
    fn push(&mut self, flag: &'static Flag, value: Value, source: Source) {
        self.occurrences.push(Occurrence {
            flag,
            value,
            source,
        });
    }

    fn bare_word(&mut self, word: String) -> Result<(), UsageError> {
        if self.verb.is_none() {
            match flags::verb(&word) {
                Some(v) => self.verb = Some(v),
                None => {
                    return Err(UsageError(format!(
                        "{word:?}: unknown command (see certsmith --help)"
                    )));
                }
            }
        } else {
            self.positionals.push(word);
        }
        Ok(())
    }

    fn short_cluster(
        &mut self,
        set: &FlagSet,
        cluster: &str,
        rest: &mut impl Iterator<Item = String>,
    ) -> Result<(), UsageError> {
        for (i, c) in cluster.char_indices() {
            let flag = set
                .by_short(c)
                .ok_or_else(|| UsageError(format!("-{c}: unknown flag (see certsmith --help)")))?;
            match flag.arity {
                Arity::Switch | Arity::Count => self.push(flag, Value::On, Source::CommandLine),
                Arity::Value(metavar) => {
                    let attached = &cluster[i + c.len_utf8()..];
                    let text = if attached.is_empty() {
                        rest.next()
                            .ok_or_else(|| UsageError(format!("-{c}: needs a value ({metavar})")))?
                    } else {
                        attached.to_string()
                    };
                    self.push(flag, Value::Text(text), Source::CommandLine);
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Merge flags read from a cli.ini file: the command line wins, so a flag
    /// given on the command line drops every occurrence of it from the file.
    pub fn with_file_defaults(mut self, file: Vec<Occurrence>) -> RawArgs {
        let from_file: Vec<Occurrence> = file
            .into_iter()
            .filter(|o| {
                !self
                    .occurrences
                    .iter()
                    .any(|c| std::ptr::eq(c.flag, o.flag))
            })
            .collect();
        self.occurrences.splice(0..0, from_file);
        self
    }

    fn all<'a>(&'a self, flag: &'static Flag) -> impl Iterator<Item = &'a Occurrence> + 'a {
        self.occurrences
            .iter()
            .filter(move |o| std::ptr::eq(o.flag, flag))
    }

    /// Whether the flag occurs at all (set on or off, or with a value).
    pub fn given(&self, flag: &'static Flag) -> bool {
        self.all(flag).next().is_some()
    }

    /// The last setting of a switch, if any.
    pub fn switch(&self, flag: &'static Flag) -> Option<bool> {
        self.all(flag).last().map(|o| o.value != Value::Off)
    }

    pub fn flag(&self, flag: &'static Flag) -> bool {
        self.switch(flag).unwrap_or(false)
    }

    pub fn count(&self, flag: &'static Flag) -> usize {
        self.all(flag).filter(|o| o.value == Value::On).count()
    }

    /// The last value of a flag, if any.
    pub fn value(&self, flag: &'static Flag) -> Option<&str> {
        self.all(flag).filter_map(Occurrence::text).last()
    }

    pub fn path(&self, flag: &'static Flag) -> Option<PathBuf> {
        self.value(flag).map(PathBuf::from)
    }

    /// Every value of a repeatable flag, in order.
    pub fn values(&self, flag: &'static Flag) -> Vec<&str> {
        self.all(flag).filter_map(Occurrence::text).collect()
    }

    /// The last value parsed as `T`; a bad value is an error naming the flag.
    pub fn parsed<T: FromStr>(&self, flag: &'static Flag) -> Result<Option<T>, UsageError>
    where
        T::Err: fmt::Display,
    {
        let Some(occ) = self.last_text(flag) else {
            return Ok(None);
        };
        let text = occ.text().unwrap_or_default();
        text.parse::<T>().map(Some).map_err(|e| {
            UsageError(format!(
                "--{}: invalid value {text:?}{}: {e}",
                flag.long,
                occ.from()
            ))
        })
    }

    /// The last value, which must be one of `choices`; else an error naming
    /// the flag (and the cli.ini file it came from).
    pub fn one_of(
        &self,
        flag: &'static Flag,
        choices: &[&str],
    ) -> Result<Option<&str>, UsageError> {
        let Some(occ) = self.last_text(flag) else {
            return Ok(None);
        };
        let text = occ.text().unwrap_or_default();
        if choices.contains(&text) {
            return Ok(Some(text));
        }
        Err(UsageError(format!(
            "--{}: {text:?}{} is not one of {}",
            flag.long,
            occ.from(),
            choices.join(", ")
        )))
    }

    /// The last value as a boolean word (`true`, `no`, ...).
    pub fn boolean(&self, flag: &'static Flag) -> Result<Option<bool>, UsageError> {
        match self.value(flag) {
            None => Ok(None),
            Some(v) => parse_bool(v)
                .map(Some)
                .ok_or_else(|| UsageError(format!("--{} {v:?}: say true or false", flag.long))),
        }
    }

    /// The last occurrence of `flag` that carries a value.
    fn last_text(&self, flag: &'static Flag) -> Option<&Occurrence> {
        self.all(flag).filter(|o| o.text().is_some()).last()
    }

    /// `-d a.com,b.com -d c.com` as a list, trimmed, empty items dropped.
    pub fn domains(&self) -> Vec<String> {
        split_list(self.values(&super::table::DOMAINS))
    }

    /// The occurrences of any of `flags`, in command-line order (`-w DIR`
    /// applies to the `-d` names after it).
    pub fn sequence<'a>(
        &'a self,
        flags: &'a [&'static Flag],
    ) -> impl Iterator<Item = &'a Occurrence> + 'a {
        self.occurrences
            .iter()
            .filter(move |o| flags.iter().any(|f| std::ptr::eq(o.flag, *f)))
    }
}

/// Split comma-separated lists from repeated flags.
pub fn split_list<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    values
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// Read a Certbot-style `cli.ini` (through [`crate::configobj`]'s flat reader):
/// `key = value`, `key` alone for a switch, `#` and `;` comments, `[section]`
/// headers ignored. Unknown keys are errors with the file and line.
pub fn parse_ini(set: &FlagSet, path: &Path, text: &str) -> Result<Vec<Occurrence>, UsageError> {
    parse_ini_with(set, path, text, &mut |e| Err(e))
}

/// [`parse_ini`] for a file shared with Certbot (its default locations):
/// keys certsmith has no flag for are skipped, each reported in the returned
/// warnings; every other mistake is still an error.
pub fn parse_ini_lenient(
    set: &FlagSet,
    path: &Path,
    text: &str,
) -> Result<(Vec<Occurrence>, Vec<UsageError>), UsageError> {
    let mut skipped = Vec::new();
    let found = parse_ini_with(set, path, text, &mut |e| {
        skipped.push(e);
        Ok(())
    })?;
    Ok((found, skipped))
}

fn parse_ini_with(
    set: &FlagSet,
    path: &Path,
    text: &str,
    unknown: &mut dyn FnMut(UsageError) -> Result<(), UsageError>,
) -> Result<Vec<Occurrence>, UsageError> {
    let entries = crate::configobj::flat_entries(text, crate::configobj::FlatRules::CLI_INI)
        .map_err(|e| {
            UsageError(format!(
                "{}:{}:{}: {}",
                path.display(),
                e.line,
                e.col,
                e.kind
            ))
        })?;
    let mut out = Vec::new();
    for entry in entries {
        let source = Source::File {
            path: path.to_path_buf(),
            line: entry.line,
        };
        let key = entry.key.as_str();
        let (flag, negated) = match set.lookup(key) {
            Lookup::Found(flag, negated) => (flag, negated),
            Lookup::Unknown => {
                unknown(UsageError(format!("{source}: unknown option {key:?}")))?;
                continue;
            }
            Lookup::Ambiguous(names) => {
                return Err(ambiguous(&format!("{source}: {key}"), &names));
            }
        };
        let value = match (flag.arity, entry.value) {
            (Arity::Value(_), Some(v)) => Value::Text(v),
            (Arity::Value(m), None) => {
                return Err(UsageError(format!("{source}: {key} needs a value ({m})")));
            }
            (_, None) => {
                if negated {
                    Value::Off
                } else {
                    Value::On
                }
            }
            (_, Some(v)) => match parse_bool(&v) {
                Some(b) if b != negated => Value::On,
                Some(_) => Value::Off,
                None => {
                    return Err(UsageError(format!(
                        "{source}: {key}: expected true or false, got {v:?}"
                    )));
                }
            },
        };
        out.push(Occurrence {
            flag,
            value,
            source,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
