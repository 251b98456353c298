//! A stand-in for the DNS Made Easy v2.0 REST API
//! (`https://api.dnsmadeeasy.com/V2.0`), the endpoints a DNS-01 client
//! uses, as DNS Made Easy documents them:
//! - `GET /dns/managed/`: `data` (`id`, `name`), `page`, `totalPages`,
//!   `totalRecords`;
//! - `GET /dns/managed/{id}/records` (`recordName`, `type` filter): `data`;
//! - `POST /dns/managed/{id}/records` (`name` relative, `type`, `value`,
//!   `ttl`, `gtdLocation`): 201 with the record;
//! - `DELETE /dns/managed/{id}/records/{record}`.
//!
//! Every request needs `x-dnsme-apiKey`, `x-dnsme-requestDate` and
//! `x-dnsme-hmac` = hex HMAC-SHA1 of the date under the secret key (else
//! 403 with `error`). Each record added or deleted is applied to a real BIND
//! by RFC 2136 (nsupdate). No certbot plugin for DNS Made Easy is packaged
//! in Debian: this stand-in follows the API's documentation only.

use super::bind::{Bind, Updater};
use super::https::{Handler, HttpsServer, Request, Response};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

pub const HOST: &str = "api.dnsmadeeasy.com";
const PREFIX: &str = "/V2.0";

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: u64,
    pub domain_id: u64,
    /// Relative to the domain (empty at its apex).
    pub name: String,
    /// As sent (DNS Made Easy keeps TXT values in double quotes).
    pub value: String,
}

#[derive(Default)]
struct State {
    api_key: String,
    secret: String,
    domains: Vec<(u64, String)>,
    records: Vec<Record>,
    next_id: u64,
    log: Vec<String>,
}

pub struct DnsMadeEasy {
    pub server: HttpsServer,
    state: Arc<Mutex<State>>,
}

impl DnsMadeEasy {
    /// The API on 127.0.0.1:443 in `bind`'s namespace, for an account with
    /// `domains`, accepting `api_key` signed with `secret`.
    pub fn start(bind: &Bind, domains: &[&str], api_key: &str, secret: &str) -> DnsMadeEasy {
        let state = Arc::new(Mutex::new(State {
            api_key: api_key.into(),
            secret: secret.into(),
            domains: (1..)
                .zip(domains.iter().map(|d| d.to_string()))
                .map(|(i, d)| (1_119_440 + i, d))
                .collect(),
            next_id: 66_000_000,
            ..State::default()
        }));
        let (s, updater) = (state.clone(), bind.updater());
        let handler: Handler = Arc::new(move |r: &Request| handle(&s, &updater, r));
        let server = HttpsServer::start(bind.netns.as_deref(), 443, &[HOST], handler);
        DnsMadeEasy { server, state }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }
    pub fn records(&self) -> Vec<Record> {
        self.with(|s| s.records.clone())
    }
    pub fn log(&self) -> Vec<String> {
        self.with(|s| s.log.clone())
    }
}

fn error(status: u16, message: &str) -> Response {
    Response::json(status, &json!({"error": [message]}))
}

fn hmac_sha1_hex(secret: &str, text: &str) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret.as_bytes());
    let tag = ring::hmac::sign(&key, text.as_bytes());
    tag.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether the request carries the key and a signature of its date.
fn signed(s: &State, r: &Request) -> bool {
    let (Some(key), Some(date), Some(hmac)) = (
        r.header("x-dnsme-apiKey"),
        r.header("x-dnsme-requestDate"),
        r.header("x-dnsme-hmac"),
    ) else {
        return false;
    };
    key == s.api_key && date.ends_with(" GMT") && hmac == hmac_sha1_hex(&s.secret, date)
}

fn handle(state: &Mutex<State>, updater: &Updater, r: &Request) -> Response {
    let mut s = state.lock().unwrap();
    s.log.push(format!("{} {}", r.method, r.target));
    if !signed(&s, r) {
        return error(403, "Invalid API key or request signature");
    }
    let Some(path) = r.path().strip_prefix(PREFIX) else {
        return error(404, "Not found");
    };
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let domain = |id: &str| s.domains.iter().find(|(i, _)| i.to_string() == id).cloned();
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", ["dns", "managed"]) => {
            let data: Vec<Value> = s
                .domains
                .iter()
                .map(|(id, name)| json!({"id": id, "name": name, "gtdEnabled": false}))
                .collect();
            let total = data.len();
            Response::json(
                200,
                &json!({"data": data, "page": 0, "totalPages": 1, "totalRecords": total}),
            )
        }
        (_, ["dns", "managed", id, "records", ..]) if domain(id).is_none() => {
            error(404, "Domain not found")
        }
        ("GET", ["dns", "managed", id, "records"]) => {
            let name = r.param("recordName");
            let data: Vec<Value> = s
                .records
                .iter()
                .filter(|x| x.domain_id.to_string() == *id)
                .filter(|x| name.as_ref().is_none_or(|n| *n == x.name))
                .map(record_json)
                .collect();
            let total = data.len();
            Response::json(
                200,
                &json!({"data": data, "page": 0, "totalPages": 1, "totalRecords": total}),
            )
        }
        ("POST", ["dns", "managed", id, "records"]) => {
            let d = domain(id).unwrap_or_default();
            create(&mut s, updater, d, r)
        }
        ("DELETE", ["dns", "managed", id, "records", record]) => {
            let d = domain(id).unwrap_or_default();
            delete(&mut s, updater, d, record)
        }
        _ => error(404, "Not found"),
    }
}

fn fqdn(name: &str, domain: &str) -> String {
    match name {
        "" => domain.to_string(),
        n => format!("{n}.{domain}"),
    }
}

fn record_json(rec: &Record) -> Value {
    json!({"id": rec.id, "sourceId": rec.domain_id, "name": rec.name, "type": "TXT",
           "value": rec.value, "ttl": 60, "gtdLocation": "DEFAULT", "source": 1})
}

/// The value as BIND's zone file quotes it (already quoted, or not).
fn quoted(value: &str) -> String {
    match value.starts_with('"') && value.ends_with('"') && value.len() >= 2 {
        true => value.to_string(),
        false => format!("\"{value}\""),
    }
}

fn create(
    s: &mut State,
    updater: &Updater,
    (domain_id, domain): (u64, String),
    r: &Request,
) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&r.body) else {
        return error(400, "Invalid JSON");
    };
    let (Some("TXT"), Some(value)) = (body["type"].as_str(), body["value"].as_str()) else {
        return error(400, "type and value are required");
    };
    let name = body["name"].as_str().unwrap_or("").to_ascii_lowercase();
    if s.records
        .iter()
        .any(|x| x.domain_id == domain_id && x.name == name && x.value == value)
    {
        return error(400, "Record with this type, name and value already exists.");
    }
    s.next_id += 1;
    let rec = Record {
        id: s.next_id,
        domain_id,
        name,
        value: value.into(),
    };
    let command = format!(
        "update add {}. 60 TXT {}",
        fqdn(&rec.name, &domain),
        quoted(&rec.value)
    );
    if let Err(e) = updater.apply(&[command]) {
        return error(500, &e);
    }
    s.records.push(rec.clone());
    Response::json(201, &record_json(&rec))
}

fn delete(
    s: &mut State,
    updater: &Updater,
    (domain_id, domain): (u64, String),
    id: &str,
) -> Response {
    let Some(i) = s
        .records
        .iter()
        .position(|x| x.domain_id == domain_id && x.id.to_string() == id)
    else {
        return error(404, "Record not found");
    };
    let rec = s.records[i].clone();
    let command = format!(
        "update delete {}. TXT {}",
        fqdn(&rec.name, &domain),
        quoted(&rec.value)
    );
    if let Err(e) = updater.apply(&[command]) {
        return error(500, &e);
    }
    s.records.remove(i);
    Response {
        status: 200,
        headers: Vec::new(),
        body: Vec::new(),
    }
}
