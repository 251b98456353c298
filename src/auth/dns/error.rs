//! What can go wrong with a DNS authenticator, each said so that the user
//! knows which setting to check: RFC 2136 updates (the server and key) and
//! providers' HTTP APIs (the provider and the credentials file). Never
//! contains a secret (TSIG secret, API token or key).

use std::path::PathBuf;

/// A failure of a DNS authenticator.
#[derive(Debug, thiserror::Error)]
pub enum DnsError {
    /// The credentials file is missing, unsafe or malformed (the message
    /// names the file, and the line and column where there is one).
    #[error("{0}")]
    Credentials(String),
    #[error(
        "cannot reach the DNS server {server}: {reason} (dns_rfc2136_server, dns_rfc2136_port)"
    )]
    Unreachable { server: String, reason: String },
    #[error(
        "the DNS server {server} did not answer within {seconds} s (dns_rfc2136_server, dns_rfc2136_port)"
    )]
    Timeout { server: String, seconds: u64 },
    #[error(
        "no zone on the DNS server {server} contains {name} (SOA queries for {tried}); \
         check the name, or that the server is authoritative for its zone"
    )]
    UnknownZone {
        server: String,
        name: String,
        tried: String,
    },
    #[error("the DNS server {server} rejected the TSIG signature ({code}): {hint}")]
    Tsig {
        server: String,
        code: String,
        hint: String,
    },
    #[error(
        "the answer from the DNS server {server} is not correctly signed with the TSIG key ({why})"
    )]
    BadAnswerSignature { server: String, why: String },
    #[error("the DNS server {server} refused to {action} ({rcode}): {hint}")]
    Refused {
        server: String,
        action: String,
        rcode: String,
        hint: String,
    },
    #[error("the CNAME chain from {name} is longer than {hops} names or loops: {chain}")]
    CnameChain {
        name: String,
        hops: usize,
        chain: String,
    },
    /// The provider's API refused the credentials.
    #[error("{api} refused the credentials in {}: {detail}", file.display())]
    ApiAuth {
        api: &'static str,
        file: PathBuf,
        detail: String,
    },
    /// No zone of the account holds the name.
    #[error(
        "{api} has no zone for {name} in the account of {} (looked for {tried})",
        file.display()
    )]
    ApiUnknownZone {
        api: &'static str,
        file: PathBuf,
        name: String,
        tried: String,
    },
    /// The API answered with an error.
    #[error("{api} could not {action}: {detail} (credentials: {})", file.display())]
    Api {
        api: &'static str,
        file: PathBuf,
        action: String,
        detail: String,
        /// The request may have been carried out anyway (no clear answer).
        unknown_outcome: bool,
    },
    #[error(
        "{api} is rate-limiting requests (HTTP 429, {tries} tries, the last Retry-After: {retry_after}) \
         while trying to {action} (credentials: {})",
        file.display()
    )]
    RateLimited {
        api: &'static str,
        file: PathBuf,
        action: String,
        tries: u32,
        retry_after: String,
    },
    #[error("the DNS server {server} sent an answer that cannot be read: {why}")]
    Malformed { server: String, why: String },
    #[error("{0}")]
    Internal(String),
    /// Ctrl-C or SIGTERM while waiting.
    #[error("interrupted")]
    Interrupted,
}

/// What to check for a TSIG error code.
pub fn tsig_hint(code: u16, key_name: &str, algorithm: &str) -> String {
    match code {
        16 => format!(
            "check dns_rfc2136_secret (and dns_rfc2136_algorithm, now {algorithm}) of the key {key_name}"
        ),
        17 => format!(
            "the server does not know the key {key_name} with algorithm {algorithm}; \
             check dns_rfc2136_name and dns_rfc2136_algorithm"
        ),
        18 => "the clocks of this machine and the DNS server differ by more than 5 minutes".into(),
        _ => format!(
            "check the key {key_name} (dns_rfc2136_name, dns_rfc2136_secret, dns_rfc2136_algorithm)"
        ),
    }
}
