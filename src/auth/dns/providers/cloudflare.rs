//! `--dns-cloudflare`: the Cloudflare v4 API (`https://api.cloudflare.com/client/v4`).
//!
//! - Credentials (Certbot's file): `dns_cloudflare_api_token` (sent as
//!   `Authorization: Bearer`), or `dns_cloudflare_email` with
//!   `dns_cloudflare_api_key` (the global key: `X-Auth-Email`, `X-Auth-Key`).
//! - Zone: `GET /zones?name=CANDIDATE` for the name and each parent, the DNS's
//!   own answer first; every page of the result read.
//! - Add: `POST /zones/{zone}/dns_records` (`type` TXT, `name`, `content`,
//!   `ttl` 120 as Certbot); the record's `id` is kept.
//! - Delete: `DELETE /zones/{zone}/dns_records/{id}`; when the add went
//!   unanswered (no id), the record is found by name and content among
//!   `GET /zones/{zone}/dns_records?type=TXT&name=NAME` (every page).
//! - Errors: the `errors` array (`code`, `message`) of the answer.

use super::super::credentials::{self, Entry};
use super::super::error::DnsError;
use super::api::{Api, Reply, encode, query};
use super::common;
use super::{Added, Provider, Zone, plain};
use hickory_proto::rr::Name;
use http::{HeaderName, Method, StatusCode};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

const BASE: &str = "https://api.cloudflare.com/client/v4";
const API: &str = "the Cloudflare API";
const PREFIX: &str = "dns_cloudflare_";
const KEYS: [&str; 3] = ["api_token", "email", "api_key"];
/// Certbot's TTL for the challenge records.
const TTL: u32 = 120;
/// Certbot's default `--dns-cloudflare-propagation-seconds`.
const CERTBOT_WAIT: Duration = Duration::from_secs(10);
/// Results asked for per page (the API's maximum for zones is 50).
const PER_PAGE: &str = "50";
/// A list longer than this many pages is not read further.
const MAX_PAGES: u64 = 200;
/// Error codes of refused credentials (invalid or unknown token or key,
/// malformed headers, missing permission).
const AUTH_CODES: [i64; 7] = [6003, 6103, 6111, 9103, 9106, 9109, 10000];

/// How the account authenticates.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Token,
    GlobalKey,
}

pub struct Cloudflare {
    api: Api,
    mode: Mode,
}

impl Cloudflare {
    /// Read `--dns-cloudflare-credentials FILE`; also Certbot's warning for
    /// a file others may read.
    pub fn load(path: &Path) -> Result<(Cloudflare, Option<String>), DnsError> {
        common::load(
            path,
            "--dns-cloudflare-credentials",
            "a Cloudflare API secret",
            Cloudflare::parse,
        )
    }

    /// The credentials in `text` (`path` names the file in messages).
    pub fn parse(path: &Path, text: &str) -> Result<Cloudflare, DnsError> {
        let entries = credentials::entries(path, text, PREFIX, &KEYS)?;
        let get = |k: &str| -> Option<&Entry> {
            entries
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, e)| e)
                .filter(|e| !e.value.trim().is_empty())
        };
        let bad = |msg: &str| DnsError::Credentials(format!("{}: {msg}", path.display()));
        let (token, email, key) = (get("api_token"), get("email"), get("api_key"));
        let (mode, auth) = match (token, email, key) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err(bad(
                    "give dns_cloudflare_api_token, or dns_cloudflare_email with \
                     dns_cloudflare_api_key, not both",
                ));
            }
            (Some(t), None, None) => (
                Mode::Token,
                vec![(
                    http::header::AUTHORIZATION,
                    format!("Bearer {}", t.value.trim()),
                )],
            ),
            (None, Some(e), Some(k)) => (
                Mode::GlobalKey,
                vec![
                    (
                        HeaderName::from_static("x-auth-email"),
                        e.value.trim().into(),
                    ),
                    (HeaderName::from_static("x-auth-key"), k.value.trim().into()),
                ],
            ),
            (None, None, Some(_)) => {
                return Err(bad(
                    "dns_cloudflare_api_key (the global API key) also needs dns_cloudflare_email, \
                     the account's email address",
                ));
            }
            (None, Some(_), None) => {
                return Err(bad(
                    "dns_cloudflare_email also needs dns_cloudflare_api_key",
                ));
            }
            (None, None, None) => {
                return Err(bad(
                    "dns_cloudflare_api_token is missing (or dns_cloudflare_email and \
                     dns_cloudflare_api_key)",
                ));
            }
        };
        Ok(Cloudflare {
            api: Api::new(API, BASE, path.to_path_buf(), auth)?,
            mode,
        })
    }

    /// Which keys to check when the API refuses them.
    fn keys_hint(&self) -> &'static str {
        match self.mode {
            Mode::Token => {
                "check dns_cloudflare_api_token and its permissions (Zone:Read, DNS:Edit)"
            }
            Mode::GlobalKey => "check dns_cloudflare_email and dns_cloudflare_api_key",
        }
    }

    /// The answer's JSON when it says success, else the error it names.
    fn checked(&self, reply: Reply, action: &str) -> Result<Value, DnsError> {
        let success = reply.json.get("success").and_then(Value::as_bool);
        if reply.status.is_success() && success != Some(false) {
            return Ok(reply.json);
        }
        let (codes, text) = errors_of(&reply.json);
        let detail = match text.is_empty() {
            true => format!("HTTP {}", reply.status.as_u16()),
            false => format!("HTTP {}: {text}", reply.status.as_u16()),
        };
        let refused = matches!(
            reply.status,
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
        ) || codes.iter().any(|c| AUTH_CODES.contains(c));
        let hint = self.keys_hint();
        Err(self
            .api
            .failure(reply.status, action, detail, refused, hint))
    }

    /// Every item of a paginated list.
    async fn list(
        &self,
        path: &str,
        filters: &[(&str, &str)],
        action: &str,
    ) -> Result<Vec<Value>, DnsError> {
        let mut items = Vec::new();
        let mut page: u64 = 1;
        loop {
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
            if let Some(result) = json.get("result").and_then(Value::as_array) {
                items.extend(result.iter().cloned());
            }
            let pages = json
                .pointer("/result_info/total_pages")
                .and_then(Value::as_u64)
                .unwrap_or(1);
            if page >= pages || page >= MAX_PAGES {
                return Ok(items);
            }
            page += 1;
        }
    }

    async fn delete_id(&self, zone: &str, id: &str, action: &str) -> Result<(), DnsError> {
        let path = format!("/zones/{}/dns_records/{}", encode(zone), encode(id));
        self.api
            .delete(&path, action, |reply| self.checked(reply, action))
            .await
    }
}

/// The error codes of an answer, and its errors as `message (code)`, joined.
fn errors_of(json: &Value) -> (Vec<i64>, String) {
    let mut codes = Vec::new();
    let mut texts = Vec::new();
    let errors = json.get("errors").and_then(Value::as_array);
    for e in errors.into_iter().flatten() {
        let code = e.get("code").and_then(Value::as_i64);
        let message = e.get("message").and_then(Value::as_str).unwrap_or("");
        codes.extend(code);
        texts.push(match code {
            Some(c) => format!("{message} (error {c})"),
            None => message.to_string(),
        });
    }
    (codes, texts.join("; "))
}

/// The zone names to try for `name`: the DNS's answer first, then the name
/// and each parent of two labels or more.
fn candidates(name: &Name, dns_zone: Option<&Name>) -> Vec<String> {
    let mut out: Vec<String> = dns_zone.map(plain).into_iter().collect();
    let mut current = name.clone();
    while current.num_labels() >= 2 {
        let text = plain(&current);
        if !out.contains(&text) {
            out.push(text);
        }
        current = current.base_name();
    }
    out
}

impl Provider for Cloudflare {
    fn plugin(&self) -> &'static str {
        "dns-cloudflare"
    }

    fn location(&self) -> String {
        format!("through {API}")
    }

    fn default_wait(&self) -> Duration {
        CERTBOT_WAIT
    }

    async fn find_zone(&self, name: &Name, dns_zone: Option<&Name>) -> Result<Zone, DnsError> {
        let tried = candidates(name, dns_zone);
        for candidate in &tried {
            let action = format!("look up the zone {candidate}");
            let zones = self
                .list("/zones", &[("name", candidate.as_str())], &action)
                .await?;
            let found = zones.iter().find(|z| {
                z.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(candidate))
            });
            if let Some(id) = found.and_then(|z| z.get("id")).and_then(Value::as_str) {
                let mut zone = Name::from_ascii(candidate)
                    .map_err(|e| DnsError::Internal(format!("{candidate}: {e}")))?;
                zone.set_fqdn(true);
                return Ok(Zone {
                    name: zone,
                    id: id.to_string(),
                });
            }
        }
        Err(DnsError::ApiUnknownZone {
            api: API,
            file: self.api.file.clone(),
            name: plain(name),
            tried: tried.join(", "),
        })
    }

    async fn add_txt(
        &self,
        zone: &Zone,
        name: &Name,
        value: &str,
    ) -> Result<Option<String>, DnsError> {
        let action = format!("add a TXT record at {}", plain(name));
        let body = json!({"type": "TXT", "name": plain(name), "content": value, "ttl": TTL});
        let path = format!("/zones/{}/dns_records", encode(&zone.id));
        let reply = self
            .api
            .call(Method::POST, &path, Some(&body), &action)
            .await?;
        let json = self.checked(reply, &action)?;
        match json.pointer("/result/id").and_then(Value::as_str) {
            Some(id) => Ok(Some(id.to_string())),
            // Created, but unnamed: deleting looks it up by its content.
            None => Ok(None),
        }
    }

    async fn delete_txt(&self, added: &Added) -> Result<(), DnsError> {
        let action = format!("delete the TXT record at {}", plain(&added.name));
        if let Some(id) = &added.id {
            return self.delete_id(&added.zone.id, id, &action).await;
        }
        let path = format!("/zones/{}/dns_records", encode(&added.zone.id));
        let name = plain(&added.name);
        let records = self
            .list(&path, &[("type", "TXT"), ("name", name.as_str())], &action)
            .await?;
        // Only one record was added: the first with exactly its content.
        let ours = records.iter().find(|r| {
            r.get("content")
                .and_then(Value::as_str)
                .is_some_and(|c| c.trim_matches('"') == added.value)
        });
        match ours.and_then(|r| r.get("id")).and_then(Value::as_str) {
            Some(id) => self.delete_id(&added.zone.id, id, &action).await,
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Cloudflare, String> {
        Cloudflare::parse(Path::new("cf.ini"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn a_token_or_an_email_with_a_global_key() {
        assert_eq!(
            parse("dns_cloudflare_api_token = 0123456789abcdef\n")
                .unwrap()
                .mode,
            Mode::Token
        );
        let key = parse("dns_cloudflare_email = a@example.com\ndns_cloudflare_api_key = k1\n");
        assert_eq!(key.unwrap().mode, Mode::GlobalKey);
    }

    #[test]
    fn credential_errors_name_the_file_and_never_a_value() {
        let cases = [
            ("", "cf.ini: dns_cloudflare_api_token is missing"),
            (
                "dns_cloudflare_api_token = SECRETTOKEN\ndns_cloudflare_api_key = SECRETKEY\n",
                "cf.ini: give dns_cloudflare_api_token, or",
            ),
            (
                "dns_cloudflare_api_key = SECRETKEY\n",
                "cf.ini: dns_cloudflare_api_key (the global API key) also needs",
            ),
            (
                "dns_cloudflare_email = a@example.com\n",
                "cf.ini: dns_cloudflare_email also needs",
            ),
            (
                "dns_cloudflare_api_tokenSECRETTOKEN\n",
                "cf.ini:1:1: expected `key = value`",
            ),
            (
                "dns_cloudflare_apitoken = SECRETTOKEN\n",
                "cf.ini:1:1: unknown key dns_cloudflare_apitoken",
            ),
        ];
        for (text, want) in cases {
            let Err(err) = parse(text) else {
                panic!("{text:?} parsed");
            };
            assert!(err.starts_with(want), "{text:?}: {err}");
            assert!(!err.contains("SECRET"), "{err}");
        }
    }

    #[test]
    fn zone_candidates_start_with_the_dns_answer() {
        let name = Name::from_ascii("_acme-challenge.a.b.example.").unwrap();
        let zone = Name::from_ascii("b.example.").unwrap();
        assert_eq!(
            candidates(&name, Some(&zone)),
            vec!["b.example", "_acme-challenge.a.b.example", "a.b.example"]
        );
    }

    #[test]
    fn a_file_others_can_read_gets_certbots_warning() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cf.ini");
        std::fs::write(&file, "dns_cloudflare_api_token = t0ken\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let (_, warning) = Cloudflare::load(&file).unwrap();
        let warning = warning.expect("a warning");
        assert!(
            warning.starts_with(&format!(
                "Unsafe permissions on credentials configuration file: {}",
                file.display()
            )) && !warning.contains("t0ken"),
            "{warning}"
        );
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(Cloudflare::load(&file).unwrap().1.is_none());
    }

    #[test]
    fn errors_are_read_from_the_errors_array() {
        let json = json!({"success": false, "errors": [
            {"code": 9109, "message": "Invalid access token"},
            {"code": 1000, "message": "second"}
        ]});
        let (codes, text) = errors_of(&json);
        assert_eq!(codes, vec![9109, 1000]);
        assert_eq!(
            text,
            "Invalid access token (error 9109); second (error 1000)"
        );
    }
}
