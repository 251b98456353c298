//! tls-alpn-01 (RFC 8737): a TLS server that offers only the `acme-tls/1`
//! protocol and presents, for each name, a self-signed certificate carrying
//! the critical acmeIdentifier extension with SHA-256 of the key authorization.

use crate::acme::{Challenge, SolveError};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::collections::HashMap;
use std::net::{IpAddr, TcpStream};
use std::sync::Arc;

pub const ACME_TLS_1: &[u8] = b"acme-tls/1";

#[derive(Debug)]
struct ByName(HashMap<String, Arc<CertifiedKey>>);

impl ResolvesServerCert for ByName {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let name = hello.server_name()?.to_ascii_lowercase();
        self.0.get(name.trim_end_matches('.')).cloned()
    }
}

/// The SNI a validator sends for an identifier: the name itself, or for an
/// IP address its reverse-DNS name (RFC 8738).
pub fn sni_for(identifier: &str) -> String {
    match identifier.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => {
            let o = v4.octets();
            format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0])
        }
        Ok(IpAddr::V6(v6)) => {
            let mut labels: Vec<String> = v6
                .octets()
                .iter()
                .flat_map(|b| [format!("{:x}", b >> 4), format!("{:x}", b & 0xf)])
                .collect();
            labels.reverse();
            format!("{}.ip6.arpa", labels.join("."))
        }
        Err(_) => identifier.to_ascii_lowercase(),
    }
}

fn certified_key(challenge: &Challenge) -> Result<CertifiedKey, SolveError> {
    let fail = |e: &dyn std::fmt::Display| {
        SolveError::Message(format!(
            "tls-alpn-01 certificate for {}: {e}",
            challenge.identifier
        ))
    };
    let mut params =
        rcgen::CertificateParams::new(vec![challenge.identifier.clone()]).map_err(|e| fail(&e))?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .custom_extensions
        .push(rcgen::CustomExtension::new_acme_identifier(
            &challenge.digest,
        ));
    let key = rcgen::KeyPair::generate().map_err(|e| fail(&e))?;
    let cert = params.self_signed(&key).map_err(|e| fail(&e))?;
    let key_der =
        rustls_pki_types::PrivateKeyDer::try_from(key.serialize_der()).map_err(|e| fail(&e))?;
    let signing = rustls::crypto::ring::sign::any_supported_type(&key_der).map_err(|e| fail(&e))?;
    Ok(CertifiedKey::new(vec![cert.der().clone()], signing))
}

pub fn server_config(challenges: &[&Challenge]) -> Result<Arc<rustls::ServerConfig>, SolveError> {
    let mut by_name = HashMap::new();
    for c in challenges {
        by_name.insert(sni_for(&c.identifier), Arc::new(certified_key(c)?));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SolveError::Message(format!("TLS setup: {e}")))?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(ByName(by_name)));
    config.alpn_protocols = vec![ACME_TLS_1.to_vec()];
    Ok(Arc::new(config))
}

/// Complete one handshake; the validator closes the connection after it.
pub fn serve(mut stream: TcpStream, config: Arc<rustls::ServerConfig>) {
    let Ok(mut conn) = rustls::ServerConnection::new(config) else {
        return;
    };
    while conn.is_handshaking() {
        if conn.complete_io(&mut stream).is_err() {
            return;
        }
    }
    conn.send_close_notify();
    let _ = conn.complete_io(&mut stream);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_names_for_ip_identifiers() {
        assert_eq!(sni_for("127.0.0.1"), "1.0.0.127.in-addr.arpa");
        assert!(sni_for("::1").starts_with("1.0.0.0.0.0.0.0."));
        assert!(sni_for("::1").ends_with(".0.ip6.arpa"));
        assert_eq!(sni_for("A.Example"), "a.example");
    }
}
