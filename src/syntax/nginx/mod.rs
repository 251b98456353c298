//! The lossless nginx syntax tree: lexer, parser, printer, edits. Pure: no I/O.
