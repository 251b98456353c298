//! What can go wrong with RFC 2136 updates, each said so that the user knows
//! which setting to check. Never contains the TSIG secret.

/// A failure of the dns-rfc2136 authenticator.
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
    #[error(
        "{name} is a CNAME to {target}: certsmith updates the zone that holds the name itself; \
         remove the CNAME or use --manual hooks for the target zone"
    )]
    Cname { name: String, target: String },
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
