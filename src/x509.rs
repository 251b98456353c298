//! X.509 inspection, below both `storage` and `acme`: what `certificates`,
//! renewal, revocation and the installers need to know about a PEM
//! certificate (names, validity, serial, issuer, OCSP URL, key type), and
//! [`Issued`], a certificate as a CA issued it.

use std::net::IpAddr;
use x509_parser::prelude::*;

/// A certificate as the CA issued it.
#[derive(Debug, Clone)]
pub struct Issued {
    pub cert_pem: String,
    pub chain_pem: String,
    pub fullchain_pem: String,
    /// The private key (PEM); `None` when the request brought its own CSR.
    pub key_pem: Option<String>,
    /// The names the certificate was ordered for (fewer than asked with
    /// `allow_subset_of_names`).
    pub names: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    /// Subject alternative names (DNS names and IP addresses), in order.
    pub names: Vec<String>,
    pub common_name: Option<String>,
    /// Seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
    /// Lower-case hex, no leading zeros beyond what the DER holds.
    pub serial_hex: String,
    pub issuer_cn: Option<String>,
    pub ocsp_url: Option<String>,
    /// `ECDSA` or `RSA` (as `certbot certificates` shows it), else the OID.
    pub key_type: String,
    /// An RSA key's modulus size in bits.
    pub rsa_bits: Option<usize>,
    /// An ECDSA key's curve, by the name `--elliptic-curve` takes
    /// (`secp256r1`, `secp384r1`, `secp521r1`).
    pub curve: Option<&'static str>,
    pub der: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CertError(pub String);

/// Split a PEM bundle into its certificate blocks (each a full PEM text).
pub fn pem_blocks(pem: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut rest = pem;
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    while let Some(start) = rest.find(BEGIN) {
        let Some(len) = rest[start..].find(END) else {
            break;
        };
        let end = start + len + END.len();
        blocks.push(format!("{}\n", &rest[start..end]));
        rest = &rest[end..];
    }
    blocks
}

pub fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}

/// Parse the first certificate of a PEM text.
pub fn parse_pem(pem: &str) -> Result<CertInfo, CertError> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let der = CertificateDer::from_pem_slice(pem.as_bytes())
        .map_err(|e| CertError(format!("no PEM certificate ({e})")))?;
    parse_der(der.as_ref())
}

pub fn parse_der(der: &[u8]) -> Result<CertInfo, CertError> {
    let (_, cert) = X509Certificate::from_der(der)
        .map_err(|e| CertError(format!("unreadable certificate ({e})")))?;
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(d) => names.push(d.to_string()),
                GeneralName::IPAddress(ip) => {
                    names.extend(ip_from_bytes(ip).map(|a| a.to_string()))
                }
                _ => {}
            }
        }
    }
    let cn = |n: &X509Name| {
        n.iter_common_name()
            .next()
            .and_then(|c| c.as_str().ok())
            .map(str::to_string)
    };
    let mut ocsp_url = None;
    for ext in cert.extensions() {
        if let ParsedExtension::AuthorityInfoAccess(aia) = ext.parsed_extension() {
            for desc in &aia.accessdescs {
                // The first OCSP URL, as Certbot takes it.
                if desc.access_method == x509_parser::oid_registry::OID_PKIX_ACCESS_DESCRIPTOR_OCSP
                    && let GeneralName::URI(uri) = desc.access_location
                    && ocsp_url.is_none()
                {
                    ocsp_url = Some(uri.to_string());
                }
            }
        }
    }
    let algorithm = &cert.public_key().algorithm.algorithm;
    let key_type = if *algorithm == x509_parser::oid_registry::OID_KEY_TYPE_EC_PUBLIC_KEY {
        "ECDSA".to_string()
    } else if *algorithm == x509_parser::oid_registry::OID_PKCS1_RSAENCRYPTION {
        "RSA".to_string()
    } else {
        algorithm.to_id_string()
    };
    let (rsa_bits, curve) = key_size(cert.public_key());
    let serial = cert.raw_serial();
    let skip = serial
        .iter()
        .take_while(|b| **b == 0)
        .count()
        .min(serial.len().saturating_sub(1));
    Ok(CertInfo {
        names,
        common_name: cn(cert.subject()),
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        serial_hex: serial[skip..].iter().map(|b| format!("{b:02x}")).collect(),
        issuer_cn: cn(cert.issuer()),
        ocsp_url,
        key_type,
        rsa_bits,
        curve,
        der: der.to_vec(),
    })
}

/// An RSA key's size (bits of its modulus, leading zero bits not counted)
/// or an EC key's named curve.
fn key_size(key: &SubjectPublicKeyInfo) -> (Option<usize>, Option<&'static str>) {
    use x509_parser::oid_registry::{OID_EC_P256, OID_NIST_EC_P384, OID_NIST_EC_P521};
    use x509_parser::public_key::PublicKey;
    match key.parsed() {
        Ok(PublicKey::RSA(rsa)) => {
            let modulus = rsa.modulus;
            let zeros = modulus.iter().take_while(|b| **b == 0).count();
            let bits = match modulus.get(zeros) {
                Some(first) => (modulus.len() - zeros) * 8 - first.leading_zeros() as usize,
                None => 0,
            };
            (Some(bits), None)
        }
        Ok(PublicKey::EC(_)) => {
            let oid = key
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok());
            let curve = match oid {
                Some(o) if o == OID_EC_P256 => Some("secp256r1"),
                Some(o) if o == OID_NIST_EC_P384 => Some("secp384r1"),
                Some(o) if o == OID_NIST_EC_P521 => Some("secp521r1"),
                _ => None,
            };
            (None, curve)
        }
        _ => (None, None),
    }
}

/// `YYYY-MM-DD HH:MM:SS+00:00` for a Unix time (civil-from-days, UTC).
pub fn format_utc(unix: i64) -> String {
    format!("{}+00:00", crate::log::utc_stamp(unix))
}

/// `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339, UTC) for a Unix time.
pub fn format_rfc3339(unix: i64) -> String {
    format!("{}Z", crate::log::utc_stamp(unix).replacen(' ', "T", 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(format_rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_utc(0), "1970-01-01 00:00:00+00:00");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00:00+00:00");
        assert_eq!(format_utc(1_924_991_999), "2030-12-31 23:59:59+00:00");
    }

    #[test]
    fn self_signed_cert_is_read() {
        let params =
            rcgen::CertificateParams::new(vec!["a.example".to_string(), "::1".to_string()])
                .unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        let pem = format!("{}{}", cert.pem(), cert.pem());
        assert_eq!(pem_blocks(&pem).len(), 2);
        let info = parse_pem(&pem).unwrap();
        assert_eq!(info.names, vec!["a.example", "::1"]);
        assert_eq!(info.key_type, "ECDSA");
        assert_eq!((info.curve, info.rsa_bits), (Some("secp256r1"), None));
        assert!(info.not_after > info.not_before);
        assert!(!info.serial_hex.is_empty());
    }

    #[test]
    fn key_sizes_and_curves() {
        let named = |key: &rcgen::KeyPair| {
            let params = rcgen::CertificateParams::new(vec!["a.example".to_string()]).unwrap();
            parse_pem(&params.self_signed(key).unwrap().pem()).unwrap()
        };
        let p384 = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
        assert_eq!(named(&p384).curve, Some("secp384r1"));
        let rsa = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
        use rsa::pkcs8::EncodePrivateKey;
        let pem = rsa.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).unwrap();
        let key = rcgen::KeyPair::from_pem(&pem).unwrap();
        let info = named(&key);
        assert_eq!((info.key_type.as_str(), info.rsa_bits), ("RSA", Some(2048)));
        assert_eq!(info.curve, None);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse_pem("").is_err());
        assert!(
            parse_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").is_err()
        );
    }
}
