//! The HTTP transport under instant-acme.
//!
//! Three things instant-acme's default client does not do, and certsmith needs:
//! - trust a custom CA bundle (`--ca-bundle`, `REQUESTS_CA_BUNDLE`, `SSL_CERT_FILE`);
//! - sign with keys instant-acme cannot (Certbot's RSA account keys, certificate
//!   keys for revocation): the JWS body instant-acme built is re-signed here
//!   with the real key, the header's `alg` and `jwk`/`kid` adjusted;
//! - remember what the error path needs (the `Retry-After` of a refusal);
//! - go through the proxy the environment names, as Certbot's requests does
//!   ([`super::proxy`], [`super::connect`]).

use super::connect::{ProxyConnector, forwarding_auth};
use super::key::JwsKey;
use super::proxy::ProxyEnv;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use bytes::Bytes;
use http::Request;
use http_body_util::BodyExt;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use instant_acme::{BodyWrapper, BytesResponse, HttpClient};
use serde_json::Value;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Inner = HyperClient<hyper_rustls::HttpsConnector<ProxyConnector>, BodyWrapper<Bytes>>;

/// How a re-signed request identifies its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyId {
    /// Keep the account URL (`kid`) instant-acme put in; only the signature changes.
    Kid,
    /// Replace `kid` with the key's own `jwk` (revocation by certificate key).
    Jwk,
}

#[derive(Clone)]
pub struct Transport {
    inner: Inner,
    proxies: Arc<ProxyEnv>,
    resign: Option<Arc<(Arc<JwsKey>, KeyId)>>,
    /// `Retry-After` of the last response that had one.
    pub last_retry_after: Arc<Mutex<Option<String>>>,
    timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("cannot read CA bundle {path}: {detail}")]
    Bundle { path: PathBuf, detail: String },
    #[error("TLS setup failed: {0}")]
    Tls(String),
}

/// Where the trusted roots come from, in Certbot users' order of expectation.
pub fn ca_bundle_path(explicit: Option<&Path>) -> Option<PathBuf> {
    explicit.map(Path::to_path_buf).or_else(|| {
        ["REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"]
            .iter()
            .filter_map(std::env::var_os)
            .find(|v| !v.is_empty())
            .map(PathBuf::from)
    })
}

fn load_roots(bundle: Option<&Path>) -> Result<rustls::RootCertStore, TransportError> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    match bundle {
        Some(path) => {
            let bad = |detail: String| TransportError::Bundle {
                path: path.to_path_buf(),
                detail,
            };
            let bytes = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
            for cert in CertificateDer::pem_slice_iter(&bytes) {
                let cert = cert.map_err(|e| bad(e.to_string()))?;
                // A bundle may hold certificates rustls cannot use as anchors; skip those.
                let _ = roots.add(cert);
            }
            if roots.is_empty() {
                return Err(bad("no usable certificate in it".into()));
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
        }
    }
    Ok(roots)
}

impl Transport {
    /// A transport trusting `ca_bundle` (or the defaults), with the
    /// environment's proxy settings.
    pub fn new(ca_bundle: Option<&Path>) -> Result<Transport, TransportError> {
        Transport::with_proxies(ca_bundle, ProxyEnv::from_env())
    }

    pub fn with_proxies(
        ca_bundle: Option<&Path>,
        proxies: ProxyEnv,
    ) -> Result<Transport, TransportError> {
        let proxies = Arc::new(proxies);
        let roots = load_roots(ca_bundle_path(ca_bundle).as_deref())?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TransportError::Tls(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        // Without TCP_NODELAY a request split over two TLS records waits
        // for the server's delayed ACK: 40 ms per request on Linux.
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(ProxyConnector::new(tcp, proxies.clone()));
        let inner = HyperClient::builder(hyper_util::rt::TokioExecutor::new()).build(connector);
        Ok(Transport {
            inner,
            proxies,
            resign: None,
            last_retry_after: Arc::default(),
            timeout: Duration::from_secs(45),
        })
    }

    /// A copy of this transport that re-signs every JWS with `key`.
    pub fn resigning(&self, key: Arc<JwsKey>, id: KeyId) -> Transport {
        Transport {
            resign: Some(Arc::new((key, id))),
            ..self.clone()
        }
    }

    /// A plain GET (directory, management APIs).
    pub async fn get(&self, url: &str) -> Result<(http::StatusCode, Bytes), instant_acme::Error> {
        let request = Request::builder()
            .uri(url)
            .header(http::header::USER_AGENT, USER_AGENT)
            .body(BodyWrapper::default())?;
        let response = self.send(request).await?;
        let status = response.parts.status;
        let mut body = response.body;
        let bytes = body
            .into_bytes()
            .await
            .map_err(instant_acme::Error::Other)?;
        Ok((status, bytes))
    }

    /// A plain POST outside ACME (OCSP, RFC 6960 appendix A.1): no JWS,
    /// never re-signed, `Connection: close` (one request per responder, and
    /// a pooled connection must not outlive the caller's short-lived
    /// runtime). The body read stops at `limit` bytes: a responder's answer
    /// is small, and a hostile one must not fill memory.
    pub async fn post(
        &self,
        url: &str,
        content_type: &str,
        body: Vec<u8>,
        limit: usize,
    ) -> Result<(http::StatusCode, Bytes), ConnectError> {
        let request = Request::builder()
            .method(http::Method::POST)
            .uri(url)
            .header(http::header::USER_AGENT, USER_AGENT)
            .header(http::header::CONTENT_TYPE, content_type)
            .header(http::header::CONNECTION, "close")
            .body(BodyWrapper::from(body))
            .map_err(|e| ConnectError(e.to_string()))?;
        let (status, _, bytes) = self.plain(request, limit).await?;
        Ok((status, bytes))
    }

    /// A request outside ACME (OCSP, a DNS provider's API): sent as given,
    /// never re-signed; the body read stops at `limit` bytes. A plain http
    /// URL through `http_proxy` is forwarded, and the proxy reads its
    /// credentials from the request, as in `send`.
    pub async fn plain(
        &self,
        mut request: Request<BodyWrapper<Bytes>>,
        limit: usize,
    ) -> Result<(http::StatusCode, http::HeaderMap, Bytes), ConnectError> {
        if let Some(auth) = forwarding_auth(&self.proxies, request.uri()) {
            request
                .headers_mut()
                .insert(http::header::PROXY_AUTHORIZATION, auth);
        }
        let exchange = async {
            let response = self
                .inner
                .request(request)
                .await
                .map_err(|e| ConnectError(describe_chain(&e)))?;
            let (parts, body) = response.into_parts();
            let limited = http_body_util::Limited::new(body, limit);
            let bytes = limited
                .collect()
                .await
                .map_err(|e| ConnectError(format!("reading the response: {e}")))?
                .to_bytes();
            Ok((parts.status, parts.headers, bytes))
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .unwrap_or_else(|_| Err(ConnectError("timed out".into())))
    }

    /// The same transport with another time limit per request.
    pub fn with_timeout(mut self, timeout: Duration) -> Transport {
        self.timeout = timeout;
        self
    }

    /// The proxy `url` goes through, if any (`http://host:port (VAR)`), or
    /// why the proxy variable that applies cannot be used.
    pub fn proxy_for(&self, url: &str) -> Option<Result<String, String>> {
        let uri = url.parse::<http::Uri>().ok()?;
        Some(match self.proxies.select(&uri)? {
            Ok(proxy) => Ok(proxy.to_string()),
            Err(e) => Err(e.to_string()),
        })
    }

    async fn send(
        &self,
        request: Request<BodyWrapper<Bytes>>,
    ) -> Result<BytesResponse, instant_acme::Error> {
        let mut request = match &self.resign {
            Some(resign) => resign_request(request, &resign.0, resign.1).await?,
            None => request,
        };
        // A forwarding proxy reads its credentials from the request itself.
        if let Some(auth) = forwarding_auth(&self.proxies, request.uri()) {
            request
                .headers_mut()
                .insert(http::header::PROXY_AUTHORIZATION, auth);
        }
        let future = self.inner.request(request);
        let response = match tokio::time::timeout(self.timeout, future).await {
            Ok(Ok(response)) => response,
            Ok(Err(e)) => {
                return Err(instant_acme::Error::Other(Box::new(ConnectError(
                    describe_chain(&e),
                ))));
            }
            Err(_) => {
                return Err(instant_acme::Error::Other(Box::new(ConnectError(
                    "timed out".into(),
                ))));
            }
        };
        if let Some(value) = response.headers().get(http::header::RETRY_AFTER)
            && let (Ok(text), Ok(mut slot)) = (value.to_str(), self.last_retry_after.lock())
        {
            *slot = Some(text.to_string());
        }
        Ok(BytesResponse::from(response))
    }
}

pub const USER_AGENT: &str = concat!("certsmith/", env!("CARGO_PKG_VERSION"));

/// A connection-level failure, with every cause in the chain (hyper hides
/// "connection refused" two levels down).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConnectError(pub String);

fn describe_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

impl HttpClient for Transport {
    fn request(
        &self,
        req: Request<BodyWrapper<Bytes>>,
    ) -> Pin<Box<dyn Future<Output = Result<BytesResponse, instant_acme::Error>> + Send>> {
        let this = self.clone();
        Box::pin(async move { this.send(req).await })
    }
}

/// Replace the signature (and `alg`, and `jwk`/`kid` as asked) of a JWS body.
async fn resign_request(
    request: Request<BodyWrapper<Bytes>>,
    key: &JwsKey,
    id: KeyId,
) -> Result<Request<BodyWrapper<Bytes>>, instant_acme::Error> {
    if request.method() != http::Method::POST {
        return Ok(request);
    }
    let (parts, body) = request.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let resigned = resign_body(&bytes, key, id)?;
    Ok(Request::from_parts(parts, BodyWrapper::from(resigned)))
}

pub fn resign_body(body: &[u8], key: &JwsKey, id: KeyId) -> Result<Vec<u8>, instant_acme::Error> {
    let mut jws: Value = serde_json::from_slice(body)?;
    let protected_b64 = jws["protected"].as_str().unwrap_or_default();
    let protected = B64
        .decode(protected_b64)
        .map_err(|_| instant_acme::Error::Str("bad JWS header"))?;
    let mut header: Value = serde_json::from_slice(&protected)?;
    let Some(map) = header.as_object_mut() else {
        return Err(instant_acme::Error::Str("bad JWS header"));
    };
    map.insert("alg".into(), Value::String(key.alg().into()));
    if map.contains_key("jwk") || id == KeyId::Jwk {
        map.remove("kid");
        map.insert("jwk".into(), key.public_jwk());
    }
    let protected = B64.encode(serde_json::to_vec(&header)?);
    let payload = jws["payload"].as_str().unwrap_or_default().to_string();
    let signature = key
        .sign(format!("{protected}.{payload}").as_bytes())
        .map_err(|e| instant_acme::Error::Other(Box::new(e)))?;
    jws["protected"] = Value::String(protected);
    jws["signature"] = Value::String(B64.encode(signature));
    Ok(serde_json::to_vec(&jws)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resigned_body_verifies_with_the_new_key_and_keeps_the_payload() {
        let key = JwsKey::generate_p256().unwrap();
        let header = B64.encode(
            br#"{"alg":"ES256","kid":"https://ca/acct/1","nonce":"n","url":"https://ca/x"}"#,
        );
        let body = serde_json::json!({"protected": header, "payload": "e30", "signature": "AAAA"});
        let out = resign_body(body.to_string().as_bytes(), &key, KeyId::Jwk).unwrap();
        let jws: Value = serde_json::from_slice(&out).unwrap();
        let header: Value =
            serde_json::from_slice(&B64.decode(jws["protected"].as_str().unwrap()).unwrap())
                .unwrap();
        assert!(header.get("kid").is_none());
        assert_eq!(header["jwk"], key.public_jwk());
        assert_eq!(header["nonce"], "n");
        assert_eq!(jws["payload"], "e30");
        let signed = format!("{}.{}", jws["protected"].as_str().unwrap(), "e30");
        let sig = B64.decode(jws["signature"].as_str().unwrap()).unwrap();
        let JwsKey::Ec { pair, .. } = &key else {
            unreachable!()
        };
        use ring::signature::KeyPair;
        let public = ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P256_SHA256_FIXED,
            pair.public_key().as_ref(),
        );
        public.verify(signed.as_bytes(), &sig).unwrap();
    }
}
