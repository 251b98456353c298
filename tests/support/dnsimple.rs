//! A stand-in for the DNSimple v2 API (`https://api.dnsimple.com/v2`), the
//! endpoints a DNS-01 client uses, as DNSimple documents them:
//! - `GET /whoami`: `data.account` (the token's account);
//! - `GET /accounts`: `data` (`id`, `email`, `plan_identifier`);
//! - `GET /{account}/zones` and `GET /{account}/domains` (`name_like`
//!   narrows to names containing it; `page`, `per_page`): `data` and
//!   `pagination` (`current_page`, `per_page`, `total_entries`,
//!   `total_pages`);
//! - `GET /{account}/zones/{zone}/records` (`name`, `type` filter);
//! - `POST /{account}/zones/{zone}/records` (`name` relative, `type`,
//!   `content`, `ttl`): 201 with the record;
//! - `DELETE /{account}/zones/{zone}/records/{id}`: 204.
//!
//! Every request needs `Authorization: Bearer TOKEN` (else 401 with
//! `message`). Each record added or deleted is applied to a real BIND by
//! RFC 2136 (nsupdate).

use super::bind::{Bind, Updater};
use super::https::{Handler, HttpsServer, Request, Response};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

pub const HOST: &str = "api.dnsimple.com";
const PREFIX: &str = "/v2";
pub const ACCOUNT: u64 = 1010;

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: u64,
    pub zone: String,
    /// Relative to the zone (empty at its apex).
    pub name: String,
    pub content: String,
}

#[derive(Default)]
struct State {
    token: String,
    zones: Vec<String>,
    records: Vec<Record>,
    next_id: u64,
    max_per_page: usize,
    /// How long a record creation's answer is held back (after the change).
    creation_delay: Option<std::time::Duration>,
    log: Vec<String>,
}

pub struct Dnsimple {
    pub server: HttpsServer,
    state: Arc<Mutex<State>>,
}

impl Dnsimple {
    /// The API on 127.0.0.1:443 in `bind`'s namespace, for account
    /// [`ACCOUNT`] with `zones`, accepting `token`.
    pub fn start(bind: &Bind, zones: &[&str], token: &str) -> Dnsimple {
        let state = Arc::new(Mutex::new(State {
            token: token.into(),
            zones: zones.iter().map(|z| z.to_string()).collect(),
            next_id: 7_000_000,
            max_per_page: 100,
            ..State::default()
        }));
        let (s, updater) = (state.clone(), bind.updater());
        let handler: Handler = Arc::new(move |r: &Request| handle(&s, &updater, r));
        let server = HttpsServer::start(bind.netns.as_deref(), 443, &[HOST], handler);
        Dnsimple { server, state }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }
    /// The most results a page holds, whatever `per_page` asks.
    pub fn max_per_page(&self, n: usize) {
        self.with(|s| s.max_per_page = n);
    }
    /// Hold each record creation's answer back `d` (the record is made).
    pub fn delay_creation(&self, d: std::time::Duration) {
        self.with(|s| s.creation_delay = Some(d));
    }
    /// A TXT record made by someone else: `name` relative to `zone`.
    pub fn seed(&self, bind: &Bind, zone: &str, name: &str, content: &str) {
        let command = format!("update add {}. 60 TXT \"{content}\"", fqdn(name, zone));
        bind.updater().apply(&[command]).unwrap();
        self.with(|s| {
            s.next_id += 1;
            let id = s.next_id;
            s.records.push(Record {
                id,
                zone: zone.into(),
                name: name.into(),
                content: content.into(),
            });
        });
    }
    pub fn records(&self) -> Vec<Record> {
        self.with(|s| s.records.clone())
    }
    pub fn log(&self) -> Vec<String> {
        self.with(|s| s.log.clone())
    }
}

fn error(status: u16, message: &str) -> Response {
    Response::json(status, &json!({"message": message}))
}

fn account_json() -> Value {
    json!({"id": ACCOUNT, "email": "ops@example.test", "plan_identifier": "teams-v1-monthly",
           "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"})
}

fn handle(state: &Mutex<State>, updater: &Updater, r: &Request) -> Response {
    let mut s = state.lock().unwrap();
    s.log.push(format!("{} {}", r.method, r.target));
    if r.header("authorization") != Some(&format!("Bearer {}", s.token)) {
        return error(401, "Authentication failed");
    }
    let Some(path) = r.path().strip_prefix(PREFIX) else {
        return error(404, "Not found");
    };
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let account = ACCOUNT.to_string();
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", ["whoami"]) => Response::json(
            200,
            &json!({"data": {"user": null, "account": account_json()}}),
        ),
        ("GET", ["accounts"]) => Response::json(200, &json!({"data": [account_json()]})),
        (_, [a, ..]) if *a != account => error(404, &format!("Account `{a}` not found")),
        ("GET", [_, "zones" | "domains"]) => {
            let like = r.param("name_like").unwrap_or_default();
            let items = (1..)
                .zip(&s.zones)
                .filter(|(_, z)| z.contains(&like))
                .map(|(i, z)| json!({"id": i, "account_id": ACCOUNT, "name": z, "reverse": false}))
                .collect();
            page_of(&s, r, items)
        }
        (_, [_, "zones", zone, "records", ..]) if !s.zones.iter().any(|z| z == zone) => {
            error(404, &format!("Zone `{zone}` not found"))
        }
        ("GET", [_, "zones", zone, "records"]) => {
            let name = r.param("name");
            let kind = r.param("type");
            let items = s
                .records
                .iter()
                .filter(|x| x.zone == *zone && name.as_ref().is_none_or(|n| *n == x.name))
                .filter(|_| kind.as_deref().is_none_or(|k| k == "TXT"))
                .map(record_json)
                .collect();
            page_of(&s, r, items)
        }
        ("POST", [_, "zones", zone, "records"]) => {
            let response = create(&mut s, updater, zone, r);
            let delay = s.creation_delay;
            drop(s);
            if let Some(d) = delay {
                std::thread::sleep(d);
            }
            response
        }
        ("DELETE", [_, "zones", zone, "records", id]) => delete(&mut s, updater, zone, id),
        _ => error(404, "Not found"),
    }
}

fn page_of(s: &State, r: &Request, items: Vec<Value>) -> Response {
    let size = r
        .param("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(30usize)
        .clamp(1, s.max_per_page);
    let page: usize = r
        .param("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let total = items.len();
    let data: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * size)
        .take(size)
        .collect();
    Response::json(
        200,
        &json!({"data": data, "pagination": {"current_page": page, "per_page": size,
                "total_entries": total, "total_pages": total.div_ceil(size).max(1)}}),
    )
}

fn fqdn(name: &str, zone: &str) -> String {
    match name {
        "" => zone.to_string(),
        n => format!("{n}.{zone}"),
    }
}

fn record_json(rec: &Record) -> Value {
    json!({"id": rec.id, "zone_id": rec.zone, "parent_id": null, "name": rec.name,
           "content": rec.content, "ttl": 60, "priority": null, "type": "TXT",
           "regions": ["global"], "system_record": false})
}

fn create(s: &mut State, updater: &Updater, zone: &str, r: &Request) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&r.body) else {
        return error(400, "Invalid JSON");
    };
    let (Some("TXT"), Some(content)) = (body["type"].as_str(), body["content"].as_str()) else {
        return Response::json(
            400,
            &json!({"message": "Validation failed", "errors": {"content": ["can't be blank"]}}),
        );
    };
    s.next_id += 1;
    let rec = Record {
        id: s.next_id,
        zone: zone.to_string(),
        name: body["name"].as_str().unwrap_or("").to_ascii_lowercase(),
        content: content.into(),
    };
    let command = format!(
        "update add {}. 60 TXT \"{}\"",
        fqdn(&rec.name, zone),
        rec.content
    );
    if let Err(e) = updater.apply(&[command]) {
        return error(500, &e);
    }
    s.records.push(rec.clone());
    Response::json(201, &json!({"data": record_json(&rec)}))
}

fn delete(s: &mut State, updater: &Updater, zone: &str, id: &str) -> Response {
    let Some(i) = s
        .records
        .iter()
        .position(|x| x.zone == zone && x.id.to_string() == id)
    else {
        return error(404, "Record not found");
    };
    let rec = s.records[i].clone();
    let command = format!(
        "update delete {}. TXT \"{}\"",
        fqdn(&rec.name, zone),
        rec.content
    );
    if let Err(e) = updater.apply(&[command]) {
        return error(500, &e);
    }
    s.records.remove(i);
    Response {
        status: 204,
        headers: Vec::new(),
        body: Vec::new(),
    }
}
