//! Integration tests of the nginx engine: one test binary, one module per area.

#[path = "nginx/util.rs"]
mod util;

#[path = "nginx/corpus.rs"]
mod corpus;

#[path = "nginx/golden.rs"]
mod golden;

#[path = "nginx/bad_input.rs"]
mod bad_input;

#[path = "nginx/trees.rs"]
mod trees;

#[path = "nginx/grammar.rs"]
mod grammar;

#[path = "nginx/property.rs"]
mod property;

#[path = "nginx/cli.rs"]
mod cli;

#[path = "nginx/oracle.rs"]
mod oracle;
