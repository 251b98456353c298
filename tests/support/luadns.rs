//! A stand-in for the LuaDNS REST API (`https://api.luadns.com/v1`), the
//! endpoints a DNS-01 client uses, as LuaDNS documents them:
//! - `GET /zones`: `[{id, name}]`;
//! - `GET /zones/{id}/records`: `[{id, name, type, content, ttl, zone_id}]`
//!   (names fully qualified, final dot);
//! - `POST /zones/{id}/records` (`name`, `type`, `content`, `ttl`): the
//!   record;
//! - `DELETE /zones/{id}/records/{record}`: the deleted record.
//!
//! Every request needs HTTP Basic with the account's email and API token
//! and `Accept: application/json` (else 401 / 406). Each record added or
//! deleted is applied to a real BIND by RFC 2136 (nsupdate). No certbot
//! plugin for LuaDNS is packaged in Debian: this stand-in follows the API's
//! documentation only.

use super::bind::{Bind, Updater};
use super::https::{Handler, HttpsServer, Request, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

pub const HOST: &str = "api.luadns.com";
const PREFIX: &str = "/v1";

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: u64,
    pub zone_id: u64,
    /// Fully qualified, final dot.
    pub name: String,
    pub content: String,
}

#[derive(Default)]
struct State {
    basic: String,
    zones: Vec<(u64, String)>,
    records: Vec<Record>,
    next_id: u64,
    log: Vec<String>,
}

pub struct LuaDns {
    pub server: HttpsServer,
    state: Arc<Mutex<State>>,
}

impl LuaDns {
    /// The API on 127.0.0.1:443 in `bind`'s namespace, for an account with
    /// `zones`, accepting `email` and `token`.
    pub fn start(bind: &Bind, zones: &[&str], email: &str, token: &str) -> LuaDns {
        let state = Arc::new(Mutex::new(State {
            basic: format!("Basic {}", STANDARD.encode(format!("{email}:{token}"))),
            zones: (1..)
                .zip(zones.iter().map(|z| z.to_string()))
                .map(|(i, z)| (400 + i, z))
                .collect(),
            next_id: 9_000,
            ..State::default()
        }));
        let (s, updater) = (state.clone(), bind.updater());
        let handler: Handler = Arc::new(move |r: &Request| handle(&s, &updater, r));
        let server = HttpsServer::start(bind.netns.as_deref(), 443, &[HOST], handler);
        LuaDns { server, state }
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
    Response::json(status, &json!({"status": status, "message": message}))
}

fn handle(state: &Mutex<State>, updater: &Updater, r: &Request) -> Response {
    let mut s = state.lock().unwrap();
    s.log.push(format!("{} {}", r.method, r.target));
    if r.header("authorization") != Some(s.basic.as_str()) {
        return error(401, "Unauthorized");
    }
    if r.header("accept") != Some("application/json") {
        return error(406, "Not Acceptable");
    }
    let Some(path) = r.path().strip_prefix(PREFIX) else {
        return error(404, "Not Found");
    };
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    if let ("GET", ["zones"]) = (r.method.as_str(), parts.as_slice()) {
        let zones: Vec<Value> = s
            .zones
            .iter()
            .map(|(id, name)| json!({"id": id, "name": name, "synced": true}))
            .collect();
        return Response::json(200, &Value::Array(zones));
    }
    let ["zones", id, "records", rest @ ..] = parts.as_slice() else {
        return error(404, "Not Found");
    };
    let Some(zone) = s.zones.iter().find(|(i, _)| i.to_string() == *id).cloned() else {
        return error(404, "Not Found");
    };
    match (r.method.as_str(), rest) {
        ("GET", []) => {
            let records: Vec<Value> = s
                .records
                .iter()
                .filter(|x| x.zone_id == zone.0)
                .map(record_json)
                .collect();
            Response::json(200, &Value::Array(records))
        }
        ("POST", []) => create(&mut s, updater, zone, r),
        ("DELETE", [record]) => delete(&mut s, updater, zone.0, record),
        _ => error(404, "Not Found"),
    }
}

fn record_json(rec: &Record) -> Value {
    json!({"id": rec.id, "zone_id": rec.zone_id, "name": rec.name, "type": "TXT",
           "content": rec.content, "ttl": 60})
}

fn create(
    s: &mut State,
    updater: &Updater,
    (zone_id, zone): (u64, String),
    r: &Request,
) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&r.body) else {
        return error(400, "Invalid JSON");
    };
    let (Some("TXT"), Some(name), Some(content)) = (
        body["type"].as_str(),
        body["name"].as_str(),
        body["content"].as_str(),
    ) else {
        return error(400, "type, name and content are required");
    };
    let name = name.to_ascii_lowercase();
    if !name.ends_with('.') || !(name == format!("{zone}.") || name.ends_with(&format!(".{zone}.")))
    {
        return error(400, "name must be fully qualified in the zone");
    }
    s.next_id += 1;
    let rec = Record {
        id: s.next_id,
        zone_id,
        name,
        content: content.into(),
    };
    let command = format!("update add {} 60 TXT \"{}\"", rec.name, rec.content);
    if let Err(e) = updater.apply(&[command]) {
        return error(500, &e);
    }
    s.records.push(rec.clone());
    Response::json(200, &record_json(&rec))
}

fn delete(s: &mut State, updater: &Updater, zone_id: u64, id: &str) -> Response {
    let Some(i) = s
        .records
        .iter()
        .position(|x| x.zone_id == zone_id && x.id.to_string() == id)
    else {
        return error(404, "Not Found");
    };
    let rec = s.records[i].clone();
    let command = format!("update delete {} TXT \"{}\"", rec.name, rec.content);
    if let Err(e) = updater.apply(&[command]) {
        return error(500, &e);
    }
    s.records.remove(i);
    Response::json(200, &record_json(&rec))
}
