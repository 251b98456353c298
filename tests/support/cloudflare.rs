//! A stand-in for the Cloudflare v4 API (`https://api.cloudflare.com/client/v4`),
//! the endpoints a DNS-01 client uses, as Cloudflare documents them:
//! - `GET /zones?name=&page=&per_page=`: the account's zones, paginated
//!   (`result_info.total_pages`);
//! - `POST /zones/{id}/dns_records` (`type`, `name`, `content`, `ttl`);
//! - `GET /zones/{id}/dns_records?type=&name=&content=&page=&per_page=`;
//! - `DELETE /zones/{id}/dns_records/{record}`.
//!
//! Every request must authenticate (`Authorization: Bearer TOKEN`, or
//! `X-Auth-Email` + `X-Auth-Key`); answers are Cloudflare's envelope
//! (`success`, `errors` [{code, message}], `messages`, `result`,
//! `result_info`). Each record added or deleted is applied to a real BIND by
//! RFC 2136 (nsupdate), so the CA validates against real DNS. Faults a test
//! can ask for: answering 429 with `Retry-After: 1` to the next N requests,
//! failing record creation with an error (after some succeeded).

use super::bind::{Bind, Updater};
use super::https::{Handler, HttpsServer, Request, Response};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

pub const HOST: &str = "api.cloudflare.com";
const PREFIX: &str = "/client/v4";

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: String,
    pub zone_id: String,
    pub name: String,
    pub content: String,
}

#[derive(Default)]
struct State {
    token: String,
    email: String,
    key: String,
    zones: Vec<(String, String)>,
    records: Vec<Record>,
    next_id: u64,
    rate_limited: u32,
    /// Record creations to let through before failing with (code, message).
    fail_creation: Option<(u32, i64, String)>,
    max_per_page: usize,
    /// How long a record creation's answer is held back (after the change).
    creation_delay: Option<std::time::Duration>,
    log: Vec<String>,
}

pub struct Cloudflare {
    pub server: HttpsServer,
    state: Arc<Mutex<State>>,
}

impl Cloudflare {
    /// The API on 127.0.0.1:443 in `bind`'s namespace, for an account with
    /// `zones`, accepting the token `token` or `email` with the global `key`.
    pub fn start(bind: &Bind, zones: &[&str], token: &str, email: &str, key: &str) -> Cloudflare {
        let state = Arc::new(Mutex::new(State {
            token: token.into(),
            email: email.into(),
            key: key.into(),
            zones: zones
                .iter()
                .enumerate()
                .map(|(i, z)| (format!("{:032x}", 0xc0ffee + i), z.to_string()))
                .collect(),
            next_id: 1,
            max_per_page: 50,
            ..State::default()
        }));
        let (s, updater) = (state.clone(), bind.updater());
        let handler: Handler = Arc::new(move |r: &Request| handle(&s, &updater, r));
        let server = HttpsServer::start(bind.netns.as_deref(), 443, &[HOST], handler);
        Cloudflare { server, state }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }
    /// Answer the next `n` requests with 429 and `Retry-After: 1`.
    pub fn rate_limit(&self, n: u32) {
        self.with(|s| s.rate_limited = n);
    }
    /// Let `after` record creations through, then fail each with `code`.
    pub fn fail_creation(&self, after: u32, code: i64, message: &str) {
        self.with(|s| s.fail_creation = Some((after, code, message.into())));
    }
    /// Hold back each record creation's answer this long (the record is made).
    pub fn delay_creation(&self, delay: std::time::Duration) {
        self.with(|s| s.creation_delay = Some(delay));
    }
    /// The most results a page holds, whatever `per_page` asks.
    pub fn max_per_page(&self, n: usize) {
        self.with(|s| s.max_per_page = n);
    }
    pub fn records(&self) -> Vec<Record> {
        self.with(|s| s.records.clone())
    }
    /// `METHOD target` of every request, in order.
    pub fn log(&self) -> Vec<String> {
        self.with(|s| s.log.clone())
    }
    /// The zone id of `name`.
    pub fn zone_id(&self, name: &str) -> String {
        self.with(|s| s.zones.iter().find(|(_, n)| n == name).unwrap().0.clone())
    }
    /// A record someone else made (also in BIND).
    pub fn seed(&self, bind: &Bind, zone: &str, name: &str, content: &str) {
        let zone_id = self.zone_id(zone);
        let id = self.with(new_id);
        bind.nsupdate(&[&format!("update add {name}. 120 TXT \"{content}\"")]);
        self.with(|s| {
            s.records.push(Record {
                id,
                zone_id,
                name: name.into(),
                content: content.into(),
            })
        });
    }
}

fn new_id(s: &mut State) -> String {
    s.next_id += 1;
    format!("{:032x}", 0xdead_0000 + s.next_id)
}

fn envelope(result: Value) -> Value {
    json!({"success": true, "errors": [], "messages": [], "result": result})
}

fn error(status: u16, code: i64, message: &str) -> Response {
    Response::json(
        status,
        &json!({"success": false, "errors": [{"code": code, "message": message}],
                "messages": [], "result": null}),
    )
}

fn handle(state: &Mutex<State>, updater: &Updater, r: &Request) -> Response {
    let mut s = state.lock().unwrap();
    s.log.push(format!("{} {}", r.method, r.target));
    if s.rate_limited > 0 {
        s.rate_limited -= 1;
        let mut response = error(
            429,
            971,
            "Please wait and consider throttling your request speed",
        );
        response.headers.push(("Retry-After".into(), "1".into()));
        return response;
    }
    if let Some(refused) = check_auth(&s, r) {
        return refused;
    }
    let Some(path) = r.path().strip_prefix(PREFIX) else {
        return error(404, 7000, "No route for that URI");
    };
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", ["zones"]) => list_zones(&s, r),
        ("POST", ["zones", zone, "dns_records"]) => {
            let response = create(&mut s, updater, zone, r);
            let delay = s.creation_delay;
            drop(s);
            if let Some(d) = delay {
                std::thread::sleep(d);
            }
            response
        }
        ("GET", ["zones", zone, "dns_records"]) => list_records(&s, zone, r),
        ("DELETE", ["zones", zone, "dns_records", id]) => delete(&mut s, updater, zone, id),
        _ => error(404, 7000, "No route for that URI"),
    }
}

/// Cloudflare's answers to missing or wrong credentials.
fn check_auth(s: &State, r: &Request) -> Option<Response> {
    if let Some(bearer) = r.header("authorization") {
        return (bearer != format!("Bearer {}", s.token))
            .then(|| error(403, 9109, "Invalid access token"));
    }
    match (r.header("x-auth-email"), r.header("x-auth-key")) {
        (Some(e), Some(k)) if e == s.email && k == s.key => None,
        (Some(_), Some(_)) => Some(error(403, 9103, "Unknown X-Auth-Key or X-Auth-Email")),
        _ => Some(error(400, 6003, "Invalid request headers")),
    }
}

/// One page of `items` as `page` and `per_page` ask (capped).
fn page_of(s: &State, r: &Request, items: Vec<Value>, default_per_page: usize) -> Response {
    let per_page = r
        .param("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(default_per_page)
        .clamp(1, s.max_per_page);
    let page: usize = r
        .param("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let total = items.len();
    let chunk: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    let mut body = envelope(Value::Array(chunk.clone()));
    body["result_info"] = json!({"page": page, "per_page": per_page, "count": chunk.len(),
        "total_count": total, "total_pages": total.div_ceil(per_page).max(1)});
    Response::json(200, &body)
}

fn list_zones(s: &State, r: &Request) -> Response {
    let wanted = r.param("name");
    let zones: Vec<Value> = s
        .zones
        .iter()
        .filter(|(_, n)| wanted.as_deref().is_none_or(|w| w.eq_ignore_ascii_case(n)))
        .map(|(id, n)| json!({"id": id, "name": n, "status": "active"}))
        .collect();
    page_of(s, r, zones, 20)
}

fn zone_name(s: &State, id: &str) -> Option<String> {
    s.zones
        .iter()
        .find(|(i, _)| i == id)
        .map(|(_, n)| n.clone())
}

fn record_json(rec: &Record, zone: &str) -> Value {
    json!({"id": rec.id, "zone_id": rec.zone_id, "zone_name": zone, "type": "TXT",
           "name": rec.name, "content": rec.content, "ttl": 120, "proxied": false})
}

fn create(s: &mut State, updater: &Updater, zone_id: &str, r: &Request) -> Response {
    let Some(zone) = zone_name(s, zone_id) else {
        return error(
            404,
            7003,
            "Could not route to /zones, perhaps your object identifier is invalid?",
        );
    };
    let Ok(body) = serde_json::from_slice::<Value>(&r.body) else {
        return error(400, 9207, "Request body is invalid.");
    };
    let (Some("TXT"), Some(name), Some(content)) = (
        body["type"].as_str(),
        body["name"].as_str(),
        body["content"].as_str(),
    ) else {
        return error(400, 9000, "DNS name, type and content are required");
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name != zone && !name.ends_with(&format!(".{zone}")) {
        return error(400, 9007, "Record name is not inside the zone");
    }
    if let Some((after, code, message)) = &mut s.fail_creation {
        if *after == 0 {
            return error(400, *code, &message.clone());
        }
        *after -= 1;
    }
    if s.records
        .iter()
        .any(|x| x.name == name && x.content == content)
    {
        return error(400, 81058, "An identical record already exists.");
    }
    if let Err(e) = updater.apply(&[format!("update add {name}. 120 TXT \"{content}\"")]) {
        return error(500, 1000, &e);
    }
    let rec = Record {
        id: new_id(s),
        zone_id: zone_id.into(),
        name,
        content: content.into(),
    };
    s.records.push(rec.clone());
    Response::json(200, &envelope(record_json(&rec, &zone)))
}

fn list_records(s: &State, zone_id: &str, r: &Request) -> Response {
    let Some(zone) = zone_name(s, zone_id) else {
        return error(
            404,
            7003,
            "Could not route to /zones, perhaps your object identifier is invalid?",
        );
    };
    let (name, content, kind) = (r.param("name"), r.param("content"), r.param("type"));
    let items: Vec<Value> = s
        .records
        .iter()
        .filter(|x| x.zone_id == zone_id)
        .filter(|_| kind.as_deref().is_none_or(|k| k == "TXT"))
        .filter(|x| {
            name.as_deref()
                .is_none_or(|n| n.eq_ignore_ascii_case(&x.name))
        })
        .filter(|x| content.as_deref().is_none_or(|c| c == x.content))
        .map(|x| record_json(x, &zone))
        .collect();
    page_of(s, r, items, 100)
}

fn delete(s: &mut State, updater: &Updater, zone_id: &str, id: &str) -> Response {
    let Some(i) = s
        .records
        .iter()
        .position(|x| x.zone_id == zone_id && x.id == id)
    else {
        return error(404, 81044, "Record does not exist.");
    };
    let rec = s.records[i].clone();
    let command = format!("update delete {}. TXT \"{}\"", rec.name, rec.content);
    if let Err(e) = updater.apply(&[command]) {
        return error(500, 1000, &e);
    }
    s.records.remove(i);
    Response::json(200, &envelope(json!({"id": rec.id})))
}
