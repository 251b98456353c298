//! RFC 2136 UPDATE messages: add TXT records to an RRset, and delete exactly
//! those records again (class NONE: "delete this RR"), never the whole
//! RRset, so values others put there stay.

use super::client::{Client, rcode_name, update_message};
use super::error::DnsError;
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::rdata::TXT;
use hickory_proto::rr::{DNSClass, Name, RData, Record};

/// TTL of the challenge records: short, so resolvers forget them soon.
pub const TTL: u32 = 60;

/// The TXT records of one name in one zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxtSet {
    pub zone: Name,
    pub name: Name,
    pub values: Vec<String>,
}

fn txt(name: &Name, value: &str, ttl: u32, class: DNSClass) -> Record {
    let mut record =
        Record::from_rdata(name.clone(), ttl, RData::TXT(TXT::new(vec![value.into()])));
    record.dns_class = class;
    record
}

/// Add every value of `set` in one update.
pub async fn add(client: &Client, set: &TxtSet) -> Result<(), DnsError> {
    let mut message = update_message(&set.zone);
    for v in &set.values {
        message.add_authority(txt(&set.name, v, TTL, DNSClass::IN));
    }
    let answer = client.update(&message).await?;
    check(client, answer.metadata.response_code, "add", set)
}

/// Delete exactly the values of `set` in one update (absent ones are
/// ignored by the server).
pub async fn delete(client: &Client, set: &TxtSet) -> Result<(), DnsError> {
    let mut message = update_message(&set.zone);
    for v in &set.values {
        message.add_authority(txt(&set.name, v, 0, DNSClass::NONE));
    }
    let answer = client.update(&message).await?;
    check(client, answer.metadata.response_code, "delete", set)
}

fn check(client: &Client, code: ResponseCode, verb: &str, set: &TxtSet) -> Result<(), DnsError> {
    if code == ResponseCode::NoError {
        return Ok(());
    }
    let key = client
        .key
        .as_ref()
        .map_or(String::new(), |k| k.name.to_ascii());
    let (name, zone) = (set.name.to_ascii(), set.zone.to_ascii());
    let hint = match code {
        ResponseCode::Refused => format!(
            "the key {key} may not change {name}; allow it in the zone's allow-update or update-policy"
        ),
        ResponseCode::NotAuth => format!(
            "the server is not the primary of zone {zone}, or does not accept the key {key}"
        ),
        ResponseCode::NotZone => format!("{name} is not inside zone {zone}"),
        ResponseCode::ServFail => "the server failed to apply the update; see its log".into(),
        _ => format!("updating zone {zone} with the key {key} failed"),
    };
    Err(DnsError::Refused {
        server: client.server.to_string(),
        action: format!("{verb} TXT records of {name}"),
        rcode: rcode_name(code),
        hint,
    })
}
