//! A stand-in for the Linode v4 API (`https://api.linode.com/v4`), the
//! endpoints a DNS-01 client uses, as Linode documents them:
//! - `GET /domains?page=&page_size=` (an `X-Filter: {"domain": NAME}` header
//!   narrows it): `data`, `page`, `pages`, `results`;
//! - `POST /domains/{id}/records` (`type`, `name` relative, `target`, `ttl_sec`);
//! - `GET /domains/{id}/records?page=&page_size=`;
//! - `DELETE /domains/{id}/records/{record}`.
//!
//! Every request needs `Authorization: Bearer TOKEN` (else 401 with
//! `errors: [{reason}]`). Each record added or deleted is applied to a real
//! BIND by RFC 2136 (nsupdate).

use super::bind::{Bind, Updater};
use super::https::{Handler, HttpsServer, Request, Response};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

pub const HOST: &str = "api.linode.com";
const PREFIX: &str = "/v4";

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: u64,
    pub domain_id: u64,
    /// Relative to the domain (empty at its apex).
    pub name: String,
    pub target: String,
}

#[derive(Default)]
struct State {
    token: String,
    domains: Vec<(u64, String)>,
    records: Vec<Record>,
    next_id: u64,
    max_page_size: usize,
    log: Vec<String>,
}

pub struct Linode {
    pub server: HttpsServer,
    state: Arc<Mutex<State>>,
}

impl Linode {
    /// The API on 127.0.0.1:443 in `bind`'s namespace, for an account with
    /// `domains`, accepting `token`.
    pub fn start(bind: &Bind, domains: &[&str], token: &str) -> Linode {
        let state = Arc::new(Mutex::new(State {
            token: token.into(),
            domains: (1..)
                .zip(domains.iter().map(|d| d.to_string()))
                .map(|(i, d)| (1000 + i, d))
                .collect(),
            next_id: 5_000_000,
            max_page_size: 500,
            ..State::default()
        }));
        let (s, updater) = (state.clone(), bind.updater());
        let handler: Handler = Arc::new(move |r: &Request| handle(&s, &updater, r));
        let server = HttpsServer::start(bind.netns.as_deref(), 443, &[HOST], handler);
        Linode { server, state }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }
    /// The most results a page holds, whatever `page_size` asks.
    pub fn max_page_size(&self, n: usize) {
        self.with(|s| s.max_page_size = n);
    }
    pub fn records(&self) -> Vec<Record> {
        self.with(|s| s.records.clone())
    }
    pub fn log(&self) -> Vec<String> {
        self.with(|s| s.log.clone())
    }
}

fn error(status: u16, reason: &str) -> Response {
    Response::json(status, &json!({"errors": [{"reason": reason}]}))
}

fn handle(state: &Mutex<State>, updater: &Updater, r: &Request) -> Response {
    let mut s = state.lock().unwrap();
    s.log.push(format!("{} {}", r.method, r.target));
    if r.header("authorization") != Some(&format!("Bearer {}", s.token)) {
        return error(401, "Invalid Token");
    }
    let Some(path) = r.path().strip_prefix(PREFIX) else {
        return error(404, "Not found");
    };
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let domain = |id: &str| s.domains.iter().find(|(i, _)| i.to_string() == id).cloned();
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", ["domains"]) => {
            let wanted: Option<String> = r
                .header("x-filter")
                .and_then(|f| serde_json::from_str::<Value>(f).ok())
                .and_then(|f| f["domain"].as_str().map(str::to_string));
            let items = s
                .domains
                .iter()
                .filter(|(_, d)| wanted.as_deref().is_none_or(|w| w.eq_ignore_ascii_case(d)))
                .map(|(id, d)| json!({"id": id, "domain": d, "type": "master", "status": "active"}))
                .collect();
            page_of(&s, r, items)
        }
        ("POST", ["domains", id, "records"]) => match domain(id) {
            Some(d) => create(&mut s, updater, d, r),
            None => error(404, "Not found"),
        },
        ("GET", ["domains", id, "records"]) => match domain(id) {
            Some((id, _)) => {
                let items = s
                    .records
                    .iter()
                    .filter(|x| x.domain_id == id)
                    .map(record_json)
                    .collect();
                page_of(&s, r, items)
            }
            None => error(404, "Not found"),
        },
        ("DELETE", ["domains", id, "records", record]) => match domain(id) {
            Some(d) => delete(&mut s, updater, d, record),
            None => error(404, "Not found"),
        },
        _ => error(404, "Not found"),
    }
}

fn page_of(s: &State, r: &Request, items: Vec<Value>) -> Response {
    let size = r
        .param("page_size")
        .and_then(|p| p.parse().ok())
        .unwrap_or(100usize)
        .clamp(1, s.max_page_size);
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
        &json!({"data": data, "page": page, "pages": total.div_ceil(size).max(1), "results": total}),
    )
}

fn fqdn(name: &str, domain: &str) -> String {
    match name {
        "" => domain.to_string(),
        n => format!("{n}.{domain}"),
    }
}

fn record_json(rec: &Record) -> Value {
    json!({"id": rec.id, "type": "TXT", "name": rec.name, "target": rec.target, "ttl_sec": 30,
           "priority": 0, "weight": 0, "port": 0, "service": null, "protocol": null, "tag": null})
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
    let (Some("TXT"), Some(target)) = (body["type"].as_str(), body["target"].as_str()) else {
        return error(400, "type and target are required");
    };
    let name = body["name"].as_str().unwrap_or("").to_ascii_lowercase();
    s.next_id += 1;
    let rec = Record {
        id: s.next_id,
        domain_id,
        name,
        target: target.into(),
    };
    let command = format!(
        "update add {}. 30 TXT \"{}\"",
        fqdn(&rec.name, &domain),
        rec.target
    );
    if let Err(e) = updater.apply(&[command]) {
        return error(500, &e);
    }
    s.records.push(rec.clone());
    Response::json(200, &record_json(&rec))
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
        return error(404, "Not found");
    };
    let rec = s.records[i].clone();
    let command = format!(
        "update delete {}. TXT \"{}\"",
        fqdn(&rec.name, &domain),
        rec.target
    );
    if let Err(e) = updater.apply(&[command]) {
        return error(500, &e);
    }
    s.records.remove(i);
    Response::json(200, &json!({}))
}
