//! `--dns-gehirn`: the Gehirn Infrastructure Service DNS API
//! (`https://api.gis.gehirn.jp/dns/v1`).
//!
//! - Credentials (Certbot's file): `dns_gehirn_api_token` and
//!   `dns_gehirn_api_secret`, sent as HTTP Basic (token as the user, secret
//!   as the password).
//! - Zone: `GET /zones`, the longest that holds the name; its `id` and
//!   `current_version_id` are kept (the zone's id is `ZONE/VERSION`).
//! - Records are record sets: one per name and type, its values in
//!   `records` (`{"data": VALUE}` for TXT), names fully qualified with the
//!   final dot. `GET /zones/{zone}/versions/{version}/records` lists them.
//! - Add: the value joins the TXT set at the name
//!   (`PUT .../records/{set}`), or a new set is made (`POST .../records`,
//!   `ttl` 60); the set's id is kept.
//! - Delete: the set is read again and exactly the value taken out: the set
//!   is put back without it (`PUT`), or deleted when it was the last value
//!   (`DELETE .../records/{set}`).
//! - Errors: the answer's `message` when it has one.

use super::super::credentials;
use super::super::error::DnsError;
use super::api::{Api, Reply, auth_refused, encode, http_detail};
use super::common::{self, basic, holding_zone, id_text, required};
use super::{Added, Provider, Zone, plain};
use hickory_proto::rr::Name;
use http::Method;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

const BASE: &str = "https://api.gis.gehirn.jp/dns/v1";
const API: &str = "the Gehirn DNS API";
const PREFIX: &str = "dns_gehirn_";
const KEYS: [&str; 2] = ["api_token", "api_secret"];
/// Certbot's TTL for the plugin's records.
const TTL: u32 = 60;
/// Certbot's default `--dns-gehirn-propagation-seconds`.
const CERTBOT_WAIT: Duration = Duration::from_secs(30);

pub struct Gehirn {
    api: Api,
}

impl Gehirn {
    /// Read `--dns-gehirn-credentials FILE`; also Certbot's warning for a
    /// file others may read.
    pub fn load(path: &Path) -> Result<(Gehirn, Option<String>), DnsError> {
        common::load(
            path,
            "--dns-gehirn-credentials",
            "a Gehirn API token and secret",
            Gehirn::parse,
        )
    }

    /// The credentials in `text` (`path` names the file in messages).
    pub fn parse(path: &Path, text: &str) -> Result<Gehirn, DnsError> {
        let entries = credentials::entries(path, text, PREFIX, &KEYS)?;
        let token = required(path, &entries, PREFIX, "api_token")?;
        let secret = required(path, &entries, PREFIX, "api_secret")?;
        let auth = vec![(http::header::AUTHORIZATION, basic(&token, &secret))];
        Ok(Gehirn {
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
        let hint = "check dns_gehirn_api_token and dns_gehirn_api_secret";
        Err(self
            .api
            .failure(reply.status, action, detail, refused, hint))
    }

    /// `/zones/{zone}/versions/{version}/records` of a zone found here.
    fn records_path(zone: &Zone) -> String {
        let (zone_id, version) = zone.id.split_once('/').unwrap_or((&zone.id, ""));
        format!(
            "/zones/{}/versions/{}/records",
            encode(zone_id),
            encode(version)
        )
    }

    /// The TXT record set at `name` (fully qualified, final dot), if any.
    async fn txt_set(
        &self,
        zone: &Zone,
        name: &str,
        action: &str,
    ) -> Result<Option<Value>, DnsError> {
        let path = Gehirn::records_path(zone);
        let reply = self.api.call(Method::GET, &path, None, action).await?;
        let sets = self.checked(reply, action)?;
        Ok(sets
            .as_array()
            .into_iter()
            .flatten()
            .find(|set| {
                set.get("type").and_then(Value::as_str) == Some("TXT")
                    && set
                        .get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .cloned())
    }

    /// Send `set` back (`PUT`), or `POST` it when it is new (no `id`).
    async fn store(&self, zone: &Zone, set: &Value, action: &str) -> Result<Value, DnsError> {
        let (method, path) = match set.get("id").and_then(id_text) {
            Some(id) => (
                Method::PUT,
                format!("{}/{}", Gehirn::records_path(zone), encode(&id)),
            ),
            None => (Method::POST, Gehirn::records_path(zone)),
        };
        let reply = self.api.call(method, &path, Some(set), action).await?;
        self.checked(reply, action)
    }
}

/// `name` as Gehirn writes record names: fully qualified, final dot.
fn dotted(name: &Name) -> String {
    format!("{}.", plain(name))
}

/// The TXT values of a set.
fn values_of(set: &Value) -> Vec<String> {
    let records = set.get("records").and_then(Value::as_array);
    records
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("data").and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// `set` holding `values`.
fn with_values(set: &Value, values: &[String]) -> Value {
    let mut set = set.clone();
    set["records"] = values.iter().map(|v| json!({"data": v})).collect();
    set
}

impl Provider for Gehirn {
    fn plugin(&self) -> &'static str {
        "dns-gehirn"
    }

    fn location(&self) -> String {
        format!("through {API}")
    }

    fn default_wait(&self) -> Duration {
        CERTBOT_WAIT
    }

    async fn find_zone(&self, name: &Name, _dns_zone: Option<&Name>) -> Result<Zone, DnsError> {
        let action = "list the account's zones";
        let reply = self.api.call(Method::GET, "/zones", None, action).await?;
        let zones = self.checked(reply, action)?;
        let found = zones.as_array().into_iter().flatten().filter_map(|z| {
            let zone_name = z.get("name").and_then(Value::as_str)?;
            let id = z.get("id").and_then(id_text)?;
            let version = z.get("current_version_id").and_then(id_text)?;
            Some((zone_name.to_string(), format!("{id}/{version}")))
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
        let fqdn = dotted(name);
        let set = match self.txt_set(zone, &fqdn, &action).await? {
            Some(set) => set,
            None => {
                json!({"type": "TXT", "name": fqdn, "enable_alias": false, "ttl": TTL, "records": []})
            }
        };
        let mut values = values_of(&set);
        if !values.iter().any(|v| v == value) {
            values.push(value.to_string());
        }
        let stored = self
            .store(zone, &with_values(&set, &values), &action)
            .await?;
        Ok(stored
            .get("id")
            .and_then(id_text)
            .or_else(|| set.get("id").and_then(id_text)))
    }

    async fn delete_txt(&self, added: &Added) -> Result<(), DnsError> {
        let action = format!("delete the TXT record at {}", plain(&added.name));
        let Some(set) = self
            .txt_set(&added.zone, &dotted(&added.name), &action)
            .await?
        else {
            return Ok(());
        };
        let values = values_of(&set);
        let rest: Vec<String> = values
            .iter()
            .filter(|v| **v != added.value)
            .cloned()
            .collect();
        if rest.len() == values.len() {
            return Ok(());
        }
        if !rest.is_empty() {
            return self
                .store(&added.zone, &with_values(&set, &rest), &action)
                .await
                .map(|_| ());
        }
        let Some(id) = set.get("id").and_then(id_text) else {
            return Ok(());
        };
        let path = format!("{}/{}", Gehirn::records_path(&added.zone), encode(&id));
        self.api
            .delete(&path, &action, |reply| self.checked(reply, &action))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_and_secret_are_required_and_never_shown() {
        let parse = |text: &str| {
            Gehirn::parse(Path::new("g.ini"), text)
                .err()
                .map(|e| e.to_string())
        };
        assert_eq!(
            parse("dns_gehirn_api_secret = SECRET\n").unwrap(),
            "g.ini: dns_gehirn_api_token is missing"
        );
        assert_eq!(
            parse("dns_gehirn_api_token = TOKEN\n").unwrap(),
            "g.ini: dns_gehirn_api_secret is missing"
        );
        assert!(parse("dns_gehirn_api_token = t\ndns_gehirn_api_secret = s\n").is_none());
    }

    #[test]
    fn a_set_keeps_its_other_fields_with_new_values() {
        let set = json!({"id": "r1", "type": "TXT", "name": "a.example.", "ttl": 60,
                         "records": [{"data": "one"}, {"data": "two"}]});
        assert_eq!(values_of(&set), ["one", "two"]);
        let kept = with_values(&set, &["two".to_string()]);
        assert_eq!(kept["records"], json!([{"data": "two"}]));
        assert_eq!(kept["id"], "r1");
    }
}
