//! `--dns-linode`: the Linode v4 API (`https://api.linode.com/v4`).
//!
//! - Credentials (Certbot's file): `dns_linode_key`, a personal access token
//!   sent as `Authorization: Bearer`; `dns_linode_version` may say 4 (Linode
//!   retired the v3 API, so 3 is refused).
//! - Zone: the account's domains, `GET /domains?page=N` (every page, up to
//!   `pages`), the longest one that holds the name; its numeric `id` is kept.
//! - Add: `POST /domains/{id}/records` (`type` TXT, `name` relative to the
//!   domain, empty at its apex, `target`, `ttl_sec` 30); the record's `id` is
//!   kept.
//! - Delete: `DELETE /domains/{id}/records/{record}`; when the add went
//!   unanswered (no id), the record is found by name and target among
//!   `GET /domains/{id}/records?page=N` (every page).
//! - Errors: the `errors` array's `reason` (and `field`).

use super::super::credentials::{self, Entry};
use super::super::error::DnsError;
use super::api::{Api, Reply, auth_refused, encode, http_detail, query};
use super::common::{self, id_text};
use super::{Added, Provider, Zone, plain};
use hickory_proto::rr::Name;
use http::Method;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

const BASE: &str = "https://api.linode.com/v4";
const API: &str = "the Linode API";
const PREFIX: &str = "dns_linode_";
const KEYS: [&str; 2] = ["key", "version"];
/// The shortest TTL the API keeps as given.
const TTL: u32 = 30;
/// Certbot's default `--dns-linode-propagation-seconds`.
const CERTBOT_WAIT: Duration = Duration::from_secs(120);
const PER_PAGE: &str = "500";
/// A list longer than this many pages is not read further.
const MAX_PAGES: u64 = 200;

pub struct Linode {
    api: Api,
}

impl Linode {
    /// Read `--dns-linode-credentials FILE`; also Certbot's warning for a
    /// file others may read.
    pub fn load(path: &Path) -> Result<(Linode, Option<String>), DnsError> {
        common::load(
            path,
            "--dns-linode-credentials",
            "a Linode API token",
            Linode::parse,
        )
    }

    /// The credentials in `text` (`path` names the file in messages).
    pub fn parse(path: &Path, text: &str) -> Result<Linode, DnsError> {
        let entries = credentials::entries(path, text, PREFIX, &KEYS)?;
        let get = |key: &str| -> Option<&Entry> {
            entries
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, e)| e)
                .filter(|e| !e.value.trim().is_empty())
        };
        if let Some(v) = get("version")
            && v.value.trim() != "4"
        {
            return Err(credentials::at(
                path,
                v.line,
                v.col,
                "dns_linode_version: certsmith speaks Linode's API v4 only (v3 is retired); \
                 use a personal access token and 4, or leave it out",
            ));
        }
        let Some(token) = get("key") else {
            return Err(DnsError::Credentials(format!(
                "{}: dns_linode_key is missing",
                path.display()
            )));
        };
        let auth = vec![(
            http::header::AUTHORIZATION,
            format!("Bearer {}", token.value.trim()),
        )];
        Ok(Linode {
            api: Api::new(API, BASE, path.to_path_buf(), auth)?,
        })
    }

    /// The answer's JSON when it says success, else the error it names.
    fn checked(&self, reply: Reply, action: &str) -> Result<Value, DnsError> {
        if reply.status.is_success() {
            return Ok(reply.json);
        }
        let text = reasons_of(&reply.json);
        let detail = http_detail(reply.status, Some(text.as_str()).filter(|t| !t.is_empty()));
        let refused = auth_refused(reply.status);
        let hint = "check dns_linode_key (Domains: read/write)";
        Err(self
            .api
            .failure(reply.status, action, detail, refused, hint))
    }

    /// Every item (`data`) of a paginated list.
    async fn list(&self, path: &str, action: &str) -> Result<Vec<Value>, DnsError> {
        let mut items = Vec::new();
        for page in 1..=MAX_PAGES {
            let page_text = page.to_string();
            let params = [("page", page_text.as_str()), ("page_size", PER_PAGE)];
            let target = format!("{path}{}", query(&params));
            let reply = self.api.call(Method::GET, &target, None, action).await?;
            let json = self.checked(reply, action)?;
            if let Some(list) = json.get("data").and_then(Value::as_array) {
                items.extend(list.iter().cloned());
            }
            let pages = json.get("pages").and_then(Value::as_u64).unwrap_or(1);
            if page >= pages {
                break;
            }
        }
        Ok(items)
    }

    async fn delete_id(&self, zone: &str, id: &str, action: &str) -> Result<(), DnsError> {
        let path = format!("/domains/{}/records/{}", encode(zone), encode(id));
        self.api
            .delete(&path, action, |reply| self.checked(reply, action))
            .await
    }
}

/// `name` relative to `zone`, as the API names records: empty at the apex.
fn relative(name: &Name, zone: &Name) -> String {
    let (full, apex) = (plain(name), plain(zone));
    match full.strip_suffix(&format!(".{apex}")) {
        Some(label) => label.to_string(),
        None => String::new(),
    }
}

/// The `errors` array's reasons (`field: reason`), joined.
fn reasons_of(json: &Value) -> String {
    let errors = json.get("errors").and_then(Value::as_array);
    let texts: Vec<String> = errors
        .into_iter()
        .flatten()
        .map(|e| {
            let reason = e.get("reason").and_then(Value::as_str).unwrap_or("");
            match e.get("field").and_then(Value::as_str) {
                Some(field) => format!("{field}: {reason}"),
                None => reason.to_string(),
            }
        })
        .collect();
    texts.join("; ")
}

impl Provider for Linode {
    fn plugin(&self) -> &'static str {
        "dns-linode"
    }

    fn location(&self) -> String {
        format!("through {API}")
    }

    fn default_wait(&self) -> Duration {
        CERTBOT_WAIT
    }

    async fn find_zone(&self, name: &Name, _dns_zone: Option<&Name>) -> Result<Zone, DnsError> {
        let action = "list the account's domains";
        let domains = self.list("/domains", action).await?;
        let mut names: Vec<(String, String)> = domains
            .iter()
            .filter_map(|d| {
                let name = d.get("domain").and_then(Value::as_str)?;
                Some((name.to_ascii_lowercase(), id_text(d.get("id")?)?))
            })
            .collect();
        let full = plain(name);
        // The longest domain that holds the name.
        names.sort_by_key(|(n, _)| std::cmp::Reverse(n.len()));
        let found = names
            .iter()
            .find(|(d, _)| full == *d || full.ends_with(&format!(".{d}")));
        let Some((domain, id)) = found else {
            return Err(DnsError::ApiUnknownZone {
                api: API,
                file: self.api.file.clone(),
                name: full,
                tried: format!("the account's {} domains", names.len()),
            });
        };
        let mut zone =
            Name::from_ascii(domain).map_err(|e| DnsError::Internal(format!("{domain}: {e}")))?;
        zone.set_fqdn(true);
        Ok(Zone {
            name: zone,
            id: id.clone(),
        })
    }

    async fn add_txt(
        &self,
        zone: &Zone,
        name: &Name,
        value: &str,
    ) -> Result<Option<String>, DnsError> {
        let action = format!("add a TXT record at {}", plain(name));
        let body = json!({"type": "TXT", "name": relative(name, &zone.name), "target": value, "ttl_sec": TTL});
        let path = format!("/domains/{}/records", encode(&zone.id));
        let reply = self
            .api
            .call(Method::POST, &path, Some(&body), &action)
            .await?;
        let json = self.checked(reply, &action)?;
        Ok(json.get("id").and_then(id_text))
    }

    async fn delete_txt(&self, added: &Added) -> Result<(), DnsError> {
        let action = format!("delete the TXT record at {}", plain(&added.name));
        if let Some(id) = &added.id {
            return self.delete_id(&added.zone.id, id, &action).await;
        }
        let path = format!("/domains/{}/records", encode(&added.zone.id));
        let records = self.list(&path, &action).await?;
        let wanted = relative(&added.name, &added.zone.name);
        let ours = records.iter().find(|r| {
            r.get("type").and_then(Value::as_str) == Some("TXT")
                && r.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(&wanted))
                && r.get("target").and_then(Value::as_str) == Some(added.value.as_str())
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
    fn names_are_relative_to_the_domain() {
        let zone = Name::from_ascii("example.com.").unwrap();
        let name = Name::from_ascii("_acme-challenge.www.example.com.").unwrap();
        assert_eq!(relative(&name, &zone), "_acme-challenge.www");
        assert_eq!(relative(&zone, &zone), "");
    }

    #[test]
    fn the_key_is_required_v3_is_refused_and_no_value_is_shown() {
        let parse = |text: &str| {
            Linode::parse(Path::new("l.ini"), text)
                .err()
                .map(|e| e.to_string())
        };
        assert_eq!(
            parse("# none\n").unwrap(),
            "l.ini: dns_linode_key is missing"
        );
        let err = parse("dns_linode_key = SECRET\ndns_linode_version = 3\n").unwrap();
        assert!(
            err.starts_with("l.ini:2:22: dns_linode_version: certsmith speaks"),
            "{err}"
        );
        assert!(!err.contains("SECRET"));
        assert!(parse("dns_linode_key = k\ndns_linode_version = 4\n").is_none());
    }

    #[test]
    fn errors_are_read_from_the_reasons() {
        let json =
            json!({"errors": [{"reason": "Invalid Token"}, {"field": "ttl_sec", "reason": "bad"}]});
        assert_eq!(reasons_of(&json), "Invalid Token; ttl_sec: bad");
    }
}
