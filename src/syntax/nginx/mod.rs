//! The lossless nginx syntax tree: lexer, parser, printer, edits. Pure: no I/O.
//!
//! ```
//! use certsmith::syntax::nginx::{Document, Directive, Word};
//!
//! let src = b"http {\n    server {\n        listen 80;\n    }\n}\n";
//! let mut doc = Document::parse(src).unwrap();
//! assert_eq!(doc.print(), src); // print(parse(x)) == x, always
//!
//! let listen = Directive::new("listen", [Word::new("443").unwrap(), Word::new("ssl").unwrap()]).unwrap();
//! doc.push(&[0, 0], listen).unwrap(); // into http > server
//! doc.set_comment(&[0, 0, 1], "managed by certsmith").unwrap();
//! assert_eq!(
//!     doc.print(),
//!     b"http {\n    server {\n        listen 80;\n        listen 443 ssl; # managed by certsmith\n    }\n}\n"
//! );
//! ```
//!
//! # Tree shape
//!
//! A [`Document`] has a [`Body`]: directives plus the trivia after the last one.
//! A [`Directive`] is `leading name (arg-trivia arg)* before_end END trailing`,
//! where `END` is `;`, a block `{ open body }` or a raw Lua block `{ code }`
//! (`*_by_lua_block`: Lua is not nginx syntax, so its bytes are kept as they are).
//! Words ([`Word`]) keep their spelling; their values are computed on request.
//! There are no byte offsets in the tree: they would go stale after edits.
//! The part `(arg-trivia arg)* before_end` is stored as it was written, in one
//! run of bytes, and lexed again when read (`args.rs`): one field per argument
//! would cost more than the argument itself.
//!
//! # Trivia ownership (the one rule every edit relies on)
//!
//! `;`, `{` and `}` own what follows them on the same line: spaces and tabs,
//! a comment, and the line break (`Directive::trailing`, `Block::open`). Every
//! other byte of whitespace or comment belongs to the next token: a directive's
//! `leading` (blank lines, full-line comments above it, its indentation), an
//! argument's leading trivia, or the trivia before `;`/`{`. What is left at the
//! end of a body (before its `}` or at the end of the file) belongs to the body.
//!
//! So a directive that sits on its own lines is exactly `leading` (comments
//! above + indentation) + tokens + `trailing` (same-line comment + line break),
//! and a same-line comment such as `# managed by certsmith` travels with it.
//!
//! # Edits
//!
//! See [`Document::insert`], [`Document::remove`], [`Document::replace`],
//! [`Document::set_args`], [`Document::set_comment`]: they address directives
//! by index paths (`[1, 0]`: first child of the second top-level directive),
//! so callers query first, then apply edits back to front.

mod args;
mod check;
mod edit;
mod error;
mod parser;
mod scan;
mod style;
use super::text;
mod tree;
mod word;

#[cfg(test)]
mod edit_tests;
#[cfg(test)]
mod tests;

pub use check::check_roundtrip;
pub use edit::EditError;
pub use error::{ErrorKind, ParseError};
pub use style::{Indent, Newline, Style};

pub use tree::{Arg, Block, Body, Directive, Document, End, RawBlock};
pub use word::{Word, WordError, unescape};

/// The deepest block nesting the parser accepts (real configs stay under 10).
pub const MAX_DEPTH: usize = 100;

impl Document {
    /// Parse a whole file. Never panics; any error carries a line and column.
    pub fn parse(src: &[u8]) -> Result<Document, ParseError> {
        parser::parse(src)
    }
}
