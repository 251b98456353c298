//! A stand-in for the Gehirn Infrastructure Service DNS API
//! (`https://api.gis.gehirn.jp/dns/v1`), the endpoints a DNS-01 client
//! uses, as Gehirn documents them:
//! - `GET /zones`: `[{id, name, current_version_id}]`;
//! - `GET /zones/{zone}/versions/{version}/records`: the record sets
//!   (`id`, `type`, `name` fully qualified with the final dot,
//!   `enable_alias`, `ttl`, `records`: `[{data}]` for TXT);
//! - `POST .../records` (a new set), `PUT .../records/{id}` (the set
//!   replaced), `DELETE .../records/{id}`.
//!
//! Every request needs HTTP Basic with the token and the secret (else 401).
//! Each value a change adds or takes out is applied to a real BIND by RFC
//! 2136 (nsupdate).

use super::bind::{Bind, Updater};
use super::https::{Handler, HttpsServer, Request, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

pub const HOST: &str = "api.gis.gehirn.jp";
const PREFIX: &str = "/dns/v1";
const VERSION: &str = "v-current";

/// One TXT record set.
#[derive(Clone, Debug, PartialEq)]
pub struct Set {
    pub id: String,
    pub zone: String,
    /// Fully qualified, final dot.
    pub name: String,
    pub values: Vec<String>,
}

#[derive(Default)]
struct State {
    basic: String,
    zones: Vec<String>,
    sets: Vec<Set>,
    next_id: u64,
    log: Vec<String>,
}

pub struct Gehirn {
    pub server: HttpsServer,
    state: Arc<Mutex<State>>,
}

impl Gehirn {
    /// The API on 127.0.0.1:443 in `bind`'s namespace, for an account with
    /// `zones`, accepting `token` and `secret`.
    pub fn start(bind: &Bind, zones: &[&str], token: &str, secret: &str) -> Gehirn {
        let state = Arc::new(Mutex::new(State {
            basic: format!("Basic {}", STANDARD.encode(format!("{token}:{secret}"))),
            zones: zones.iter().map(|z| z.to_string()).collect(),
            next_id: 100,
            ..State::default()
        }));
        let (s, updater) = (state.clone(), bind.updater());
        let handler: Handler = Arc::new(move |r: &Request| handle(&s, &updater, r));
        let server = HttpsServer::start(bind.netns.as_deref(), 443, &[HOST], handler);
        Gehirn { server, state }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }
    /// A TXT set made by someone else at `name` (fully qualified, final dot).
    pub fn seed(&self, bind: &Bind, zone: &str, name: &str, values: &[&str]) {
        let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        bind.updater().apply(&changes(name, &[], &values)).unwrap();
        self.with(|s| {
            s.next_id += 1;
            let id = format!("r-{}", s.next_id);
            s.sets.push(Set {
                id,
                zone: zone.into(),
                name: name.into(),
                values,
            });
        });
    }
    /// The TXT sets (none once every value is gone).
    pub fn sets(&self) -> Vec<Set> {
        self.with(|s| s.sets.clone())
    }
    pub fn log(&self) -> Vec<String> {
        self.with(|s| s.log.clone())
    }
}

fn error(status: u16, message: &str) -> Response {
    Response::json(status, &json!({"message": message}))
}

fn zone_id(zone: &str) -> String {
    format!("z-{}", zone.replace('.', "-"))
}

fn handle(state: &Mutex<State>, updater: &Updater, r: &Request) -> Response {
    let mut s = state.lock().unwrap();
    s.log.push(format!("{} {}", r.method, r.target));
    if r.header("authorization") != Some(s.basic.as_str()) {
        return error(401, "Unauthorized");
    }
    let Some(path) = r.path().strip_prefix(PREFIX) else {
        return error(404, "Not Found");
    };
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    if let ("GET", ["zones"]) = (r.method.as_str(), parts.as_slice()) {
        let zones: Vec<Value> = s
            .zones
            .iter()
            .map(|z| {
                json!({"id": zone_id(z), "name": z,
            "current_version_id": VERSION, "current_version": {"id": VERSION, "editable": true}})
            })
            .collect();
        return Response::json(200, &Value::Array(zones));
    }
    let ["zones", id, "versions", VERSION, "records", rest @ ..] = parts.as_slice() else {
        return error(404, "Not Found");
    };
    let Some(zone) = s.zones.iter().find(|z| zone_id(z) == *id).cloned() else {
        return error(404, "Not Found");
    };
    match (r.method.as_str(), rest) {
        ("GET", []) => {
            let sets: Vec<Value> = s
                .sets
                .iter()
                .filter(|x| x.zone == zone)
                .map(set_json)
                .collect();
            Response::json(200, &Value::Array(sets))
        }
        ("POST", []) => store(&mut s, updater, &zone, None, r),
        ("PUT", [set]) => store(&mut s, updater, &zone, Some(set), r),
        ("DELETE", [set]) => delete(&mut s, updater, set),
        _ => error(404, "Not Found"),
    }
}

fn set_json(set: &Set) -> Value {
    let records: Vec<Value> = set.values.iter().map(|v| json!({"data": v})).collect();
    json!({"id": set.id, "type": "TXT", "name": set.name, "enable_alias": false, "ttl": 60,
           "records": records})
}

/// nsupdate lines taking `old` values at `name` to `new` ones.
fn changes(name: &str, old: &[String], new: &[String]) -> Vec<String> {
    let gone = old.iter().filter(|v| !new.contains(v));
    let added = new.iter().filter(|v| !old.contains(v));
    gone.map(|v| format!("update delete {name} TXT \"{v}\""))
        .chain(added.map(|v| format!("update add {name} 60 TXT \"{v}\"")))
        .collect()
}

fn store(s: &mut State, updater: &Updater, zone: &str, id: Option<&str>, r: &Request) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&r.body) else {
        return error(400, "Invalid JSON");
    };
    let (Some("TXT"), Some(name)) = (body["type"].as_str(), body["name"].as_str()) else {
        return error(400, "type and name are required");
    };
    let values: Vec<String> = body["records"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["data"].as_str().map(str::to_string))
        .collect();
    let index = match id {
        Some(id) => match s.sets.iter().position(|x| x.id == id) {
            Some(i) => i,
            None => return error(404, "Not Found"),
        },
        None => {
            s.next_id += 1;
            let set = Set {
                id: format!("r-{}", s.next_id),
                zone: zone.into(),
                name: name.into(),
                values: Vec::new(),
            };
            s.sets.push(set);
            s.sets.len() - 1
        }
    };
    let commands = changes(name, &s.sets[index].values, &values);
    if !commands.is_empty()
        && let Err(e) = updater.apply(&commands)
    {
        return error(500, &e);
    }
    s.sets[index].values = values;
    Response::json(200, &set_json(&s.sets[index]))
}

fn delete(s: &mut State, updater: &Updater, id: &str) -> Response {
    let Some(i) = s.sets.iter().position(|x| x.id == id) else {
        return error(404, "Not Found");
    };
    let set = s.sets[i].clone();
    if let Err(e) = updater.apply(&changes(&set.name, &set.values, &[])) {
        return error(500, &e);
    }
    s.sets.remove(i);
    Response::json(200, &set_json(&set))
}
