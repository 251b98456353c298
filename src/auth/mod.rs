//! Authenticators: standalone, webroot, manual, dns-rfc2136: implementations
//! of [`crate::acme::Solver`].

pub mod dns;
mod listen;
pub mod manual;
pub mod standalone;
pub mod tls_alpn;
pub mod webroot;

pub use dns::Rfc2136;
pub use manual::Manual;
pub use standalone::Standalone;
pub use webroot::Webroot;
