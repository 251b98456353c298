//! Integration tests of the nginx engine: one test binary, one module per area.

/// The shared test basics (temp dirs, PRNG, golden files), without the
/// server helpers of `support/mod.rs`.
#[path = "support/common.rs"]
mod common;

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

#[path = "nginx/includes.rs"]
mod includes;
