//! Certificate keys and CSRs.

use super::error::AcmeError;
use rcgen::{CertificateParams, CustomExtension, DistinguishedName, KeyPair};

/// The key type of a certificate, as `--key-type`, `--elliptic-curve` and
/// `--rsa-key-size` (and the renewal conf's `key_type`...) describe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySpec {
    /// P-256 (`secp256r1`) or P-384 (`secp384r1`).
    Ecdsa {
        p384: bool,
    },
    Rsa {
        bits: u32,
    },
}

impl Default for KeySpec {
    fn default() -> Self {
        KeySpec::Ecdsa { p384: false }
    }
}

impl KeySpec {
    /// From the flag values; `None` means "not given" (defaults apply).
    pub fn from_flags(
        key_type: Option<&str>,
        curve: Option<&str>,
        bits: Option<u32>,
    ) -> Result<KeySpec, String> {
        let key_type = key_type.map(str::to_ascii_lowercase);
        match key_type.as_deref() {
            None | Some("ecdsa") | Some("ec") => {
                let p384 = match curve.map(str::to_ascii_lowercase).as_deref() {
                    None | Some("secp256r1") | Some("p-256") | Some("prime256v1") => false,
                    Some("secp384r1") | Some("p-384") => true,
                    Some(other) => {
                        return Err(format!(
                            "--elliptic-curve: {other:?} is not supported (secp256r1 or secp384r1)"
                        ));
                    }
                };
                Ok(KeySpec::Ecdsa { p384 })
            }
            Some("rsa") => match bits.unwrap_or(2048) {
                b @ (2048 | 3072 | 4096) => Ok(KeySpec::Rsa { bits: b }),
                other => Err(format!(
                    "--rsa-key-size: {other} is not supported (2048, 3072 or 4096)"
                )),
            },
            Some(other) => Err(format!(
                "--key-type: {other:?} is not supported (ecdsa or rsa)"
            )),
        }
    }

    /// `(key_type, rsa_key_size or elliptic_curve)` as the renewal conf stores them.
    pub fn conf_values(self) -> (&'static str, (&'static str, String)) {
        match self {
            KeySpec::Ecdsa { p384 } => (
                "ecdsa",
                (
                    "elliptic_curve",
                    if p384 { "secp384r1" } else { "secp256r1" }.to_string(),
                ),
            ),
            KeySpec::Rsa { bits } => ("rsa", ("rsa_key_size", bits.to_string())),
        }
    }

    /// A new private key, as a PKCS#8 PEM.
    pub fn generate(self) -> Result<String, AcmeError> {
        let failed =
            |e: &dyn std::fmt::Display| AcmeError::Other(format!("key generation failed: {e}"));
        match self {
            KeySpec::Ecdsa { p384 } => {
                let alg = if p384 {
                    &rcgen::PKCS_ECDSA_P384_SHA384
                } else {
                    &rcgen::PKCS_ECDSA_P256_SHA256
                };
                Ok(KeyPair::generate_for(alg)
                    .map_err(|e| failed(&e))?
                    .serialize_pem())
            }
            KeySpec::Rsa { bits } => {
                use rsa::pkcs8::EncodePrivateKey;
                let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, bits as usize)
                    .map_err(|e| failed(&e))?;
                let pem = key
                    .to_pkcs8_pem(rsa::pkcs8::LineEnding::LF)
                    .map_err(|e| failed(&e))?;
                Ok(pem.to_string())
            }
        }
    }
}

/// The key type of an existing PEM key (for `--reuse-key` and `certificates`).
pub fn key_pair(pem: &str) -> Result<KeyPair, AcmeError> {
    KeyPair::from_pem(pem).map_err(|e| AcmeError::Input(format!("unusable private key: {e}")))
}

/// A DER CSR for `names` (DNS names or IP addresses) signed by `key_pem`.
pub fn build_csr(names: &[String], key_pem: &str, must_staple: bool) -> Result<Vec<u8>, AcmeError> {
    let key = key_pair(key_pem)?;
    let mut params = CertificateParams::new(names.to_vec())
        .map_err(|e| AcmeError::Input(format!("cannot put the names in a CSR: {e}")))?;
    params.distinguished_name = DistinguishedName::new();
    if must_staple {
        // TLS Feature extension (RFC 7633) with status_request (5).
        params
            .custom_extensions
            .push(CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 5, 5, 7, 1, 24],
                vec![0x30, 0x03, 0x02, 0x01, 0x05],
            ));
    }
    let csr = params
        .serialize_request(&key)
        .map_err(|e| AcmeError::Other(format!("cannot sign the CSR: {e}")))?;
    Ok(csr.der().to_vec())
}

/// Read a CSR file (PEM or DER): its DER and the names it asks for.
pub fn read_csr(bytes: &[u8]) -> Result<(Vec<u8>, Vec<String>), String> {
    use rustls_pki_types::CertificateSigningRequestDer;
    use rustls_pki_types::pem::PemObject;
    use x509_parser::prelude::*;
    let der = if bytes.starts_with(b"-----") {
        CertificateSigningRequestDer::from_pem_slice(bytes)
            .map_err(|e| format!("not a PEM certificate request ({e})"))?
            .as_ref()
            .to_vec()
    } else {
        bytes.to_vec()
    };
    let (_, csr) = X509CertificationRequest::from_der(&der)
        .map_err(|e| format!("not a certificate request ({e})"))?;
    let mut names = Vec::new();
    for ext in csr.requested_extensions().into_iter().flatten() {
        if let ParsedExtension::SubjectAlternativeName(san) = ext {
            for name in &san.general_names {
                match name {
                    GeneralName::DNSName(d) => names.push(d.to_string()),
                    GeneralName::IPAddress(ip) => {
                        if let Some(addr) = crate::x509::ip_from_bytes(ip) {
                            names.push(addr.to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    for cn in csr.certification_request_info.subject.iter_common_name() {
        if let Ok(cn) = cn.as_str()
            && !names.iter().any(|n| n.eq_ignore_ascii_case(cn))
        {
            names.insert(0, cn.to_string());
        }
    }
    if names.is_empty() {
        return Err("the CSR names no domain".into());
    }
    Ok((der, names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csr_round_trips_names_and_ips() {
        let key = KeySpec::default().generate().unwrap();
        let names = vec![
            "a.example".to_string(),
            "b.example".to_string(),
            "127.0.0.1".to_string(),
        ];
        let der = build_csr(&names, &key, true).unwrap();
        let (_, back) = read_csr(&der).unwrap();
        assert_eq!(back, names);
    }

    #[test]
    fn must_staple_puts_the_tls_feature_extension_in_the_csr() {
        // DER of OID 1.3.6.1.5.5.7.1.24 (TLS Feature) followed by its value
        // SEQUENCE { INTEGER 5 } wrapped in an OCTET STRING.
        const OID: [u8; 10] = [0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x18];
        const VALUE: [u8; 7] = [0x04, 0x05, 0x30, 0x03, 0x02, 0x01, 0x05];
        let has = |der: &[u8], needle: &[u8]| der.windows(needle.len()).any(|w| w == needle);
        let key = KeySpec::default().generate().unwrap();
        let stapled = build_csr(&["a.example".into()], &key, true).unwrap();
        assert!(has(&stapled, &OID) && has(&stapled, &VALUE));
        let plain = build_csr(&["a.example".into()], &key, false).unwrap();
        assert!(!has(&plain, &OID));
        assert!(read_csr(&stapled).is_ok());
    }

    #[test]
    fn key_flags() {
        assert_eq!(
            KeySpec::from_flags(None, None, None),
            Ok(KeySpec::Ecdsa { p384: false })
        );
        assert_eq!(
            KeySpec::from_flags(Some("ecdsa"), Some("secp384r1"), None),
            Ok(KeySpec::Ecdsa { p384: true })
        );
        assert_eq!(
            KeySpec::from_flags(Some("rsa"), None, Some(3072)),
            Ok(KeySpec::Rsa { bits: 3072 })
        );
        assert!(
            KeySpec::from_flags(Some("rsa"), None, Some(1024))
                .unwrap_err()
                .starts_with("--rsa-key-size")
        );
        assert!(
            KeySpec::from_flags(Some("dsa"), None, None)
                .unwrap_err()
                .starts_with("--key-type")
        );
        assert!(
            KeySpec::from_flags(None, Some("secp521r1"), None)
                .unwrap_err()
                .starts_with("--elliptic-curve")
        );
    }

    #[test]
    fn p384_key_signs_a_csr() {
        let key = KeySpec::Ecdsa { p384: true }.generate().unwrap();
        assert!(build_csr(&["x.example".into()], &key, false).is_ok());
    }
}
