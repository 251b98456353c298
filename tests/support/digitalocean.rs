//! A stand-in for the DigitalOcean v2 API (`https://api.digitalocean.com/v2`),
//! the endpoints a DNS-01 client uses, as DigitalOcean documents them:
//! - `GET /domains?page=&per_page=`: the account's domains, paginated
//!   (`links.pages.next`, `meta.total`);
//! - `POST /domains/{name}/records` (`type`, `name` relative, `data`, `ttl`),
//!   answered 201 with `domain_record`;
//! - `GET /domains/{name}/records?type=&name=FQDN&page=&per_page=`;
//! - `DELETE /domains/{name}/records/{id}`, answered 204.
//!
//! Every request needs `Authorization: Bearer TOKEN` (else 401
//! `unauthorized`); errors are `{"id", "message"}`. Each record added or
//! deleted is applied to a real BIND by RFC 2136 (nsupdate).

use super::bind::{Bind, Updater};
use super::https::{Handler, HttpsServer, Request, Response};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

pub const HOST: &str = "api.digitalocean.com";
const PREFIX: &str = "/v2";

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: u64,
    pub domain: String,
    /// Relative to the domain (`@` at its apex).
    pub name: String,
    pub data: String,
}

#[derive(Default)]
struct State {
    token: String,
    domains: Vec<String>,
    records: Vec<Record>,
    next_id: u64,
    max_per_page: usize,
    log: Vec<String>,
}

pub struct DigitalOcean {
    pub server: HttpsServer,
    state: Arc<Mutex<State>>,
}

impl DigitalOcean {
    /// The API on 127.0.0.1:443 in `bind`'s namespace, for an account with
    /// `domains`, accepting `token`.
    pub fn start(bind: &Bind, domains: &[&str], token: &str) -> DigitalOcean {
        let state = Arc::new(Mutex::new(State {
            token: token.into(),
            domains: domains.iter().map(|d| d.to_string()).collect(),
            next_id: 28_448_000,
            max_per_page: 200,
            ..State::default()
        }));
        let (s, updater) = (state.clone(), bind.updater());
        let handler: Handler = Arc::new(move |r: &Request| handle(&s, &updater, r));
        let server = HttpsServer::start(bind.netns.as_deref(), 443, &[HOST], handler);
        DigitalOcean { server, state }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }
    /// The most results a page holds, whatever `per_page` asks.
    pub fn max_per_page(&self, n: usize) {
        self.with(|s| s.max_per_page = n);
    }
    pub fn records(&self) -> Vec<Record> {
        self.with(|s| s.records.clone())
    }
    pub fn log(&self) -> Vec<String> {
        self.with(|s| s.log.clone())
    }
}

fn error(status: u16, id: &str, message: &str) -> Response {
    Response::json(status, &json!({"id": id, "message": message}))
}

fn handle(state: &Mutex<State>, updater: &Updater, r: &Request) -> Response {
    let mut s = state.lock().unwrap();
    s.log.push(format!("{} {}", r.method, r.target));
    if r.header("authorization") != Some(&format!("Bearer {}", s.token)) {
        return error(401, "unauthorized", "Unable to authenticate you");
    }
    let Some(path) = r.path().strip_prefix(PREFIX) else {
        return error(
            404,
            "not_found",
            "The resource you were accessing could not be found.",
        );
    };
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", ["domains"]) => {
            let items = s
                .domains
                .iter()
                .map(|d| json!({"name": d, "ttl": 1800, "zone_file": ""}))
                .collect();
            page_of(&s, r, "domains", items)
        }
        ("POST", ["domains", domain, "records"]) => create(&mut s, updater, domain, r),
        ("GET", ["domains", domain, "records"]) => list_records(&s, domain, r),
        ("DELETE", ["domains", domain, "records", id]) => delete(&mut s, updater, domain, id),
        _ => error(
            404,
            "not_found",
            "The resource you were accessing could not be found.",
        ),
    }
}

/// One page of `items` under `key`, with `links.pages.next` when more follow.
fn page_of(s: &State, r: &Request, key: &str, items: Vec<Value>) -> Response {
    let per_page = r
        .param("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(20usize)
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
    let mut pages = serde_json::Map::new();
    if page * per_page < total {
        let mut query: Vec<String> = r
            .query()
            .into_iter()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        query.push(format!("page={}", page + 1));
        let next = format!("https://{HOST}{}?{}", r.path(), query.join("&"));
        pages.insert("next".into(), Value::String(next));
    }
    Response::json(
        200,
        &json!({key: chunk, "links": {"pages": pages}, "meta": {"total": total}}),
    )
}

fn fqdn(rec: &Record) -> String {
    match rec.name.as_str() {
        "@" => rec.domain.clone(),
        name => format!("{name}.{}", rec.domain),
    }
}

fn record_json(rec: &Record) -> Value {
    json!({"id": rec.id, "type": "TXT", "name": rec.name, "data": rec.data, "priority": null,
           "port": null, "ttl": 30, "weight": null, "flags": null, "tag": null})
}

fn create(s: &mut State, updater: &Updater, domain: &str, r: &Request) -> Response {
    if !s.domains.iter().any(|d| d == domain) {
        return error(
            404,
            "not_found",
            "The resource you were accessing could not be found.",
        );
    }
    let Ok(body) = serde_json::from_slice::<Value>(&r.body) else {
        return error(400, "bad_request", "Unable to parse the request body.");
    };
    let (Some("TXT"), Some(name), Some(data)) = (
        body["type"].as_str(),
        body["name"].as_str(),
        body["data"].as_str(),
    ) else {
        return error(
            422,
            "unprocessable_entity",
            "Type, name and data are required.",
        );
    };
    s.next_id += 1;
    let rec = Record {
        id: s.next_id,
        domain: domain.into(),
        name: name.to_ascii_lowercase(),
        data: data.into(),
    };
    let command = format!("update add {}. 30 TXT \"{}\"", fqdn(&rec), rec.data);
    if let Err(e) = updater.apply(&[command]) {
        return error(500, "server_error", &e);
    }
    s.records.push(rec.clone());
    Response::json(201, &json!({"domain_record": record_json(&rec)}))
}

fn list_records(s: &State, domain: &str, r: &Request) -> Response {
    if !s.domains.iter().any(|d| d == domain) {
        return error(
            404,
            "not_found",
            "The resource you were accessing could not be found.",
        );
    }
    let (name, kind) = (r.param("name"), r.param("type"));
    let items = s
        .records
        .iter()
        .filter(|x| x.domain == domain)
        .filter(|_| kind.as_deref().is_none_or(|k| k == "TXT"))
        .filter(|x| {
            name.as_deref()
                .is_none_or(|n| n.eq_ignore_ascii_case(&fqdn(x)))
        })
        .map(record_json)
        .collect();
    page_of(s, r, "domain_records", items)
}

fn delete(s: &mut State, updater: &Updater, domain: &str, id: &str) -> Response {
    let Some(i) = s
        .records
        .iter()
        .position(|x| x.domain == domain && x.id.to_string() == id)
    else {
        return error(
            404,
            "not_found",
            "The resource you were accessing could not be found.",
        );
    };
    let rec = s.records[i].clone();
    let command = format!("update delete {}. TXT \"{}\"", fqdn(&rec), rec.data);
    if let Err(e) = updater.apply(&[command]) {
        return error(500, "server_error", &e);
    }
    s.records.remove(i);
    Response {
        status: 204,
        headers: Vec::new(),
        body: Vec::new(),
    }
}
