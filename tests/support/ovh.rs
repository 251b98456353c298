//! A stand-in for the OVHcloud API v1 (`https://eu.api.ovh.com/1.0`, the
//! `ovh-eu` endpoint), the endpoints a DNS-01 client uses, as OVH documents
//! them:
//! - `GET /auth/time` (no signature): the API's clock, here a quarter of an
//!   hour ahead of this machine's, so a client must use it;
//! - `GET /domain/zone`: the account's zone names;
//! - `GET /domain/zone/{zone}/status`: `isDeployed`;
//! - `GET /domain/zone/{zone}/record?fieldType=&subDomain=`: record ids;
//! - `GET|DELETE /domain/zone/{zone}/record/{id}`;
//! - `POST /domain/zone/{zone}/record` (`fieldType`, `subDomain`, `target`, `ttl`);
//! - `POST /domain/zone/{zone}/refresh`: the zone's changes go live (to a
//!   real BIND, by RFC 2136) only then.
//!
//! Every other request must be signed: `X-Ovh-Application`,
//! `X-Ovh-Consumer`, `X-Ovh-Timestamp` within 30 s of the API's clock and
//! `X-Ovh-Signature` recomputed here over what was received.

use super::bind::{Bind, Updater};
use super::https::{Handler, HttpsServer, Request, Response};
use serde_json::{Value, json};
use sha1::{Digest, Sha1};
use std::sync::{Arc, Mutex};

pub const HOST: &str = "eu.api.ovh.com";
const PREFIX: &str = "/1.0";
/// How far the API's clock is ahead of this machine's.
const CLOCK_AHEAD: i64 = 900;

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: u64,
    pub zone: String,
    /// Relative to the zone (empty at its apex).
    pub sub_domain: String,
    pub target: String,
}

#[derive(Default)]
struct State {
    application_key: String,
    application_secret: String,
    consumer_key: String,
    zones: Vec<String>,
    records: Vec<Record>,
    /// nsupdate commands waiting for their zone's refresh.
    pending: Vec<(String, String)>,
    next_id: u64,
    log: Vec<String>,
}

pub struct Ovh {
    pub server: HttpsServer,
    state: Arc<Mutex<State>>,
}

impl Ovh {
    /// The API on 127.0.0.1:443 in `bind`'s namespace, for an account with
    /// `zones`, accepting the keys `(application key, secret, consumer key)`.
    pub fn start(bind: &Bind, zones: &[&str], keys: (&str, &str, &str)) -> Ovh {
        let state = Arc::new(Mutex::new(State {
            application_key: keys.0.into(),
            application_secret: keys.1.into(),
            consumer_key: keys.2.into(),
            zones: zones.iter().map(|z| z.to_string()).collect(),
            next_id: 1_000_000,
            ..State::default()
        }));
        let (s, updater) = (state.clone(), bind.updater());
        let handler: Handler = Arc::new(move |r: &Request| handle(&s, &updater, r));
        let server = HttpsServer::start(bind.netns.as_deref(), 443, &[HOST], handler);
        Ovh { server, state }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }
    pub fn records(&self) -> Vec<Record> {
        self.with(|s| s.records.clone())
    }
    /// Changes made but never published by a refresh.
    pub fn unpublished(&self) -> usize {
        self.with(|s| s.pending.len())
    }
    pub fn log(&self) -> Vec<String> {
        self.with(|s| s.log.clone())
    }
}

fn error(status: u16, code: Option<&str>, message: &str) -> Response {
    let mut body = json!({"message": message});
    if let Some(code) = code {
        body["errorCode"] = json!(code);
        body["httpCode"] = json!(format!("{status}"));
    }
    Response::json(status, &body)
}

fn now() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.unwrap().as_secs() as i64 + CLOCK_AHEAD
}

fn handle(state: &Mutex<State>, updater: &Updater, r: &Request) -> Response {
    let mut s = state.lock().unwrap();
    s.log.push(format!("{} {}", r.method, r.target));
    let Some(path) = r.path().strip_prefix(PREFIX) else {
        return error(404, None, "Not found");
    };
    if r.method == "GET" && path == "/auth/time" {
        return Response::json(200, &json!(now()));
    }
    if let Err(refusal) = check_signature(&s, r) {
        return refusal;
    }
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let known = |zone: &str| s.zones.iter().any(|z| z == zone);
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", ["domain", "zone"]) => Response::json(200, &json!(s.zones)),
        (_, ["domain", "zone", zone, ..]) if !known(zone) => {
            error(404, None, "This service does not exist")
        }
        ("GET", ["domain", "zone", _, "status"]) => Response::json(
            200,
            &json!({"isDeployed": true, "warnings": [], "errors": []}),
        ),
        ("GET", ["domain", "zone", zone, "record"]) => list(&s, zone, r),
        ("GET", ["domain", "zone", zone, "record", id]) => match find(&s, zone, id) {
            Some(i) => Response::json(200, &record_json(&s.records[i])),
            None => error(
                404,
                None,
                &format!("The requested object (id = {id}) does not exist"),
            ),
        },
        ("POST", ["domain", "zone", zone, "record"]) => create(&mut s, zone, r),
        ("DELETE", ["domain", "zone", zone, "record", id]) => delete(&mut s, zone, id),
        ("POST", ["domain", "zone", zone, "refresh"]) => refresh(&mut s, updater, zone),
        _ => error(404, None, "Not found"),
    }
}

/// The request's signature, recomputed with the account's secret over
/// the URL, body and timestamp received.
fn check_signature(s: &State, r: &Request) -> Result<(), Response> {
    if r.header("x-ovh-application") != Some(s.application_key.as_str()) {
        return Err(error(
            403,
            Some("INVALID_KEY"),
            "This application key is invalid",
        ));
    }
    if r.header("x-ovh-consumer") != Some(s.consumer_key.as_str()) {
        return Err(error(
            403,
            Some("INVALID_CREDENTIAL"),
            "This credential does not exist",
        ));
    }
    let timestamp = r.header("x-ovh-timestamp").unwrap_or_default();
    let fresh = timestamp
        .parse::<i64>()
        .is_ok_and(|t| (t - now()).abs() <= 30);
    if !fresh {
        return Err(error(400, Some("QUERY_TIME_OUT"), "Query out of time"));
    }
    let url = format!("https://{HOST}{}", r.target);
    let mut hash = Sha1::new();
    let parts = [
        s.application_secret.as_bytes(),
        s.consumer_key.as_bytes(),
        r.method.as_bytes(),
        url.as_bytes(),
        &r.body,
        timestamp.as_bytes(),
    ];
    hash.update(parts.join(&b'+'));
    let hex: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    if r.header("x-ovh-signature") != Some(format!("$1${hex}").as_str()) {
        return Err(error(400, Some("INVALID_SIGNATURE"), "Invalid signature"));
    }
    Ok(())
}

fn find(s: &State, zone: &str, id: &str) -> Option<usize> {
    s.records
        .iter()
        .position(|x| x.zone == zone && x.id.to_string() == id)
}

fn record_json(rec: &Record) -> Value {
    json!({"id": rec.id, "zone": rec.zone, "subDomain": rec.sub_domain, "fieldType": "TXT",
           "target": rec.target, "ttl": 60})
}

fn list(s: &State, zone: &str, r: &Request) -> Response {
    let kind = r.param("fieldType");
    let sub = r.param("subDomain");
    let ids: Vec<u64> = s
        .records
        .iter()
        .filter(|x| x.zone == zone)
        .filter(|_| kind.as_deref().is_none_or(|k| k == "TXT"))
        .filter(|x| {
            sub.as_deref()
                .is_none_or(|d| d.eq_ignore_ascii_case(&x.sub_domain))
        })
        .map(|x| x.id)
        .collect();
    Response::json(200, &json!(ids))
}

fn fqdn(sub: &str, zone: &str) -> String {
    match sub {
        "" => format!("{zone}."),
        d => format!("{d}.{zone}."),
    }
}

fn create(s: &mut State, zone: &str, r: &Request) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&r.body) else {
        return error(400, None, "Invalid JSON");
    };
    let (Some("TXT"), Some(target)) = (body["fieldType"].as_str(), body["target"].as_str()) else {
        return error(400, None, "fieldType TXT and target are required");
    };
    s.next_id += 1;
    let rec = Record {
        id: s.next_id,
        zone: zone.into(),
        sub_domain: body["subDomain"]
            .as_str()
            .unwrap_or("")
            .to_ascii_lowercase(),
        target: target.into(),
    };
    let command = format!(
        "update add {} 60 TXT \"{}\"",
        fqdn(&rec.sub_domain, zone),
        rec.target
    );
    s.pending.push((zone.into(), command));
    s.records.push(rec.clone());
    Response::json(200, &record_json(&rec))
}

fn delete(s: &mut State, zone: &str, id: &str) -> Response {
    let Some(i) = find(s, zone, id) else {
        return error(
            404,
            None,
            &format!("The requested object (id = {id}) does not exist"),
        );
    };
    let rec = s.records.remove(i);
    let command = format!(
        "update delete {} TXT \"{}\"",
        fqdn(&rec.sub_domain, zone),
        rec.target
    );
    s.pending.push((zone.into(), command));
    Response::json(200, &Value::Null)
}

fn refresh(s: &mut State, updater: &Updater, zone: &str) -> Response {
    let (now, later): (Vec<_>, Vec<_>) = s.pending.drain(..).partition(|(z, _)| z == zone);
    s.pending = later;
    let commands: Vec<String> = now.into_iter().map(|(_, c)| c).collect();
    if !commands.is_empty()
        && let Err(e) = updater.apply(&commands)
    {
        return error(500, None, &e);
    }
    Response::json(200, &Value::Null)
}
