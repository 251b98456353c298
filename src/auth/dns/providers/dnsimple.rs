//! `--dns-dnsimple`: the DNSimple v2 API (`https://api.dnsimple.com/v2`).
//!
//! - Credentials (Certbot's file): `dns_dnsimple_token`, an account (or
//!   user) access token sent as `Authorization: Bearer`.
//! - Accounts: `GET /whoami` names the token's account; a user token has
//!   none there, so its accounts are `GET /accounts`.
//! - Zone: each account's zones, `GET /{account}/zones?page=N&per_page=100`
//!   (every page, up to `pagination.total_pages`), the longest that holds
//!   the name; the account id is kept as the zone's id.
//! - Add: `POST /{account}/zones/{zone}/records` (`name` relative to the
//!   zone, empty at its apex, `type` TXT, `content`, `ttl` 60); the record's
//!   `id` is kept.
//! - Delete: `DELETE /{account}/zones/{zone}/records/{id}` (204); when the
//!   add went unanswered (no id), the record is found by name and content
//!   among `GET /{account}/zones/{zone}/records?name=&type=TXT`.
//! - Errors: `message`, and `errors` (field: messages) when validation fails.

use super::super::credentials;
use super::super::error::DnsError;
use super::api::{Api, Reply, auth_refused, encode, http_detail, query};
use super::common::{self, holding_zone, id_text, relative, required};
use super::{Added, Provider, Zone, plain};
use hickory_proto::rr::Name;
use http::Method;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

const BASE: &str = "https://api.dnsimple.com/v2";
const API: &str = "the DNSimple API";
const PREFIX: &str = "dns_dnsimple_";
const KEYS: [&str; 1] = ["token"];
/// DNSimple's shortest TTL.
const TTL: u32 = 60;
/// Certbot's default `--dns-dnsimple-propagation-seconds`.
const CERTBOT_WAIT: Duration = Duration::from_secs(30);
const PER_PAGE: &str = "100";
/// A list longer than this many pages is not read further.
const MAX_PAGES: u64 = 200;

pub struct Dnsimple {
    api: Api,
}

impl Dnsimple {
    /// Read `--dns-dnsimple-credentials FILE`; also Certbot's warning for a
    /// file others may read.
    pub fn load(path: &Path) -> Result<(Dnsimple, Option<String>), DnsError> {
        common::load(
            path,
            "--dns-dnsimple-credentials",
            "a DNSimple API token",
            Dnsimple::parse,
        )
    }

    /// The credentials in `text` (`path` names the file in messages).
    pub fn parse(path: &Path, text: &str) -> Result<Dnsimple, DnsError> {
        let entries = credentials::entries(path, text, PREFIX, &KEYS)?;
        let token = required(path, &entries, PREFIX, "token")?;
        let auth = vec![(http::header::AUTHORIZATION, format!("Bearer {token}"))];
        Ok(Dnsimple {
            api: Api::new(API, BASE, path.to_path_buf(), auth)?,
        })
    }

    /// The answer's JSON when it says success, else the error it names.
    fn checked(&self, reply: Reply, action: &str) -> Result<Value, DnsError> {
        if reply.status.is_success() {
            return Ok(reply.json);
        }
        let text = message_of(&reply.json);
        let detail = http_detail(reply.status, Some(text.as_str()).filter(|t| !t.is_empty()));
        let refused = auth_refused(reply.status);
        let hint = "check dns_dnsimple_token";
        Err(self
            .api
            .failure(reply.status, action, detail, refused, hint))
    }

    async fn get(&self, path: &str, action: &str) -> Result<Value, DnsError> {
        let reply = self.api.call(Method::GET, path, None, action).await?;
        self.checked(reply, action)
    }

    /// Every item (`data`) of a paginated list; `params` narrow it.
    async fn list(
        &self,
        path: &str,
        params: &[(&str, &str)],
        action: &str,
    ) -> Result<Vec<Value>, DnsError> {
        let mut items = Vec::new();
        for page in 1..=MAX_PAGES {
            let page_text = page.to_string();
            let mut all = params.to_vec();
            all.extend([("page", page_text.as_str()), ("per_page", PER_PAGE)]);
            let json = self.get(&format!("{path}{}", query(&all)), action).await?;
            if let Some(list) = json.get("data").and_then(Value::as_array) {
                items.extend(list.iter().cloned());
            }
            let pages = json
                .pointer("/pagination/total_pages")
                .and_then(Value::as_u64)
                .unwrap_or(1);
            if page >= pages {
                break;
            }
        }
        Ok(items)
    }

    /// The ids of the accounts the token reaches.
    async fn accounts(&self) -> Result<Vec<String>, DnsError> {
        let action = "find the token's account";
        let whoami = self.get("/whoami", action).await?;
        if let Some(id) = whoami.pointer("/data/account/id").and_then(id_text) {
            return Ok(vec![id]);
        }
        let accounts = self.get("/accounts", action).await?;
        let ids = accounts.get("data").and_then(Value::as_array);
        Ok(ids
            .into_iter()
            .flatten()
            .filter_map(|a| a.get("id").and_then(id_text))
            .collect())
    }

    fn records_path(zone: &Zone) -> String {
        format!(
            "/{}/zones/{}/records",
            encode(&zone.id),
            encode(&plain(&zone.name))
        )
    }

    async fn delete_id(&self, zone: &Zone, id: &str, action: &str) -> Result<(), DnsError> {
        let path = format!("{}/{}", Dnsimple::records_path(zone), encode(id));
        self.api
            .delete(&path, action, |reply| self.checked(reply, action))
            .await
    }
}

/// `message`, then each field's messages of `errors`.
fn message_of(json: &Value) -> String {
    let mut parts: Vec<String> = json
        .get("message")
        .and_then(Value::as_str)
        .map(str::to_string)
        .into_iter()
        .collect();
    if let Some(errors) = json.get("errors").and_then(Value::as_object) {
        for (field, messages) in errors {
            let texts: Vec<&str> = match messages {
                Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
                Value::String(s) => vec![s.as_str()],
                _ => Vec::new(),
            };
            parts.push(format!("{field}: {}", texts.join(", ")));
        }
    }
    parts.join("; ")
}

/// Whether a listed record is the TXT `value` (DNSimple may show TXT
/// content quoted).
fn holds_value(record: &Value, value: &str) -> bool {
    let content = record.get("content").and_then(Value::as_str);
    content.is_some_and(|c| c == value || c == format!("\"{value}\""))
}

impl Provider for Dnsimple {
    fn plugin(&self) -> &'static str {
        "dns-dnsimple"
    }

    fn location(&self) -> String {
        format!("through {API}")
    }

    fn default_wait(&self) -> Duration {
        CERTBOT_WAIT
    }

    async fn find_zone(&self, name: &Name, _dns_zone: Option<&Name>) -> Result<Zone, DnsError> {
        let action = "list the account's zones";
        let mut zones = Vec::new();
        for account in self.accounts().await? {
            let path = format!("/{}/zones", encode(&account));
            for zone in self.list(&path, &[], action).await? {
                if let Some(zone_name) = zone.get("name").and_then(Value::as_str) {
                    zones.push((zone_name.to_string(), account.clone()));
                }
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
        let body = json!({"name": relative(name, &zone.name), "type": "TXT", "content": value, "ttl": TTL});
        let path = Dnsimple::records_path(zone);
        let reply = self
            .api
            .call(Method::POST, &path, Some(&body), &action)
            .await?;
        let json = self.checked(reply, &action)?;
        Ok(json.pointer("/data/id").and_then(id_text))
    }

    async fn delete_txt(&self, added: &Added) -> Result<(), DnsError> {
        let action = format!("delete the TXT record at {}", plain(&added.name));
        if let Some(id) = &added.id {
            return self.delete_id(&added.zone, id, &action).await;
        }
        let wanted = relative(&added.name, &added.zone.name);
        let params = [("name", wanted.as_str()), ("type", "TXT")];
        let path = Dnsimple::records_path(&added.zone);
        let records = self.list(&path, &params, &action).await?;
        let ours = records.iter().find(|r| {
            r.get("type").and_then(Value::as_str) == Some("TXT")
                && r.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(&wanted))
                && holds_value(r, &added.value)
        });
        match ours.and_then(|r| r.get("id")).and_then(id_text) {
            Some(id) => self.delete_id(&added.zone, &id, &action).await,
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_required_and_never_shown() {
        let parse = |text: &str| {
            Dnsimple::parse(Path::new("d.ini"), text)
                .err()
                .map(|e| e.to_string())
        };
        assert_eq!(
            parse("# none\n").unwrap(),
            "d.ini: dns_dnsimple_token is missing"
        );
        let err = parse("dns_dnsimple_token = SECRET\ndns_dnsimple_other = x\n").unwrap();
        assert!(!err.contains("SECRET"), "{err}");
        assert!(parse("dns_dnsimple_token = t\n").is_none());
    }

    #[test]
    fn errors_name_the_message_and_the_fields() {
        let json = json!({"message": "Validation failed", "errors": {"content": ["is invalid"]}});
        assert_eq!(message_of(&json), "Validation failed; content: is invalid");
    }

    #[test]
    fn quoted_txt_content_is_the_same_value() {
        assert!(holds_value(&json!({"content": "\"abc\""}), "abc"));
        assert!(holds_value(&json!({"content": "abc"}), "abc"));
        assert!(!holds_value(&json!({"content": "abcd"}), "abc"));
    }
}
