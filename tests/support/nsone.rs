//! A stand-in for the NS1 REST API (`https://api.nsone.net/v1`), the
//! endpoints a DNS-01 client uses, as NS1 documents them:
//! - `GET /zones`: `[{zone, id}]`;
//! - `GET /zones/{zone}/{domain}/{type}`: the record (`zone`, `domain`,
//!   `type`, `ttl`, `answers`: `[{answer: [VALUE]}]`), 404 when none;
//! - `PUT` to that path: a new record; `POST`: its answers replaced;
//!   `DELETE`: the record deleted.
//!
//! Every request needs `X-NSONE-Key` (else 401 with `message`). Each value
//! a change adds or takes out is applied to a real BIND by RFC 2136
//! (nsupdate). No certbot plugin for NS1 is packaged in Debian: this
//! stand-in follows the API's documentation only.

use super::bind::{Bind, Updater};
use super::https::{Handler, HttpsServer, Request, Response};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

pub const HOST: &str = "api.nsone.net";
const PREFIX: &str = "/v1";

/// One TXT record: its zone, name (no final dot) and values.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub zone: String,
    pub domain: String,
    pub values: Vec<String>,
}

#[derive(Default)]
struct State {
    key: String,
    zones: Vec<String>,
    records: Vec<Record>,
    log: Vec<String>,
}

pub struct Nsone {
    pub server: HttpsServer,
    state: Arc<Mutex<State>>,
}

impl Nsone {
    /// The API on 127.0.0.1:443 in `bind`'s namespace, for an account with
    /// `zones`, accepting `key`.
    pub fn start(bind: &Bind, zones: &[&str], key: &str) -> Nsone {
        let state = Arc::new(Mutex::new(State {
            key: key.into(),
            zones: zones.iter().map(|z| z.to_string()).collect(),
            ..State::default()
        }));
        let (s, updater) = (state.clone(), bind.updater());
        let handler: Handler = Arc::new(move |r: &Request| handle(&s, &updater, r));
        let server = HttpsServer::start(bind.netns.as_deref(), 443, &[HOST], handler);
        Nsone { server, state }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }
    /// A TXT record made by someone else at `domain` (no final dot).
    pub fn seed(&self, bind: &Bind, zone: &str, domain: &str, values: &[&str]) {
        let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        bind.updater()
            .apply(&changes(domain, &[], &values))
            .unwrap();
        self.with(|s| {
            s.records.push(Record {
                zone: zone.into(),
                domain: domain.into(),
                values,
            })
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

fn handle(state: &Mutex<State>, updater: &Updater, r: &Request) -> Response {
    let mut s = state.lock().unwrap();
    s.log.push(format!("{} {}", r.method, r.target));
    if r.header("x-nsone-key") != Some(s.key.as_str()) {
        return error(401, "Unauthorized");
    }
    let Some(path) = r.path().strip_prefix(PREFIX) else {
        return error(404, "Not Found");
    };
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    if let ("GET", ["zones"]) = (r.method.as_str(), parts.as_slice()) {
        let zones: Vec<Value> = (1..)
            .zip(&s.zones)
            .map(|(i, z)| json!({"zone": z, "id": format!("5a1b{i:04}"), "ttl": 3600}))
            .collect();
        return Response::json(200, &Value::Array(zones));
    }
    let ["zones", zone, domain, "TXT"] = parts.as_slice() else {
        return error(404, "Not Found");
    };
    let (zone, domain) = (zone.to_string(), domain.to_ascii_lowercase());
    if !s.zones.contains(&zone) {
        return error(404, "zone not found");
    }
    if domain != zone && !domain.ends_with(&format!(".{zone}")) {
        return error(400, "record is not in the zone");
    }
    let at = s
        .records
        .iter()
        .position(|x| x.zone == zone && x.domain == domain);
    match (r.method.as_str(), at) {
        ("GET", Some(i)) => Response::json(200, &record_json(&s.records[i])),
        ("PUT", None) => {
            s.records.push(Record {
                zone,
                domain,
                values: Vec::new(),
            });
            let i = s.records.len() - 1;
            set_answers(&mut s, updater, i, r)
        }
        ("PUT", Some(_)) => error(400, "record already exists"),
        ("POST", Some(i)) => set_answers(&mut s, updater, i, r),
        ("DELETE", Some(i)) => {
            let rec = s.records[i].clone();
            if let Err(e) = updater.apply(&changes(&rec.domain, &rec.values, &[])) {
                return error(500, &e);
            }
            s.records.remove(i);
            Response::json(200, &json!({}))
        }
        _ => error(404, "record not found"),
    }
}

fn record_json(rec: &Record) -> Value {
    let answers: Vec<Value> = rec.values.iter().map(|v| json!({"answer": [v]})).collect();
    json!({"zone": rec.zone, "domain": rec.domain, "type": "TXT", "ttl": 60,
           "answers": answers, "filters": [], "tier": 1})
}

/// nsupdate lines taking `old` values at `name` to `new` ones.
fn changes(name: &str, old: &[String], new: &[String]) -> Vec<String> {
    let gone = old.iter().filter(|v| !new.contains(v));
    let added = new.iter().filter(|v| !old.contains(v));
    gone.map(|v| format!("update delete {name}. TXT \"{v}\""))
        .chain(added.map(|v| format!("update add {name}. 60 TXT \"{v}\"")))
        .collect()
}

fn set_answers(s: &mut State, updater: &Updater, i: usize, r: &Request) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&r.body) else {
        return error(400, "Invalid JSON");
    };
    let Some(answers) = body["answers"].as_array() else {
        return error(400, "answers are required");
    };
    let values: Vec<String> = answers
        .iter()
        .filter_map(|a| a["answer"][0].as_str().map(str::to_string))
        .collect();
    let commands = changes(&s.records[i].domain, &s.records[i].values, &values);
    if !commands.is_empty()
        && let Err(e) = updater.apply(&commands)
    {
        return error(500, &e);
    }
    s.records[i].values = values;
    Response::json(200, &record_json(&s.records[i]))
}
