//! A stand-in for Google Cloud DNS v1 and what a client needs to reach it,
//! as Google documents them, on one server answering for three host names:
//! - `oauth2.googleapis.com` `POST /token`: a `jwt-bearer` grant whose JWT
//!   (RS256) is verified with the service account's public key (`iss`,
//!   `aud`, the Cloud DNS scope, `exp`); answers an access token;
//! - `www.googleapis.com` `GET /discovery/v1/apis/dns/v1/rest`: a discovery
//!   document of the methods below (googleapiclient builds its client
//!   from it);
//! - `dns.googleapis.com` `/dns/v1/projects/{project}/...` with
//!   `Authorization: Bearer TOKEN`: `managedZones?dnsName=` (list),
//!   `managedZones/{zone}/rrsets?name=&type=` (list), `.../changes` (create:
//!   `deletions` must match the current set exactly, else 412; `additions`
//!   of a set that exists without its deletion: 409), `.../changes/{id}`
//!   (get: `pending` once, then `done`). `{zone}` is a zone's name or id.
//!
//! Optionally (`page_one_zone_each`) a zone list answers one zone a page
//! with `nextPageToken`, and private zones (`add_private_zone`) are listed
//! before the public one of the same name.
//!
//! Each change is applied to a real BIND by RFC 2136 (nsupdate).

use super::bind::{Bind, Updater};
use super::https::{Handler, HttpsServer, Request, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::process::Command;
use std::sync::{Arc, Mutex};

pub const HOSTS: [&str; 3] = [
    "dns.googleapis.com",
    "oauth2.googleapis.com",
    "www.googleapis.com",
];
pub const TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
const SCOPE: &str = "https://www.googleapis.com/auth/ndev.clouddns.readwrite";
const ACCESS_TOKEN: &str = "ya29.stand-in-access-token";

#[derive(Default)]
struct State {
    project: String,
    email: String,
    /// The account's public key, PKCS#1 DER.
    public_key: Vec<u8>,
    zones: Vec<(u64, String)>,
    /// Private zones (id, DNS name with the dot): listed before the public
    /// ones, but no zone of the other methods.
    private: Vec<(u64, String)>,
    /// A zone list answers one zone a page, with `nextPageToken`.
    paged: bool,
    /// name with the final dot -> (ttl, rrdatas).
    txt: BTreeMap<String, (u64, Vec<String>)>,
    changes: BTreeMap<String, u32>,
    log: Vec<String>,
}

pub struct Google {
    pub server: HttpsServer,
    updater: Updater,
    /// The service account key file's JSON.
    pub key_file: String,
    state: Arc<Mutex<State>>,
}

impl Google {
    /// The APIs on 127.0.0.1:443 in `bind`'s namespace, for a project with
    /// the public `zones` and a service account with a new RSA key.
    pub fn start(bind: &Bind, project: &str, zones: &[&str]) -> Google {
        let email = account_email(project);
        let (private_pem, public_key) = rsa_key();
        let key_file = key_file(project, &private_pem);
        let state = Arc::new(Mutex::new(State {
            project: project.into(),
            email,
            public_key,
            zones: (1..).zip(zones.iter().map(|z| format!("{z}."))).collect(),
            ..State::default()
        }));
        let (s, updater) = (state.clone(), bind.updater());
        let handler: Handler = Arc::new(move |r: &Request| handle(&s, &updater, r));
        let server = HttpsServer::start(bind.netns.as_deref(), 443, &HOSTS, handler);
        Google {
            server,
            updater: bind.updater(),
            key_file,
            state,
        }
    }

    /// A key file of the same account name with a key this API does not
    /// know.
    pub fn key_file_of_a_new_key(project: &str) -> String {
        key_file(project, &rsa_key().0)
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }
    /// A TXT value someone else put at `name`.
    pub fn preset(&self, name: &str, value: &str) {
        self.updater
            .apply(&[format!("update add {name}. 300 TXT \"{value}\"")])
            .unwrap();
        self.with(|s| {
            let set = s.txt.entry(format!("{name}.")).or_insert((300, Vec::new()));
            set.1.push(format!("\"{value}\""));
        });
    }

    /// Every TXT value: (name without the dot, value unquoted).
    pub fn records(&self) -> Vec<(String, String)> {
        self.with(|s| {
            s.txt
                .iter()
                .flat_map(|(name, (_, values))| {
                    let name = name.trim_end_matches('.').to_string();
                    values
                        .iter()
                        .map(move |v| (name.clone(), v.trim_matches('"').to_string()))
                })
                .collect()
        })
    }
    pub fn log(&self) -> Vec<String> {
        self.with(|s| s.log.clone())
    }

    /// A private zone named `name` (of a VPC network), listed before the
    /// public zone of the same name.
    pub fn add_private_zone(&self, name: &str) {
        self.with(|s| {
            let id = 1000 + s.private.len() as u64;
            s.private.push((id, format!("{name}.")));
        });
    }

    /// From now on a zone list answers one zone a page: each page but the
    /// last with a `nextPageToken`, the next asked for by `pageToken=`.
    pub fn page_one_zone_each(&self) {
        self.with(|s| s.paged = true);
    }
}

fn account_email(project: &str) -> String {
    format!("certsmith@{project}.iam.gserviceaccount.com")
}

/// A service account key file, as Google's console downloads it.
fn key_file(project: &str, private_pem: &str) -> String {
    json!({
        "type": "service_account", "project_id": project, "private_key_id": "0123abcd",
        "private_key": private_pem, "client_email": account_email(project), "client_id": "1234567890",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": TOKEN_URI,
    })
    .to_string()
}

/// A new 2048-bit RSA key: PKCS#8 PEM and the public key's PKCS#1 DER.
fn rsa_key() -> (String, Vec<u8>) {
    let dir = super::TempDir::new("google-key");
    let pem = dir.join("key.pem");
    let ok = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&pem)
        .output()
        .expect("openssl must be installed");
    assert!(ok.status.success());
    let public = Command::new("openssl")
        .args(["rsa", "-RSAPublicKey_out", "-outform", "DER", "-in"])
        .arg(&pem)
        .output()
        .unwrap();
    assert!(public.status.success());
    (std::fs::read_to_string(&pem).unwrap(), public.stdout)
}

fn error(status: u16, reason: &str, message: &str) -> Response {
    Response::json(
        status,
        &json!({"error": {"code": status, "message": message, "status": reason,
                          "errors": [{"message": message, "domain": "global", "reason": reason}]}}),
    )
}

fn handle(state: &Mutex<State>, updater: &Updater, r: &Request) -> Response {
    let mut s = state.lock().unwrap();
    let host = r.header("host").unwrap_or_default().to_string();
    s.log.push(format!("{} {host}{}", r.method, r.target));
    if r.path() == "/discovery/v1/apis/dns/v1/rest" {
        return Response::json(200, &discovery());
    }
    if r.method == "POST" && r.path() == "/token" {
        return token(&s, r);
    }
    if r.header("authorization") != Some(&format!("Bearer {ACCESS_TOKEN}")) {
        return error(
            401,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials.",
        );
    }
    let Some(rest) = r
        .path()
        .strip_prefix(&format!("/dns/v1/projects/{}/", s.project))
    else {
        return error(
            403,
            "PERMISSION_DENIED",
            "The caller does not have permission",
        );
    };
    let parts: Vec<&str> = rest.split('/').collect();
    if parts.first() != Some(&"managedZones") {
        return error(404, "NOT_FOUND", "Not found");
    }
    if parts.len() == 1 && r.method == "GET" {
        return list_zones(&s, r);
    }
    let Some(zone) = s
        .zones
        .iter()
        .find(|(id, name)| parts[1] == id.to_string() || parts[1] == zone_name(name))
        .cloned()
    else {
        return error(
            404,
            "NOT_FOUND",
            &format!(
                "The 'parameters.managedZone' resource named '{}' does not exist.",
                parts[1]
            ),
        );
    };
    match (r.method.as_str(), &parts[2..]) {
        ("GET", ["rrsets"]) => list_sets(&s, &zone.1, r),
        ("POST", ["changes"]) => change(&mut s, updater, &zone.1, r),
        ("GET", ["changes", id]) => get_change(&mut s, id),
        _ => error(404, "NOT_FOUND", "Not found"),
    }
}

/// The zone's resource name: its DNS name with dashes.
fn zone_name(dns_name: &str) -> String {
    dns_name.trim_end_matches('.').replace('.', "-")
}

/// A `jwt-bearer` grant, its JWT verified with the account's public key.
fn token(s: &State, r: &Request) -> Response {
    let form = String::from_utf8_lossy(&r.body).into_owned();
    let fake = Request {
        method: String::new(),
        target: format!("/?{form}"),
        headers: Vec::new(),
        body: Vec::new(),
    };
    let bad = |why: &str| {
        Response::json(
            400,
            &json!({"error": "invalid_grant", "error_description": why}),
        )
    };
    if fake.param("grant_type").as_deref() != Some("urn:ietf:params:oauth:grant-type:jwt-bearer") {
        return bad("Invalid grant_type");
    }
    let assertion = fake.param("assertion").unwrap_or_default();
    let parts: Vec<&str> = assertion.split('.').collect();
    let [header, claims, signature] = parts.as_slice() else {
        return bad("Invalid JWT");
    };
    let key = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        &s.public_key,
    );
    let signature = URL_SAFE_NO_PAD.decode(signature).unwrap_or_default();
    if key
        .verify(format!("{header}.{claims}").as_bytes(), &signature)
        .is_err()
    {
        return bad("Invalid JWT Signature.");
    }
    let claims: Value = URL_SAFE_NO_PAD
        .decode(claims)
        .ok()
        .and_then(|c| serde_json::from_slice(&c).ok())
        .unwrap_or(Value::Null);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let valid = claims["iss"] == json!(s.email)
        && claims["aud"] == json!(TOKEN_URI)
        && claims["scope"]
            .as_str()
            .is_some_and(|sc| sc.split(' ').any(|x| x == SCOPE))
        && claims["exp"].as_u64().is_some_and(|e| e > now)
        && claims["iat"].as_u64().is_some_and(|i| i <= now + 60);
    if !valid {
        return bad("Invalid JWT claims");
    }
    Response::json(
        200,
        &json!({"access_token": ACCESS_TOKEN, "expires_in": 3599, "token_type": "Bearer"}),
    )
}

fn list_zones(s: &State, r: &Request) -> Response {
    let wanted = r.param("dnsName");
    let matches = |n: &String| wanted.as_deref().is_none_or(|w| w.eq_ignore_ascii_case(n));
    let private = s.private.iter().filter(|(_, n)| matches(n)).map(|(id, n)| {
        json!({"kind": "dns#managedZone", "name": format!("{}-private", zone_name(n)),
               "dnsName": n, "id": id.to_string(), "visibility": "private",
               "privateVisibilityConfig": {"kind": "dns#managedZonePrivateVisibilityConfig",
                   "networks": [{"kind": "dns#managedZonePrivateVisibilityConfigNetwork",
                                 "networkUrl": "https://www.googleapis.com/compute/v1/projects/p/global/networks/default"}]}})
    });
    let public = s.zones.iter().filter(|(_, n)| matches(n)).map(|(id, n)| {
        json!({"kind": "dns#managedZone", "name": zone_name(n), "dnsName": n,
               "id": id.to_string(), "visibility": "public"})
    });
    let zones: Vec<Value> = private.chain(public).collect();
    if !s.paged {
        return Response::json(
            200,
            &json!({"kind": "dns#managedZonesListResponse", "managedZones": zones}),
        );
    }
    // The page token: "page-N", N counted from 0.
    let page = match r.param("pageToken") {
        None => 0,
        Some(t) => match t
            .strip_prefix("page-")
            .and_then(|n| n.parse::<usize>().ok())
        {
            Some(n) if n < zones.len() => n,
            _ => return error(400, "INVALID_ARGUMENT", "Invalid value for page token"),
        },
    };
    let mut answer = json!({"kind": "dns#managedZonesListResponse",
                            "managedZones": zones.get(page).into_iter().collect::<Vec<_>>()});
    if page + 1 < zones.len() {
        answer["nextPageToken"] = json!(format!("page-{}", page + 1));
    }
    Response::json(200, &answer)
}

fn set_json(name: &str, ttl: u64, values: &[String]) -> Value {
    json!({"kind": "dns#resourceRecordSet", "name": name, "type": "TXT", "ttl": ttl, "rrdatas": values})
}

fn list_sets(s: &State, zone: &str, r: &Request) -> Response {
    let name = r.param("name").unwrap_or_default().to_ascii_lowercase();
    let sets: Vec<Value> = s
        .txt
        .iter()
        .filter(|(n, _)| n.ends_with(zone) && (name.is_empty() || **n == name))
        .map(|(n, (ttl, values))| set_json(n, *ttl, values))
        .collect();
    Response::json(
        200,
        &json!({"kind": "dns#resourceRecordSetsListResponse", "rrsets": sets}),
    )
}

/// A TXT value as stored: one quoted string.
fn quoted(value: &str) -> String {
    match value.starts_with('"') {
        true => value.to_string(),
        false => format!("\"{value}\""),
    }
}

fn rrset_of(v: &Value) -> Option<(String, u64, Vec<String>)> {
    let name = v["name"].as_str()?.to_ascii_lowercase();
    let values = v["rrdatas"]
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .map(quoted)
        .collect();
    (v["type"] == "TXT").then_some((name, v["ttl"].as_u64().unwrap_or(300), values))
}

fn change(s: &mut State, updater: &Updater, zone: &str, r: &Request) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&r.body) else {
        return error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
    };
    let list = |key: &str| -> Option<Vec<(String, u64, Vec<String>)>> {
        body[key]
            .as_array()
            .map_or(Some(Vec::new()), |a| a.iter().map(rrset_of).collect())
    };
    let (Some(deletions), Some(additions)) = (list("deletions"), list("additions")) else {
        return error(
            400,
            "INVALID_ARGUMENT",
            "only TXT sets with name, ttl and rrdatas",
        );
    };
    let mut txt = s.txt.clone();
    for (name, ttl, values) in &deletions {
        match txt.get(name) {
            Some((t, v)) if t == ttl && sorted(v) == sorted(values) => txt.remove(name),
            _ => {
                return error(
                    412,
                    "FAILED_PRECONDITION",
                    &format!("Precondition not met for 'entity.change.deletions[{name}]'"),
                );
            }
        };
    }
    for (name, ttl, values) in &additions {
        if !name.ends_with(zone) || txt.contains_key(name) {
            return error(
                409,
                "ALREADY_EXISTS",
                &format!("The resource 'entity.change.additions[{name}]' already exists"),
            );
        }
        txt.insert(name.clone(), (*ttl, values.clone()));
    }
    let touched: Vec<&String> = deletions
        .iter()
        .chain(&additions)
        .map(|(n, _, _)| n)
        .collect();
    let mut commands = Vec::new();
    for name in touched {
        commands.push(format!("update delete {name} TXT"));
        if let Some((ttl, values)) = txt.get(name) {
            commands.extend(
                values
                    .iter()
                    .map(|v| format!("update add {name} {ttl} TXT {v}")),
            );
        }
    }
    if let Err(e) = updater.apply(&commands) {
        return error(500, "INTERNAL", &e);
    }
    s.txt = txt;
    let id = (s.changes.len() + 1).to_string();
    s.changes.insert(id.clone(), 0);
    Response::json(
        200,
        &json!({"kind": "dns#change", "id": id, "status": "pending",
                                "additions": body["additions"], "deletions": body["deletions"]}),
    )
}

fn sorted(values: &[String]) -> Vec<String> {
    let mut v = values.to_vec();
    v.sort();
    v
}

fn get_change(s: &mut State, id: &str) -> Response {
    let Some(polls) = s.changes.get_mut(id) else {
        return error(
            404,
            "NOT_FOUND",
            &format!("The 'parameters.changeId' resource named '{id}' does not exist."),
        );
    };
    *polls += 1;
    let status = if *polls > 1 { "done" } else { "pending" };
    Response::json(
        200,
        &json!({"kind": "dns#change", "id": id, "status": status}),
    )
}

/// The discovery document of the methods served (the shape of Google's).
fn discovery() -> Value {
    let param = |location: &str, required: bool| json!({"type": "string", "location": location, "required": required});
    let zone_params =
        || json!({"project": param("path", true), "managedZone": param("path", true)});
    let method = |id: &str, verb: &str, path: &str, params: Value, order: &[&str]| {
        json!({"id": id, "httpMethod": verb, "path": path, "flatPath": path, "parameters": params,
               "parameterOrder": order, "response": {"$ref": "Change"},
               "scopes": [SCOPE]})
    };
    let mut rrsets_params = zone_params();
    rrsets_params["name"] = param("query", false);
    rrsets_params["type"] = param("query", false);
    let mut get_params = zone_params();
    get_params["changeId"] = param("path", true);
    let mut create = method(
        "dns.changes.create",
        "POST",
        "projects/{project}/managedZones/{managedZone}/changes",
        zone_params(),
        &["project", "managedZone"],
    );
    create["request"] = json!({"$ref": "Change"});
    json!({
        "kind": "discovery#restDescription", "discoveryVersion": "v1", "id": "dns:v1",
        "name": "dns", "version": "v1", "protocol": "rest",
        "rootUrl": "https://dns.googleapis.com/", "servicePath": "dns/v1/",
        "baseUrl": "https://dns.googleapis.com/dns/v1/", "batchPath": "batch/dns/v1",
        "parameters": {"alt": {"type": "string", "location": "query", "default": "json", "enum": ["json"]}},
        "auth": {"oauth2": {"scopes": {SCOPE: {"description": "View and manage your DNS records"}}}},
        "schemas": {"Change": {"id": "Change", "type": "object"}},
        "resources": {
            "managedZones": {"methods": {"list": method("dns.managedZones.list", "GET",
                "projects/{project}/managedZones",
                json!({"project": param("path", true), "dnsName": param("query", false), "pageToken": param("query", false)}),
                &["project"])}},
            "resourceRecordSets": {"methods": {"list": method("dns.resourceRecordSets.list", "GET",
                "projects/{project}/managedZones/{managedZone}/rrsets", rrsets_params, &["project", "managedZone"])}},
            "changes": {"methods": {
                "create": create,
                "get": method("dns.changes.get", "GET",
                    "projects/{project}/managedZones/{managedZone}/changes/{changeId}", get_params,
                    &["project", "managedZone", "changeId"]),
            }},
        },
    })
}
