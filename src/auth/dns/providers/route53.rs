//! `--dns-route53`: the Amazon Route 53 REST API
//! (`https://route53.amazonaws.com/2013-04-01`), signed with SigV4
//! (region us-east-1, service route53); credentials from the AWS chain
//! ([`super::aws`]), as Certbot's plugin has no credentials file.
//!
//! - Zone: `GET /hostedzone?maxitems=100` and every further page
//!   (`marker` = `NextMarker` while `IsTruncated`), public zones only, the
//!   longest one that holds the name.
//! - A TXT RRset holds every value at its name, so a change is made to the
//!   whole set: `GET /hostedzone/{id}/rrset?name=N&type=TXT&maxitems=1`
//!   reads it, then `POST /hostedzone/{id}/rrset/` with one `UPSERT` of the
//!   set plus our value (add), or of the set less our value (delete; a
//!   `DELETE` of the exact set when ours is its only value).
//! - An add waits until `GET /change/{id}` says `INSYNC`, as Certbot does.
//! - Errors: the `<Error>`'s `Code` and `Message`.

use super::super::error::DnsError;
use super::api::{Api, Body, Reply, encode, query};
use super::aws::{AwsCredentials, SigV4};
use super::common::holding_zone_among;
use super::{Added, Provider, Zone, plain};
use hickory_proto::rr::Name;
use http::Method;
use std::time::Duration;

const BASE: &str = "https://route53.amazonaws.com/2013-04-01";
const API: &str = "the Route 53 API";
const XMLNS: &str = "https://route53.amazonaws.com/doc/2013-04-01/";
/// Certbot's TTL for the records.
const TTL: u32 = 10;
/// Certbot's default `--dns-route53-propagation-seconds`.
const CERTBOT_WAIT: Duration = Duration::from_secs(10);
/// A list longer than this many pages is not read further.
const MAX_PAGES: usize = 100;
/// How often, and how many times, a change is asked about until INSYNC.
const SYNC_POLL: Duration = Duration::from_secs(2);
const SYNC_TRIES: u32 = 300;

pub struct Route53 {
    api: Api,
}

impl Route53 {
    /// With the credentials of the AWS chain in this process's environment.
    pub fn from_environment() -> Result<Route53, DnsError> {
        let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
        let env = |name: &str| std::env::var(name).ok();
        Route53::new(AwsCredentials::find(&env, home.as_deref())?)
    }

    pub fn new(credentials: AwsCredentials) -> Result<Route53, DnsError> {
        let source = credentials.source_path();
        let signer = SigV4 {
            credentials,
            region: "us-east-1",
            service: "route53",
        };
        let api = Api::new(API, BASE, source, Vec::new())?.with_signer(signer);
        Ok(Route53 { api })
    }

    /// The answer's XML when it says success, else the error it names.
    fn checked(&self, reply: Reply, action: &str) -> Result<String, DnsError> {
        let text = String::from_utf8_lossy(&reply.bytes).into_owned();
        if reply.status.is_success() {
            return Ok(text);
        }
        let code = xml_text(&text, "Code").unwrap_or_default();
        let message = xml_text(&text, "Message").unwrap_or_default();
        let detail = format!("HTTP {}: {code}: {message}", reply.status.as_u16());
        let auth_codes = [
            "InvalidClientTokenId",
            "SignatureDoesNotMatch",
            "AccessDenied",
            "UnrecognizedClientException",
            "ExpiredToken",
            "MissingAuthenticationToken",
        ];
        if auth_codes.contains(&code.as_str()) {
            return Err(DnsError::ApiAuth {
                api: API,
                file: self.api.file.clone(),
                detail: format!(
                    "{detail}; check the AWS access key and secret (route53:ListHostedZones, \
                     ChangeResourceRecordSets, GetChange, ListResourceRecordSets)"
                ),
            });
        }
        Err(self
            .api
            .error(action, detail, reply.status.is_server_error()))
    }

    async fn get(&self, path: &str, action: &str) -> Result<String, DnsError> {
        let reply = self.api.send(Method::GET, path, None, action).await?;
        self.checked(reply, action)
    }

    /// Every public hosted zone: (name without the final dot, id).
    async fn zones(&self) -> Result<Vec<(String, String)>, DnsError> {
        let action = "list the account's hosted zones";
        let mut zones = Vec::new();
        let mut marker: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut params = vec![("maxitems", "100")];
            if let Some(m) = &marker {
                params.push(("marker", m.as_str()));
            }
            let xml = self
                .get(&format!("/hostedzone{}", query(&params)), action)
                .await?;
            for zone in xml_elements(&xml, "HostedZone") {
                let private = xml_text(zone, "PrivateZone").as_deref() == Some("true");
                if let (false, Some(name), Some(id)) =
                    (private, xml_text(zone, "Name"), xml_text(zone, "Id"))
                {
                    let id = id.trim_start_matches("/hostedzone/").to_string();
                    zones.push((name.trim_end_matches('.').to_ascii_lowercase(), id));
                }
            }
            marker = xml_text(&xml, "NextMarker");
            if xml_text(&xml, "IsTruncated").as_deref() != Some("true") || marker.is_none() {
                break;
            }
        }
        Ok(zones)
    }

    /// The values of the TXT RRset at `name` (as sent: quoted), and its TTL.
    async fn txt_set(&self, zone: &Zone, name: &Name, action: &str) -> Result<RrSet, DnsError> {
        let fqdn = format!("{}.", plain(name));
        let params = [("name", fqdn.as_str()), ("type", "TXT"), ("maxitems", "1")];
        let path = format!("/hostedzone/{}/rrset{}", encode(&zone.id), query(&params));
        let xml = self.get(&path, action).await?;
        let found = xml_elements(&xml, "ResourceRecordSet")
            .into_iter()
            .find(|set| {
                xml_text(set, "Type").as_deref() == Some("TXT")
                    && xml_text(set, "Name")
                        .is_some_and(|n| n.trim_end_matches('.').eq_ignore_ascii_case(&plain(name)))
            });
        Ok(match found {
            Some(set) => RrSet {
                values: xml_elements(set, "Value")
                    .into_iter()
                    .map(unescape)
                    .collect(),
                ttl: xml_text(set, "TTL")
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(TTL),
            },
            None => RrSet {
                values: Vec::new(),
                ttl: TTL,
            },
        })
    }

    /// Apply one change of the TXT RRset at `name`; the change's id.
    async fn change(
        &self,
        zone: &Zone,
        name: &Name,
        change: &str,
        set: &RrSet,
        action: &str,
    ) -> Result<String, DnsError> {
        let body = change_batch(change, &format!("{}.", plain(name)), set);
        let path = format!("/hostedzone/{}/rrset/", encode(&zone.id));
        let body = Body {
            content_type: "text/xml",
            bytes: body.as_bytes(),
        };
        let reply = self
            .api
            .send(Method::POST, &path, Some(body), action)
            .await?;
        let xml = self.checked(reply, action)?;
        xml_text(&xml, "Id")
            .map(|id| id.trim_start_matches("/change/").to_string())
            .ok_or_else(|| {
                self.api
                    .error(action, "no ChangeInfo Id in the answer".into(), true)
            })
    }

    /// Until Route 53 says the change is on all its servers.
    async fn wait_in_sync(&self, change: &str, action: &str) -> Result<(), DnsError> {
        let path = format!("/change/{}", encode(change));
        let mut status = String::new();
        for _ in 0..SYNC_TRIES {
            let xml = self.get(&path, action).await?;
            status = xml_text(&xml, "Status").unwrap_or_default();
            if status == "INSYNC" {
                return Ok(());
            }
            tokio::time::sleep(SYNC_POLL).await;
        }
        Err(self.api.error(
            action,
            format!(
                "the change {change} is still {status} after {} s",
                SYNC_TRIES * 2
            ),
            false,
        ))
    }
}

/// A TXT RRset: its values as Route 53 spells them (`"..."`) and TTL.
struct RrSet {
    values: Vec<String>,
    ttl: u32,
}

/// `value` as one TXT string in Route 53's notation.
fn quoted(value: &str) -> String {
    format!("\"{value}\"")
}

fn change_batch(action: &str, name: &str, set: &RrSet) -> String {
    let records: String = set
        .values
        .iter()
        .map(|v| {
            format!(
                "<ResourceRecord><Value>{}</Value></ResourceRecord>",
                escape(v)
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <ChangeResourceRecordSetsRequest xmlns=\"{XMLNS}\"><ChangeBatch>\
         <Comment>certsmith dns-01 {action}</Comment><Changes><Change>\
         <Action>{action}</Action><ResourceRecordSet><Name>{}</Name><Type>TXT</Type>\
         <TTL>{}</TTL><ResourceRecords>{records}</ResourceRecords></ResourceRecordSet>\
         </Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>",
        escape(name),
        set.ttl
    )
}

// Route 53's answers are a fixed, shallow schema: reading the few elements
// needed by name keeps an XML parser out of the dependency tree.

/// The contents of every `<tag>...</tag>` (not nested in one another).
fn xml_elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut found = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(&close) else { break };
        found.push(&after[..end]);
        rest = &after[end + close.len()..];
    }
    found
}

/// The text of the first `<tag>`, unescaped.
fn xml_text(xml: &str, tag: &str) -> Option<String> {
    xml_elements(xml, tag).first().map(|t| unescape(t))
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl Provider for Route53 {
    fn plugin(&self) -> &'static str {
        "dns-route53"
    }

    fn location(&self) -> String {
        format!("through {API}")
    }

    fn default_wait(&self) -> Duration {
        CERTBOT_WAIT
    }

    async fn find_zone(&self, name: &Name, _dns_zone: Option<&Name>) -> Result<Zone, DnsError> {
        // zones() already trims and lowercases the names, as this does.
        let zones = self.zones().await?;
        let what = "public hosted zones";
        holding_zone_among(API, &self.api.file, name, zones, what)
    }

    async fn add_txt(
        &self,
        zone: &Zone,
        name: &Name,
        value: &str,
    ) -> Result<Option<String>, DnsError> {
        let action = format!("add a TXT record at {}", plain(name));
        let mut set = self.txt_set(zone, name, &action).await?;
        if !set.values.contains(&quoted(value)) {
            set.values.push(quoted(value));
        }
        let change = self.change(zone, name, "UPSERT", &set, &action).await?;
        self.wait_in_sync(&change, &action).await?;
        Ok(None)
    }

    async fn delete_txt(&self, added: &Added) -> Result<(), DnsError> {
        let action = format!("delete the TXT record at {}", plain(&added.name));
        // A set changed by someone else between the read and the change is
        // refused (HTTP 400): read it once more.
        match self.remove_value(added, &action).await {
            Err(DnsError::Api { detail, .. }) if detail.starts_with("HTTP 400") => {
                self.remove_value(added, &action).await
            }
            other => other,
        }
    }
}

impl Route53 {
    /// The TXT set at `added.name` less `added.value`.
    async fn remove_value(&self, added: &Added, action: &str) -> Result<(), DnsError> {
        let (zone, name) = (&added.zone, &added.name);
        let mut set = self.txt_set(zone, name, action).await?;
        let ours = quoted(&added.value);
        if !set.values.contains(&ours) {
            return Ok(());
        }
        let change = match set.values.len() {
            1 => "DELETE",
            _ => {
                set.values.retain(|v| *v != ours);
                "UPSERT"
            }
        };
        self.change(zone, name, change, &set, action)
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_read_by_name_and_unescaped() {
        let xml = "<R xmlns=\"x\"><HostedZones><HostedZone><Id>/hostedzone/Z1</Id>\
                   <Name>a.test.</Name></HostedZone><HostedZone><Id>/hostedzone/Z2</Id>\
                   <Name>b.test.</Name></HostedZone></HostedZones><IsTruncated>false</IsTruncated>\
                   <Value>&quot;v&quot;</Value></R>";
        let zones = xml_elements(xml, "HostedZone");
        assert_eq!(zones.len(), 2);
        assert_eq!(xml_text(zones[1], "Id").unwrap(), "/hostedzone/Z2");
        assert_eq!(xml_text(xml, "Value").unwrap(), "\"v\"");
        assert_eq!(xml_text(xml, "NextMarker"), None);
    }

    #[test]
    fn a_change_batch_names_the_whole_set() {
        let set = RrSet {
            values: vec![quoted("a"), quoted("b")],
            ttl: 10,
        };
        let xml = change_batch("UPSERT", "_acme-challenge.a.test.", &set);
        assert!(xml.contains(
            "<Action>UPSERT</Action><ResourceRecordSet><Name>_acme-challenge.a.test.</Name>\
             <Type>TXT</Type><TTL>10</TTL><ResourceRecords><ResourceRecord>\
             <Value>&quot;a&quot;</Value></ResourceRecord><ResourceRecord>\
             <Value>&quot;b&quot;</Value></ResourceRecord></ResourceRecords>"
        ));
    }
}
