//! `--dns-sakuracloud`: the Sakura Cloud API's DNS service
//! (`https://secure.sakura.ad.jp/cloud/zone/is1a/api/cloud/1.1`).
//!
//! - Credentials (Certbot's file): `dns_sakuracloud_api_token` and
//!   `dns_sakuracloud_api_secret`, sent as HTTP Basic (token as the user,
//!   secret as the password).
//! - Zone: the account's DNS zones, `GET /commonserviceitem?{JSON}` (the
//!   query is JSON: `Filter` `Provider.Class` `dns`, `From`, `Count`; pages
//!   until `Total` zones came), the longest `Status.Zone` that holds the name; its
//!   `ID` is kept.
//! - A zone's records are one list, `Settings.DNS.ResourceRecordSets`
//!   (`Name` relative, `@` at the apex; `Type`; `RData`; `TTL`), read with
//!   `GET /commonserviceitem/{id}` and written whole with
//!   `PUT /commonserviceitem/{id}`.
//! - Add: the list read, the TXT record appended (TTL 60), the list put
//!   back. Delete: the list read again, exactly that name, type and value
//!   taken out, the list put back.
//! - Errors: `error_msg` (and `error_code`).

use super::super::credentials;
use super::super::error::DnsError;
use super::api::{Api, Reply, auth_refused, encode};
use super::common::{self, basic, holding_zone, id_text, relative, required};
use super::{Added, Provider, Zone, plain};
use hickory_proto::rr::Name;
use http::Method;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

const BASE: &str = "https://secure.sakura.ad.jp/cloud/zone/is1a/api/cloud/1.1";
const API: &str = "the Sakura Cloud API";
const PREFIX: &str = "dns_sakuracloud_";
const KEYS: [&str; 2] = ["api_token", "api_secret"];
/// Certbot's TTL for the plugin's records.
const TTL: u32 = 60;
/// Certbot's default `--dns-sakuracloud-propagation-seconds`.
const CERTBOT_WAIT: Duration = Duration::from_secs(90);
const PER_PAGE: u64 = 100;
/// A list longer than this many pages is not read further.
const MAX_PAGES: u64 = 200;

pub struct SakuraCloud {
    api: Api,
}

impl SakuraCloud {
    /// Read `--dns-sakuracloud-credentials FILE`; also Certbot's warning
    /// for a file others may read.
    pub fn load(path: &Path) -> Result<(SakuraCloud, Option<String>), DnsError> {
        common::load(
            path,
            "--dns-sakuracloud-credentials",
            "a Sakura Cloud API token and secret",
            SakuraCloud::parse,
        )
    }

    /// The credentials in `text` (`path` names the file in messages).
    pub fn parse(path: &Path, text: &str) -> Result<SakuraCloud, DnsError> {
        let entries = credentials::entries(path, text, PREFIX, &KEYS)?;
        let token = required(path, &entries, PREFIX, "api_token")?;
        let secret = required(path, &entries, PREFIX, "api_secret")?;
        let auth = vec![(http::header::AUTHORIZATION, basic(&token, &secret))];
        Ok(SakuraCloud {
            api: Api::new(API, BASE, path.to_path_buf(), auth)?,
        })
    }

    /// The answer's JSON when it says success, else the error it names.
    fn checked(&self, reply: Reply, action: &str) -> Result<Value, DnsError> {
        if reply.status.is_success() {
            return Ok(reply.json);
        }
        let status = reply.status.as_u16();
        let text = |key: &str| reply.json.get(key).and_then(Value::as_str);
        let detail = match (text("error_msg"), text("error_code")) {
            (Some(message), Some(code)) => format!("HTTP {status}: {message} ({code})"),
            (Some(message), None) => format!("HTTP {status}: {message}"),
            _ => format!("HTTP {status}"),
        };
        let refused = auth_refused(reply.status);
        let hint = "check dns_sakuracloud_api_token and dns_sakuracloud_api_secret";
        Err(self
            .api
            .failure(reply.status, action, detail, refused, hint))
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

    /// The zone's record list.
    async fn record_sets(&self, zone: &Zone, action: &str) -> Result<Vec<Value>, DnsError> {
        let path = format!("/commonserviceitem/{}", encode(&zone.id));
        let item = self.send(Method::GET, &path, None, action).await?;
        let sets = item.pointer("/CommonServiceItem/Settings/DNS/ResourceRecordSets");
        Ok(sets.and_then(Value::as_array).cloned().unwrap_or_default())
    }

    /// Write the zone's record list whole.
    async fn put_record_sets(
        &self,
        zone: &Zone,
        sets: Vec<Value>,
        action: &str,
    ) -> Result<(), DnsError> {
        let path = format!("/commonserviceitem/{}", encode(&zone.id));
        let body =
            json!({"CommonServiceItem": {"Settings": {"DNS": {"ResourceRecordSets": sets}}}});
        self.send(Method::PUT, &path, Some(&body), action)
            .await
            .map(|_| ())
    }
}

/// `name` as the zone's record list names it: relative, `@` at the apex.
fn record_name(name: &Name, zone: &Name) -> String {
    match relative(name, zone) {
        label if label.is_empty() => "@".to_string(),
        label => label,
    }
}

/// Whether `set` is the TXT record `value` at `name` (relative).
fn is_record(set: &Value, name: &str, value: &str) -> bool {
    let field = |key: &str| set.get(key).and_then(Value::as_str);
    field("Type") == Some("TXT")
        && field("Name").is_some_and(|n| n.eq_ignore_ascii_case(name))
        && field("RData") == Some(value)
}

/// The `GET /commonserviceitem` query: DNS zones, `count` from `from`.
fn zones_query(from: u64) -> String {
    let filter = json!({"Filter": {"Provider.Class": "dns"}, "From": from, "Count": PER_PAGE});
    format!("?{}", encode(&filter.to_string()))
}

impl Provider for SakuraCloud {
    fn plugin(&self) -> &'static str {
        "dns-sakuracloud"
    }

    fn location(&self) -> String {
        format!("through {API}")
    }

    fn default_wait(&self) -> Duration {
        CERTBOT_WAIT
    }

    async fn find_zone(&self, name: &Name, _dns_zone: Option<&Name>) -> Result<Zone, DnsError> {
        let action = "list the account's DNS zones";
        let (mut zones, mut from) = (Vec::new(), 0);
        for _ in 0..MAX_PAGES {
            let path = format!("/commonserviceitem{}", zones_query(from));
            let json = self.send(Method::GET, &path, None, action).await?;
            let items = json.get("CommonServiceItems").and_then(Value::as_array);
            let items: Vec<&Value> = items.into_iter().flatten().collect();
            zones.extend(items.iter().filter_map(|item| {
                let zone = item.pointer("/Status/Zone").and_then(Value::as_str)?;
                Some((zone.to_string(), item.get("ID").and_then(id_text)?))
            }));
            // The API may send fewer than asked: the next page starts
            // after what came.
            from += items.len() as u64;
            let total = json.get("Total").and_then(Value::as_u64).unwrap_or(0);
            if items.is_empty() || from >= total {
                break;
            }
        }
        holding_zone(API, &self.api.file, name, zones)
    }

    async fn add_txt(
        &self,
        zone: &Zone,
        name: &Name,
        value: &str,
    ) -> Result<Option<String>, DnsError> {
        let action = format!("add a TXT record at {}", plain(name));
        let mut sets = self.record_sets(zone, &action).await?;
        let label = record_name(name, &zone.name);
        if !sets.iter().any(|s| is_record(s, &label, value)) {
            sets.push(json!({"Name": label, "Type": "TXT", "RData": value, "TTL": TTL}));
            self.put_record_sets(zone, sets, &action).await?;
        }
        Ok(None)
    }

    async fn delete_txt(&self, added: &Added) -> Result<(), DnsError> {
        let action = format!("delete the TXT record at {}", plain(&added.name));
        let sets = self.record_sets(&added.zone, &action).await?;
        let label = record_name(&added.name, &added.zone.name);
        let before = sets.len();
        let rest: Vec<Value> = sets
            .into_iter()
            .filter(|s| !is_record(s, &label, &added.value))
            .collect();
        if rest.len() == before {
            return Ok(());
        }
        self.put_record_sets(&added.zone, rest, &action).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_and_secret_are_required() {
        let parse = |text: &str| {
            SakuraCloud::parse(Path::new("s.ini"), text)
                .err()
                .map(|e| e.to_string())
        };
        assert_eq!(
            parse("dns_sakuracloud_api_token = t\n").unwrap(),
            "s.ini: dns_sakuracloud_api_secret is missing"
        );
        assert!(parse("dns_sakuracloud_api_token = t\ndns_sakuracloud_api_secret = s\n").is_none());
    }

    #[test]
    fn the_apex_is_at_and_only_the_exact_record_matches() {
        let zone = Name::from_ascii("example.test.").unwrap();
        let name = Name::from_ascii("_acme-challenge.example.test.").unwrap();
        assert_eq!(record_name(&zone, &zone), "@");
        assert_eq!(record_name(&name, &zone), "_acme-challenge");
        let set = json!({"Name": "_acme-challenge", "Type": "TXT", "RData": "v", "TTL": 60});
        assert!(is_record(&set, "_acme-challenge", "v"));
        assert!(!is_record(&set, "_acme-challenge", "w"));
    }

    #[test]
    fn the_zone_query_is_json() {
        let query = zones_query(100);
        assert!(query.starts_with("?%7B"), "{query}");
        for part in [
            "%22Provider.Class%22%3A%22dns%22",
            "%22From%22%3A100",
            "%22Count%22%3A100",
        ] {
            assert!(query.contains(part), "{query}");
        }
    }
}
