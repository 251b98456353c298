//! `--dns-ovh`: the OVHcloud API v1 (`https://eu.api.ovh.com/1.0` for
//! `ovh-eu`; the other endpoints by their names, as Certbot's plugin takes
//! them).
//!
//! - Credentials (Certbot's file): `dns_ovh_endpoint`,
//!   `dns_ovh_application_key`, `dns_ovh_application_secret`,
//!   `dns_ovh_consumer_key`.
//! - Every request is signed: `X-Ovh-Application`, `X-Ovh-Consumer`,
//!   `X-Ovh-Timestamp` (this machine's clock corrected by `GET /auth/time`,
//!   asked once) and `X-Ovh-Signature`: `$1$` and the SHA-1 hex of
//!   secret+consumer+METHOD+URL+body+timestamp, joined with `+`.
//! - Zone: `GET /domain/zone` (the account's zone names), the longest one
//!   that holds the name.
//! - Add: `POST /domain/zone/{zone}/record` (`fieldType` TXT, `subDomain`
//!   relative, empty at the apex, `target`, `ttl` 60), then
//!   `POST /domain/zone/{zone}/refresh` to publish; the record's `id` is kept.
//! - Delete: `DELETE /domain/zone/{zone}/record/{id}` and a refresh; when the
//!   add went unanswered, the id is found among
//!   `GET /domain/zone/{zone}/record?fieldType=TXT&subDomain=...` by target.
//! - Errors: the answer's `message` (and `errorCode`).

use super::super::credentials::{self, Entry};
use super::super::error::DnsError;
use super::api::{Api, Reply, Signer, encode, query};
use super::common::{self, id_text};
use super::{Added, Provider, Zone, plain};
use hickory_proto::rr::Name;
use http::{HeaderName, Method, StatusCode};
use serde_json::{Value, json};
use sha1::{Digest, Sha1};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const API: &str = "the OVH API";
const PREFIX: &str = "dns_ovh_";
const KEYS: [&str; 4] = [
    "endpoint",
    "application_key",
    "application_secret",
    "consumer_key",
];
/// Certbot's TTL for the records.
const TTL: u32 = 60;
/// Certbot's default `--dns-ovh-propagation-seconds`.
const CERTBOT_WAIT: Duration = Duration::from_secs(120);

/// The endpoints' names (`dns_ovh_endpoint`) and URLs.
const ENDPOINTS: [(&str, &str); 7] = [
    ("ovh-eu", "https://eu.api.ovh.com/1.0"),
    ("ovh-ca", "https://ca.api.ovh.com/1.0"),
    ("ovh-us", "https://api.us.ovhcloud.com/1.0"),
    ("kimsufi-eu", "https://eu.api.kimsufi.com/1.0"),
    ("kimsufi-ca", "https://ca.api.kimsufi.com/1.0"),
    ("soyoustart-eu", "https://eu.api.soyoustart.com/1.0"),
    ("soyoustart-ca", "https://ca.api.soyoustart.com/1.0"),
];

pub struct Ovh {
    api: Api,
    /// The OVH clock less ours, in seconds (shared with the signer).
    skew: Arc<AtomicI64>,
    clock_asked: AtomicBool,
}

/// Signs every request with the application's secret and the consumer key.
struct OvhSigner {
    application_key: String,
    application_secret: String,
    consumer_key: String,
    skew: Arc<AtomicI64>,
}

impl Signer for OvhSigner {
    fn headers(&self, method: &Method, url: &str, body: &[u8]) -> Vec<(HeaderName, String)> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let timestamp = (now + self.skew.load(Ordering::Relaxed)).to_string();
        let signature = signature(
            &self.application_secret,
            &self.consumer_key,
            method.as_str(),
            url,
            body,
            &timestamp,
        );
        let name = HeaderName::from_static;
        vec![
            (name("x-ovh-application"), self.application_key.clone()),
            (name("x-ovh-consumer"), self.consumer_key.clone()),
            (name("x-ovh-timestamp"), timestamp),
            (name("x-ovh-signature"), signature),
        ]
    }
}

/// `$1$` and the SHA-1 hex of the parts joined with `+`.
fn signature(
    secret: &str,
    consumer: &str,
    method: &str,
    url: &str,
    body: &[u8],
    timestamp: &str,
) -> String {
    let mut hash = Sha1::new();
    for part in [
        secret.as_bytes(),
        consumer.as_bytes(),
        method.as_bytes(),
        url.as_bytes(),
    ] {
        hash.update(part);
        hash.update(b"+");
    }
    hash.update(body);
    hash.update(b"+");
    hash.update(timestamp.as_bytes());
    let hex: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("$1${hex}")
}

impl Ovh {
    /// Read `--dns-ovh-credentials FILE`; also Certbot's warning for a file
    /// others may read.
    pub fn load(path: &Path) -> Result<(Ovh, Option<String>), DnsError> {
        common::load(path, "--dns-ovh-credentials", "OVH API keys", Ovh::parse)
    }

    /// The credentials in `text` (`path` names the file in messages).
    pub fn parse(path: &Path, text: &str) -> Result<Ovh, DnsError> {
        let entries = credentials::entries(path, text, PREFIX, &KEYS)?;
        let get = |key: &str| -> Result<&Entry, DnsError> {
            entries
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, e)| e)
                .filter(|e| !e.value.trim().is_empty())
                .ok_or_else(|| {
                    DnsError::Credentials(format!("{}: {PREFIX}{key} is missing", path.display()))
                })
        };
        let endpoint = get("endpoint")?;
        let Some((_, base)) = ENDPOINTS
            .iter()
            .find(|(name, _)| *name == endpoint.value.trim())
        else {
            let names: Vec<&str> = ENDPOINTS.iter().map(|(n, _)| *n).collect();
            return Err(credentials::at(
                path,
                endpoint.line,
                endpoint.col,
                format!("dns_ovh_endpoint: one of {}", names.join(", ")),
            ));
        };
        let skew = Arc::new(AtomicI64::new(0));
        let signer = OvhSigner {
            application_key: get("application_key")?.value.trim().to_string(),
            application_secret: get("application_secret")?.value.trim().to_string(),
            consumer_key: get("consumer_key")?.value.trim().to_string(),
            skew: skew.clone(),
        };
        let api = Api::new(API, base, path.to_path_buf(), Vec::new())?.with_signer(signer);
        Ok(Ovh {
            api,
            skew,
            clock_asked: AtomicBool::new(false),
        })
    }

    /// The OVH clock's difference from ours, asked once (`/auth/time`).
    async fn sync_clock(&self) -> Result<(), DnsError> {
        if self.clock_asked.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let action = "read the API's clock";
        let reply = self
            .api
            .call(Method::GET, "/auth/time", None, action)
            .await?;
        let json = self.checked(reply, action)?;
        let Some(theirs) = json.as_i64() else {
            return Err(self
                .api
                .error(action, "no time in the answer".into(), false));
        };
        let ours = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        self.skew.store(theirs - ours, Ordering::Relaxed);
        Ok(())
    }

    /// The answer's JSON when it says success, else the error it names.
    fn checked(&self, reply: Reply, action: &str) -> Result<Value, DnsError> {
        if reply.status.is_success() {
            return Ok(reply.json);
        }
        let message = reply.json.get("message").and_then(Value::as_str);
        let code = reply.json.get("errorCode").and_then(Value::as_str);
        let detail = match (code, message) {
            (Some(c), Some(m)) => format!("HTTP {}: {c}: {m}", reply.status.as_u16()),
            (None, Some(m)) => format!("HTTP {}: {m}", reply.status.as_u16()),
            _ => format!("HTTP {}", reply.status.as_u16()),
        };
        let auth_codes = ["INVALID_SIGNATURE", "INVALID_KEY", "INVALID_CREDENTIAL"];
        let refused = matches!(
            reply.status,
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
        ) || code.is_some_and(|c| auth_codes.contains(&c));
        let hint = "check dns_ovh_application_key, dns_ovh_application_secret and \
                    dns_ovh_consumer_key (GET/POST/DELETE on /domain/zone/*)";
        Err(self
            .api
            .failure(reply.status, action, detail, refused, hint))
    }

    async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        action: &str,
    ) -> Result<Value, DnsError> {
        self.sync_clock().await?;
        let reply = self.api.call(method, path, body, action).await?;
        self.checked(reply, action)
    }

    /// Publish the zone's changes.
    async fn refresh(&self, zone: &str, action: &str) -> Result<(), DnsError> {
        let path = format!("/domain/zone/{}/refresh", encode(zone));
        self.request(Method::POST, &path, None, action)
            .await
            .map(|_| ())
    }

    /// The id of the TXT record at `added.name` whose target is ours.
    async fn find_record(&self, added: &Added, action: &str) -> Result<Option<String>, DnsError> {
        let zone = plain(&added.zone.name);
        let sub = relative(&added.name, &added.zone.name);
        let params = [("fieldType", "TXT"), ("subDomain", sub.as_str())];
        let path = format!("/domain/zone/{}/record{}", encode(&zone), query(&params));
        let ids = self.request(Method::GET, &path, None, action).await?;
        for id in ids.as_array().into_iter().flatten().filter_map(id_text) {
            let path = format!("/domain/zone/{}/record/{}", encode(&zone), encode(&id));
            let record = self.request(Method::GET, &path, None, action).await?;
            if record.get("target").and_then(Value::as_str) == Some(added.value.as_str()) {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }
}

/// `name` relative to `zone`: empty at the apex.
fn relative(name: &Name, zone: &Name) -> String {
    let (full, apex) = (plain(name), plain(zone));
    match full.strip_suffix(&format!(".{apex}")) {
        Some(label) => label.to_string(),
        None => String::new(),
    }
}

impl Provider for Ovh {
    fn plugin(&self) -> &'static str {
        "dns-ovh"
    }

    fn location(&self) -> String {
        format!("through {API}")
    }

    fn default_wait(&self) -> Duration {
        CERTBOT_WAIT
    }

    async fn find_zone(&self, name: &Name, _dns_zone: Option<&Name>) -> Result<Zone, DnsError> {
        let action = "list the account's zones";
        let zones = self
            .request(Method::GET, "/domain/zone", None, action)
            .await?;
        let mut names: Vec<String> = zones
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_ascii_lowercase)
            .collect();
        let full = plain(name);
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let Some(zone) = names
            .iter()
            .find(|z| full == **z || full.ends_with(&format!(".{z}")))
        else {
            return Err(DnsError::ApiUnknownZone {
                api: API,
                file: self.api.file.clone(),
                name: full,
                tried: format!("the account's {} zones", names.len()),
            });
        };
        let mut zone =
            Name::from_ascii(zone).map_err(|e| DnsError::Internal(format!("{zone}: {e}")))?;
        zone.set_fqdn(true);
        Ok(Zone {
            id: plain(&zone),
            name: zone,
        })
    }

    async fn add_txt(
        &self,
        zone: &Zone,
        name: &Name,
        value: &str,
    ) -> Result<Option<String>, DnsError> {
        let action = format!("add a TXT record at {}", plain(name));
        let body = json!({"fieldType": "TXT", "subDomain": relative(name, &zone.name),
                          "target": value, "ttl": TTL});
        let path = format!("/domain/zone/{}/record", encode(&zone.id));
        let record = self
            .request(Method::POST, &path, Some(&body), &action)
            .await?;
        self.refresh(&zone.id, &action).await?;
        Ok(record.get("id").and_then(id_text))
    }

    async fn delete_txt(&self, added: &Added) -> Result<(), DnsError> {
        let action = format!("delete the TXT record at {}", plain(&added.name));
        let id = match &added.id {
            Some(id) => Some(id.clone()),
            None => self.find_record(added, &action).await?,
        };
        let Some(id) = id else { return Ok(()) };
        let path = format!(
            "/domain/zone/{}/record/{}",
            encode(&added.zone.id),
            encode(&id)
        );
        self.sync_clock().await?;
        let reply = self.api.call(Method::DELETE, &path, None, &action).await?;
        if reply.status != StatusCode::NOT_FOUND {
            self.checked(reply, &action)?;
        }
        self.refresh(&added.zone.id, &action).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_every_part_in_order() {
        // SHA-1 of "s+c+GET+https://eu.api.ovh.com/1.0/auth/time++1".
        let mut hash = Sha1::new();
        hash.update(b"s+c+GET+https://eu.api.ovh.com/1.0/auth/time++1");
        let hex: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            signature(
                "s",
                "c",
                "GET",
                "https://eu.api.ovh.com/1.0/auth/time",
                b"",
                "1"
            ),
            format!("$1${hex}")
        );
    }

    #[test]
    fn every_key_is_required_the_endpoint_is_named_and_no_value_is_shown() {
        let parse = |text: &str| {
            Ovh::parse(Path::new("o.ini"), text)
                .err()
                .map(|e| e.to_string())
        };
        let full = "dns_ovh_endpoint = ovh-eu\ndns_ovh_application_key = AK\n\
                    dns_ovh_application_secret = SECRET\ndns_ovh_consumer_key = CK\n";
        assert!(parse(full).is_none());
        let err = parse(&full.replace("dns_ovh_consumer_key = CK\n", "")).unwrap();
        assert_eq!(err, "o.ini: dns_ovh_consumer_key is missing");
        let err = parse(&full.replace("ovh-eu", "ovh-mars")).unwrap();
        assert!(
            err.starts_with("o.ini:1:20: dns_ovh_endpoint: one of ovh-eu, ovh-ca"),
            "{err}"
        );
        assert!(!err.contains("SECRET"));
    }
}
