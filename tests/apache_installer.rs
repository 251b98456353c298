//! Integration tests of the Apache installer (one binary; modules under
//! tests/apache_installer/): golden installs on the corpus and generated trees checked by
//! real Apache, http-01 through real Apache against Pebble, bad input, and the
//! side-by-side comparison with Certbot's Apache plugin.

#[path = "support/mod.rs"]
mod support;

mod apache_installer {
    mod bad_input;
    pub mod common;
    mod compare;
    mod corpus;
    mod e2e;
    mod live;
    mod load;
    mod screen;
}
