//! dns-01 through a DNS provider: one solver ([`DnsSolver`]) around a small
//! [`Provider`] trait (find the zone, add a TXT value, delete exactly it).
//!
//! - `solver`: grouping challenges, CNAME following, waiting, cleanup on
//!   every path (Ctrl-C and SIGTERM included).
//! - `lookup`: where the records go (CNAME chains), the system's resolver.
//! - `zone`: which zone holds a name (SOA queries).
//! - `propagation`: poll the zone's authoritative servers until they serve
//!   the records.
//! - `client`: one DNS exchange with a server (UDP, TCP), answers checked.
//! - `providers/`: `rfc2136` (RFC 2136 updates signed with TSIG, through
//!   `update` and `tsig`), `cloudflare`, `digitalocean`, `dnsimple`, `linode`; `api`: their shared
//!   HTTP side.
//! - `credentials`: Certbot's credentials files (`dns_NAME_*` keys).

mod client;
pub mod credentials;
pub mod error;
mod lookup;
mod propagation;
pub mod providers;
mod solver;
pub mod tsig;
mod update;
mod zone;

pub use credentials::Credentials;
pub use error::DnsError;
pub use providers::Provider;
pub use providers::cloudflare::Cloudflare;
pub use providers::digitalocean::DigitalOcean;
pub use providers::dnsimple::Dnsimple;
pub use providers::dnsmadeeasy::DnsMadeEasy;
pub use providers::gehirn::Gehirn;
pub use providers::google::Google;
pub use providers::linode::Linode;
pub use providers::luadns::LuaDns;
pub use providers::nsone::Nsone;
pub use providers::ovh::Ovh;
pub use providers::route53::Route53;
pub use providers::sakuracloud::SakuraCloud;
pub use solver::{DnsSolver, Rfc2136, Wait};
