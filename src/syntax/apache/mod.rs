//! The lossless Apache httpd syntax tree: parser, printer, edits. Pure: no I/O.
