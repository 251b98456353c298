//! The HTTP side every API provider shares: JSON requests through
//! certsmith's transport ([`crate::acme::http::Transport`]: the system's or
//! `REQUESTS_CA_BUNDLE`'s roots, the proxy environment), the provider's
//! authentication headers marked sensitive (never logged or shown), and
//! HTTP 429 retried after the `Retry-After` the provider sends.

use super::super::error::DnsError;
use crate::acme::http::{Transport, USER_AGENT};
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Request, StatusCode};
use instant_acme::BodyWrapper;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

/// Tries of one request while the provider answers 429.
pub const MAX_TRIES: u32 = 4;
/// The longest `Retry-After` waited for; a longer one is waited this long.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(60);
/// An API answer larger than this is not one of ours.
const MAX_BODY: usize = 4 << 20;
/// One request's time limit.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A provider's API as one account sees it.
pub struct Api {
    /// How messages name it: "the Cloudflare API".
    pub label: &'static str,
    /// The URL paths are appended to (no final slash).
    pub base: String,
    /// The credentials file (named in every error).
    pub file: PathBuf,
    auth: Vec<(HeaderName, HeaderValue)>,
    transport: Transport,
}

/// An answer: its status and JSON body (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub json: Value,
}

impl Api {
    /// `auth`: the headers that carry the credentials (kept sensitive).
    pub fn new(
        label: &'static str,
        base: &str,
        file: PathBuf,
        auth: Vec<(HeaderName, String)>,
    ) -> Result<Api, DnsError> {
        let auth = auth
            .into_iter()
            .map(|(name, value)| {
                let mut value = HeaderValue::from_str(&value).map_err(|_| {
                    DnsError::Credentials(format!(
                        "{}: a credential holds characters an HTTP header cannot carry",
                        file.display()
                    ))
                })?;
                value.set_sensitive(true);
                Ok((name, value))
            })
            .collect::<Result<_, DnsError>>()?;
        let transport = Transport::new(None)
            .map_err(|e| DnsError::Internal(format!("no HTTP client for {label}: {e}")))?
            .with_timeout(REQUEST_TIMEOUT);
        Ok(Api {
            label,
            base: base.trim_end_matches('/').to_string(),
            file,
            auth,
            transport,
        })
    }

    /// An error of this API about `action`.
    pub fn error(&self, action: &str, detail: String, unknown_outcome: bool) -> DnsError {
        DnsError::Api {
            api: self.label,
            file: self.file.clone(),
            action: action.to_string(),
            detail,
            unknown_outcome,
        }
    }

    /// `method path` with an optional JSON body, retried while the API
    /// answers 429. `action` says what it is for, in errors.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        action: &str,
    ) -> Result<Reply, DnsError> {
        self.call_with(method, path, body, action, &[]).await
    }

    /// [`Api::call`] with `extra` headers made for this one request (a
    /// dated signature), kept sensitive like the fixed ones.
    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        action: &str,
        extra: &[(HeaderName, String)],
    ) -> Result<Reply, DnsError> {
        let url = format!("{}{path}", self.base);
        let mut tries = 0;
        loop {
            tries += 1;
            let request = self.request(&method, &url, body, action, extra)?;
            let (status, headers, bytes) =
                self.transport.plain(request, MAX_BODY).await.map_err(|e| {
                    // Without an answer, a change may or may not have been made.
                    self.error(
                        action,
                        format!("no answer from {url}: {e}"),
                        method != Method::GET,
                    )
                })?;
            if status != StatusCode::TOO_MANY_REQUESTS {
                return Ok(Reply {
                    status,
                    json: json_of(&bytes),
                });
            }
            let retry_after = headers
                .get(http::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("none")
                .to_string();
            if tries >= MAX_TRIES {
                return Err(DnsError::RateLimited {
                    api: self.label,
                    file: self.file.clone(),
                    action: action.to_string(),
                    tries,
                    retry_after,
                });
            }
            tokio::time::sleep(retry_wait(&retry_after, tries)).await;
        }
    }

    fn request(
        &self,
        method: &Method,
        url: &str,
        body: Option<&Value>,
        action: &str,
        extra: &[(HeaderName, String)],
    ) -> Result<Request<BodyWrapper<Bytes>>, DnsError> {
        let mut builder = Request::builder()
            .method(method.clone())
            .uri(url)
            .header(http::header::USER_AGENT, USER_AGENT)
            .header(http::header::ACCEPT, "application/json")
            // Each run of the solver has its own runtime: no connection may
            // be pooled past it.
            .header(http::header::CONNECTION, "close");
        for (name, value) in &self.auth {
            builder = builder.header(name, value.clone());
        }
        for (name, text) in extra {
            let mut value = HeaderValue::from_str(text)
                .map_err(|_| self.error(action, format!("{name}: not a header value"), false))?;
            value.set_sensitive(true);
            builder = builder.header(name, value);
        }
        let payload = match body {
            Some(json) => {
                builder = builder.header(http::header::CONTENT_TYPE, "application/json");
                BodyWrapper::from(json.to_string().into_bytes())
            }
            None => BodyWrapper::default(),
        };
        builder
            .body(payload)
            .map_err(|e| self.error(action, format!("cannot build the request: {e}"), false))
    }
}

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

/// How long to wait before try `tries + 1`: the provider's `Retry-After`
/// seconds (an HTTP date or nothing: 1, 2, 4 s), at most a minute.
fn retry_wait(retry_after: &str, tries: u32) -> Duration {
    let seconds = retry_after
        .trim()
        .parse::<u64>()
        .unwrap_or(1 << (tries - 1).min(5));
    Duration::from_secs(seconds).min(MAX_RETRY_WAIT)
}

/// `text` with every byte outside RFC 3986's unreserved set percent-encoded
/// (a path segment or a query value).
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `?k=v&...`, keys and values encoded.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let joined: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    format!("?{}", joined.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_percent_encoded() {
        assert_eq!(
            query(&[("name", "_acme-challenge.a.example"), ("content", "a+b/c=")]),
            "?name=_acme-challenge.a.example&content=a%2Bb%2Fc%3D"
        );
    }

    #[test]
    fn retry_after_seconds_are_followed_up_to_a_minute() {
        assert_eq!(retry_wait("3", 1), Duration::from_secs(3));
        assert_eq!(retry_wait("600", 1), MAX_RETRY_WAIT);
        assert_eq!(
            retry_wait("Wed, 21 Oct 2015 07:28:00 GMT", 3),
            Duration::from_secs(4)
        );
    }
}
