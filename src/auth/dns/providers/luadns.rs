//! `--dns-luadns`: the LuaDNS REST API (`https://api.luadns.com/v1`).
//!
//! - Credentials (Certbot's file, plugin certbot-dns-luadns):
//!   `dns_luadns_email` and `dns_luadns_token`, sent as HTTP Basic (the
//!   account's email as the user, the API token as the password).
//! - Zone: `GET /zones` (`id`, `name`), the longest that holds the name;
//!   its `id` is kept.
//! - Add: `POST /zones/{id}/records` (`name` fully qualified with the final
//!   dot, `type` TXT, `content`, `ttl` 60); the record's `id` is kept.
//! - Delete: `DELETE /zones/{id}/records/{record}`; when the add went
//!   unanswered (no id), the record is found by name and content among
//!   `GET /zones/{id}/records`.
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

const BASE: &str = "https://api.luadns.com/v1";
const API: &str = "the LuaDNS API";
const PREFIX: &str = "dns_luadns_";
const KEYS: [&str; 2] = ["email", "token"];
/// Certbot's TTL for the plugin's records.
const TTL: u32 = 60;
/// Certbot's default `--dns-luadns-propagation-seconds`.
const CERTBOT_WAIT: Duration = Duration::from_secs(30);

pub struct LuaDns {
    api: Api,
}

impl LuaDns {
    /// Read `--dns-luadns-credentials FILE`; also Certbot's warning for a
    /// file others may read.
    pub fn load(path: &Path) -> Result<(LuaDns, Option<String>), DnsError> {
        common::load(
            path,
            "--dns-luadns-credentials",
            "a LuaDNS email and API token",
            LuaDns::parse,
        )
    }

    /// The credentials in `text` (`path` names the file in messages).
    pub fn parse(path: &Path, text: &str) -> Result<LuaDns, DnsError> {
        let entries = credentials::entries(path, text, PREFIX, &KEYS)?;
        let email = required(path, &entries, PREFIX, "email")?;
        let token = required(path, &entries, PREFIX, "token")?;
        let auth = vec![(http::header::AUTHORIZATION, basic(&email, &token))];
        Ok(LuaDns {
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
        let hint = "check dns_luadns_email and dns_luadns_token";
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

    async fn delete_id(&self, zone: &str, id: &str, action: &str) -> Result<(), DnsError> {
        let path = format!("/zones/{}/records/{}", encode(zone), encode(id));
        self.api
            .delete(&path, action, |reply| self.checked(reply, action))
            .await
    }
}

/// `name` as LuaDNS writes record names: fully qualified, final dot.
fn dotted(name: &Name) -> String {
    format!("{}.", plain(name))
}

impl Provider for LuaDns {
    fn plugin(&self) -> &'static str {
        "dns-luadns"
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
            let zone = z.get("name").and_then(Value::as_str)?;
            Some((zone.to_string(), z.get("id").and_then(id_text)?))
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
        let body = json!({"name": dotted(name), "type": "TXT", "content": value, "ttl": TTL});
        let path = format!("/zones/{}/records", encode(&zone.id));
        let record = self.send(Method::POST, &path, Some(&body), &action).await?;
        Ok(record.get("id").and_then(id_text))
    }

    async fn delete_txt(&self, added: &Added) -> Result<(), DnsError> {
        let action = format!("delete the TXT record at {}", plain(&added.name));
        if let Some(id) = &added.id {
            return self.delete_id(&added.zone.id, id, &action).await;
        }
        let path = format!("/zones/{}/records", encode(&added.zone.id));
        let records = self.send(Method::GET, &path, None, &action).await?;
        let wanted = dotted(&added.name);
        let ours = records.as_array().into_iter().flatten().find(|r| {
            let field = |key: &str| r.get(key).and_then(Value::as_str);
            field("type") == Some("TXT")
                && field("name").is_some_and(|n| n.eq_ignore_ascii_case(&wanted))
                && field("content") == Some(added.value.as_str())
        });
        match ours.and_then(|r| r.get("id")).and_then(id_text) {
            Some(id) => self.delete_id(&added.zone.id, &id, &action).await,
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_and_token_are_required_and_names_end_with_a_dot() {
        let parse = |text: &str| {
            LuaDns::parse(Path::new("l.ini"), text)
                .err()
                .map(|e| e.to_string())
        };
        assert_eq!(
            parse("dns_luadns_token = SECRET\n").unwrap(),
            "l.ini: dns_luadns_email is missing"
        );
        assert!(parse("dns_luadns_email = a@example.test\ndns_luadns_token = t\n").is_none());
        let name = Name::from_ascii("_acme-challenge.Example.test.").unwrap();
        assert_eq!(dotted(&name), "_acme-challenge.example.test.");
    }
}
