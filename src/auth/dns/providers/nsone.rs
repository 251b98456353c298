//! `--dns-nsone`: the NS1 REST API (`https://api.nsone.net/v1`).
//!
//! - Credentials (Certbot's file, plugin certbot-dns-nsone):
//!   `dns_nsone_api_key`, sent as `X-NSONE-Key`.
//! - Zone: `GET /zones` (`zone`), the longest that holds the name.
//! - A record is one per zone, name and type, its values in `answers`
//!   (`[{"answer": [VALUE]}]` for TXT): `GET /zones/{zone}/{name}/TXT`
//!   reads it (404 when there is none).
//! - Add: a new record is made with `PUT /zones/{zone}/{name}/TXT`
//!   (`ttl` 60); an existing one gets the value added to its answers with
//!   `POST` to the same path.
//! - Delete: the record is read again and exactly the value taken out of
//!   its answers (`POST`), or the record deleted with its last value
//!   (`DELETE`).
//! - Errors: the answer's `message`.

use super::super::credentials;
use super::super::error::DnsError;
use super::api::{Api, Reply, auth_refused, encode, http_detail};
use super::common::{self, holding_zone, required};
use super::{Added, Provider, Zone, plain};
use hickory_proto::rr::Name;
use http::{HeaderName, Method, StatusCode};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

const BASE: &str = "https://api.nsone.net/v1";
const API: &str = "the NS1 API";
const PREFIX: &str = "dns_nsone_";
const KEYS: [&str; 1] = ["api_key"];
/// Certbot's TTL for the plugin's records.
const TTL: u32 = 60;
/// Certbot's default `--dns-nsone-propagation-seconds`.
const CERTBOT_WAIT: Duration = Duration::from_secs(30);

pub struct Nsone {
    api: Api,
}

impl Nsone {
    /// Read `--dns-nsone-credentials FILE`; also Certbot's warning for a
    /// file others may read.
    pub fn load(path: &Path) -> Result<(Nsone, Option<String>), DnsError> {
        common::load(
            path,
            "--dns-nsone-credentials",
            "an NS1 API key",
            Nsone::parse,
        )
    }

    /// The credentials in `text` (`path` names the file in messages).
    pub fn parse(path: &Path, text: &str) -> Result<Nsone, DnsError> {
        let entries = credentials::entries(path, text, PREFIX, &KEYS)?;
        let key = required(path, &entries, PREFIX, "api_key")?;
        let auth = vec![(HeaderName::from_static("x-nsone-key"), key)];
        Ok(Nsone {
            api: Api::new(API, BASE, path.to_path_buf(), auth)?,
        })
    }

    /// The answer's JSON when it says success, else the error it names.
    fn checked(&self, reply: Reply, action: &str) -> Result<Value, DnsError> {
        if reply.status.is_success() {
            return Ok(reply.json);
        }
        let message = reply.json.get("message").and_then(Value::as_str);
        let detail = http_detail(reply.status, message);
        let refused = auth_refused(reply.status);
        let hint = "check dns_nsone_api_key";
        Err(self
            .api
            .failure(reply.status, action, detail, refused, hint))
    }

    /// The TXT record at `name`, `None` when the zone has none.
    async fn record(&self, path: &str, action: &str) -> Result<Option<Value>, DnsError> {
        let reply = self.api.call(Method::GET, path, None, action).await?;
        if reply.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        self.checked(reply, action).map(Some)
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        action: &str,
    ) -> Result<Value, DnsError> {
        let reply = self.api.call(method, path, body, action).await?;
        self.checked(reply, action)
    }
}

/// `/zones/{zone}/{name}/TXT`.
fn record_path(zone: &Zone, name: &Name) -> String {
    format!(
        "/zones/{}/{}/TXT",
        encode(&plain(&zone.name)),
        encode(&plain(name))
    )
}

/// The values of a TXT record's answers.
fn values_of(record: &Value) -> Vec<String> {
    let answers = record.get("answers").and_then(Value::as_array);
    answers
        .into_iter()
        .flatten()
        .filter_map(|a| a.pointer("/answer/0").and_then(Value::as_str))
        .map(str::to_string)
        .collect()
}

/// The `answers` of `values`.
fn answers(values: &[String]) -> Value {
    values.iter().map(|v| json!({"answer": [v]})).collect()
}

impl Provider for Nsone {
    fn plugin(&self) -> &'static str {
        "dns-nsone"
    }

    fn location(&self) -> String {
        format!("through {API}")
    }

    fn default_wait(&self) -> Duration {
        CERTBOT_WAIT
    }

    async fn find_zone(&self, name: &Name, _dns_zone: Option<&Name>) -> Result<Zone, DnsError> {
        let action = "list the account's zones";
        let zones = self.send(Method::GET, "/zones", None, action).await?;
        let found = zones.as_array().into_iter().flatten().filter_map(|z| {
            let zone = z.get("zone").and_then(Value::as_str)?;
            Some((zone.to_string(), zone.to_string()))
        });
        holding_zone(API, &self.api.file, name, found.collect())
    }

    async fn add_txt(
        &self,
        zone: &Zone,
        name: &Name,
        value: &str,
    ) -> Result<Option<String>, DnsError> {
        let action = format!("add a TXT record at {}", plain(name));
        let path = record_path(zone, name);
        let Some(record) = self.record(&path, &action).await? else {
            let body = json!({"zone": plain(&zone.name), "domain": plain(name), "type": "TXT",
                              "ttl": TTL, "answers": answers(&[value.to_string()])});
            self.send(Method::PUT, &path, Some(&body), &action).await?;
            return Ok(None);
        };
        let mut values = values_of(&record);
        if !values.iter().any(|v| v == value) {
            values.push(value.to_string());
            let body = json!({"answers": answers(&values)});
            self.send(Method::POST, &path, Some(&body), &action).await?;
        }
        Ok(None)
    }

    async fn delete_txt(&self, added: &Added) -> Result<(), DnsError> {
        let action = format!("delete the TXT record at {}", plain(&added.name));
        let path = record_path(&added.zone, &added.name);
        let Some(record) = self.record(&path, &action).await? else {
            return Ok(());
        };
        let values = values_of(&record);
        let rest: Vec<String> = values
            .iter()
            .filter(|v| **v != added.value)
            .cloned()
            .collect();
        if rest.len() == values.len() {
            return Ok(());
        }
        if !rest.is_empty() {
            let body = json!({"answers": answers(&rest)});
            return self
                .send(Method::POST, &path, Some(&body), &action)
                .await
                .map(|_| ());
        }
        self.api
            .delete(&path, &action, |reply| self.checked(reply, &action))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_required_and_answers_hold_one_value_each() {
        let err = Nsone::parse(Path::new("n.ini"), "# none\n")
            .err()
            .map(|e| e.to_string());
        assert_eq!(err.unwrap(), "n.ini: dns_nsone_api_key is missing");
        let values = vec!["a".to_string(), "b".to_string()];
        let record = json!({"answers": answers(&values)});
        assert_eq!(values_of(&record), values);
    }
}
