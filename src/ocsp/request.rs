//! The OCSP request (RFC 6960 §4.1) for one certificate, and the CertID it
//! names.
//!
//! The request is encoded by hand with `acme::der`'s few TLV helpers rather
//! than with a second ASN.1 stack: it is one fixed shape (a SEQUENCE of
//! SEQUENCEs around four fields), unsigned, without nonce or extensions,
//! exactly what Certbot sends (the `cryptography` builder with SHA-1, the
//! hash RFC 5019 says every responder must accept).

use super::OcspError;
use crate::acme::der::{sequence, tlv};
use ring::digest::{SHA1_FOR_LEGACY_USE_ONLY as SHA1, digest};
use x509_parser::prelude::*;

/// id-sha1 (1.3.14.3.2.26), the OID's content octets.
pub const SHA1_OID: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];

/// What identifies the certificate to the responder: hashes of its
/// issuer's name and key, and its serial number (DER content octets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertId {
    pub issuer_name_hash: Vec<u8>,
    pub issuer_key_hash: Vec<u8>,
    pub serial: Vec<u8>,
}

/// SHA-1 of a public key's bits: the CertID's issuerKeyHash, and a
/// responder's `byKey` identity (RFC 6960 §4.2.1).
pub fn key_hash(spki: &SubjectPublicKeyInfo) -> Vec<u8> {
    digest(&SHA1, &spki.subject_public_key.data)
        .as_ref()
        .to_vec()
}

/// The CertID of `cert` as issued by `issuer`. The issuer must be the one
/// named in the certificate: with chain.pem's first certificate being some
/// other one, every hash would be wrong and the responder's answer could
/// only be "unknown", so that is said plainly instead.
pub fn cert_id(cert: &X509Certificate, issuer: &X509Certificate) -> Result<CertId, OcspError> {
    if cert.issuer().as_raw() != issuer.subject().as_raw() {
        return Err(OcspError::Input(format!(
            "the chain's first certificate ({}) is not the issuer ({})",
            issuer.subject(),
            cert.issuer()
        )));
    }
    Ok(CertId {
        // RFC 6960 §4.1.1: the hash of the issuer's name as the
        // certificate being checked spells it (its Issuer field).
        issuer_name_hash: digest(&SHA1, cert.issuer().as_raw()).as_ref().to_vec(),
        issuer_key_hash: key_hash(issuer.public_key()),
        serial: cert.tbs_certificate.raw_serial().to_vec(),
    })
}

/// The CertID, DER.
pub fn encode_cert_id(id: &CertId) -> Vec<u8> {
    // AlgorithmIdentifier with explicit NULL parameters, as OpenSSL and
    // `cryptography` write it.
    let sha1 = sequence(&[tlv(0x06, SHA1_OID), tlv(0x05, &[])]);
    sequence(&[
        sha1,
        tlv(0x04, &id.issuer_name_hash),
        tlv(0x04, &id.issuer_key_hash),
        tlv(0x02, &id.serial),
    ])
}

/// `OCSPRequest { TBSRequest { requestList { Request { CertID } } } }`, DER.
pub fn encode(id: &CertId) -> Vec<u8> {
    let request = sequence(&[encode_cert_id(id)]);
    let request_list = sequence(&[request]);
    let tbs_request = sequence(&[request_list]);
    sequence(&[tbs_request])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_shape_and_hashes() {
        let id = CertId {
            issuer_name_hash: vec![1; 20],
            issuer_key_hash: vec![2; 20],
            serial: vec![0x00, 0x9a],
        };
        let der = encode(&id);
        // OCSPRequest / TBSRequest / requestList / Request / CertID.
        assert_eq!(
            &der[..10],
            &[0x30, 0x43, 0x30, 0x41, 0x30, 0x3f, 0x30, 0x3d, 0x30, 0x3b]
        );
        assert_eq!(&der[10..12], &[0x30, 0x09]);
        assert!(der.ends_with(&[0x02, 0x02, 0x00, 0x9a]));
        assert_eq!(der.len(), 0x45);
    }
}
