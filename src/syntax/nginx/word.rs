//! Words: directive names and arguments, with their spelling kept.
//!
//! A [`Word`] stores its raw bytes as written (`"a b"`, `'x'`, `\;`, `$host`) and
//! computes its value on request with nginx's own unescaping: `\"`, `\'` and `\\`
//! stand for the second byte, `\t` `\r` `\n` for tab, CR and LF, and any other
//! `\x` stays as written (so regexes like `\.php$` need no doubling).
//! [`Word::new`] goes the other way: it spells a value so that it lexes back
//! as exactly that one token, or refuses it.

use super::text::Text;
use std::borrow::Cow;
use std::fmt;

/// One token: a bare word, or a quoted string including its quotes.
#[derive(Clone, PartialEq, Eq)]
pub struct Word {
    raw: Text,
}

/// Why a value cannot become a word.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WordError {
    #[error(
        "{0:?} contains a control character (byte 0x{1:02x}); refusing to write it into a config"
    )]
    ControlByte(String, u8),
    #[error("{0:?} is not a valid directive name")]
    BadName(String),
}

impl Word {
    /// A word spelled so that nginx reads it back as exactly `value`: bare when
    /// that is unambiguous, else double-quoted with `"` and `\` escaped where
    /// needed. Control bytes (other than tab) are refused: they have no place
    /// in a value certsmith writes, and a line break would change line structure.
    pub fn new(value: impl AsRef<[u8]>) -> Result<Word, WordError> {
        let value = value.as_ref();
        if let Some(&b) = value
            .iter()
            .find(|&&b| (b < 0x20 && b != b'\t') || b == 0x7f)
        {
            return Err(WordError::ControlByte(
                String::from_utf8_lossy(value).into_owned(),
                b,
            ));
        }
        if can_be_bare(value) {
            return Ok(Word {
                raw: Text::new(value),
            });
        }
        let mut raw = Vec::with_capacity(value.len() + 2);
        raw.push(b'"');
        for (i, &b) in value.iter().enumerate() {
            let escape = match b {
                b'"' => true,
                b'\\' => backslash_is_special(value.get(i + 1)),
                _ => false,
            };
            if escape {
                raw.push(b'\\');
            }
            raw.push(b);
        }
        raw.push(b'"');
        Ok(Word { raw: raw.into() })
    }

    /// A directive name: must be a plain bare token (letters, digits, `_`, `-`, `.`...).
    pub fn name(name: &str) -> Result<Word, WordError> {
        let ok = !name.is_empty()
            && name.bytes().all(|b| {
                b.is_ascii_graphic()
                    && !matches!(b, b'"' | b'\'' | b'\\' | b';' | b'{' | b'}' | b'#' | b'$')
            });
        if ok {
            Ok(Word {
                raw: Text::new(name.as_bytes()),
            })
        } else {
            Err(WordError::BadName(name.to_string()))
        }
    }

    /// Wrap bytes the lexer found (already known to be exactly one token).
    #[cfg(test)]
    pub(super) fn from_raw(raw: &[u8]) -> Word {
        Word {
            raw: Text::new(raw),
        }
    }

    pub(super) fn from_text(raw: Text) -> Word {
        Word { raw }
    }

    /// The bytes as written, quotes and escapes included.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// `true` for `"..."` and `'...'` words.
    pub fn is_quoted(&self) -> bool {
        matches!(self.raw.first(), Some(b'"' | b'\''))
    }

    /// The value nginx sees: quotes removed, escapes resolved. Borrowed when
    /// the spelling has no backslash.
    pub fn value(&self) -> Cow<'_, [u8]> {
        Word::value_of(&self.raw)
    }

    /// [`Word::value`] of a word as written (`raw`: one token, quotes included).
    pub(super) fn value_of(raw: &[u8]) -> Cow<'_, [u8]> {
        let quoted = matches!(raw.first(), Some(b'"' | b'\''));
        let inner = if quoted && raw.len() >= 2 {
            &raw[1..raw.len() - 1]
        } else {
            raw
        };
        unescape(inner)
    }

    /// The value as text (lossy for invalid UTF-8), for messages and queries.
    pub fn value_str(&self) -> Cow<'_, str> {
        match self.value() {
            Cow::Borrowed(b) => String::from_utf8_lossy(b),
            Cow::Owned(v) => Cow::Owned(String::from_utf8_lossy(&v).into_owned()),
        }
    }

    /// Whether the value equals `s` (no allocation unless escapes are present).
    pub fn is(&self, s: &str) -> bool {
        *self.value() == *s.as_bytes()
    }
}

impl fmt::Debug for Word {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Word({})", String::from_utf8_lossy(&self.raw))
    }
}

impl fmt::Display for Word {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.raw))
    }
}

/// nginx's unescaping, applied to bare and quoted words alike.
pub fn unescape(inner: &[u8]) -> Cow<'_, [u8]> {
    if !inner.contains(&b'\\') {
        return Cow::Borrowed(inner);
    }
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let b = inner[i];
        if b == b'\\' {
            match inner.get(i + 1) {
                Some(&c @ (b'"' | b'\'' | b'\\')) => {
                    out.push(c);
                    i += 2;
                    continue;
                }
                Some(b't') => {
                    out.push(b'\t');
                    i += 2;
                    continue;
                }
                Some(b'r') => {
                    out.push(b'\r');
                    i += 2;
                    continue;
                }
                Some(b'n') => {
                    out.push(b'\n');
                    i += 2;
                    continue;
                }
                _ => {}
            }
        }
        out.push(b);
        i += 1;
    }
    Cow::Owned(out)
}

/// A backslash followed by one of these (or by nothing) would be read as an escape.
fn backslash_is_special(next: Option<&u8>) -> bool {
    matches!(next, None | Some(b'"' | b'\'' | b'\\' | b't' | b'r' | b'n'))
}

/// Bare spelling is used only when nothing in the value could end the token,
/// start a comment or a quote, or be read as an escape; `}` and `#` are legal
/// inside nginx words but are quoted anyway, for readers and weaker parsers.
fn can_be_bare(value: &[u8]) -> bool {
    !value.is_empty()
        && value.iter().enumerate().all(|(i, &b)| match b {
            b' ' | b'\t' | b'\r' | b'\n' | b';' | b'{' | b'}' | b'"' | b'\'' | b'#' => false,
            b'\\' => !backslash_is_special(value.get(i + 1)),
            _ => true,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_when_safe() {
        for v in [
            "example.com",
            "80",
            "$host$request_uri",
            r"\.php$",
            "[::]:443",
            "a=b",
            "(x",
        ] {
            let w = Word::new(v).unwrap();
            assert!(!w.is_quoted(), "{v}");
            assert_eq!(&*w.value(), v.as_bytes());
        }
    }

    #[test]
    fn quotes_when_needed() {
        let cases = [
            ("", r#""""#),
            ("a b", r#""a b""#),
            ("x;y", r#""x;y""#),
            ("{", r#""{""#),
            ("}", r#""}""#),
            (r#"say "hi""#, r#""say \"hi\"""#),
            (r"end\", r#""end\\""#),
            (r"\n", r#""\\n""#),
            ("#x", r##""#x""##),
            ("it's", r#""it's""#),
        ];
        for (value, raw) in cases {
            let w = Word::new(value).unwrap();
            assert_eq!(w.raw(), raw.as_bytes(), "{value}");
            assert_eq!(&*w.value(), value.as_bytes(), "{value}");
        }
    }

    #[test]
    fn refuses_control_bytes() {
        assert!(matches!(
            Word::new("a\nb"),
            Err(WordError::ControlByte(_, b'\n'))
        ));
        assert!(Word::new("a\0").is_err());
        assert!(Word::new("tab\there").is_ok());
    }

    #[test]
    fn unescapes_like_nginx() {
        assert_eq!(&*unescape(br#"a\"b\'c\\d\te\x"#), b"a\"b'c\\d\te\\x");
        assert_eq!(&*Word::from_raw(br#"'it\'s'"#).value(), b"it's");
    }

    #[test]
    fn names_are_plain() {
        assert!(Word::name("ssl_certificate").is_ok());
        for bad in ["", "a b", "x;", "{", "$x", "é"] {
            assert!(Word::name(bad).is_err(), "{bad}");
        }
    }
}
