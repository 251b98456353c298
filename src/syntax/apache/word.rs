//! [`Word`]: one token as written (raw bytes) with its unquoted value on request, and the
//! only way user values enter a tree ([`Word::new`]).

use super::lexer::logical;
use super::text::Text;
use std::borrow::Cow;
use std::fmt;

/// A token: a directive name, an argument, or a section argument.
///
/// `raw` is exactly what the file holds (quotes, escapes, continuations); [`Word::value`]
/// is what Apache's tokenizer (`ap_getword_conf`) hands to the directive: quotes removed,
/// `\"` / `\'` / `\\` unescaped inside quotes, `\\` unescaped outside, continuations removed.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Word {
    raw: Text,
}

/// Why a value cannot become a [`Word`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("value {0:?} contains a line break or control character")]
    ControlCharacter(String),
    #[error("value {0:?} contains both kinds of quote and cannot be quoted unambiguously")]
    BothQuotes(String),
    #[error("{0:?} is not a valid directive or section name (letters, digits, '_' and '-' only)")]
    BadName(String),
    #[error("comment {0:?} contains a line break or ends with '\\' (which would continue it)")]
    BadComment(String),
}

impl Word {
    /// A word holding `value`, quoted when needed so that Apache reads back exactly `value`
    /// as one argument. Refused: line breaks and other control characters (tab excepted),
    /// and values holding both `"` and `'` (escaped quotes are read differently by modules
    /// that parse their raw arguments, such as mod_rewrite).
    pub fn new(value: impl AsRef<[u8]>) -> Result<Word, ValueError> {
        let value = value.as_ref();
        let lossy = || String::from_utf8_lossy(value).into_owned();
        if value.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
            return Err(ValueError::ControlCharacter(lossy()));
        }
        if !value.is_empty() && value.iter().all(|&b| is_bare_safe(b)) {
            return Ok(Word { raw: value.into() });
        }
        let quote = match (value.contains(&b'"'), value.contains(&b'\'')) {
            (true, true) => return Err(ValueError::BothQuotes(lossy())),
            (true, false) => b'\'',
            _ => b'"',
        };
        let mut raw = Vec::with_capacity(value.len() + 4);
        raw.push(quote);
        for (i, &b) in value.iter().enumerate() {
            // Inside quotes only `\\` and `\<quote>` are escapes: a backslash needs
            // doubling only where it would otherwise form one (or end the string).
            let next = value.get(i + 1).copied();
            if b == b'\\' && (next.is_none() || next == Some(b'\\') || next == Some(quote)) {
                raw.push(b'\\');
            }
            raw.push(b);
        }
        raw.push(quote);
        Ok(Word { raw: raw.into() })
    }

    /// A word from bytes the lexer delimited (not re-checked).
    pub(crate) fn from_raw(raw: &[u8]) -> Word {
        Word { raw: raw.into() }
    }

    /// The bytes as written in the file.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// True when the word is written in quotes.
    pub fn is_quoted(&self) -> bool {
        matches!(self.raw.first(), Some(b'"' | b'\''))
    }

    /// The value Apache's tokenizer sees (see the type's documentation).
    pub fn value(&self) -> Cow<'_, [u8]> {
        if let Some(plain) = self.plain() {
            return Cow::Borrowed(plain);
        }
        let mut bytes = logical(&self.raw).peekable();
        let mut out = Vec::with_capacity(self.raw.len());
        let quote = match bytes.peek() {
            Some(&q @ (b'"' | b'\'')) => {
                bytes.next();
                Some(q)
            }
            _ => None,
        };
        while let Some(b) = bytes.next() {
            if Some(b) == quote {
                break;
            }
            if b == b'\\'
                && let Some(&n) = bytes.peek()
                && (n == b'\\' || Some(n) == quote)
            {
                bytes.next();
                out.push(n);
                continue;
            }
            out.push(b);
        }
        Cow::Owned(out)
    }

    /// The word read as a bare word, as Apache reads a section's name after `<` or `</`:
    /// quotes are data; only continuations and `\\` (to `\`) are removed.
    pub fn bare_value(&self) -> Cow<'_, [u8]> {
        if memchr::memchr(b'\\', &self.raw).is_none() {
            return Cow::Borrowed(&self.raw);
        }
        let mut bytes = logical(&self.raw).peekable();
        let mut out = Vec::with_capacity(self.raw.len());
        while let Some(b) = bytes.next() {
            if b == b'\\' && bytes.peek() == Some(&b'\\') {
                bytes.next();
            }
            out.push(b);
        }
        Cow::Owned(out)
    }

    /// The value when it needs no unescaping (almost always), else the raw bytes: a cheap
    /// name for comparisons.
    pub fn as_plain(&self) -> &[u8] {
        self.plain().unwrap_or(&self.raw)
    }

    /// The value as a slice of `raw`, when no escape or continuation needs removing.
    fn plain(&self) -> Option<&[u8]> {
        let raw = &self.raw[..];
        match raw.first() {
            Some(&q @ (b'"' | b'\'')) => {
                let inner = raw.get(1..raw.len() - 1)?;
                (raw.len() >= 2
                    && raw[raw.len() - 1] == q
                    && memchr::memchr2(b'\\', q, inner).is_none())
                .then_some(inner)
            }
            _ => memchr::memchr(b'\\', raw).is_none().then_some(raw),
        }
    }

    /// The value as text (invalid UTF-8 replaced), for messages and models.
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&self.value()).into_owned()
    }
}

/// Bytes a bare (unquoted) word may hold without any reader misreading it.
fn is_bare_safe(b: u8) -> bool {
    b >= 0x80 || b.is_ascii_alphanumeric() || b"-._~:/@%+,=*!?&;|^()[]{}$".contains(&b)
}

/// Directive and section names: what Apache modules declare.
pub(crate) fn check_name(name: &str) -> Result<(), ValueError> {
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !name.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(ValueError::BadName(name.to_string()))
    }
}

impl fmt::Debug for Word {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Word({:?})", String::from_utf8_lossy(&self.raw))
    }
}

impl fmt::Display for Word {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(raw: &[u8]) -> Vec<u8> {
        Word::from_raw(raw).value().into_owned()
    }

    #[test]
    fn values_follow_ap_getword_conf() {
        assert_eq!(value(b"plain"), b"plain");
        assert_eq!(value(br#""a \" b""#), br#"a " b"#);
        assert_eq!(value(br#"'it\'s'"#), b"it's");
        assert_eq!(value(br#""a\\b""#), br"a\b");
        assert_eq!(value(br#""a\b""#), br"a\b");
        assert_eq!(value(br"a\\b"), br"a\b");
        assert_eq!(value(br"a\ b"), br"a\ b");
        assert_eq!(value(b"\"unclosed"), b"unclosed");
        assert_eq!(value(b"ab\\\ncd"), b"abcd");
        assert_eq!(value(b"\"a \\\n  b\""), b"a   b");
        assert_eq!(value(b"\"\""), b"");
    }

    #[test]
    fn new_quotes_only_when_needed() {
        assert_eq!(Word::new("example.com").unwrap().raw(), b"example.com");
        assert_eq!(
            Word::new("/var/www/my site").unwrap().raw(),
            br#""/var/www/my site""#
        );
        assert_eq!(Word::new("").unwrap().raw(), br#""""#);
        assert_eq!(Word::new(r#"say "hi""#).unwrap().raw(), br#"'say "hi"'"#);
        assert_eq!(Word::new(r"C:\dir\").unwrap().raw(), br#""C:\dir\\""#);
        assert_eq!(Word::new("<x>").unwrap().raw(), br#""<x>""#);
    }

    #[test]
    fn new_round_trips_through_value() {
        for v in [
            "a b",
            r"a\\b",
            r"\",
            r#"a\"b"#,
            "it's",
            "#hash",
            "tab\there",
            "ünï",
            r"x\'y",
        ] {
            let w = Word::new(v).unwrap();
            assert_eq!(w.value(), v.as_bytes(), "{v:?} -> {w}");
        }
    }

    #[test]
    fn new_refuses_unsafe_values() {
        assert!(matches!(
            Word::new("a\nb"),
            Err(ValueError::ControlCharacter(_))
        ));
        assert!(matches!(
            Word::new("a\rb"),
            Err(ValueError::ControlCharacter(_))
        ));
        assert!(matches!(
            Word::new("a\0b"),
            Err(ValueError::ControlCharacter(_))
        ));
        assert!(matches!(
            Word::new(r#"a"b'c"#),
            Err(ValueError::BothQuotes(_))
        ));
    }

    #[test]
    fn names_are_identifiers() {
        assert!(check_name("SSLCertificateFile").is_ok());
        assert!(check_name("php_admin_flag").is_ok());
        assert!(check_name("Server Name").is_err());
        assert!(check_name("").is_err());
        assert!(check_name("<If").is_err());
    }
}
