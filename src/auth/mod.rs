//! Authenticators: standalone, webroot, manual (and, from issue 9, DNS):
//! implementations of [`crate::acme::Solver`].

mod listen;
pub mod manual;
pub mod standalone;
pub mod tls_alpn;
pub mod webroot;

pub use manual::Manual;
pub use standalone::Standalone;
pub use webroot::Webroot;
