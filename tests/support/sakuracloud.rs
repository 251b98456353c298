//! A stand-in for the Sakura Cloud API's DNS service
//! (`https://secure.sakura.ad.jp/cloud/zone/is1a/api/cloud/1.1`), the
//! endpoints a DNS-01 client uses, as Sakura Cloud documents them:
//! - `GET /commonserviceitem?{JSON}` (the query is JSON: `Filter` by
//!   `Provider.Class` and `Name`, `From`, `Count`): `From`, `Count`,
//!   `Total`, `CommonServiceItems` (`ID`, `Name`, `Status.Zone`,
//!   `Settings.DNS.ResourceRecordSets`);
//! - `GET /commonserviceitem/{id}`: `CommonServiceItem`;
//! - `PUT /commonserviceitem/{id}` with
//!   `CommonServiceItem.Settings.DNS.ResourceRecordSets`: the zone's
//!   records replaced whole.
//!
//! Every request needs HTTP Basic with the token and the secret (else 401
//! with `error_code`, `error_msg`). Each TXT record a PUT adds or takes out
//! is applied to a real BIND by RFC 2136 (nsupdate).

use super::bind::{Bind, Updater};
use super::https::{Handler, HttpsServer, Request, Response, decode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

pub const HOST: &str = "secure.sakura.ad.jp";
const PREFIX: &str = "/cloud/zone/is1a/api/cloud/1.1";

#[derive(Default)]
struct State {
    basic: String,
    /// Each zone and its record list (the API's `ResourceRecordSets`).
    zones: Vec<(String, Vec<Value>)>,
    max_count: u64,
    log: Vec<String>,
}

pub struct SakuraCloud {
    pub server: HttpsServer,
    state: Arc<Mutex<State>>,
}

impl SakuraCloud {
    /// The API on 127.0.0.1:443 in `bind`'s namespace, for an account with
    /// `zones`, accepting `token` and `secret`.
    pub fn start(bind: &Bind, zones: &[&str], token: &str, secret: &str) -> SakuraCloud {
        let state = Arc::new(Mutex::new(State {
            basic: format!("Basic {}", STANDARD.encode(format!("{token}:{secret}"))),
            zones: zones.iter().map(|z| (z.to_string(), Vec::new())).collect(),
            max_count: 100,
            ..State::default()
        }));
        let (s, updater) = (state.clone(), bind.updater());
        let handler: Handler = Arc::new(move |r: &Request| handle(&s, &updater, r));
        let server = HttpsServer::start(bind.netns.as_deref(), 443, &[HOST], handler);
        SakuraCloud { server, state }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }
    /// The most zones a list answer holds, whatever `Count` asks.
    pub fn max_count(&self, n: u64) {
        self.with(|s| s.max_count = n);
    }
    /// A TXT record made by someone else: `name` relative to `zone`.
    pub fn seed(&self, bind: &Bind, zone: &str, name: &str, value: &str) {
        let command = format!("update add {} 60 TXT \"{value}\"", fqdn(name, zone));
        bind.updater().apply(&[command]).unwrap();
        let set = json!({"Name": name, "Type": "TXT", "RData": value, "TTL": 60});
        self.with(|s| {
            if let Some((_, sets)) = s.zones.iter_mut().find(|(z, _)| z == zone) {
                sets.push(set);
            }
        });
    }
    /// Every zone's TXT records (`zone`, `Name`, `RData`).
    pub fn txt_records(&self) -> Vec<(String, String, String)> {
        self.with(|s| {
            let mut all = Vec::new();
            for (zone, sets) in &s.zones {
                for set in sets.iter().filter(|x| x["Type"] == "TXT") {
                    let field = |k: &str| set[k].as_str().unwrap_or_default().to_string();
                    all.push((zone.clone(), field("Name"), field("RData")));
                }
            }
            all
        })
    }
    pub fn log(&self) -> Vec<String> {
        self.with(|s| s.log.clone())
    }
}

fn error(status: u16, code: &str, message: &str) -> Response {
    Response::json(
        status,
        &json!({"is_fatal": true, "serial": "0123456789abcdef", "status": format!("{status}"),
                "error_code": code, "error_msg": message}),
    )
}

fn zone_id(index: usize) -> String {
    format!("1129{:08}", index + 1)
}

fn item_json(index: usize, zone: &str, sets: &[Value]) -> Value {
    json!({"ID": zone_id(index), "Name": zone, "Provider": {"Class": "dns"},
           "Status": {"Zone": zone, "NS": ["ns1.gslb1.sakura.ne.jp", "ns2.gslb1.sakura.ne.jp"]},
           "Settings": {"DNS": {"ResourceRecordSets": sets}}})
}

fn handle(state: &Mutex<State>, updater: &Updater, r: &Request) -> Response {
    let mut s = state.lock().unwrap();
    s.log.push(format!("{} {}", r.method, r.target));
    if r.header("authorization") != Some(s.basic.as_str()) {
        return error(401, "unauthorized", "Authentication failed.");
    }
    let Some(path) = r.path().strip_prefix(PREFIX) else {
        return error(404, "not_found", "Not found.");
    };
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", ["commonserviceitem"]) => list(&s, r),
        (method, ["commonserviceitem", id]) => {
            let Some(index) = (0..s.zones.len()).find(|i| zone_id(*i) == *id) else {
                return error(404, "not_found", "Not found.");
            };
            if method == "PUT" {
                if let Err(response) = replace(&mut s, updater, index, r) {
                    return response;
                }
            } else if method != "GET" {
                return error(405, "method_not_allowed", "Method not allowed.");
            }
            let (zone, sets) = &s.zones[index];
            Response::json(
                200,
                &json!({"CommonServiceItem": item_json(index, zone, sets), "Success": true, "is_ok": true}),
            )
        }
        _ => error(404, "not_found", "Not found."),
    }
}

/// The query's JSON (`Filter`, `From`, `Count`), the whole query string.
fn list(s: &State, r: &Request) -> Response {
    let query = r.target.split_once('?').map(|(_, q)| decode(q));
    let params: Value = query
        .and_then(|q| serde_json::from_str(&q).ok())
        .unwrap_or(Value::Null);
    let class = params
        .pointer("/Filter/Provider.Class")
        .and_then(Value::as_str);
    if class.is_some_and(|c| c != "dns") {
        return Response::json(
            200,
            &json!({"From": 0, "Count": 0, "Total": 0, "CommonServiceItems": []}),
        );
    }
    let name = params.pointer("/Filter/Name").and_then(Value::as_str);
    let from = params["From"].as_u64().unwrap_or(0) as usize;
    let count = params["Count"].as_u64().unwrap_or(100).min(s.max_count) as usize;
    let matching: Vec<Value> = s
        .zones
        .iter()
        .enumerate()
        .filter(|(_, (zone, _))| name.is_none_or(|n| zone.contains(n)))
        .map(|(i, (zone, sets))| item_json(i, zone, sets))
        .collect();
    let total = matching.len();
    let page: Vec<Value> = matching.into_iter().skip(from).take(count).collect();
    Response::json(
        200,
        &json!({"From": from, "Count": page.len(), "Total": total, "CommonServiceItems": page}),
    )
}

fn fqdn(name: &str, zone: &str) -> String {
    match name {
        "@" | "" => format!("{zone}."),
        n => format!("{n}.{zone}."),
    }
}

/// The TXT records of `sets` as `(fqdn, value)`.
fn txt_of(sets: &[Value], zone: &str) -> Vec<(String, String)> {
    sets.iter()
        .filter(|x| x["Type"] == "TXT")
        .map(|x| {
            let name = x["Name"].as_str().unwrap_or_default();
            (
                fqdn(name, zone),
                x["RData"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn replace(s: &mut State, updater: &Updater, index: usize, r: &Request) -> Result<(), Response> {
    let body: Value =
        serde_json::from_slice(&r.body).map_err(|_| error(400, "bad_request", "Invalid JSON."))?;
    let sets = body
        .pointer("/CommonServiceItem/Settings/DNS/ResourceRecordSets")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| error(400, "bad_request", "ResourceRecordSets is required."))?;
    let (zone, old) = &s.zones[index];
    let (before, after) = (txt_of(old, zone), txt_of(&sets, zone));
    let gone = before.iter().filter(|x| !after.contains(x));
    let added = after.iter().filter(|x| !before.contains(x));
    let commands: Vec<String> = gone
        .map(|(n, v)| format!("update delete {n} TXT \"{v}\""))
        .chain(added.map(|(n, v)| format!("update add {n} 60 TXT \"{v}\"")))
        .collect();
    if !commands.is_empty() {
        updater
            .apply(&commands)
            .map_err(|e| error(500, "internal", &e))?;
    }
    s.zones[index].1 = sets;
    Ok(())
}
