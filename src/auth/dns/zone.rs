//! Which zone holds a name: SOA queries from the name itself up towards the
//! root. An answer names the zone either as the SOA of the name asked or, for
//! a name inside a zone, as the SOA in the authority section of the
//! (negative) answer, so one query is usually enough. Asked of an
//! authoritative server (dns-rfc2136's), only authoritative answers count;
//! asked of a recursive resolver, its (cached) answers do.

use super::client::{Client, rcode_name};
use super::error::DnsError;
use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};

/// What the server knows of a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The zone that holds it.
    Zone(Name),
    /// It is an alias: the CNAME's target.
    Cname(Name),
}

/// The zone of `name` according to the client's server, or the target of a
/// CNAME at `name`.
pub async fn find_zone(client: &Client, name: &Name) -> Result<Found, DnsError> {
    let mut candidate = name.clone();
    let mut tried: Vec<String> = Vec::new();
    while !candidate.is_root() {
        let answer = client.query(None, &candidate, RecordType::SOA).await?;
        if &candidate == name
            && let Some(target) = cname_of(&answer, name)
        {
            return Ok(Found::Cname(target));
        }
        if let Some(zone) = zone_from(&answer, &candidate, client.recursive) {
            return Ok(Found::Zone(zone));
        }
        tried.push(format!("{}: {}", candidate.to_ascii(), describe(&answer)));
        candidate = candidate.base_name();
    }
    Err(DnsError::UnknownZone {
        server: client.server.to_string(),
        name: name.to_ascii(),
        tried: tried.join(", "),
    })
}

/// The zone an answer to an SOA query for `asked` reveals (from a recursive
/// resolver, authoritative or not).
fn zone_from(answer: &Message, asked: &Name, recursive: bool) -> Option<Name> {
    if !answer.metadata.authoritative && !recursive {
        return None;
    }
    let code = answer.metadata.response_code;
    if code != ResponseCode::NoError && code != ResponseCode::NXDomain {
        return None;
    }
    let soa_owner = |records: &[hickory_proto::rr::Record]| {
        records
            .iter()
            .find(|r| matches!(r.data, RData::SOA(_)) && r.name.zone_of(asked))
            .map(|r| r.name.to_lowercase())
    };
    soa_owner(&answer.answers).or_else(|| soa_owner(&answer.authorities))
}

pub fn cname_of(answer: &Message, name: &Name) -> Option<Name> {
    answer.answers.iter().find_map(|r| match &r.data {
        RData::CNAME(target) if &r.name == name => Some(target.0.clone()),
        _ => None,
    })
}

/// What a server said instead of naming a zone (for the error message).
fn describe(answer: &Message) -> String {
    let code = answer.metadata.response_code;
    if code == ResponseCode::NoError || code == ResponseCode::NXDomain {
        if !answer.metadata.authoritative {
            return format!("{} without authority", rcode_name(code));
        }
        return format!("{} without SOA", rcode_name(code));
    }
    rcode_name(code)
}

/// `zone` as the user configured it must contain `name`.
pub fn check_configured(zone: &Name, name: &Name) -> Result<(), DnsError> {
    if zone.zone_of(name) {
        Ok(())
    } else {
        Err(DnsError::Credentials(format!(
            "dns_rfc2136_zone {} does not contain {}",
            zone.to_ascii(),
            name.to_ascii()
        )))
    }
}
