//! ACME Renewal Information (RFC 9773): a certificate's identifier, the
//! window in which the CA suggests renewing it, and `replaces` in the order
//! that renews it (set through [`super::CertRequest::replaces`]).
//!
//! The renewalInfo request is a plain GET (no JWS, no nonce). It is made on
//! certsmith's own transport rather than instant-acme's `renewal_info`,
//! which needs the `time` feature and fails outright on a response without
//! `Retry-After` (a SHOULD in the RFC).

use super::AcmeError;
use ::time::OffsetDateTime;
use ::time::format_description::well_known::Rfc3339;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use x509_parser::prelude::*;

/// The CA's suggested renewal window, in Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub start: i64,
    pub end: i64,
    /// Why the window is what it is (e.g. an incident page), if the CA says.
    pub explanation_url: Option<String>,
}

/// RFC 9773 §4.1: base64url(AKI keyIdentifier) "." base64url(serial), the
/// serial as its DER content octets (a leading zero byte kept).
pub fn cert_id(cert_der: &[u8]) -> Result<String, AcmeError> {
    let (_, cert) = X509Certificate::from_der(cert_der)
        .map_err(|e| AcmeError::Input(format!("unreadable certificate ({e})")))?;
    let aki = cert
        .iter_extensions()
        .find_map(|ext| match ext.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                aki.key_identifier.as_ref().map(|k| k.0.to_vec())
            }
            _ => None,
        })
        .ok_or_else(|| {
            AcmeError::Input(
                "the certificate has no Authority Key Identifier, so ARI cannot name it".into(),
            )
        })?;
    Ok(format!(
        "{}.{}",
        B64.encode(aki),
        B64.encode(cert.tbs_certificate.raw_serial())
    ))
}

/// Read a renewalInfo response body.
pub fn parse_window(body: &[u8]) -> Result<Window, String> {
    let json: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("not JSON ({e})"))?;
    let window = &json["suggestedWindow"];
    let time = |key: &str| {
        let text = window[key]
            .as_str()
            .ok_or_else(|| format!("no suggestedWindow.{key}"))?;
        parse_rfc3339(text).ok_or_else(|| format!("suggestedWindow.{key}: bad time {text:?}"))
    };
    let (start, end) = (time("start")?, time("end")?);
    if end < start {
        return Err("suggestedWindow ends before it starts".into());
    }
    Ok(Window {
        start,
        end,
        explanation_url: json["explanationURL"].as_str().map(str::to_string),
    })
}

/// `2025-01-02T03:04:05Z` (fractions and `+hh:mm` offsets allowed) to Unix
/// seconds (fractions dropped); `None` for anything else, impossible dates
/// such as `2001-02-29` included.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2000-02-29T00:00:00Z"), Some(951_782_400));
        assert_eq!(
            parse_rfc3339("2030-12-31T23:59:59.999999Z"),
            Some(1_924_991_999)
        );
        assert_eq!(
            parse_rfc3339("2000-02-29T02:00:00+02:00"),
            Some(951_782_400)
        );
        assert_eq!(
            parse_rfc3339("2000-02-28T22:00:00-02:00"),
            Some(951_782_400)
        );
        for bad in [
            "",
            "2000-02-29",
            "2000-13-01T00:00:00Z",
            "2000-02-29T00:00:00",
            "2000-02-29T00:00:00.Z",
            "2000-02-29T00:00:00+0200",
            "２000-02-29T00:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn rfc3339_rejects_impossible_dates_and_keeps_the_space_separator() {
        assert_eq!(parse_rfc3339("2000-02-29 00:00:00Z"), Some(951_782_400));
        assert_eq!(parse_rfc3339("2000-02-29t00:00:00z"), Some(951_782_400));
        assert_eq!(parse_rfc3339("2001-02-29T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2000-04-31T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2000-02-29T00:00:00+24:00"), None);
    }

    #[test]
    fn windows_are_read_and_checked() {
        let w = parse_window(
            br#"{"suggestedWindow":{"start":"2030-01-01T00:00:00Z","end":"2030-01-02T00:00:00Z"},"explanationURL":"https://ca/why"}"#,
        )
        .unwrap();
        assert_eq!(w.end - w.start, 86_400);
        assert_eq!(w.explanation_url.as_deref(), Some("https://ca/why"));
        assert!(parse_window(br#"{"suggestedWindow":{"start":"2030-01-02T00:00:00Z","end":"2030-01-01T00:00:00Z"}}"#).is_err());
        assert!(parse_window(b"{}").is_err());
        assert!(parse_window(b"<html>").is_err());
    }

    #[test]
    fn cert_id_uses_the_aki_and_the_serial_octets() {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, SerialNumber};
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        // RFC 9773's example: this AKI and serial make "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE".
        ca.key_identifier_method = rcgen::KeyIdMethod::PreSpecified(vec![
            0x69, 0x88, 0x5B, 0x6B, 0x87, 0x46, 0x40, 0x41, 0xE1, 0xB3, 0x7B, 0x84, 0x7B, 0xA0,
            0xAE, 0x2C, 0xDE, 0x01, 0xC8, 0xD4,
        ]);
        let issuer = Issuer::new(ca, ca_key);
        let key = KeyPair::generate().unwrap();
        let mut leaf = CertificateParams::new(vec!["a.example".to_string()]).unwrap();
        leaf.serial_number = Some(SerialNumber::from_slice(&[0x00, 0x87, 0x65, 0x43, 0x21]));
        leaf.use_authority_key_identifier_extension = true;
        let cert = leaf.signed_by(&key, &issuer).unwrap();
        let id = cert_id(cert.der()).unwrap();
        assert_eq!(id, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
        let self_signed = CertificateParams::new(vec!["b.example".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        assert!(cert_id(self_signed.der()).is_err());
    }
}
