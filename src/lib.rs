//! certsmith: a Certbot-class ACME client whose heart is a lossless
//! config-editing engine for nginx and Apache httpd.
//!
//! Layers (dependencies point down only) are described in
//! `docs/ARCHITECTURE.md`.
#![forbid(unsafe_code)]

pub mod acme;
pub mod app;
pub mod auth;
pub mod cli;
pub mod commands;
pub mod configobj;
pub mod diff;
pub mod digest;
pub mod installer;
pub mod log;
pub mod ocsp;
pub mod plugins;
pub mod prompt;
pub mod renewal;
pub mod storage;
pub mod syntax;
pub mod x509;
