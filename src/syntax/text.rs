//! `Text`: a small byte string that keeps short contents inline; the bytes of one
//! tree field in both engines.
//!
//! Most tokens and trivia in a config are short (`listen`, `80`, `"\n    "`), so a
//! tree of millions of them would spend most of its parse time in the allocator
//! and in touching fresh memory. `Text` is 16 bytes: up to [`INLINE`] bytes live
//! inside it; longer ones in one heap block of a size class (32 or 64 bytes),
//! and only very long ones in a `Vec`. (Apache's fields were 32 bytes, inline up
//! to 30: on a config of virtual hosts the tree held 6 bytes per input byte,
//! issue 17 L14; with this type and one run per argument list, 3.)

use std::fmt;
use std::ops::Deref;

/// Bytes stored inline (the enum is 16 bytes: tag + length + 14).
pub const INLINE: usize = 14;

#[derive(Clone)]
pub enum Text {
    #[doc(hidden)]
    Inline(u8, [u8; INLINE]),
    #[doc(hidden)]
    Short(u8, Box<[u8; 32]>),
    #[doc(hidden)]
    Medium(u8, Box<[u8; 64]>),
    // A thin pointer (8 bytes) where a `Vec` would make every `Text` 32 bytes.
    #[doc(hidden)]
    #[allow(clippy::box_collection)]
    Long(Box<Vec<u8>>),
}

impl Text {
    pub const fn empty() -> Text {
        Text::Inline(0, [0; INLINE])
    }

    pub fn new(bytes: &[u8]) -> Text {
        let len = bytes.len();
        if len <= INLINE {
            let mut buf = [0; INLINE];
            buf[..len].copy_from_slice(bytes);
            Text::Inline(len as u8, buf)
        } else if len <= 32 {
            let mut buf = Box::new([0; 32]);
            buf[..len].copy_from_slice(bytes);
            Text::Short(len as u8, buf)
        } else if len <= 64 {
            let mut buf = Box::new([0; 64]);
            buf[..len].copy_from_slice(bytes);
            Text::Medium(len as u8, buf)
        } else {
            Text::Long(Box::new(bytes.to_vec()))
        }
    }

    /// `src[start..end]`; when short, copied with one fixed-size move (the
    /// bytes past `end` that ride along are never visible).
    #[inline]
    pub(crate) fn slice_of(src: &[u8], start: usize, end: usize) -> Text {
        let len = end - start;
        if len <= INLINE
            && let Some(window) = src.get(start..start + INLINE)
        {
            let mut buf = [0; INLINE];
            buf.copy_from_slice(window);
            return Text::Inline(len as u8, buf);
        }
        Text::new(&src[start..end])
    }

    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Text::Inline(len, buf) => &buf[..*len as usize],
            Text::Short(len, buf) => &buf[..*len as usize],
            Text::Medium(len, buf) => &buf[..*len as usize],
            Text::Long(v) => v,
        }
    }

    /// The same as [`Text::as_bytes`].
    pub fn as_slice(&self) -> &[u8] {
        self.as_bytes()
    }

    /// The bytes as a `Vec` to edit in place (moved to a `Vec` first).
    pub fn to_mut(&mut self) -> &mut Vec<u8> {
        if !matches!(self, Text::Long(_)) {
            *self = Text::Long(Box::new(self.as_bytes().to_vec()));
        }
        match self {
            Text::Long(v) => v,
            _ => unreachable!("made a Vec above"),
        }
    }

    pub fn clear(&mut self) {
        *self = Text::empty();
    }

    /// This text followed by `more`.
    pub fn concat(&self, more: &[u8]) -> Text {
        if more.is_empty() {
            return self.clone();
        }
        let mut v = Vec::with_capacity(self.len() + more.len());
        v.extend_from_slice(self);
        v.extend_from_slice(more);
        Text::new(&v)
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::empty()
    }
}

impl Deref for Text {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl From<&[u8]> for Text {
    fn from(b: &[u8]) -> Text {
        Text::new(b)
    }
}

impl<const N: usize> From<&[u8; N]> for Text {
    fn from(b: &[u8; N]) -> Text {
        Text::new(b)
    }
}

impl From<Vec<u8>> for Text {
    fn from(v: Vec<u8>) -> Text {
        if v.len() <= 64 {
            Text::new(&v)
        } else {
            Text::Long(Box::new(v))
        }
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}
impl Eq for Text {}

impl PartialEq<[u8]> for Text {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_bytes() == other
    }
}

impl<const N: usize> PartialEq<[u8; N]> for Text {
    fn eq(&self, other: &[u8; N]) -> bool {
        self.as_bytes() == other
    }
}

impl<const N: usize> PartialEq<&[u8; N]> for Text {
    fn eq(&self, other: &&[u8; N]) -> bool {
        self.as_bytes() == *other
    }
}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state)
    }
}

impl AsRef<[u8]> for Text {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_short_and_long_contents() {
        for n in [0, 1, INLINE, INLINE + 1, 32, 33, 64, 65, 500] {
            let data: Vec<u8> = (0..n).map(|i| i as u8).collect();
            assert_eq!(Text::new(&data).as_bytes(), &data[..]);
            assert_eq!(Text::from(data.clone()).as_bytes(), &data[..]);
        }
        assert_eq!(std::mem::size_of::<Text>(), 16);
        assert_eq!(Text::new(b"ab").concat(b"cd").as_bytes(), b"abcd");
        let mut t = Text::from(b" \n");
        t.to_mut().extend_from_slice(&[b'y'; 30]);
        assert_eq!(t.len(), 32);
        assert_eq!(t, Text::from(t.to_vec()));
        t.clear();
        assert!(t.is_empty());
    }
}
