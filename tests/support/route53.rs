//! A stand-in for the Amazon Route 53 API (`https://route53.amazonaws.com`),
//! the endpoints a DNS-01 client uses, as AWS documents them (REST-XML,
//! version 2013-04-01):
//! - `GET /2013-04-01/hostedzone?marker=&maxitems=` (ListHostedZones):
//!   `HostedZones`, `IsTruncated`, `NextMarker`;
//! - `GET /2013-04-01/hostedzone/{id}/rrset?name=&type=&maxitems=`
//!   (ListResourceRecordSets, from that name and type on);
//! - `POST /2013-04-01/hostedzone/{id}/rrset/` (ChangeResourceRecordSets:
//!   CREATE, UPSERT, DELETE of whole RRsets; a DELETE must name the set
//!   exactly);
//! - `GET /2013-04-01/change/{id}` (GetChange: PENDING once, then INSYNC).
//!
//! Every request must carry a SigV4 signature (region us-east-1, service
//! route53) that this stand-in recomputes from what it received with the
//! account's secret; else 403 with an `<ErrorResponse>`. Each RRset
//! change is applied to a real BIND by RFC 2136 (nsupdate).

use super::bind::{Bind, Updater};
use super::https::{Handler, HttpsServer, Request, Response};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

pub const HOST: &str = "route53.amazonaws.com";
const PREFIX: &str = "/2013-04-01";

/// One hosted zone: its id (no `/hostedzone/`), name (final dot) and
/// whether it is private.
#[derive(Clone)]
struct HostedZone {
    id: String,
    name: String,
    private: bool,
}

#[derive(Default)]
struct State {
    key_id: String,
    secret: String,
    zones: Vec<HostedZone>,
    /// (zone id, name with the final dot) -> (TTL, values as sent: `"v"`).
    txt: BTreeMap<(String, String), (u32, Vec<String>)>,
    /// Change id -> GetChange calls so far.
    changes: BTreeMap<String, u32>,
    max_items: usize,
    log: Vec<String>,
}

pub struct Route53 {
    pub server: HttpsServer,
    state: Arc<Mutex<State>>,
    updater: Updater,
}

impl Route53 {
    /// The API on 127.0.0.1:443 in `bind`'s namespace, for an account with
    /// the public `zones` and the `private` ones, accepting requests
    /// signed with `key_id` and `secret`.
    pub fn start(
        bind: &Bind,
        zones: &[&str],
        private: &[&str],
        key_id: &str,
        secret: &str,
    ) -> Route53 {
        let all = zones
            .iter()
            .map(|z| (z, false))
            .chain(private.iter().map(|z| (z, true)));
        let zones = (1..)
            .zip(all)
            .map(|(i, (name, private))| HostedZone {
                id: format!("Z{i:04}EXAMPLE"),
                name: format!("{name}."),
                private,
            })
            .collect();
        let state = Arc::new(Mutex::new(State {
            key_id: key_id.into(),
            secret: secret.into(),
            zones,
            max_items: 100,
            ..State::default()
        }));
        let (s, updater) = (state.clone(), bind.updater());
        let handler: Handler = Arc::new(move |r: &Request| handle(&s, &updater, r));
        let server = HttpsServer::start(bind.netns.as_deref(), 443, &[HOST], handler);
        Route53 {
            server,
            state,
            updater: bind.updater(),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }
    /// The most items a list answer holds, whatever `maxitems` asks.
    pub fn max_items(&self, n: usize) {
        self.with(|s| s.max_items = n);
    }
    /// Every TXT value in the account: (name without the dot, value unquoted).
    pub fn records(&self) -> Vec<(String, String)> {
        self.with(|s| {
            s.txt
                .iter()
                .flat_map(|((_, name), (_, values))| {
                    let name = name.trim_end_matches('.').to_string();
                    values
                        .iter()
                        .map(move |v| (name.clone(), v.trim_matches('"').to_string()))
                })
                .collect()
        })
    }
    /// A TXT value someone else put at `name` (in the zone `zone`).
    pub fn preset(&self, zone: &str, name: &str, value: &str) {
        let id = self.with(|s| {
            s.zones
                .iter()
                .find(|z| z.name == format!("{zone}."))
                .unwrap()
                .id
                .clone()
        });
        self.updater
            .apply(&[format!("update add {name}. 300 TXT \"{value}\"")])
            .unwrap();
        self.with(|s| {
            s.txt
                .entry((id, format!("{name}.")))
                .or_insert((300, Vec::new()))
                .1
                .push(format!("\"{value}\""))
        });
    }
    pub fn log(&self) -> Vec<String> {
        self.with(|s| s.log.clone())
    }
}

fn xml(status: u16, body: String) -> Response {
    Response {
        status,
        headers: vec![("Content-Type".into(), "text/xml".into())],
        body: format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{body}").into_bytes(),
    }
}

fn error(status: u16, code: &str, message: &str) -> Response {
    xml(
        status,
        format!(
            "<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error>\
             <Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>\
             <RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
        ),
    )
}

fn handle(state: &Mutex<State>, updater: &Updater, r: &Request) -> Response {
    let mut s = state.lock().unwrap();
    s.log.push(format!("{} {}", r.method, r.target));
    if let Err(refusal) = check_signature(&s, r) {
        return refusal;
    }
    let Some(path) = r.path().strip_prefix(PREFIX) else {
        return error(404, "UnknownOperationException", "Not found");
    };
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let zone = |id: &str| s.zones.iter().find(|z| z.id == id).cloned();
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", ["hostedzone"]) => list_zones(&s, r),
        ("GET", ["hostedzone", id, "rrset"]) => match zone(id) {
            Some(z) => list_sets(&s, &z, r),
            None => no_zone(id),
        },
        ("POST", ["hostedzone", id, "rrset", ""] | ["hostedzone", id, "rrset"]) => match zone(id) {
            Some(z) => change(&mut s, updater, &z, r),
            None => no_zone(id),
        },
        ("GET", ["change", id]) => get_change(&mut s, id),
        _ => error(404, "UnknownOperationException", "Not found"),
    }
}

fn no_zone(id: &str) -> Response {
    error(
        404,
        "NoSuchHostedZone",
        &format!("No hosted zone found with ID: {id}"),
    )
}

fn list_zones(s: &State, r: &Request) -> Response {
    let size = page_size(s, r);
    let start = r
        .param("marker")
        .and_then(|m| s.zones.iter().position(|z| z.id == m))
        .unwrap_or(0);
    let page: Vec<&HostedZone> = s.zones.iter().skip(start).take(size).collect();
    let next = s.zones.get(start + size);
    let items: String = page
        .iter()
        .map(|z| {
            format!(
                "<HostedZone><Id>/hostedzone/{}</Id><Name>{}</Name><CallerReference>ref-{}</CallerReference>\
                 <Config><PrivateZone>{}</PrivateZone></Config><ResourceRecordSetCount>2</ResourceRecordSetCount></HostedZone>",
                z.id, z.name, z.id, z.private
            )
        })
        .collect();
    let next = next
        .map(|z| format!("<NextMarker>{}</NextMarker>", z.id))
        .unwrap_or_default();
    xml(
        200,
        format!(
            "<ListHostedZonesResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">\
             <HostedZones>{items}</HostedZones><IsTruncated>{}</IsTruncated>{next}<MaxItems>{size}</MaxItems>\
             </ListHostedZonesResponse>",
            !next.is_empty()
        ),
    )
}

fn page_size(s: &State, r: &Request) -> usize {
    r.param("maxitems")
        .and_then(|m| m.parse().ok())
        .unwrap_or(100usize)
        .clamp(1, s.max_items)
}

fn list_sets(s: &State, zone: &HostedZone, r: &Request) -> Response {
    let from = r.param("name").unwrap_or_default().to_ascii_lowercase();
    let size = page_size(s, r);
    let sets: String = s
        .txt
        .range((zone.id.clone(), from)..)
        .take_while(|((id, _), _)| *id == zone.id)
        .take(size)
        .map(|((_, name), (ttl, values))| {
            let records: String = values
                .iter()
                .map(|v| {
                    format!(
                        "<ResourceRecord><Value>{}</Value></ResourceRecord>",
                        v.replace('"', "&quot;")
                    )
                })
                .collect();
            format!(
                "<ResourceRecordSet><Name>{name}</Name><Type>TXT</Type><TTL>{ttl}</TTL>\
                 <ResourceRecords>{records}</ResourceRecords></ResourceRecordSet>"
            )
        })
        .collect();
    xml(
        200,
        format!(
            "<ListResourceRecordSetsResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">\
             <ResourceRecordSets>{sets}</ResourceRecordSets><IsTruncated>false</IsTruncated>\
             <MaxItems>{size}</MaxItems></ListResourceRecordSetsResponse>"
        ),
    )
}

/// One ChangeResourceRecordSets request of one change of a TXT set.
fn change(s: &mut State, updater: &Updater, zone: &HostedZone, r: &Request) -> Response {
    let body = String::from_utf8_lossy(&r.body).into_owned();
    let changes = elements(&body, "Change");
    let [one] = changes.as_slice() else {
        return error(
            400,
            "InvalidInput",
            "this stand-in takes one change a request",
        );
    };
    let text = |tag: &str| {
        elements(one, tag)
            .first()
            .map(|t| unescape(t))
            .unwrap_or_default()
    };
    let (action, name, kind) = (
        text("Action"),
        text("Name").to_ascii_lowercase(),
        text("Type"),
    );
    let ttl: u32 = text("TTL").parse().unwrap_or(300);
    let values: Vec<String> = elements(one, "Value").into_iter().map(unescape).collect();
    let fqdn = if name.ends_with('.') {
        name.clone()
    } else {
        format!("{name}.")
    };
    if kind != "TXT" || values.is_empty() || !fqdn.ends_with(&zone.name) {
        return error(
            400,
            "InvalidInput",
            "a TXT set with values in the zone is expected",
        );
    }
    let key = (zone.id.clone(), fqdn.clone());
    let current = s.txt.get(&key).cloned();
    let new = match (action.as_str(), &current) {
        ("UPSERT", _) | ("CREATE", None) => Some((ttl, values)),
        ("DELETE", Some((t, v))) if *t == ttl && same_values(v, &values) => None,
        ("DELETE", _) => {
            return error(
                400,
                "InvalidChangeBatch",
                &format!(
                    "[Tried to delete resource record set [name='{fqdn}', type='TXT'] but the values provided do not match the current values]"
                ),
            );
        }
        _ => {
            return error(
                400,
                "InvalidChangeBatch",
                "the set exists or the action is unknown",
            );
        }
    };
    let mut commands = vec![format!("update delete {fqdn} TXT")];
    if let Some((ttl, values)) = &new {
        commands.extend(
            values
                .iter()
                .map(|v| format!("update add {fqdn} {ttl} TXT {v}")),
        );
    }
    if let Err(e) = updater.apply(&commands) {
        return error(500, "InternalFailure", &e);
    }
    match new {
        Some(set) => s.txt.insert(key, set),
        None => s.txt.remove(&key),
    };
    let id = format!("C{:06}", s.changes.len() + 1);
    s.changes.insert(id.clone(), 0);
    xml(
        200,
        change_info("ChangeResourceRecordSetsResponse", &id, "PENDING"),
    )
}

fn same_values(a: &[String], b: &[String]) -> bool {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort();
    b.sort();
    a == b
}

fn change_info(root: &str, id: &str, status: &str) -> String {
    format!(
        "<{root} xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeInfo>\
         <Id>/change/{id}</Id><Status>{status}</Status><SubmittedAt>2026-01-01T00:00:00.000Z</SubmittedAt>\
         </ChangeInfo></{root}>"
    )
}

fn get_change(s: &mut State, id: &str) -> Response {
    let Some(polls) = s.changes.get_mut(id) else {
        return error(
            404,
            "NoSuchChange",
            &format!("A change with the specified change ID does not exist: {id}"),
        );
    };
    *polls += 1;
    let status = if *polls > 1 { "INSYNC" } else { "PENDING" };
    xml(200, change_info("GetChangeResponse", id, status))
}

fn elements<'a>(text: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        out.push(&after[..j]);
        rest = &after[j + close.len()..];
    }
    out
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

// --- SigV4, recomputed from the request as received -------------------------

fn refuse(code: &str, message: &str) -> Result<(), Response> {
    Err(error(403, code, message))
}

/// Whether `r` is signed with the account's key for us-east-1/route53 at
/// about now.
fn check_signature(s: &State, r: &Request) -> Result<(), Response> {
    let Some(auth) = r.header("authorization") else {
        return refuse("MissingAuthenticationToken", "Missing Authentication Token");
    };
    let Some(fields) = auth.strip_prefix("AWS4-HMAC-SHA256 ") else {
        return refuse("IncompleteSignature", "not AWS4-HMAC-SHA256");
    };
    let field = |name: &str| {
        fields
            .split(',')
            .map(str::trim)
            .find_map(|f| f.strip_prefix(&format!("{name}=")))
            .unwrap_or_default()
    };
    let (credential, signed, signature) = (
        field("Credential"),
        field("SignedHeaders"),
        field("Signature"),
    );
    let scope: Vec<&str> = credential.split('/').collect();
    let [key_id, date, "us-east-1", "route53", "aws4_request"] = scope.as_slice() else {
        return refuse(
            "IncompleteSignature",
            &format!("bad credential scope {credential}"),
        );
    };
    if *key_id != s.key_id {
        return refuse(
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        );
    }
    let amz_date = r.header("x-amz-date").unwrap_or_default();
    let names: Vec<&str> = signed.split(';').collect();
    if !amz_date.starts_with(date) || !names.contains(&"host") || !names.contains(&"x-amz-date") {
        return refuse(
            "IncompleteSignature",
            "host and x-amz-date must be signed, on the scope's date",
        );
    }
    if !recent(amz_date) {
        return refuse("SignatureDoesNotMatch", "Signature expired");
    }
    let canonical = canonical_request(r, &names);
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{date}/us-east-1/route53/aws4_request\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let mut key = mac(format!("AWS4{}", s.secret).as_bytes(), date.as_bytes());
    for part in ["us-east-1", "route53", "aws4_request"] {
        key = mac(&key, part.as_bytes());
    }
    if hex(&mac(&key, to_sign.as_bytes())) != signature {
        return refuse(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        );
    }
    Ok(())
}

fn canonical_request(r: &Request, names: &[&str]) -> String {
    let path: Vec<String> = r.path().split('/').map(uri_encode).collect();
    let mut query: Vec<(String, String)> = r
        .query()
        .iter()
        .map(|(k, v)| (uri_encode(k), uri_encode(v)))
        .collect();
    query.sort();
    let query: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let headers: String = names
        .iter()
        .map(|n| {
            let value = r.header(n).unwrap_or_default();
            format!(
                "{n}:{}\n",
                value.split_whitespace().collect::<Vec<_>>().join(" ")
            )
        })
        .collect();
    format!(
        "{}\n{}\n{}\n{headers}\n{}\n{}",
        r.method,
        path.join("/"),
        query.join("&"),
        names.join(";"),
        hex(&Sha256::digest(&r.body))
    )
}

fn uri_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `20260101T000000Z` within 15 minutes of now.
fn recent(amz_date: &str) -> bool {
    let num =
        |range: std::ops::Range<usize>| amz_date.get(range).and_then(|t| t.parse::<u32>().ok());
    let parts = (
        num(0..4),
        num(4..6),
        num(6..8),
        num(9..11),
        num(11..13),
        num(13..15),
    );
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(se)) = parts else {
        return false;
    };
    let Ok(month) = time::Month::try_from(mo as u8) else {
        return false;
    };
    let date = time::Date::from_calendar_date(y as i32, month, d as u8);
    let clock = time::Time::from_hms(h as u8, mi as u8, se as u8);
    let (Ok(date), Ok(clock)) = (date, clock) else {
        return false;
    };
    let skew = time::OffsetDateTime::now_utc() - date.with_time(clock).assume_utc();
    skew.abs() < time::Duration::minutes(15)
}

fn mac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
