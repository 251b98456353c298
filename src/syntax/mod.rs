//! Lossless syntax trees for web-server configuration files.
//!
//! This layer is pure: it turns bytes into trees and trees back into bytes,
//! edits trees, and evaluates Augeas-style paths over them. It never touches
//! the file system; loading files and following includes lives one layer up,
//! so parsers can be fuzzed and benchmarked on their own.
//!
//! The invariant every parser here keeps: `print(parse(x)) == x` for every
//! input it accepts.

pub mod apache;
pub mod nginx;
pub mod path;
pub mod pos;
mod text;

pub use pos::{Position, line_col};
