//! The HTTP side every API provider shares: JSON requests through
//! certsmith's transport ([`crate::acme::http::Transport`]: the system's or
//! `REQUESTS_CA_BUNDLE`'s roots, the proxy environment), the provider's
//! authentication headers marked sensitive (never logged or shown), a
//! [`Signer`] for the APIs that sign each request (Route 53, OVH), and
//! HTTP 429 retried after the `Retry-After` the provider sends.

use super::super::error::DnsError;
use crate::acme::http::{Transport, USER_AGENT};
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Request, StatusCode};
use instant_acme::BodyWrapper;
use serde_json::Value;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

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
    signer: Option<Box<dyn Signer>>,
    transport: Transport,
}

/// The headers of a request that depend on what it sends: a signature
/// over the method, URL and body. Their values are marked sensitive.
pub trait Signer: Send + Sync {
    fn headers(&self, method: &Method, url: &str, body: &[u8]) -> Vec<(HeaderName, String)>;
}

/// A request body and its media type.
pub struct Body<'a> {
    pub content_type: &'static str,
    pub bytes: &'a [u8],
}

/// An answer: its status, body, and the body as JSON (`Null` when empty or
/// not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub json: Value,
    pub bytes: Bytes,
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
            signer: None,
            transport,
        })
    }

    /// Every request signed by `signer` too.
    pub fn with_signer(mut self, signer: impl Signer + 'static) -> Api {
        self.signer = Some(Box::new(signer));
        self
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

    /// The error for an answer that is not a success: the credentials were
    /// refused (`ApiAuth`, with `hint` naming what to check) when `refused`,
    /// else this API's error about `action`, whose outcome is unknown only
    /// on a server error.
    pub fn failure(
        &self,
        status: StatusCode,
        action: &str,
        detail: String,
        refused: bool,
        hint: &str,
    ) -> DnsError {
        if refused {
            return DnsError::ApiAuth {
                api: self.label,
                file: self.file.clone(),
                detail: format!("{detail}; {hint}"),
            };
        }
        self.error(action, detail, status.is_server_error())
    }

    /// DELETE `path`, the answer judged by `checked`; 404 means the record
    /// is already gone, which is what deleting wanted.
    pub async fn delete(
        &self,
        path: &str,
        action: &str,
        checked: impl FnOnce(Reply) -> Result<Value, DnsError>,
    ) -> Result<(), DnsError> {
        let reply = self.call(Method::DELETE, path, None, action).await?;
        if reply.status == StatusCode::NOT_FOUND {
            return Ok(());
        }
        checked(reply).map(|_| ())
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
        let bytes = body.map(|json| json.to_string().into_bytes());
        let body = bytes.as_deref().map(|bytes| Body {
            content_type: "application/json",
            bytes,
        });
        self.send(method, path, body, action).await
    }

    /// `method path` with an optional body of any type, retried while the
    /// API answers 429.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Body<'_>>,
        action: &str,
    ) -> Result<Reply, DnsError> {
        let url = format!("{}{path}", self.base);
        let mut tries = 0;
        loop {
            tries += 1;
            let request = self.request(&method, &url, body.as_ref(), action)?;
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
                    bytes,
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
        body: Option<&Body<'_>>,
        action: &str,
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
        if let Some(signer) = &self.signer {
            let sent = body.map(|b| b.bytes).unwrap_or_default();
            for (name, value) in signer.headers(method, url, sent) {
                let mut value = HeaderValue::from_str(&value).map_err(|_| {
                    self.error(action, "a signature header cannot be sent".into(), false)
                })?;
                value.set_sensitive(true);
                builder = builder.header(name, value);
            }
        }
        let payload = match body {
            Some(body) => {
                builder = builder.header(http::header::CONTENT_TYPE, body.content_type);
                BodyWrapper::from(body.bytes.to_vec())
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
/// (RFC 9110 §10.2.3: seconds, or an HTTP date waited until, a past one not
/// at all; anything else: 1, 2, 4 s), at most a minute.
fn retry_wait(retry_after: &str, tries: u32) -> Duration {
    retry_wait_at(retry_after, tries, SystemTime::now())
}

/// [`retry_wait`] with the time now given.
fn retry_wait_at(retry_after: &str, tries: u32, now: SystemTime) -> Duration {
    let text = retry_after.trim();
    let wait = match text.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => match httpdate::parse_http_date(text) {
            Ok(when) => when.duration_since(now).unwrap_or(Duration::ZERO),
            Err(_) => Duration::from_secs(1 << (tries.max(1) - 1).min(5)),
        },
    };
    wait.min(MAX_RETRY_WAIT)
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

/// Whether the status itself says the credentials were refused (401, 403).
pub fn auth_refused(status: StatusCode) -> bool {
    matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
}

/// `HTTP 404`, or `HTTP 404: text` when there is a `text` (callers decide
/// whether an empty one counts: the APIs differ).
pub fn http_detail(status: StatusCode, text: Option<&str>) -> String {
    match text {
        Some(text) => format!("HTTP {}: {text}", status.as_u16()),
        None => format!("HTTP {}", status.as_u16()),
    }
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
        assert_eq!(retry_wait(" 0 ", 1), Duration::ZERO);
        assert_eq!(retry_wait("600", 1), MAX_RETRY_WAIT);
    }

    /// RFC 9110's example date, and a clock set relative to it.
    const DATE: &str = "Sun, 06 Nov 1994 08:49:37 GMT";
    fn at(offset_from_date: i64) -> SystemTime {
        let date = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        if offset_from_date >= 0 {
            date + Duration::from_secs(offset_from_date.unsigned_abs())
        } else {
            date - Duration::from_secs(offset_from_date.unsigned_abs())
        }
    }

    #[test]
    fn a_retry_after_date_in_the_future_is_waited_for_up_to_a_minute() {
        assert_eq!(retry_wait_at(DATE, 1, at(-7)), Duration::from_secs(7));
        assert_eq!(retry_wait_at(DATE, 3, at(0)), Duration::ZERO);
        assert_eq!(retry_wait_at(DATE, 1, at(-3600)), MAX_RETRY_WAIT);
        // The obsolete forms RFC 9110 has recipients accept.
        let rfc850 = "Sunday, 06-Nov-94 08:49:37 GMT";
        let asctime = "Sun Nov  6 08:49:37 1994";
        assert_eq!(retry_wait_at(rfc850, 1, at(-5)), Duration::from_secs(5));
        assert_eq!(retry_wait_at(asctime, 1, at(-5)), Duration::from_secs(5));
        // A real future date, with the real clock.
        let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        let wait = retry_wait(&soon, 1);
        assert!(
            wait <= Duration::from_secs(30) && wait >= Duration::from_secs(25),
            "{wait:?}"
        );
    }

    #[test]
    fn a_retry_after_date_in_the_past_is_not_waited_for() {
        assert_eq!(retry_wait_at(DATE, 1, at(1)), Duration::ZERO);
        assert_eq!(retry_wait_at(DATE, 4, at(86_400)), Duration::ZERO);
        assert_eq!(retry_wait(DATE, 2), Duration::ZERO);
    }

    #[test]
    fn a_garbled_retry_after_backs_off_1_2_4_seconds() {
        for garbage in ["", "soon", "-5", "1.5", "Sun, 32 Nov 1994 08:49:37 GMT"] {
            assert_eq!(
                retry_wait_at(garbage, 1, at(-7)),
                Duration::from_secs(1),
                "{garbage}"
            );
            assert_eq!(retry_wait_at(garbage, 2, at(-7)), Duration::from_secs(2));
            assert_eq!(retry_wait_at(garbage, 3, at(-7)), Duration::from_secs(4));
        }
        assert_eq!(retry_wait("x", 9), Duration::from_secs(32));
    }
}
