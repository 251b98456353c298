//! dns-01 through RFC 2136 dynamic updates signed with TSIG
//! (`--dns-rfc2136`), with Certbot's credentials file.
//!
//! - `credentials`: the file (`dns_rfc2136_server`, `_port`, `_name`,
//!   `_secret`, `_algorithm`, `_sign_query`; certsmith adds `_zone`).
//! - `tsig`: signing requests and checking answers (HMAC-MD5 to HMAC-SHA512).
//! - `client`: one exchange with a server (UDP, TCP), answers checked.
//! - `zone`: which zone holds `_acme-challenge.NAME` (SOA queries).
//! - `update`: add and delete exactly our TXT records.
//! - `propagation`: poll the zone's authoritative servers until they serve
//!   the records.
//! - `solver`: the [`crate::acme::Solver`] tying these together.

mod client;
pub mod credentials;
pub mod error;
mod propagation;
mod solver;
pub mod tsig;
mod update;
mod zone;

pub use credentials::Credentials;
pub use error::DnsError;
pub use solver::{Rfc2136, Wait};
