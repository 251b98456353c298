//! certsmith: a Certbot-class ACME client whose heart is a lossless
//! config-editing engine for nginx and Apache httpd.
//!
//! Layers (dependencies point down only) are described in
//! `docs/ARCHITECTURE.md`.
#![forbid(unsafe_code)]

pub mod acme;
pub mod auth;
pub mod cli;
pub mod commands;
pub mod configobj;
pub mod diff;
pub mod installer;
pub mod log;
pub mod renewal;
pub mod storage;
pub mod syntax;
