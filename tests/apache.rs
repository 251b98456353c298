//! Integration tests of the Apache engine (one binary; modules under tests/apache/).

#[path = "support/mod.rs"]
mod support;

mod apache {
    pub mod common;
    mod corpus;
    mod edits;
    mod grammar;
    mod include_limits;
    mod includes;
    mod layouts;
    mod trees;
}
