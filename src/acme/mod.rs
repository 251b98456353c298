//! ACME (RFC 8555): accounts, orders, CSRs and key types, and the [`Solver`]
//! trait that authenticators implement.
//!
//! The API is synchronous: a [`Session`] owns a current-thread tokio runtime
//! and blocks on it, so callers (commands, installers) need no async code.
//!
//! ```text
//! let session = Session::new(&AcmeOptions { directory_url, ca_bundle: None })?;
//! let account = session.login(key, &account_url)?;            // or session.register(..)
//! let issued = session.obtain(&account, &request, &mut solver)?;
//! ```

pub mod ari;
mod connect;
pub mod csr;
pub mod der;
pub mod error;
pub mod http;
pub mod key;
mod names;
mod order;
pub mod proxy;
mod raw;
pub mod solver;

pub use csr::KeySpec;
pub use error::AcmeError;
pub use key::JwsKey;
pub use names::{NameError, check_name, check_names};
pub use order::check_wildcards;
pub use solver::{Challenge, ChallengeKind, HttpToken, SolveError, Solver};

use http::{KeyId, Transport};
use std::path::PathBuf;
use std::sync::Arc;

pub const LETS_ENCRYPT: &str = "https://acme-v02.api.letsencrypt.org/directory";
pub const LETS_ENCRYPT_STAGING: &str = "https://acme-staging-v02.api.letsencrypt.org/directory";

/// Where and how to reach the CA.
#[derive(Debug, Clone)]
pub struct AcmeOptions {
    pub directory_url: String,
    /// Trust these roots for the CA's TLS (else `REQUESTS_CA_BUNDLE`,
    /// `SSL_CERT_FILE`, else the system's).
    pub ca_bundle: Option<PathBuf>,
}

/// What to order.
#[derive(Debug, Clone, Default)]
pub struct CertRequest {
    /// DNS names (`*.` for wildcards) and IP addresses; the first is the
    /// lineage's name by default.
    pub names: Vec<String>,
    pub key: KeySpec,
    /// Reuse this private key (PEM) instead of making a new one.
    pub reuse_key_pem: Option<String>,
    /// Use this CSR (DER) as it is; no key is made or returned.
    pub csr_der: Option<Vec<u8>>,
    pub must_staple: bool,
    pub profile: Option<String>,
    /// Challenge kinds in the user's order of preference (empty: the solver's).
    pub preferred_challenges: Vec<ChallengeKind>,
    /// Drop the names whose authorization failed and order again for the rest.
    pub allow_subset_of_names: bool,
    /// Prefer the alternate chain whose topmost issuer has this common name.
    pub preferred_chain: Option<String>,
    /// ARI: the [`ari::cert_id`] of the certificate this order replaces
    /// (only for a CA whose directory has `renewalInfo`).
    pub replaces: Option<String>,
}

pub use crate::x509::Issued;

/// An account the CA knows, ready to sign requests.
pub struct AccountHandle {
    pub(crate) account: instant_acme::Account,
    pub key: Arc<JwsKey>,
    /// The account URL (`kid`), as `regr.json`'s `uri`.
    pub url: String,
}

/// Registration details for a new account.
#[derive(Debug, Clone, Default)]
pub struct Registration {
    /// `mailto:` is added when missing.
    pub emails: Vec<String>,
    pub agree_tos: bool,
    /// External account binding: key id and the base64url HMAC key.
    pub eab: Option<(String, String)>,
}

/// A connection to one CA: runtime, HTTP transport, directory URL.
pub struct Session {
    rt: tokio::runtime::Runtime,
    transport: Transport,
    pub directory_url: String,
    /// The directory object, fetched once (for ARI's `renewalInfo`).
    directory: std::sync::OnceLock<serde_json::Value>,
    /// Ctrl-C and SIGTERM listeners that outlive each order: once an order
    /// has run, the runtime's handler stays installed for the whole
    /// process, so a signal between orders is seen only through these.
    signals: std::sync::Mutex<Option<[tokio::signal::unix::Signal; 2]>>,
}

/// Revocation reasons by the names `--reason` accepts.
pub fn revocation_reason(name: &str) -> Option<instant_acme::RevocationReason> {
    use instant_acme::RevocationReason::*;
    Some(match name.to_ascii_lowercase().as_str() {
        "unspecified" => Unspecified,
        "keycompromise" => KeyCompromise,
        "affiliationchanged" => AffiliationChanged,
        "superseded" => Superseded,
        "cessationofoperation" => CessationOfOperation,
        _ => return None,
    })
}

fn mailto(emails: &[String]) -> Vec<String> {
    emails
        .iter()
        .map(|e| {
            if e.starts_with("mailto:") {
                e.clone()
            } else {
                format!("mailto:{e}")
            }
        })
        .collect()
}

impl Session {
    pub fn new(options: &AcmeOptions) -> Result<Session, AcmeError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| AcmeError::Other(format!("cannot start the async runtime: {e}")))?;
        let transport = Transport::new(options.ca_bundle.as_deref())
            .map_err(|e| AcmeError::Input(e.to_string()))?;
        // Which way the CA is reached is a decision worth a log line.
        match transport.proxy_for(&options.directory_url) {
            Some(Ok(proxy)) => {
                crate::log::info(format!("proxy for {}: {proxy}", options.directory_url));
            }
            Some(Err(e)) => crate::log::warning(format!("unusable proxy setting: {e}")),
            None => {}
        }
        Ok(Session {
            rt,
            transport,
            directory_url: options.directory_url.clone(),
            directory: std::sync::OnceLock::new(),
            signals: std::sync::Mutex::new(None),
        })
    }

    /// Start listening for Ctrl-C and SIGTERM (the first order does; the
    /// handler is the runtime's from then on).
    fn watch_signals(&self) {
        use tokio::signal::unix::{SignalKind, signal};
        let mut signals = self.signals.lock().unwrap_or_else(|e| e.into_inner());
        if signals.is_none() {
            let _context = self.rt.enter();
            if let (Ok(int), Ok(term)) = (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) {
                *signals = Some([int, term]);
            }
        }
    }

    /// Whether Ctrl-C or SIGTERM arrived since the first order began (or
    /// the last call): callers running several orders stop on it.
    pub fn interrupted(&self) -> bool {
        let mut signals = self.signals.lock().unwrap_or_else(|e| e.into_inner());
        let Some(signals) = signals.as_mut() else {
            return false;
        };
        self.rt.block_on(async {
            // One turn of the runtime delivers a signal that is pending.
            tokio::task::yield_now().await;
            std::future::poll_fn(|cx| {
                let fired = signals.iter_mut().any(|s| s.poll_recv(cx).is_ready());
                std::task::Poll::Ready(fired)
            })
            .await
        })
    }

    fn map(&self, e: instant_acme::Error) -> AcmeError {
        let retry = self
            .transport
            .last_retry_after
            .lock()
            .ok()
            .and_then(|s| s.clone());
        match AcmeError::from_acme(e, &self.directory_url, retry) {
            // Say what the server did answer (an HTTP error, a web page).
            AcmeError::NotAcme { url, detail } => {
                let detail = match self.rt.block_on(self.transport.get(&url)) {
                    Ok((status, _)) if !status.is_success() => {
                        format!("HTTP {status}; check --server")
                    }
                    _ => format!("{detail}; check --server"),
                };
                AcmeError::NotAcme { url, detail }
            }
            other => other,
        }
    }

    /// Create an account with a fresh P-256 key (Certbot 2.1 can use it too).
    pub fn register(&self, registration: &Registration) -> Result<AccountHandle, AcmeError> {
        use base64::Engine;
        if !registration.agree_tos {
            return Err(AcmeError::Input(
                "you must agree to the CA's terms of service (--agree-tos) to register".into(),
            ));
        }
        let eab = match &registration.eab {
            Some((kid, hmac)) => {
                let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(hmac.trim_end_matches('='))
                    .map_err(|_| AcmeError::Input("--eab-hmac-key: not base64url".into()))?;
                Some(instant_acme::ExternalAccountKey::new(kid.clone(), &bytes))
            }
            None => None,
        };
        let contacts = mailto(&registration.emails);
        let contact_refs: Vec<&str> = contacts.iter().map(String::as_str).collect();
        let new_account = instant_acme::NewAccount {
            contact: &contact_refs,
            terms_of_service_agreed: true,
            only_return_existing: false,
        };
        let builder = instant_acme::Account::builder_with_http(Box::new(self.transport.clone()));
        let (account, credentials) = self
            .rt
            .block_on(builder.create(&new_account, self.directory_url.clone(), eab.as_ref()))
            .map_err(|e| self.map(e))?;
        let key = JwsKey::from_ec_pkcs8(
            key::Curve::P256,
            credentials.private_key().secret_pkcs8_der(),
        )
        .map_err(|e| AcmeError::Other(e.to_string()))?;
        let url = account.id().to_string();
        Ok(AccountHandle {
            account,
            key: Arc::new(key),
            url,
        })
    }

    /// Use an existing account (its key and URL, as stored).
    pub fn login(&self, key: JwsKey, url: &str) -> Result<AccountHandle, AcmeError> {
        let key = Arc::new(key);
        let account = self.account_with(key.clone(), url, KeyId::Kid)?;
        Ok(AccountHandle {
            account,
            key,
            url: url.to_string(),
        })
    }

    /// An instant-acme account that signs with `key`: natively for P-256,
    /// through the re-signing transport for every other key.
    fn account_with(
        &self,
        key: Arc<JwsKey>,
        url: &str,
        id: KeyId,
    ) -> Result<instant_acme::Account, AcmeError> {
        let (transport, pkcs8) = match (key.p256_pkcs8(), id) {
            (Some(pkcs8), KeyId::Kid) => (self.transport.clone(), pkcs8),
            _ => {
                let placeholder =
                    JwsKey::generate_p256().map_err(|e| AcmeError::Other(e.to_string()))?;
                let pkcs8 = placeholder.p256_pkcs8().unwrap_or_default();
                (self.transport.resigning(key, id), pkcs8)
            }
        };
        let builder = instant_acme::Account::builder_with_http(Box::new(transport));
        let der = rustls_pki_types::PrivatePkcs8KeyDer::from(pkcs8);
        self.rt
            .block_on(builder.from_parts(url.to_string(), der, self.directory_url.clone()))
            .map_err(|e| self.map(e))
    }

    /// Order, validate and download a certificate.
    pub fn obtain(
        &self,
        account: &AccountHandle,
        request: &CertRequest,
        solver: &mut dyn Solver,
    ) -> Result<Issued, AcmeError> {
        self.watch_signals();
        let ctx = order::Context {
            account,
            transport: &self.transport,
            directory_url: &self.directory_url,
        };
        self.rt
            .block_on(order::obtain(&ctx, request, solver))
            .map_err(|e| match e {
                order::Failure::Acme(e) => e,
                order::Failure::Api(e) => self.map(e),
            })
    }

    /// Revoke with the account key.
    pub fn revoke(
        &self,
        account: &AccountHandle,
        cert_der: &[u8],
        reason: Option<instant_acme::RevocationReason>,
    ) -> Result<(), AcmeError> {
        self.revoke_with(&account.account, cert_der, reason)
    }

    /// Revoke with the certificate's own private key (no account needed).
    pub fn revoke_with_cert_key(
        &self,
        cert_key: JwsKey,
        cert_der: &[u8],
        reason: Option<instant_acme::RevocationReason>,
    ) -> Result<(), AcmeError> {
        let account =
            self.account_with(Arc::new(cert_key), "urn:certsmith:no-account", KeyId::Jwk)?;
        self.revoke_with(&account, cert_der, reason)
    }

    fn revoke_with(
        &self,
        account: &instant_acme::Account,
        cert_der: &[u8],
        reason: Option<instant_acme::RevocationReason>,
    ) -> Result<(), AcmeError> {
        let der = rustls_pki_types::CertificateDer::from(cert_der.to_vec());
        let request = instant_acme::RevocationRequest {
            certificate: &der,
            reason,
        };
        self.rt
            .block_on(account.revoke(&request))
            .map_err(|e| self.map(e))
    }

    pub fn update_contacts(
        &self,
        account: &AccountHandle,
        emails: &[String],
    ) -> Result<(), AcmeError> {
        let contacts = mailto(emails);
        let refs: Vec<&str> = contacts.iter().map(String::as_str).collect();
        self.rt
            .block_on(account.account.update_contacts(&refs))
            .map_err(|e| self.map(e))
    }

    pub fn deactivate(&self, account: AccountHandle) -> Result<(), AcmeError> {
        self.rt
            .block_on(account.account.deactivate())
            .map_err(|e| self.map(e))
    }

    /// The CA's directory object (fetched on first use, then kept).
    pub fn directory(&self) -> Result<&serde_json::Value, AcmeError> {
        if let Some(d) = self.directory.get() {
            return Ok(d);
        }
        let url = self.directory_url.clone();
        let (status, body) = self
            .rt
            .block_on(self.transport.get(&url))
            .map_err(|e| self.map(e))?;
        let not_acme = |detail: String| AcmeError::NotAcme {
            url: url.clone(),
            detail,
        };
        if !status.is_success() {
            return Err(not_acme(format!("HTTP {status}; check --server")));
        }
        let value: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| not_acme(e.to_string()))?;
        if !value["newOrder"].is_string() {
            return Err(not_acme("no newOrder; check --server".into()));
        }
        crate::log::debug(format!("directory {url}: {value}"));
        Ok(self.directory.get_or_init(|| value))
    }

    /// ARI: the CA's suggested renewal window for a certificate it issued;
    /// `None` when the CA offers no renewalInfo.
    pub fn renewal_window(&self, cert_der: &[u8]) -> Result<Option<ari::Window>, AcmeError> {
        let Some(base) = self.directory()?["renewalInfo"]
            .as_str()
            .map(str::to_string)
        else {
            return Ok(None);
        };
        let url = format!("{}/{}", base.trim_end_matches('/'), ari::cert_id(cert_der)?);
        crate::log::info(format!("ARI: GET {url}"));
        let (status, body) = self
            .rt
            .block_on(self.transport.get(&url))
            .map_err(|e| self.map(e))?;
        if !status.is_success() {
            return Err(AcmeError::Other(format!(
                "renewalInfo {url}: HTTP {status}: {}",
                String::from_utf8_lossy(&body)
                    .chars()
                    .take(200)
                    .collect::<String>()
            )));
        }
        ari::parse_window(&body)
            .map(Some)
            .map_err(|e| AcmeError::Other(format!("renewalInfo {url}: {e}")))
    }

    /// The account object as the CA has it (status, contacts).
    pub fn fetch_account(&self, account: &AccountHandle) -> Result<serde_json::Value, AcmeError> {
        let raw = raw::Raw {
            transport: &self.transport,
            directory_url: &self.directory_url,
        };
        self.rt
            .block_on(raw.post_as_get(&account.key, &account.url, &account.url))
            .map_err(|e| self.map(e))
    }
}
