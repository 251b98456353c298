//! `--dns-google`: the Google Cloud DNS API v1
//! (`https://dns.googleapis.com/dns/v1`), with a service account's key file
//! (`--dns-google-credentials FILE`, Certbot's; its `project_id` is the
//! project) and the access token it is exchanged for ([`super::google_auth`]).
//!
//! - Zone: from the name upwards, `GET /projects/{p}/managedZones?dnsName=N.`
//!   until one public zone answers (as Certbot's plugin), following
//!   `nextPageToken` (sent back as `pageToken=`) through the pages of each
//!   answer; its `name` is kept.
//! - A TXT record set holds every value at its name, so a change replaces
//!   the whole set: `GET .../managedZones/{z}/rrsets?name=N.&type=TXT` reads
//!   it, then `POST .../managedZones/{z}/changes` with the old set in
//!   `deletions` and the new one (plus or less our value) in `additions`.
//! - An add waits until `GET .../changes/{id}` says `done`.
//! - Errors: `error.message` (and `error.status`).

use super::super::credentials;
use super::super::error::DnsError;
use super::api::{Api, Body, Reply, Signer, encode, query};
use super::google_auth::{SCOPE, ServiceAccount, token_request};
use super::{Added, Provider, Zone, plain};
use hickory_proto::rr::Name;
use http::{HeaderName, Method, StatusCode};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const BASE: &str = "https://dns.googleapis.com/dns/v1";
const API: &str = "the Google Cloud DNS API";
/// Certbot's TTL for the records.
const TTL: u32 = 60;
/// Certbot's default `--dns-google-propagation-seconds`.
const CERTBOT_WAIT: Duration = Duration::from_secs(60);
const DONE_POLL: Duration = Duration::from_secs(1);
const DONE_TRIES: u32 = 600;

pub struct Google {
    api: Api,
    account: ServiceAccount,
    /// The token endpoint (the key file's `token_uri`).
    oauth: Api,
    token: Arc<Mutex<String>>,
}

/// `Authorization: Bearer` with the access token once there is one.
struct Bearer(Arc<Mutex<String>>);

impl Signer for Bearer {
    fn headers(&self, _: &Method, _: &str, _: &[u8]) -> Vec<(HeaderName, String)> {
        let token = self.0.lock().map(|t| t.clone()).unwrap_or_default();
        match token.is_empty() {
            true => Vec::new(),
            false => vec![(http::header::AUTHORIZATION, format!("Bearer {token}"))],
        }
    }
}

impl Google {
    /// Read `--dns-google-credentials FILE`; also Certbot's warning for a
    /// file others may read.
    pub fn load(path: &Path) -> Result<(Google, Option<String>), DnsError> {
        let (text, warning) = credentials::read_file(
            path,
            "--dns-google-credentials",
            "a Google service account key",
        )?;
        let account = ServiceAccount::parse(path, &text)?;
        let token = Arc::new(Mutex::new(String::new()));
        let file = path.to_path_buf();
        let api = Api::new(API, BASE, file.clone(), Vec::new())?.with_signer(Bearer(token.clone()));
        let oauth = Api::new(API, &account.token_uri, file, Vec::new())?;
        let google = Google {
            api,
            account,
            oauth,
            token,
        };
        Ok((google, warning))
    }

    /// An access token, asked for once.
    async fn authenticate(&self) -> Result<(), DnsError> {
        if !self.token.lock().map(|t| t.is_empty()).unwrap_or(true) {
            return Ok(());
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let form = token_request(&self.account.assertion(SCOPE, now)?);
        let body = Body {
            content_type: "application/x-www-form-urlencoded",
            bytes: form.as_bytes(),
        };
        let action = "exchange the service account's key for an access token";
        let reply = self
            .oauth
            .send(Method::POST, "", Some(body), action)
            .await?;
        let token = reply.json.get("access_token").and_then(Value::as_str);
        match (reply.status.is_success(), token) {
            (true, Some(token)) => {
                if let Ok(mut t) = self.token.lock() {
                    *t = token.to_string();
                }
                Ok(())
            }
            _ => Err(self.refused(format!(
                "HTTP {} from {}: {} {}",
                reply.status.as_u16(),
                self.account.token_uri,
                text_at(&reply.json, "error"),
                text_at(&reply.json, "error_description")
            ))),
        }
    }

    fn refused(&self, detail: String) -> DnsError {
        DnsError::ApiAuth {
            api: API,
            file: self.api.file.clone(),
            detail: format!(
                "{detail}; check the service account {} and its role (DNS Administrator)",
                self.account.client_email
            ),
        }
    }

    /// The answer's JSON when it says success, else the error it names.
    fn checked(&self, reply: Reply, action: &str) -> Result<Value, DnsError> {
        if reply.status.is_success() {
            return Ok(reply.json);
        }
        let error = &reply.json["error"];
        let detail = format!(
            "HTTP {}: {} {}",
            reply.status.as_u16(),
            text_at(error, "status"),
            text_at(error, "message")
        );
        if matches!(
            reply.status,
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
        ) {
            return Err(self.refused(detail));
        }
        Err(self
            .api
            .error(action, detail, reply.status.is_server_error()))
    }

    async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        action: &str,
    ) -> Result<Value, DnsError> {
        self.authenticate().await?;
        let path = format!("/projects/{}{path}", encode(&self.account.project_id));
        let reply = self.api.call(method, &path, body, action).await?;
        self.checked(reply, action)
    }

    /// The TXT set at `name` (its values as the API spells them, quoted),
    /// if there is one.
    async fn txt_set(
        &self,
        zone: &Zone,
        name: &Name,
        action: &str,
    ) -> Result<Option<Value>, DnsError> {
        let fqdn = format!("{}.", plain(name));
        let params = [("name", fqdn.as_str()), ("type", "TXT")];
        let path = format!(
            "/managedZones/{}/rrsets{}",
            encode(&zone.id),
            query(&params)
        );
        let json = self.request(Method::GET, &path, None, action).await?;
        let sets = json.get("rrsets").and_then(Value::as_array);
        Ok(sets.and_then(|s| s.first()).cloned())
    }

    /// Replace the set `old` at `name` by one with `values`; the change's id
    /// and status.
    async fn replace(
        &self,
        zone: &Zone,
        name: &Name,
        old: Option<&Value>,
        values: &[String],
        action: &str,
    ) -> Result<(String, String), DnsError> {
        let mut change = json!({"kind": "dns#change"});
        if let Some(old) = old {
            change["deletions"] = json!([old]);
        }
        if !values.is_empty() {
            let ttl = old
                .and_then(|o| o.get("ttl"))
                .cloned()
                .unwrap_or(json!(TTL));
            change["additions"] = json!([{"kind": "dns#resourceRecordSet", "type": "TXT",
                "name": format!("{}.", plain(name)), "ttl": ttl, "rrdatas": values}]);
        }
        let path = format!("/managedZones/{}/changes", encode(&zone.id));
        let json = self
            .request(Method::POST, &path, Some(&change), action)
            .await?;
        Ok((text_at(&json, "id"), text_at(&json, "status")))
    }

    async fn wait_done(&self, zone: &Zone, id: &str, action: &str) -> Result<(), DnsError> {
        let path = format!("/managedZones/{}/changes/{}", encode(&zone.id), encode(id));
        let mut status = String::new();
        for _ in 0..DONE_TRIES {
            let json = self.request(Method::GET, &path, None, action).await?;
            status = text_at(&json, "status");
            if status == "done" {
                return Ok(());
            }
            tokio::time::sleep(DONE_POLL).await;
        }
        Err(self
            .api
            .error(action, format!("the change {id} is still {status}"), false))
    }

    /// The set at `added.name` less our value.
    async fn remove_value(&self, added: &Added, action: &str) -> Result<(), DnsError> {
        let old = self.txt_set(&added.zone, &added.name, action).await?;
        let ours = quoted(&added.value);
        let values = rrdatas(old.as_ref());
        if !values.contains(&ours) {
            return Ok(());
        }
        let rest: Vec<String> = values.into_iter().filter(|v| *v != ours).collect();
        self.replace(&added.zone, &added.name, old.as_ref(), &rest, action)
            .await
            .map(|_| ())
    }
}

fn text_at(json: &Value, key: &str) -> String {
    match json.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// A TXT value as the API returns it: one quoted string.
fn quoted(value: &str) -> String {
    format!("\"{value}\"")
}

fn rrdatas(set: Option<&Value>) -> Vec<String> {
    let values = set.and_then(|s| s.get("rrdatas")).and_then(Value::as_array);
    values
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

impl Provider for Google {
    fn plugin(&self) -> &'static str {
        "dns-google"
    }

    fn location(&self) -> String {
        format!("through {API}")
    }

    fn default_wait(&self) -> Duration {
        CERTBOT_WAIT
    }

    async fn find_zone(&self, name: &Name, _dns_zone: Option<&Name>) -> Result<Zone, DnsError> {
        let action = "list the project's managed zones";
        let full = plain(name);
        let labels: Vec<&str> = full.split('.').collect();
        for start in 0..labels.len() {
            let candidate = labels[start..].join(".");
            let dns_name = format!("{candidate}.");
            let mut page_token: Option<String> = None;
            // The list comes in pages: each but the last names the next by
            // `nextPageToken`; a private zone of the same name may come
            // first, the public one on a later page.
            let public = loop {
                let mut params = vec![("dnsName", dns_name.as_str())];
                if let Some(token) = &page_token {
                    params.push(("pageToken", token.as_str()));
                }
                let path = format!("/managedZones{}", query(&params));
                let json = self.request(Method::GET, &path, None, action).await?;
                let zones = json.get("managedZones").and_then(Value::as_array);
                let public = zones.into_iter().flatten().find(|z| {
                    z.get("privateVisibilityConfig").is_none()
                        && z.get("visibility").and_then(Value::as_str) != Some("private")
                });
                if let Some(zone) = public {
                    break Some(zone.clone());
                }
                let next = json
                    .get("nextPageToken")
                    .and_then(Value::as_str)
                    .filter(|t| !t.is_empty());
                match next {
                    // A token sent back unchanged would page for ever.
                    Some(t) if page_token.as_deref() != Some(t) => page_token = Some(t.to_string()),
                    _ => break None,
                }
            };
            if let Some(zone) = public {
                let zone = &zone;
                let mut zone_name = Name::from_ascii(&candidate)
                    .map_err(|e| DnsError::Internal(format!("{candidate}: {e}")))?;
                zone_name.set_fqdn(true);
                return Ok(Zone {
                    name: zone_name,
                    id: text_at(zone, "name"),
                });
            }
        }
        Err(DnsError::ApiUnknownZone {
            api: API,
            file: self.api.file.clone(),
            name: full.clone(),
            tried: format!(
                "a public managed zone of the project {} at each of its {} parent names",
                self.account.project_id,
                labels.len()
            ),
        })
    }

    async fn add_txt(
        &self,
        zone: &Zone,
        name: &Name,
        value: &str,
    ) -> Result<Option<String>, DnsError> {
        let action = format!("add a TXT record at {}", plain(name));
        let old = self.txt_set(zone, name, &action).await?;
        let mut values = rrdatas(old.as_ref());
        if values.contains(&quoted(value)) {
            return Ok(None);
        }
        values.push(quoted(value));
        let (id, status) = self
            .replace(zone, name, old.as_ref(), &values, &action)
            .await?;
        if status != "done" {
            self.wait_done(zone, &id, &action).await?;
        }
        Ok(None)
    }

    async fn delete_txt(&self, added: &Added) -> Result<(), DnsError> {
        let action = format!("delete the TXT record at {}", plain(&added.name));
        // A set changed by someone else between the read and the change is
        // refused (HTTP 409 or 412): read it once more.
        match self.remove_value(added, &action).await {
            Err(DnsError::Api { detail, .. })
                if detail.starts_with("HTTP 409") || detail.starts_with("HTTP 412") =>
            {
                self.remove_value(added, &action).await
            }
            other => other,
        }
    }
}
