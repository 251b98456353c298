//! `--dns-dnsmadeeasy`: the DNS Made Easy v2.0 REST API
//! (`https://api.dnsmadeeasy.com/V2.0`).
//!
//! - Credentials (Certbot's file, plugin certbot-dns-dnsmadeeasy):
//!   `dns_dnsmadeeasy_api_key` and `dns_dnsmadeeasy_secret_key`. Every
//!   request carries `x-dnsme-apiKey` (the key), `x-dnsme-requestDate` (the
//!   time, an HTTP date) and `x-dnsme-hmac` (HMAC-SHA1 of that date under
//!   the secret key, lower-case hex).
//! - Zone: the account's domains, `GET /dns/managed/` (`data`: `id`,
//!   `name`), the longest that holds the name; its `id` is kept.
//! - Add: `POST /dns/managed/{id}/records` (`name` relative to the domain,
//!   empty at its apex, `type` TXT, `value` in double quotes, `ttl` 60,
//!   `gtdLocation` DEFAULT); the record's `id` is kept.
//! - Delete: `DELETE /dns/managed/{id}/records/{record}`; when the add went
//!   unanswered (no id), the record is found among
//!   `GET /dns/managed/{id}/records?recordName=&type=TXT`.
//! - Errors: the `error` array's messages.

use super::super::credentials;
use super::super::error::DnsError;
use super::api::{Api, Reply, Signer, auth_refused, encode, http_detail, query};
use super::common::{self, holding_zone, id_text, relative, required};
use super::{Added, Provider, Zone, plain};
use hickory_proto::rr::Name;
use http::{HeaderName, Method};
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const BASE: &str = "https://api.dnsmadeeasy.com/V2.0";
const API: &str = "the DNS Made Easy API";
const PREFIX: &str = "dns_dnsmadeeasy_";
const KEYS: [&str; 2] = ["api_key", "secret_key"];
/// Certbot's TTL for the plugin's records.
const TTL: u32 = 60;
/// Certbot's default `--dns-dnsmadeeasy-propagation-seconds`.
const CERTBOT_WAIT: Duration = Duration::from_secs(60);

pub struct DnsMadeEasy {
    api: Api,
}

/// Signs each request (each retry too) with the date it is sent at.
struct DatedHmac(ring::hmac::Key);

impl Signer for DatedHmac {
    fn headers(&self, _: &Method, _: &str, _: &[u8]) -> Vec<(HeaderName, String)> {
        let date = http_date(SystemTime::now());
        let hmac = hex(ring::hmac::sign(&self.0, date.as_bytes()).as_ref());
        vec![
            (HeaderName::from_static("x-dnsme-requestdate"), date),
            (HeaderName::from_static("x-dnsme-hmac"), hmac),
        ]
    }
}

impl DnsMadeEasy {
    /// Read `--dns-dnsmadeeasy-credentials FILE`; also Certbot's warning
    /// for a file others may read.
    pub fn load(path: &Path) -> Result<(DnsMadeEasy, Option<String>), DnsError> {
        common::load(
            path,
            "--dns-dnsmadeeasy-credentials",
            "a DNS Made Easy API key and secret key",
            DnsMadeEasy::parse,
        )
    }

    /// The credentials in `text` (`path` names the file in messages).
    pub fn parse(path: &Path, text: &str) -> Result<DnsMadeEasy, DnsError> {
        let entries = credentials::entries(path, text, PREFIX, &KEYS)?;
        let key = required(path, &entries, PREFIX, "api_key")?;
        let secret = required(path, &entries, PREFIX, "secret_key")?;
        let auth = vec![(HeaderName::from_static("x-dnsme-apikey"), key)];
        let signer = DatedHmac(ring::hmac::Key::new(
            ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            secret.as_bytes(),
        ));
        Ok(DnsMadeEasy {
            api: Api::new(API, BASE, path.to_path_buf(), auth)?.with_signer(signer),
        })
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        action: &str,
    ) -> Result<Reply, DnsError> {
        self.api.call(method, path, body, action).await
    }

    /// The answer's JSON when it says success, else the error it names.
    fn checked(&self, reply: Reply, action: &str) -> Result<Value, DnsError> {
        if reply.status.is_success() {
            return Ok(reply.json);
        }
        let text = messages_of(&reply.json);
        let detail = http_detail(reply.status, Some(text.as_str()).filter(|t| !t.is_empty()));
        let refused = auth_refused(reply.status);
        let hint = "check dns_dnsmadeeasy_api_key and dns_dnsmadeeasy_secret_key";
        Err(self
            .api
            .failure(reply.status, action, detail, refused, hint))
    }

    async fn delete_id(&self, zone: &str, id: &str, action: &str) -> Result<(), DnsError> {
        let path = format!("/dns/managed/{}/records/{}", encode(zone), encode(id));
        self.api
            .delete(&path, action, |reply| self.checked(reply, action))
            .await
    }
}

/// `bytes` as lower-case hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `time` as an HTTP date (RFC 7231 IMF-fixdate): `Sun, 06 Nov 1994 08:49:37 GMT`.
fn http_date(time: SystemTime) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let seconds = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        MONTHS[(month - 1) as usize],
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The (year, month, day) of `days` after 1970-01-01 (proleptic Gregorian).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// The `error` array's messages, joined.
fn messages_of(json: &Value) -> String {
    match json.get("error") {
        Some(Value::Array(list)) => {
            let texts: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
            texts.join("; ")
        }
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    }
}

/// Whether a listed record holds the TXT `value` (quoted, as it is sent,
/// or bare).
fn holds_value(record: &Value, value: &str) -> bool {
    let text = record.get("value").and_then(Value::as_str);
    text.is_some_and(|v| v == value || v == format!("\"{value}\""))
}

impl Provider for DnsMadeEasy {
    fn plugin(&self) -> &'static str {
        "dns-dnsmadeeasy"
    }

    fn location(&self) -> String {
        format!("through {API}")
    }

    fn default_wait(&self) -> Duration {
        CERTBOT_WAIT
    }

    async fn find_zone(&self, name: &Name, _dns_zone: Option<&Name>) -> Result<Zone, DnsError> {
        let action = "list the account's domains";
        let reply = self
            .send(Method::GET, "/dns/managed/", None, action)
            .await?;
        let json = self.checked(reply, action)?;
        let domains = json.get("data").and_then(Value::as_array);
        let zones = domains.into_iter().flatten().filter_map(|d| {
            let domain = d.get("name").and_then(Value::as_str)?;
            Some((domain.to_string(), d.get("id").and_then(id_text)?))
        });
        holding_zone(API, &self.api.file, name, zones.collect())
    }

    async fn add_txt(
        &self,
        zone: &Zone,
        name: &Name,
        value: &str,
    ) -> Result<Option<String>, DnsError> {
        let action = format!("add a TXT record at {}", plain(name));
        let body = json!({"name": relative(name, &zone.name), "type": "TXT",
                          "value": format!("\"{value}\""), "ttl": TTL, "gtdLocation": "DEFAULT"});
        let path = format!("/dns/managed/{}/records", encode(&zone.id));
        let reply = self.send(Method::POST, &path, Some(&body), &action).await?;
        let json = self.checked(reply, &action)?;
        Ok(json.get("id").and_then(id_text))
    }

    async fn delete_txt(&self, added: &Added) -> Result<(), DnsError> {
        let action = format!("delete the TXT record at {}", plain(&added.name));
        if let Some(id) = &added.id {
            return self.delete_id(&added.zone.id, id, &action).await;
        }
        let wanted = relative(&added.name, &added.zone.name);
        let params = [("recordName", wanted.as_str()), ("type", "TXT")];
        let path = format!(
            "/dns/managed/{}/records{}",
            encode(&added.zone.id),
            query(&params)
        );
        let reply = self.send(Method::GET, &path, None, &action).await?;
        let json = self.checked(reply, &action)?;
        let records = json.get("data").and_then(Value::as_array);
        let ours = records.into_iter().flatten().find(|r| {
            r.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(&wanted))
                && holds_value(r, &added.value)
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
    fn dates_are_http_dates() {
        let at = |s: u64| http_date(UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(at(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(at(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
        assert_eq!(at(1_297_544_344), "Sat, 12 Feb 2011 20:59:04 GMT");
    }

    #[test]
    fn the_signature_is_the_hmac_sha1_of_the_date() {
        // RFC 2202 test case 2.
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, b"Jefe");
        let mac = ring::hmac::sign(&key, b"what do ya want for nothing?");
        assert_eq!(
            hex(mac.as_ref()),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
    }

    #[test]
    fn both_keys_are_required() {
        let parse = |text: &str| {
            DnsMadeEasy::parse(Path::new("m.ini"), text)
                .err()
                .map(|e| e.to_string())
        };
        assert_eq!(
            parse("dns_dnsmadeeasy_api_key = k\n").unwrap(),
            "m.ini: dns_dnsmadeeasy_secret_key is missing"
        );
        assert!(parse("dns_dnsmadeeasy_api_key = k\ndns_dnsmadeeasy_secret_key = s\n").is_none());
        assert_eq!(messages_of(&json!({"error": ["one", "two"]})), "one; two");
    }
}
