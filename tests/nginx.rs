//! Integration tests of the nginx engine: one test binary, one module per area.

#[path = "nginx/util.rs"]
mod util;

#[path = "nginx/corpus.rs"]
mod corpus;

#[path = "nginx/golden.rs"]
mod golden;
