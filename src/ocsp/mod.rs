//! OCSP revocation checks, as Certbot makes them (certbot/ocsp.py) for
//! `certificates` (`INVALID: REVOKED`) and `renew` (a revoked certificate
//! is due).
//!
//! Certbot's rules: an expired certificate is not checked (CAs stop
//! answering for those); one without an OCSP URL in its Authority
//! Information Access is not checked; the issuer is chain.pem's first
//! certificate; one POST of a SHA-1 CertID, 10 s at most. Only a verified
//! answer of "revoked" counts: a responder that cannot be reached, answers
//! an HTTP error, or sends something that does not verify leaves the
//! certificate "not known revoked" (the first two logged as information,
//! the last as a warning), so a broken responder never stops a renewal
//! or marks a good certificate bad.

mod request;
mod response;
mod verify;

#[cfg(test)]
mod tests;

use crate::acme::http::Transport;
use std::sync::OnceLock;
use std::time::Duration;
use x509_parser::prelude::*;

/// Certbot's time limit for one OCSP query.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// A response is a few kilobytes; more than this is not one.
const MAX_RESPONSE: usize = 256 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum OcspError {
    /// The certificate or its chain cannot be used to ask.
    #[error("{0}")]
    Input(String),
    #[error("OCSP request to {url} failed: {detail} (are we offline?)")]
    Unreachable { url: String, detail: String },
    #[error("OCSP responder {url} answered HTTP status {status}")]
    HttpStatus { url: String, status: u16 },
    #[error("the OCSP responder's answer is {0}")]
    ResponseStatus(&'static str),
    #[error("malformed OCSP response: {0}")]
    Malformed(String),
    #[error("the OCSP response is not about the certificate asked about")]
    WrongCertificate,
    #[error("invalid signature on the OCSP response")]
    BadSignature,
    #[error("{0}")]
    Responder(String),
    #[error("unsupported OCSP signature: {0}")]
    Unsupported(String),
    #[error("stale OCSP response: {0}")]
    Stale(String),
}

/// Read `der` as an OCSP response (status, basic response, every single response), as
/// [`Checker::check`] does before verifying it: an error for anything malformed, never a
/// panic. Returns the number of single responses. For the `ocsp_response` fuzz target.
pub fn check_response(der: &[u8]) -> Result<usize, OcspError> {
    response::parse(der).map(|basic| basic.responses.len())
}

impl OcspError {
    /// Not reaching the responder is ordinary (offline machines, firewalls):
    /// Certbot logs it as information, not as a warning.
    pub fn is_network(&self) -> bool {
        matches!(
            self,
            OcspError::Unreachable { .. } | OcspError::HttpStatus { .. }
        )
    }
}

/// What a verified response says about the certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertStatus {
    Good,
    /// Revoked at (Unix seconds), with the CRLReason code if given.
    Revoked {
        at: i64,
        reason: Option<u8>,
    },
    Unknown,
}

/// The result of a check that did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Not asked (Certbot's skips), and why.
    Skipped(&'static str),
    Checked(CertStatus),
}

/// The answer callers act on: revoked only on a verified "revoked".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub revoked: bool,
    /// Worth showing the user (a response that did not verify).
    pub warning: Option<String>,
}

/// Asks OCSP responders; one per run, shared by threads. The HTTP
/// transport (and its trust roots, for the rare https responder) is made
/// on the first query only.
pub struct Checker {
    transport: OnceLock<Result<Transport, String>>,
    timeout: Duration,
}

impl Default for Checker {
    fn default() -> Self {
        Checker::new()
    }
}

fn first_der(pem: &str, what: &str) -> Result<Vec<u8>, OcspError> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    CertificateDer::from_pem_slice(pem.as_bytes())
        .map(|der| der.as_ref().to_vec())
        .map_err(|e| OcspError::Input(format!("no certificate in {what} ({e})")))
}

fn parse<'d>(der: &'d [u8], what: &str) -> Result<X509Certificate<'d>, OcspError> {
    X509Certificate::from_der(der)
        .map(|(_, cert)| cert)
        .map_err(|e| OcspError::Input(format!("unreadable certificate in {what} ({e})")))
}

/// The responder URL, if there is one that names a host (Certbot's test).
fn responder_url(cert_der: &[u8]) -> Option<String> {
    let url = crate::x509::parse_der(cert_der).ok()?.ocsp_url?;
    let url = url.trim_end().to_string();
    let uri: http::Uri = url.parse().ok()?;
    uri.host().filter(|h| !h.is_empty())?;
    Some(url)
}

impl Checker {
    pub fn new() -> Checker {
        Checker {
            transport: OnceLock::new(),
            timeout: TIMEOUT,
        }
    }

    /// The status of `cert_pem` (its first certificate) as issued by
    /// chain.pem's first certificate, at `now` (Unix seconds).
    pub fn check(&self, cert_pem: &str, chain_pem: &str, now: i64) -> Result<Outcome, OcspError> {
        let cert_der = first_der(cert_pem, "cert.pem")?;
        let cert = parse(&cert_der, "cert.pem")?;
        if cert.validity().not_after.timestamp() <= now {
            // Let's Encrypt stops answering for expired certificates
            // (certbot#7152).
            return Ok(Outcome::Skipped("expired"));
        }
        let Some(url) = responder_url(&cert_der) else {
            return Ok(Outcome::Skipped("no OCSP URL in the certificate"));
        };
        let issuer_der = first_der(chain_pem, "chain.pem")?;
        let issuer = parse(&issuer_der, "chain.pem")?;
        let id = request::cert_id(&cert, &issuer)?;
        let body = self.fetch(&url, request::encode(&id))?;
        let basic = response::parse(&body)?;
        verify::verify(&basic, &id, &issuer, now).map(Outcome::Checked)
    }

    /// [`Checker::check`] as Certbot acts on it, logged: `label` names the
    /// certificate in the log (its path, as Certbot's lines do).
    pub fn verdict(&self, cert_pem: &str, chain_pem: &str, label: &str, now: i64) -> Verdict {
        let verdict = |revoked, warning| Verdict { revoked, warning };
        match self.check(cert_pem, chain_pem, now) {
            Ok(Outcome::Skipped(why)) => {
                crate::log::debug(format!("OCSP: {label} not checked: {why}"));
                verdict(false, None)
            }
            Ok(Outcome::Checked(CertStatus::Revoked { at, reason })) => {
                crate::log::info(format!(
                    "OCSP: {label} is revoked (since {}{})",
                    crate::x509::format_utc(at),
                    reason.map(|r| format!(", reason {r}")).unwrap_or_default()
                ));
                verdict(true, None)
            }
            Ok(Outcome::Checked(status)) => {
                crate::log::debug(format!("OCSP: the status of {label} is {status:?}"));
                verdict(false, None)
            }
            Err(e) if e.is_network() => {
                crate::log::info(format!("OCSP check failed for {label}: {e}"));
                verdict(false, None)
            }
            Err(e @ OcspError::Input(_)) => {
                let line = format!("OCSP: cannot check {label}: {e}");
                crate::log::warning(&line);
                verdict(false, Some(line))
            }
            Err(e) => {
                let line = format!("OCSP: invalid response for {label}: {e}");
                crate::log::warning(&line);
                verdict(false, Some(line))
            }
        }
    }

    fn transport(&self) -> Result<&Transport, OcspError> {
        self.transport
            .get_or_init(|| {
                Transport::new(None)
                    .map(|t| t.with_timeout(self.timeout))
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| OcspError::Input(format!("no HTTP client: {e}")))
    }

    /// POST the request (RFC 6960 appendix A.1), on a runtime of its own:
    /// callers are synchronous and may be on any thread.
    fn fetch(&self, url: &str, request: Vec<u8>) -> Result<bytes::Bytes, OcspError> {
        let transport = self.transport()?;
        let unreachable = |detail: String| OcspError::Unreachable {
            url: url.to_string(),
            detail,
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| unreachable(format!("cannot start the async runtime: {e}")))?;
        let (status, body) = runtime
            .block_on(transport.post(url, "application/ocsp-request", request, MAX_RESPONSE))
            .map_err(|e| unreachable(e.0))?;
        if status != http::StatusCode::OK {
            return Err(OcspError::HttpStatus {
                url: url.to_string(),
                status: status.as_u16(),
            });
        }
        Ok(body)
    }
}
