//! `--dns-digitalocean`: the DigitalOcean v2 API (`https://api.digitalocean.com/v2`).
//!
//! - Credentials (Certbot's file): `dns_digitalocean_token`, sent as
//!   `Authorization: Bearer`.
//! - Zone: the account's domains, `GET /domains` (every page, following
//!   `links.pages.next`), the longest one that holds the name.
//! - Add: `POST /domains/{domain}/records` (`type` TXT, `name` relative to
//!   the domain, `@` at its apex, `data`, `ttl` 30 as Certbot); the record's
//!   `id` is kept.
//! - Delete: `DELETE /domains/{domain}/records/{id}`; when the add went
//!   unanswered (no id), the record is found by name and data among
//!   `GET /domains/{domain}/records?type=TXT&name=FQDN` (every page).
//! - Errors: the answer's `id` and `message`.

use super::super::credentials::{self, Entry};
use super::super::error::DnsError;
use super::api::{Api, Reply, auth_refused, encode, query};
use super::common::{self, id_text};
use super::{Added, Provider, Zone, plain};
use hickory_proto::rr::Name;
use http::Method;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

const BASE: &str = "https://api.digitalocean.com/v2";
const API: &str = "the DigitalOcean API";
const PREFIX: &str = "dns_digitalocean_";
const KEYS: [&str; 1] = ["token"];
/// Certbot's TTL for the challenge records (the API's minimum).
const TTL: u32 = 30;
/// Certbot's default `--dns-digitalocean-propagation-seconds`.
const CERTBOT_WAIT: Duration = Duration::from_secs(10);
const PER_PAGE: &str = "200";
/// A list longer than this many pages is not read further.
const MAX_PAGES: u64 = 200;

pub struct DigitalOcean {
    api: Api,
}

impl DigitalOcean {
    /// Read `--dns-digitalocean-credentials FILE`; also Certbot's warning
    /// for a file others may read.
    pub fn load(path: &Path) -> Result<(DigitalOcean, Option<String>), DnsError> {
        common::load(
            path,
            "--dns-digitalocean-credentials",
            "a DigitalOcean API token",
            DigitalOcean::parse,
        )
    }

    /// The credentials in `text` (`path` names the file in messages).
    pub fn parse(path: &Path, text: &str) -> Result<DigitalOcean, DnsError> {
        let entries = credentials::entries(path, text, PREFIX, &KEYS)?;
        let token: Option<&Entry> = entries
            .iter()
            .find(|(k, _)| k == "token")
            .map(|(_, e)| e)
            .filter(|e| !e.value.trim().is_empty());
        let Some(token) = token else {
            return Err(DnsError::Credentials(format!(
                "{}: dns_digitalocean_token is missing",
                path.display()
            )));
        };
        let auth = vec![(
            http::header::AUTHORIZATION,
            format!("Bearer {}", token.value.trim()),
        )];
        Ok(DigitalOcean {
            api: Api::new(API, BASE, path.to_path_buf(), auth)?,
        })
    }

    /// The answer's JSON when it says success, else the error it names.
    fn checked(&self, reply: Reply, action: &str) -> Result<Value, DnsError> {
        if reply.status.is_success() {
            return Ok(reply.json);
        }
        let message = reply.json.get("message").and_then(Value::as_str);
        let id = reply.json.get("id").and_then(Value::as_str);
        let detail = match (message, id) {
            (Some(m), Some(i)) => format!("HTTP {}: {m} ({i})", reply.status.as_u16()),
            (Some(m), None) => format!("HTTP {}: {m}", reply.status.as_u16()),
            _ => format!("HTTP {}", reply.status.as_u16()),
        };
        let refused = auth_refused(reply.status);
        let hint = "check dns_digitalocean_token (read and write scope)";
        Err(self
            .api
            .failure(reply.status, action, detail, refused, hint))
    }

    /// Every item under `key` of a paginated list.
    async fn list(
        &self,
        path: &str,
        filters: &[(&str, &str)],
        key: &str,
        action: &str,
    ) -> Result<Vec<Value>, DnsError> {
        let mut items = Vec::new();
        for page in 1..=MAX_PAGES {
            let page_text = page.to_string();
            let mut params = filters.to_vec();
            params.extend([("page", page_text.as_str()), ("per_page", PER_PAGE)]);
            let reply = self
                .api
                .call(
                    Method::GET,
                    &format!("{path}{}", query(&params)),
                    None,
                    action,
                )
                .await?;
            let json = self.checked(reply, action)?;
            if let Some(list) = json.get(key).and_then(Value::as_array) {
                items.extend(list.iter().cloned());
            }
            if json.pointer("/links/pages/next").is_none() {
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

/// `name` relative to `zone`, as the API names records: `@` at the apex.
fn relative(name: &Name, zone: &Name) -> String {
    let (full, apex) = (plain(name), plain(zone));
    match full.strip_suffix(&format!(".{apex}")) {
        Some(label) => label.to_string(),
        None => "@".to_string(),
    }
}

impl Provider for DigitalOcean {
    fn plugin(&self) -> &'static str {
        "dns-digitalocean"
    }

    fn location(&self) -> String {
        format!("through {API}")
    }

    fn default_wait(&self) -> Duration {
        CERTBOT_WAIT
    }

    async fn find_zone(&self, name: &Name, _dns_zone: Option<&Name>) -> Result<Zone, DnsError> {
        let action = "list the account's domains";
        let domains = self.list("/domains", &[], "domains", action).await?;
        let mut names: Vec<String> = domains
            .iter()
            .filter_map(|d| d.get("name").and_then(Value::as_str))
            .map(str::to_ascii_lowercase)
            .collect();
        let full = plain(name);
        // The longest domain that holds the name.
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let found = names
            .iter()
            .find(|d| full == **d || full.ends_with(&format!(".{d}")));
        let Some(domain) = found else {
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
            id: domain.clone(),
        })
    }

    async fn add_txt(
        &self,
        zone: &Zone,
        name: &Name,
        value: &str,
    ) -> Result<Option<String>, DnsError> {
        let action = format!("add a TXT record at {}", plain(name));
        let body =
            json!({"type": "TXT", "name": relative(name, &zone.name), "data": value, "ttl": TTL});
        let path = format!("/domains/{}/records", encode(&zone.id));
        let reply = self
            .api
            .call(Method::POST, &path, Some(&body), &action)
            .await?;
        let json = self.checked(reply, &action)?;
        Ok(json.pointer("/domain_record/id").and_then(id_text))
    }

    async fn delete_txt(&self, added: &Added) -> Result<(), DnsError> {
        let action = format!("delete the TXT record at {}", plain(&added.name));
        if let Some(id) = &added.id {
            return self.delete_id(&added.zone.id, id, &action).await;
        }
        let path = format!("/domains/{}/records", encode(&added.zone.id));
        let full = plain(&added.name);
        let filters = [("type", "TXT"), ("name", full.as_str())];
        let records = self
            .list(&path, &filters, "domain_records", &action)
            .await?;
        let wanted = relative(&added.name, &added.zone.name);
        let ours = records.iter().find(|r| {
            r.get("name").and_then(Value::as_str) == Some(wanted.as_str())
                && r.get("data").and_then(Value::as_str) == Some(added.value.as_str())
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
        assert_eq!(relative(&zone, &zone), "@");
    }

    #[test]
    fn the_token_is_required_and_never_shown() {
        let err = DigitalOcean::parse(Path::new("do.ini"), "dns_digitalocean_tokn = SECRET\n")
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.starts_with("do.ini:1:1: unknown key dns_digitalocean_tokn"),
            "{err}"
        );
        assert!(!err.contains("SECRET"));
        let err = DigitalOcean::parse(Path::new("do.ini"), "# none\n")
            .err()
            .unwrap()
            .to_string();
        assert_eq!(err, "do.ini: dns_digitalocean_token is missing");
    }
}
