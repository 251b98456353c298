//! The DNS providers behind the one dns-01 solver ([`super::DnsSolver`]): each
//! knows how to find the zone that holds a name, add one TXT value, and
//! delete exactly the value it added. Everything else (grouping challenges,
//! following CNAMEs, waiting until the records are visible, cleanup on every
//! path, Ctrl-C) is the solver's, written once.
//!
//! - `rfc2136`: RFC 2136 dynamic updates signed with TSIG (`--dns-rfc2136`).
//! - `cloudflare`: the Cloudflare v4 API (`--dns-cloudflare`).
//! - `digitalocean`: the DigitalOcean v2 API (`--dns-digitalocean`).
//! - `dnsimple`: the DNSimple v2 API (`--dns-dnsimple`).
//! - `dnsmadeeasy`: the DNS Made Easy v2.0 API (`--dns-dnsmadeeasy`).
//! - `gehirn`: the Gehirn Infrastructure Service DNS API (`--dns-gehirn`).
//! - `google`: the Google Cloud DNS v1 API, a service account's OAuth
//!   token (`--dns-google`; `google_auth`: the key file and the JWT grant).
//! - `linode`: the Linode v4 API (`--dns-linode`).
//! - `luadns`: the LuaDNS API (`--dns-luadns`).
//! - `nsone`: the NS1 API (`--dns-nsone`).
//! - `ovh`: the OVHcloud API v1, each request signed (`--dns-ovh`).
//! - `route53`: the Amazon Route 53 API, SigV4-signed (`--dns-route53`;
//!   `aws`: the AWS credential chain and the signing).
//! - `sakuracloud`: the Sakura Cloud API's DNS (`--dns-sakuracloud`).
//!
//! A new provider is a module here implementing [`Provider`], one registry
//! entry in `plugins/builtin.rs` and a stand-in under `tests/support/`.

pub mod api;
pub mod aws;
pub mod cloudflare;
pub mod common;
pub mod digitalocean;
pub mod dnsimple;
pub mod dnsmadeeasy;
pub mod gehirn;
pub mod google;
pub mod google_auth;
pub mod linode;
pub mod luadns;
pub mod nsone;
pub mod ovh;
pub mod rfc2136;
pub mod route53;
pub mod sakuracloud;

use super::client::Client;
use super::error::DnsError;
use super::lookup;
use hickory_proto::rr::Name;
use std::future::Future;
use std::time::Duration;

/// A zone as the provider knows it: its name and the provider's id for it
/// (empty when the provider has none, as RFC 2136).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    pub name: Name,
    pub id: String,
}

/// One TXT value this run put (or may have put) into a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    pub zone: Zone,
    pub name: Name,
    pub value: String,
    /// The provider's id of the record; `None` when the request's outcome
    /// is unknown (no answer), so deleting looks the value up instead.
    pub id: Option<String>,
}

/// Where the solver asks its DNS questions (CNAMEs, zones, authoritative
/// servers) for a provider.
pub struct Resolver {
    pub client: Client,
    /// The server is authoritative and the only one the provider writes to
    /// (dns-rfc2136): what it cannot answer is an error. Otherwise (the
    /// system's resolver for an API provider) a lookup that fails is a
    /// warning, and the records are written at the name itself.
    pub required: bool,
}

/// One DNS provider's API.
///
/// The futures run on the solver's own current-thread runtime (never sent
/// to another thread), so they need not be `Send`.
pub trait Provider: Sync {
    /// Certbot's plugin name: `dns-cloudflare`.
    fn plugin(&self) -> &'static str;

    /// Where the records are written, for progress lines ("on 127.0.0.1:53",
    /// "through the Cloudflare API").
    fn location(&self) -> String;

    /// The DNS server the solver asks: by default the system's resolver,
    /// whose failures are only warnings (an API provider writes through its
    /// API, not through the server it asks).
    fn resolver(&self) -> Result<Resolver, DnsError> {
        Ok(Resolver {
            client: lookup::system_resolver(),
            required: false,
        })
    }

    /// Certbot's default `--dns-NAME-propagation-seconds`: the wait used when
    /// the authoritative servers cannot be found to be asked.
    fn default_wait(&self) -> Duration;

    /// The zone that holds `name` (a fully qualified `_acme-challenge` name).
    /// `dns_zone` is the zone the DNS itself names for it, when known.
    fn find_zone(
        &self,
        name: &Name,
        dns_zone: Option<&Name>,
    ) -> impl Future<Output = Result<Zone, DnsError>>;

    /// Add one TXT `value` at `name` in `zone`; the record's id, if the
    /// provider has ids.
    fn add_txt(
        &self,
        zone: &Zone,
        name: &Name,
        value: &str,
    ) -> impl Future<Output = Result<Option<String>, DnsError>>;

    /// Delete exactly the record `added`, never other values at its name.
    /// A record already gone is not an error.
    fn delete_txt(&self, added: &Added) -> impl Future<Output = Result<(), DnsError>>;
}

/// Whether an error leaves the request's outcome unknown, so the record may
/// be in the zone: no answer, or an answer we could not trust.
pub fn outcome_unknown(e: &DnsError) -> bool {
    match e {
        DnsError::Timeout { .. }
        | DnsError::Interrupted
        | DnsError::Malformed { .. }
        | DnsError::BadAnswerSignature { .. } => true,
        DnsError::Api {
            unknown_outcome, ..
        } => *unknown_outcome,
        _ => false,
    }
}

/// `name` as an API spells it: no final dot, lower case.
pub fn plain(name: &Name) -> String {
    name.to_lowercase()
        .to_ascii()
        .trim_end_matches('.')
        .to_string()
}
