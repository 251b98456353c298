//! [`Text`]: the bytes of one tree field. Nearly all fields (a space, a line break, an
//! indentation, a word) are short, so they live inline; parsing a large file then costs a
//! few allocations per section instead of several per directive.

use std::fmt;
use std::ops::Deref;

const INLINE: usize = 30;

/// Owned bytes, inline up to 30 bytes (the size of a `Vec` plus a tag either way).
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, buf: [u8; INLINE] },
    Heap(Vec<u8>),
}

impl Text {
    pub const fn new() -> Text {
        Text(Repr::Inline {
            len: 0,
            buf: [0; INLINE],
        })
    }

    pub fn as_slice(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, buf } => &buf[..*len as usize],
            Repr::Heap(v) => v,
        }
    }

    /// The bytes as a `Vec` to edit in place (moved to the heap first).
    pub fn to_mut(&mut self) -> &mut Vec<u8> {
        if let Repr::Inline { .. } = self.0 {
            self.0 = Repr::Heap(self.as_slice().to_vec());
        }
        match &mut self.0 {
            Repr::Heap(v) => v,
            Repr::Inline { .. } => unreachable!("moved to the heap above"),
        }
    }

    pub fn clear(&mut self) {
        *self = Text::new();
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::new()
    }
}

impl From<&[u8]> for Text {
    fn from(bytes: &[u8]) -> Text {
        if bytes.len() <= INLINE {
            let mut buf = [0; INLINE];
            buf[..bytes.len()].copy_from_slice(bytes);
            Text(Repr::Inline {
                len: bytes.len() as u8,
                buf,
            })
        } else {
            Text(Repr::Heap(bytes.to_vec()))
        }
    }
}

impl<const N: usize> From<&[u8; N]> for Text {
    fn from(bytes: &[u8; N]) -> Text {
        Text::from(&bytes[..])
    }
}

impl From<Vec<u8>> for Text {
    fn from(bytes: Vec<u8>) -> Text {
        if bytes.len() <= INLINE {
            Text::from(&bytes[..])
        } else {
            Text(Repr::Heap(bytes))
        }
    }
}

impl Deref for Text {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for Text {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Text {}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state)
    }
}

impl PartialEq<[u8]> for Text {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_slice() == other
    }
}

impl<const N: usize> PartialEq<[u8; N]> for Text {
    fn eq(&self, other: &[u8; N]) -> bool {
        self.as_slice() == other
    }
}

impl<const N: usize> PartialEq<&[u8; N]> for Text {
    fn eq(&self, other: &&[u8; N]) -> bool {
        self.as_slice() == *other
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_heap_behave_alike() {
        let short = Text::from(b" \n");
        let long = Text::from(&[b'x'; 40][..]);
        assert_eq!(&*short, b" \n");
        assert_eq!(long.len(), 40);
        let mut t = short.clone();
        t.to_mut().extend_from_slice(&[b'y'; 30]);
        assert_eq!(t.len(), 32);
        assert_eq!(t, Text::from(t.to_vec()));
        t.clear();
        assert!(t.is_empty());
    }
}
